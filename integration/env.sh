# shellcheck shell=bash
# Shared settings for the integration scripts; sourced, never run.
# Every value can be overridden from the environment.

INTEGRATION_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$INTEGRATION_DIR/.." && pwd)"

# Debian's docker.io client (20.10) drives BuildKit builds by itself; a newer
# CLI (e.g. /usr/local/bin/docker 28) refuses them without the buildx plugin.
DOCKER="${DOCKER:-/usr/bin/docker}"
DOCKERD="${DOCKERD:-dockerd}"
DOCKER_SOCK="${DOCKER_SOCK:-/var/run/docker.sock}"
# The client talks to the socket setup.sh starts dockerd on, unless told otherwise.
DOCKER_HOST="${DOCKER_HOST:-unix://$DOCKER_SOCK}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/stagecraft-dockerd.log}"

# The image users name in `# syntax=`.
FRONTEND_IMAGE="${FRONTEND_IMAGE:-stagecraft:dev}"
RUST_TARGET="${RUST_TARGET:-x86_64-unknown-linux-gnu}"
FRONTEND_BINARY="${FRONTEND_BINARY:-$REPO_ROOT/target/$RUST_TARGET/release/stagecraft}"

# Local stand-ins for Docker Hub images (no registry is reachable), made by
# setup.sh under names of their own...
STANDIN_BUSYBOX="${STANDIN_BUSYBOX:-stagecraft-standin/busybox:latest}"
STANDIN_NODE_REPO="${STANDIN_NODE_REPO:-stagecraft-standin/node}"
# ...and tagged with the familiar names the fixtures use only where the name
# is free (or names a stand-in setup made before): setup.sh never replaces an
# image it did not make.
BUSYBOX_IMAGE="${BUSYBOX_IMAGE:-busybox:latest}"
NODE_IMAGE_REPO="${NODE_IMAGE_REPO:-node}"

# Scratch space for scripts and tests (ignored by git).
WORK_DIR="${WORK_DIR:-$INTEGRATION_DIR/.work}"

export DOCKER DOCKER_HOST DOCKER_SOCK FRONTEND_IMAGE WORK_DIR STANDIN_NODE_REPO
export DOCKER_BUILDKIT=1

# Without a default bridge (dockerd --bridge=none, the last fallback of
# setup.sh) a RUN step fails with "network bridge not found"; builds then use
# the host's network. Prints the extra `docker build` arguments, if any.
build_network_args() {
    if ! "$DOCKER" network inspect bridge >/dev/null 2>&1; then
        printf '%s\n' --network=host
    fi
}

# The node-app fixture defaults to NODE_VERSION=20; setup.sh tags the local node
# image with the host's major version. Prints the build arguments that bridge a
# difference, if any.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null; }

# The node-app fixture takes its base image as NODE_IMAGE (default node): the
# scripts build it from the stand-in, whatever `node` names on this machine.
fixture_build_args() {
    local major
    major="$(node_major)"
    printf '%s\n' --build-arg "NODE_IMAGE=$STANDIN_NODE_REPO"
    if [[ -n "$major" && "$major" != 20 ]]; then
        printf '%s\n' --build-arg "NODE_VERSION=$major"
    fi
}
