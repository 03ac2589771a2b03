#!/usr/bin/env bash
# Prepares a machine for the integration tests: Debian packages, a running
# dockerd, local base images (no registry is reachable; made under names of
# their own, see env.sh), the stagecraft:dev frontend image, and the BuildKit
# peer (peers.sh): buildkitd, buildctl and the reference frontend built with
# Go, the buildx plugin and builder, a loopback registry holding the images.
# Safe to run again: every phase checks what is already there.
#
#   integration/setup.sh [--skip-frontend] [--skip-peers]
#
# Environment: DOCKERD_FLAGS (dockerd flags to use instead of the automatic
# attempts), DOCKERD_EXTRA_FLAGS (added to every attempt, e.g. --data-root),
# DOCKERD_TIMEOUT (seconds, default 60), plus everything in env.sh.
set -euo pipefail

# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

SKIP_FRONTEND=0
SKIP_PEERS=0
for arg in "$@"; do
    case "$arg" in
        --skip-frontend) SKIP_FRONTEND=1 ;;
        --skip-peers) SKIP_PEERS=1 ;;
        -h | --help)
            sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "setup.sh: unknown argument: $arg" >&2
            exit 2
            ;;
    esac
done

DOCKERD_TIMEOUT="${DOCKERD_TIMEOUT:-60}"
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
INPUTS_LABEL=org.stagecraft.setup.inputs

log() { printf '[setup] %s\n' "$*"; }
die() {
    printf '[setup] ERROR: %s\n' "$*" >&2
    exit 1
}

TIMINGS=()
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# phase NAME FUNCTION: runs FUNCTION and records how long it took.
phase() {
    local name="$1" start
    shift
    start="$(now)"
    log "== $name"
    "$@"
    local took
    took="$(elapsed "$start")"
    TIMINGS+=("$(printf '%-16s %7ss' "$name" "$took")")
    log "== $name done in ${took}s"
}

docker_answers() { "$DOCKER" info >/dev/null 2>&1; }

# ---------------------------------------------------------------- packages

