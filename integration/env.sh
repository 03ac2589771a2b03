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

# The second test peer: a standalone buildkitd of a current release, with
# buildctl, buildx and the reference Dockerfile frontend of the same release
# (setup.sh builds them with Go, see peers.sh).
BUILDKIT_VERSION="${BUILDKIT_VERSION:-v0.32.2}"
BUILDX_VERSION="${BUILDX_VERSION:-v0.36.1}"
# Where `go install` puts binaries.
PEER_BIN_DIR="${PEER_BIN_DIR:-${GOBIN:-${GOPATH:-$HOME/go}/bin}}"
BUILDKITD="${BUILDKITD:-$PEER_BIN_DIR/buildkitd}"
BUILDCTL="${BUILDCTL:-$PEER_BIN_DIR/buildctl}"
REFERENCE_FRONTEND_BINARY="${REFERENCE_FRONTEND_BINARY:-$PEER_BIN_DIR/dockerfile-frontend}"
BUILDX_PLUGIN_DIR="${BUILDX_PLUGIN_DIR:-/usr/local/lib/docker/cli-plugins}"
# The buildkitd socket, root and log, apart from dockerd's.
BUILDKIT_STATE_DIR="${BUILDKIT_STATE_DIR:-/run/stagecraft-buildkit}"
BUILDKIT_HOST="${BUILDKIT_HOST:-unix://$BUILDKIT_STATE_DIR/buildkitd.sock}"
BUILDKIT_ROOT="${BUILDKIT_ROOT:-/var/lib/stagecraft-buildkit}"
BUILDKITD_LOG="${BUILDKITD_LOG:-/var/log/stagecraft-buildkitd.log}"
BUILDX_BUILDER="${BUILDX_BUILDER:-stagecraft-v032}"
# The loopback registry buildkitd uses as its docker.io mirror: images pushed
# as library/NAME:TAG are what `FROM NAME:TAG` and `# syntax=NAME:TAG` get.
REGISTRY_ADDR="${REGISTRY_ADDR:-127.0.0.1:5050}"
REGISTRY_ROOT="${REGISTRY_ROOT:-/var/lib/stagecraft-registry}"
REGISTRY_LOG="${REGISTRY_LOG:-/var/log/stagecraft-registry.log}"
# The reference frontend, packaged like the official docker/dockerfile image.
REFERENCE_IMAGE="${REFERENCE_IMAGE:-dockerfile-reference:$BUILDKIT_VERSION}"

export DOCKER DOCKER_HOST DOCKER_SOCK FRONTEND_IMAGE WORK_DIR STANDIN_NODE_REPO
export BUILDKIT_HOST BUILDCTL REFERENCE_IMAGE REGISTRY_ADDR
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
