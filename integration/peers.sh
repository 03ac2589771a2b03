# shellcheck shell=bash
# The BuildKit peer of setup.sh (sourced by it, never run): a standalone
# buildkitd of a current release next to dockerd, its buildctl, the reference
# Dockerfile frontend of the same release as an image, buildx as a Docker CLI
# plugin with a remote builder, and a loopback registry that buildkitd uses as
# its docker.io mirror, holding the local base images and both frontends.
#
# Uses log/die/is_static/image_inputs/INPUTS_LABEL/STD_PATH/SETUP_TMP from setup.sh.

# shellcheck source=drivers.sh
source "$INTEGRATION_DIR/drivers.sh"

# ---------------------------------------------------------------- Go builds

find_go() {
    local go
    go="$(command -v go 2>/dev/null || true)"
    [[ -z "$go" && -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go
    [[ -n "$go" ]] || die "go not found: install a Go toolchain (1.26 or newer) first"
    printf '%s\n' "$go"
}

# A stamp next to the binaries records the version they were built from and
# their checksums: -trimpath keeps -ldflags out of `go version -m`, and the
# reference frontend has no --version.
BUILDKIT_STAMP="$PEER_BIN_DIR/.stagecraft-buildkit.stamp"

buildkit_stamp() {
    printf 'buildkit %s\n' "$BUILDKIT_VERSION"
    sha256sum "$BUILDKITD" "$BUILDCTL" "$REFERENCE_FRONTEND_BINARY" 2>/dev/null
}

version_ldflags() {
    local pkg="$1" version="$2"
    printf -- '-X %s/version.Version=%s -X %s/version.Revision=%s -X %s/version.Package=%s' \
        "$pkg" "$version" "$pkg" "$version" "$pkg" "$pkg"
}

# buildkitd, buildctl and the reference frontend, from the module source.
#
# `go install github.com/moby/buildkit/cmd/buildkitd@v0.32.2` is refused: go
# install of a remote version requires a go.mod without replace/exclude
# directives, and BuildKit's has exclude lines. So the module is fetched with
# `go mod download` (the same checksummed source from the Go module proxy)
# and built inside its directory; -mod=mod lets go resolve its requirements
# there. The result lands where go install would put it. CGO_ENABLED=0 and
# the tags follow the upstream release build: static binaries, so the
# reference frontend runs in an empty image. GOCACHE and GOMODCACHE keep their
# defaults, so a second machine-local build is mostly cached.
install_buildkit() {
    local pkg=github.com/moby/buildkit
    if [[ -f "$BUILDKIT_STAMP" ]] && [[ "$(buildkit_stamp)" == "$(cat "$BUILDKIT_STAMP")" ]]; then
        log "buildkitd, buildctl, dockerfile-frontend $BUILDKIT_VERSION present in $PEER_BIN_DIR"
        return 0
    fi
    local dir
    dir="$("$GO" mod download -json "$pkg@$BUILDKIT_VERSION" | jq -r .Dir)" ||
        die "go mod download $pkg@$BUILDKIT_VERSION failed"
    [[ -d "$dir" ]] || die "go mod download gave no directory for $pkg@$BUILDKIT_VERSION"
    log "building buildkitd, buildctl, dockerfile-frontend $BUILDKIT_VERSION (go build in the module source)"
    mkdir -p "$PEER_BIN_DIR"
    local out="$SETUP_TMP/buildkit-bin"
    mkdir -p "$out"
    (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod "$GO" build -trimpath \
        -tags 'osusergo netgo static_build' \
        -ldflags "$(version_ldflags "$pkg" "$BUILDKIT_VERSION")" \
        -o "$out/" ./cmd/buildkitd ./cmd/buildctl ./frontend/dockerfile/cmd/dockerfile-frontend) ||
        die "building BuildKit $BUILDKIT_VERSION failed"
    # Move into place only complete binaries: a half-written buildkitd must not
    # look current on the next run.
    install -m 0755 "$out/buildkitd" "$BUILDKITD"
    install -m 0755 "$out/buildctl" "$BUILDCTL"
    install -m 0755 "$out/dockerfile-frontend" "$REFERENCE_FRONTEND_BINARY"
    is_static "$REFERENCE_FRONTEND_BINARY" || die "$REFERENCE_FRONTEND_BINARY is not statically linked"
    "$BUILDKITD" --version | grep -qF " $BUILDKIT_VERSION " ||
        die "$BUILDKITD does not report $BUILDKIT_VERSION: $("$BUILDKITD" --version)"
    buildkit_stamp >"$BUILDKIT_STAMP"
}

# buildx has no replace/exclude directives: plain `go install` works.
install_buildx() {
    local plugin="$BUILDX_PLUGIN_DIR/docker-buildx"
    # go install records the module version in the binary.
    if [[ -x "$plugin" ]] && "$GO" version -m "$plugin" 2>/dev/null |
        grep -qE "^[[:space:]]+mod[[:space:]]+github.com/docker/buildx[[:space:]]+${BUILDX_VERSION}[[:space:]]"; then
        log "buildx $BUILDX_VERSION present: $plugin"
        return 0
    fi
    log "go install github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION"
    local out="$SETUP_TMP/buildx-bin"
    mkdir -p "$out"
    GOBIN="$out" CGO_ENABLED=0 "$GO" install -trimpath \
        -ldflags "$(version_ldflags github.com/docker/buildx "$BUILDX_VERSION")" \
        "github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION" ||
        die "go install buildx@$BUILDX_VERSION failed"
    mkdir -p "$BUILDX_PLUGIN_DIR"
    install -m 0755 "$out/buildx" "$plugin"
}

# ---------------------------------------------------------------- registry

registry_answers() { curl -fsS -o /dev/null --max-time 2 "http://$REGISTRY_ADDR/v2/" 2>/dev/null; }

start_registry() {
    # Loopback only: the registry has no authentication.
    [[ "$REGISTRY_ADDR" == 127.* ]] || die "REGISTRY_ADDR must be a 127.x.x.x address, not $REGISTRY_ADDR"
    # Debian's package enables a service listening on every address (:5000);
    # where systemd started it, turn it off.
    if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
        log "stopping and disabling Debian's docker-registry service (it listens on all addresses)"
        systemctl disable --now docker-registry >/dev/null 2>&1 || true
    fi
    if registry_answers; then
        log "registry answers on $REGISTRY_ADDR"
        return 0
    fi
    mkdir -p "$REGISTRY_ROOT" "$BUILDKIT_STATE_DIR" "$(dirname "$REGISTRY_LOG")"
    local config="$BUILDKIT_STATE_DIR/registry.yml"
    cat >"$config" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_ROOT
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
    log "starting docker-registry on $REGISTRY_ADDR; log: $REGISTRY_LOG"
    setsid docker-registry serve "$config" >"$REGISTRY_LOG" 2>&1 </dev/null &
    echo "$!" >"$BUILDKIT_STATE_DIR/registry.pid"
    wait_for_daemon "$!" 20 "$REGISTRY_LOG" registry_answers ||
        die "the registry did not come up on $REGISTRY_ADDR"
}

# wait_for_daemon PID SECONDS LOG CHECK...: waits until CHECK passes; shows
# the tail of LOG and fails when PID dies or the time is up.
wait_for_daemon() {
    local pid="$1" deadline=$((SECONDS + $2)) log_file="$3"
    shift 3
    while ((SECONDS < deadline)); do
        "$@" && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.3
    done
    tail -n 20 "$log_file" | sed 's/^/    /' >&2
    return 1
}

# push_image IMAGE: copies a local dockerd image into the registry.
push_image() {
    local out
    if registry_current "$1"; then
        log "$1 is up to date in the registry"
        return 0
    fi
    out="$(registry_push "$1" 2>&1)" || {
        printf '%s\n' "$out" >&2
        die "pushing $1 to $REGISTRY_ADDR failed"
    }
    log "pushed $1 -> $(registry_name "$1") ($(sed -n 's/.*digest: \(sha256:[0-9a-f]\{12\}\).*/\1/p' <<<"$out"))"
}

# The base images the tests build FROM, as they are tagged in dockerd: the
# stand-ins under their own names (the node-app fixture takes NODE_IMAGE) and
# the familiar names the other fixtures use, whatever dockerd holds there.
base_image_tags() {
    local repo
    printf '%s\n' "$STANDIN_BUSYBOX" "$BUSYBOX_IMAGE"
    for repo in "$STANDIN_NODE_REPO" "$NODE_IMAGE_REPO"; do
        "$DOCKER" image ls --format '{{.Repository}}:{{.Tag}}' "$repo" | grep -v '<none>' || true
    done
}

push_images() {
    local image
    while read -r image; do
        [[ -n "$image" ]] && "$DOCKER" image inspect "$image" >/dev/null 2>&1 && push_image "$image"
    done < <(base_image_tags)
    push_image "$REFERENCE_IMAGE"
    if ((SKIP_FRONTEND == 0)); then
        push_image "$FRONTEND_IMAGE"
    fi
}

# ---------------------------------------------------------------- reference image

# The reference frontend as a `FROM scratch` image with the labels of the
# official docker/dockerfile image; rebuilt only when the binary changes.
build_reference_image() {
    local inputs
    inputs="$(sha256sum "$REFERENCE_FRONTEND_BINARY" | cut -d' ' -f1)"
    if [[ "$(image_inputs "$REFERENCE_IMAGE")" == "$inputs" ]]; then
        log "$REFERENCE_IMAGE is up to date"
        return 0
    fi
    local ctx="$SETUP_TMP/reference-context"
    mkdir -p "$ctx"
    cp "$REFERENCE_FRONTEND_BINARY" "$ctx/dockerfile-frontend"
    cat >"$ctx/Dockerfile" <<EOF
FROM scratch
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts,moby.buildkit.frontend.gitquerystring"
LABEL $INPUTS_LABEL="$inputs"
COPY dockerfile-frontend /bin/dockerfile-frontend
ENTRYPOINT ["/bin/dockerfile-frontend"]
EOF
    if ! "$DOCKER" build --progress=plain -t "$REFERENCE_IMAGE" "$ctx" >"$SETUP_TMP/reference-build.log" 2>&1; then
        cat "$SETUP_TMP/reference-build.log" >&2
        die "building $REFERENCE_IMAGE failed"
    fi
    log "$REFERENCE_IMAGE: $("$DOCKER" image inspect -f '{{.Id}} {{.Size}} bytes' "$REFERENCE_IMAGE")"
}

# ---------------------------------------------------------------- buildkitd

buildctl_peer() { "$BUILDCTL" --addr "$BUILDKIT_HOST" "$@"; }
buildkitd_answers() { buildctl_peer debug workers >/dev/null 2>&1; }
buildkitd_version() { buildctl_peer debug info 2>/dev/null | awk '/^BuildKit:/ { print $3 }'; }

write_buildkitd_config() {
    cat <<EOF
# Written by integration/setup.sh.
root = "$BUILDKIT_ROOT"

[grpc]
  address = ["$BUILDKIT_HOST"]

[worker.oci]
  enabled = true
  binary = "runc"

[worker.containerd]
  enabled = false

# docker.io comes from the loopback registry: FROM busybox and
# # syntax=stagecraft:dev resolve without rewriting and without a network.
[registry."docker.io"]
  mirrors = ["$REGISTRY_ADDR"]

[registry."$REGISTRY_ADDR"]
  http = true
  insecure = true
EOF
}

stop_our_buildkitd() {
    local pid_file="$BUILDKIT_STATE_DIR/buildkitd.pid" pid waited=0
    [[ -f "$pid_file" ]] || return 1
    pid="$(cat "$pid_file")"
    kill -0 "$pid" 2>/dev/null || return 1
    log "stopping buildkitd (pid $pid) started by an earlier setup"
    kill "$pid"
    while kill -0 "$pid" 2>/dev/null && ((waited < 40)); do
        sleep 0.5
        waited=$((waited + 1))
    done
    ! kill -0 "$pid" 2>/dev/null
}

start_buildkitd() {
    mkdir -p "$BUILDKIT_STATE_DIR" "$BUILDKIT_ROOT" "$(dirname "$BUILDKITD_LOG")"
    local config="$BUILDKIT_STATE_DIR/buildkitd.toml" fresh="$SETUP_TMP/buildkitd.toml"
    write_buildkitd_config >"$fresh"
    if buildkitd_answers; then
        local running
        running="$(buildkitd_version)"
        if [[ "$running" == "$BUILDKIT_VERSION" ]] && cmp -s "$fresh" "$config"; then
            log "buildkitd $running answers on $BUILDKIT_HOST"
            return 0
        fi
        stop_our_buildkitd ||
            die "a buildkitd ($running) answers on $BUILDKIT_HOST with another version or config, and not one this script started"
    fi
    [[ "$(id -u)" == 0 ]] || die "buildkitd is not running and starting it needs root"
    cp "$fresh" "$config"
    log "starting buildkitd $BUILDKIT_VERSION on $BUILDKIT_HOST; log: $BUILDKITD_LOG"
    # runc comes from Debian, in /usr/sbin.
    PATH="$STD_PATH" setsid "$BUILDKITD" --config "$config" >"$BUILDKITD_LOG" 2>&1 </dev/null &
    local pid=$!
    echo "$pid" >"$BUILDKIT_STATE_DIR/buildkitd.pid"
    wait_for_daemon "$pid" 60 "$BUILDKITD_LOG" buildkitd_answers ||
        die "buildkitd did not come up on $BUILDKIT_HOST"
    log "buildkitd (pid $pid) answers: $(buildctl_peer debug workers | awk 'NR == 2 { print $1, $2 }')"
}

# ---------------------------------------------------------------- buildx

create_buildx_builder() {
    local endpoint
    # A builder that does not exist yet is not an error (set -e, pipefail).
    endpoint="$("$DOCKER" buildx inspect "$BUILDX_BUILDER" 2>/dev/null | awk '$1 == "Endpoint:" { print $2; exit }' || true)"
    if [[ -n "$endpoint" && "$endpoint" != "$BUILDKIT_HOST" ]]; then
        log "buildx builder $BUILDX_BUILDER points at $endpoint; recreating it for $BUILDKIT_HOST"
        "$DOCKER" buildx rm "$BUILDX_BUILDER" >/dev/null 2>&1 || true
        endpoint=""
    fi
    if [[ -n "$endpoint" ]]; then
        log "buildx builder $BUILDX_BUILDER exists"
    else
        "$DOCKER" buildx create --name "$BUILDX_BUILDER" --driver remote "$BUILDKIT_HOST" >/dev/null ||
            die "docker buildx create --driver remote $BUILDKIT_HOST failed"
        log "created buildx builder $BUILDX_BUILDER -> $BUILDKIT_HOST"
    fi
    local out
    out="$("$DOCKER" buildx inspect --bootstrap "$BUILDX_BUILDER" 2>&1)" ||
        die "buildx builder $BUILDX_BUILDER does not answer: $out"
    grep -q "$BUILDKIT_VERSION" <<<"$out" ||
        die "buildx builder $BUILDX_BUILDER does not report BuildKit $BUILDKIT_VERSION: $out"
    log "buildx $("$DOCKER" buildx version | awk '{ print $2 }'), builder $BUILDX_BUILDER: BuildKit $BUILDKIT_VERSION"
}