find_busybox() {
    local candidate
    for candidate in /bin/busybox /usr/bin/busybox; do
        if [[ -x "$candidate" ]] && is_static "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# The busybox copied into images must not need the host's shared libraries.
is_static() {
    local out
    out="$(LC_ALL=C ldd "$1" 2>&1 || true)"
    [[ "$out" == *"not a dynamic executable"* || "$out" == *"statically linked"* ]]
}

install_packages() {
    local missing=()
    { [[ -x "$DOCKER" ]] && command -v dockerd >/dev/null; } || missing+=(docker.io)
    find_busybox >/dev/null || missing+=(busybox-static)
    command -v docker-compose >/dev/null || missing+=(docker-compose)
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
    command -v cc >/dev/null || missing+=(gcc)
    # ssh-agent for the RUN --mount=type=ssh equivalence check.
    command -v ssh-agent >/dev/null || missing+=(openssh-client)
    # crt-static links glibc statically.
    [[ -e "/usr/lib/$(uname -m)-linux-gnu/libc.a" ]] || missing+=(libc6-dev)
    command -v jq >/dev/null || missing+=(jq)
    command -v curl >/dev/null || missing+=(curl)
    if ((SKIP_PEERS == 0)); then
        # The OCI worker of buildkitd runs steps with runc; the registry is
        # its docker.io mirror.
        command -v runc >/dev/null || [[ -x /usr/sbin/runc ]] || missing+=(runc)
        command -v docker-registry >/dev/null || missing+=(docker-registry)
    fi

    if ((${#missing[@]} == 0)); then
        log "all packages present"
    else
        [[ "$(id -u)" == 0 ]] || die "missing packages (${missing[*]}) and not root: run as root"
        log "installing: ${missing[*]}"
        # Wait for another apt run (e.g. unattended upgrades) instead of failing on its lock.
        local apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
        DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get "${apt_opts[@]}" update -qq
        DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get "${apt_opts[@]}" install -y -qq "${missing[@]}"
    fi

    ((SKIP_PEERS == 1)) || GO="$(find_go)"
    [[ -x "$DOCKER" ]] || die "$DOCKER not found (Debian's docker.io client is expected there; set DOCKER=...)"
    find_busybox >/dev/null || die "no static busybox found after installing busybox-static"
    if ((SKIP_FRONTEND == 0)) && ! command -v cargo >/dev/null; then
        # rustup installs into ~/.cargo/bin, which non-login shells may not have on PATH.
        if [[ -x "$HOME/.cargo/bin/cargo" ]]; then
            PATH="$HOME/.cargo/bin:$PATH"
        else
            die "cargo not found: install a Rust toolchain (rustup) first"
        fi
    fi
}

# ---------------------------------------------------------------- dockerd

# Waits until the daemon answers, or gives up when PID dies or the timeout passes.
wait_for_dockerd() {
    local pid="$1" deadline=$((SECONDS + DOCKERD_TIMEOUT))
    while ((SECONDS < deadline)); do
        docker_answers && return 0
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.5
    done
    return 1
}

start_dockerd() {
    if docker_answers; then
        log "dockerd already answers on $DOCKER_SOCK"
        return 0
    fi
    if pgrep -x dockerd >/dev/null; then
        log "a dockerd is running but not answering yet; waiting up to ${DOCKERD_TIMEOUT}s"
        wait_for_dockerd "" && return 0
        die "a dockerd process exists but $DOCKER_SOCK does not answer; stop it or fix it (see its log)"
    fi
    [[ "$(id -u)" == 0 ]] || die "dockerd is not running and starting it needs root"

    # Plain defaults first (overlay2, bridge networking); then what containers
    # without privileges usually need. DOCKERD_FLAGS replaces the list.
    local attempts=()
    if [[ -n "${DOCKERD_FLAGS:-}" ]]; then
        attempts=("$DOCKERD_FLAGS")
    else
        # Without a bridge, builds need --network=host (see build_network_args).
        attempts=(
            ""
            "--storage-driver=vfs"
            "--storage-driver=vfs --iptables=false --ip6tables=false"
            "--storage-driver=vfs --iptables=false --ip6tables=false --bridge=none"
        )
    fi

    local flags pid
    mkdir -p "$(dirname "$DOCKERD_LOG")"
    for flags in "${attempts[@]}"; do
        log "starting dockerd ${flags:-(default flags)}; log: $DOCKERD_LOG"
        # shellcheck disable=SC2086 # flags is a word list on purpose
        setsid "$DOCKERD" --host "unix://$DOCKER_SOCK" $flags ${DOCKERD_EXTRA_FLAGS:-} \
            >"$DOCKERD_LOG" 2>&1 </dev/null &
        pid=$!
        if wait_for_dockerd "$pid"; then
            log "dockerd (pid $pid) answers; flags: ${flags:-none}"
            mkdir -p "$WORK_DIR"
            printf '%s\n' "$flags" >"$WORK_DIR/dockerd.flags"
            return 0
        fi
        log "dockerd did not come up with '${flags:-default flags}'; last log lines:"
        tail -n 15 "$DOCKERD_LOG" | sed 's/^/    /'
        kill "$pid" 2>/dev/null || true
        # Give it time to release its pid file and socket before the next try.
        local waited=0
        while kill -0 "$pid" 2>/dev/null && ((waited < 20)); do
            sleep 0.5
            waited=$((waited + 1))
        done
    done
    die "could not start dockerd (tried ${#attempts[@]} flag sets); see $DOCKERD_LOG"
}

# ---------------------------------------------------------------- base images

# Root filesystem of a busybox-only image: applets at their usual paths, the
# usual accounts and a 1777 /tmp. USER_NAME gets uid/gid 1000.
make_busybox_tree() {
    local dir="$1" user_name="$2" busybox applet
    busybox="$(find_busybox)"
    mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,root,tmp,var/tmp,home/"$user_name",proc,sys,dev}
    chmod 1777 "$dir/tmp" "$dir/var/tmp"
    chmod 700 "$dir/root"
    cp "$busybox" "$dir/bin/busybox"
    while read -r applet; do
        [[ -n "$applet" && "$applet" != bin/busybox && "$applet" != linuxrc && ! -e "$dir/$applet" ]] || continue
        mkdir -p "$dir/$(dirname "$applet")"
        ln -s /bin/busybox "$dir/$applet"
    done < <("$busybox" --list-full)
    cat >"$dir/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
$user_name:x:1000:1000:$user_name:/home/$user_name:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
    cat >"$dir/etc/group" <<EOF
root:x:0:
users:x:100:
$user_name:x:1000:
nogroup:x:65534:
EOF
    chown 1000:1000 "$dir/home/$user_name"
}

# Node.js and npm from the host, with the shared libraries node links against.
make_node_tree() {
    local dir="$1" node_bin npm_dir lib
    make_busybox_tree "$dir" node
    node_bin="$(readlink -f "$(command -v node)")"
    npm_dir="$(node_npm_dir)"
    cp "$node_bin" "$dir/usr/local/bin/node"
    mkdir -p "$dir/usr/local/lib/node_modules"
    cp -a "$npm_dir" "$dir/usr/local/lib/node_modules/npm"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
    while read -r lib; do
        # Keep the path the loader looks for, copying the file behind any symlink.
        mkdir -p "$dir/$(dirname "$lib")"
        cp -L "$lib" "$dir/$lib"
    done < <(node_libs "$node_bin")
}

node_npm_dir() {
    (cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
}

# Absolute paths of the loader and libraries the node binary needs.
node_libs() {
    LC_ALL=C ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u
}

# A digest of everything an image is made of, so a rebuild happens only when
# the host binaries or the recipe change.
busybox_inputs() {
    {
        sha256sum "$(find_busybox)"
        declare -f make_busybox_tree
    } | sha256sum | cut -d' ' -f1
}

node_inputs() {
    local node_bin
    node_bin="$(readlink -f "$(command -v node)")"
    {
        sha256sum "$node_bin"
        node_libs "$node_bin" | xargs sha256sum
        cat "$(node_npm_dir)/package.json"
        busybox_inputs
        declare -f make_node_tree node_libs
    } | sha256sum | cut -d' ' -f1
}

image_inputs() {
    "$DOCKER" image inspect -f "{{ index .Config.Labels \"$INPUTS_LABEL\" }}" "$1" 2>/dev/null || true
}

# import_tree DIR INPUTS TAG [EXTRA_TAGS...] -- [--change ...]
import_tree() {
    local dir="$1" inputs="$2" tag="$3"
    shift 3
    local extra_tags=()
    while (($#)) && [[ "$1" != -- ]]; do
        extra_tags+=("$1")
        shift
    done
    shift # --
    tar -C "$dir" --numeric-owner -cf - . |
        "$DOCKER" import --change "LABEL $INPUTS_LABEL=$inputs" "$@" - "$tag" >/dev/null
    local extra
    for extra in "${extra_tags[@]}"; do
        "$DOCKER" tag "$tag" "$extra"
    done
}

# alias_if_free STANDIN NAME...: tags STANDIN as each NAME that is free or
# already a stand-in (it carries the setup label); any other image keeps
# its name, and the fixtures naming it then build on it.
alias_if_free() {
    local standin="$1" name
    shift
    for name in "$@"; do
        if "$DOCKER" image inspect "$name" >/dev/null 2>&1 && [[ -z "$(image_inputs "$name")" ]]; then
            log "keeping $name: setup did not make it (the stand-in is $standin)"
            continue
        fi
        "$DOCKER" tag "$standin" "$name"
    done
}

build_base_images() {
    local tmp="$SETUP_TMP/images" inputs

    inputs="$(busybox_inputs)"
    if [[ "$(image_inputs "$STANDIN_BUSYBOX")" == "$inputs" ]]; then
        log "$STANDIN_BUSYBOX is up to date"
    else
        log "building $STANDIN_BUSYBOX from $(find_busybox)"
        make_busybox_tree "$tmp/busybox" app
        import_tree "$tmp/busybox" "$inputs" "$STANDIN_BUSYBOX" -- \
            --change "ENV PATH=$STD_PATH" \
            --change 'CMD ["sh"]'
    fi
    alias_if_free "$STANDIN_BUSYBOX" "$BUSYBOX_IMAGE"

    local version major node_tag
    version="$(node -p process.versions.node)"
    major="${version%%.*}"
    node_tag="$STANDIN_NODE_REPO:$major"
    inputs="$(node_inputs)"
    if [[ "$(image_inputs "$node_tag")" == "$inputs" ]]; then
        log "$node_tag is up to date"
    else
        log "building $node_tag (node $version, npm $(npm --version)) from the host's Node.js"
        make_node_tree "$tmp/node"
        import_tree "$tmp/node" "$inputs" "$node_tag" "$STANDIN_NODE_REPO:$version" "$STANDIN_NODE_REPO:latest" -- \
            --change "ENV PATH=$STD_PATH" \
            --change "ENV NODE_VERSION=$version" \
            --change 'CMD ["node"]'
    fi
    alias_if_free "$node_tag" "$NODE_IMAGE_REPO:$major" "$NODE_IMAGE_REPO:$version" "$NODE_IMAGE_REPO:latest"
    if [[ "$major" != 20 ]]; then
        log "note: the host's Node.js is $major, the fixtures default to NODE_VERSION=20;" \
            "the scripts pass --build-arg NODE_VERSION=$major (fixture_build_args)"
    fi

    # A broken image would only show up deep inside a test; catch it here.
    "$DOCKER" run --rm --network none "$STANDIN_BUSYBOX" sh -c 'test -d /tmp' ||
        die "$STANDIN_BUSYBOX does not run"
    "$DOCKER" run --rm --network none "$node_tag" sh -c 'node --version && npm --version' >/dev/null ||
        die "$node_tag does not run node and npm"
}

# ---------------------------------------------------------------- frontend

build_frontend_binary() {
    log "cargo build --release --target $RUST_TARGET -p stagecraft (static)"
    (cd "$REPO_ROOT" &&
        RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
            cargo build --release --target "$RUST_TARGET" -p stagecraft)
    [[ -x "$FRONTEND_BINARY" ]] || die "cargo did not produce $FRONTEND_BINARY"
    is_static "$FRONTEND_BINARY" || die "$FRONTEND_BINARY is not statically linked"
    log "binary: $FRONTEND_BINARY ($(du -h "$FRONTEND_BINARY" | cut -f1))"
}

# Always rebuilt: it is a single COPY, and a stale image would hide changes.
build_frontend_image() {
    local ctx="$SETUP_TMP/frontend-context"
    rm -rf "$ctx"
    mkdir -p "$ctx"
    # Send only the binary, not the repository, as the build context.
    cp "$FRONTEND_BINARY" "$ctx/stagecraft"
    if ! "$DOCKER" build --progress=plain -f "$REPO_ROOT/Dockerfile.frontend" --target local \
        -t "$FRONTEND_IMAGE" "$ctx" >"$SETUP_TMP/frontend-build.log" 2>&1; then
        cat "$SETUP_TMP/frontend-build.log" >&2
        die "building $FRONTEND_IMAGE failed"
    fi
    log "$FRONTEND_IMAGE: $("$DOCKER" image inspect -f '{{.Id}} {{.Size}} bytes' "$FRONTEND_IMAGE")"
}

# ---------------------------------------------------------------- main

# shellcheck source=peers.sh
source "$INTEGRATION_DIR/peers.sh"

TOTAL_START="$(now)"
SETUP_TMP="$(mktemp -d)"
trap 'rm -rf "$SETUP_TMP"' EXIT
phase packages install_packages
phase dockerd start_dockerd
phase base-images build_base_images
if ((SKIP_FRONTEND == 0)); then
    phase frontend-binary build_frontend_binary
    phase frontend-image build_frontend_image
fi
if ((SKIP_PEERS == 0)); then
    phase buildkit-build install_buildkit
    phase buildx-build install_buildx
    phase registry start_registry
    phase buildkitd start_buildkitd
    phase buildx-builder create_buildx_builder
    phase reference-image build_reference_image
    phase push-images push_images
fi

log "timings:"
for line in "${TIMINGS[@]}"; do
    log "  $line"
done
log "  $(printf '%-16s %7ss' total "$(elapsed "$TOTAL_START")")"
