# shellcheck shell=bash
# How each test peer is driven; sourced after env.sh. A peer is a BuildKit and
# the client that talks to it; PEER picks one (run.sh --peer):
#
#   docker    dockerd's BuildKit (v0.8), `docker build`
#   buildx    buildkitd $BUILDKIT_VERSION, `docker buildx build --builder $BUILDX_BUILDER --load`
#   buildctl  buildkitd, `buildctl build`: `--frontend gateway.v0 --opt source=IMAGE`
#             when the Dockerfile names IMAGE in `# syntax=`, else the built-in
#             `dockerfile.v0`; the image is loaded into dockerd
#   llb       buildkitd, `stagecraft llb | buildctl build` (no frontend image;
#             the image gets no config, only the filesystem)
#
# Images always end up in dockerd, so the tests inspect and run them the same
# way whichever BuildKit built them.
#
#   peer_build ARGS... CONTEXT   what `docker build ARGS... CONTEXT` does, through $PEER
#   peer_buildkit                the BuildKit version $PEER drives (v0.8 for docker)
#   peer_label                   e.g. `docker 20.10 / buildkit v0.8`, `buildkit v0.32.2`
#   peer_on_buildkitd            true for the peers on buildkitd
#   peer_ready                   true when the BuildKit of $PEER answers (reason on stdout otherwise)
#   registry_push IMAGE          copies a dockerd image into the loopback registry (buildkitd's docker.io)

PEER="${PEER:-docker}"
export PEER

peer_on_buildkitd() { [[ "$PEER" != docker ]]; }

peer_buildkit() {
    if peer_on_buildkitd; then
        printf '%s\n' "$BUILDKIT_VERSION"
    else
        printf '%s\n' v0.8
    fi
}

peer_label() {
    if peer_on_buildkitd; then
        printf 'buildkit %s\n' "$BUILDKIT_VERSION"
    else
        printf 'docker %s / buildkit v0.8\n' \
            "$("$DOCKER" version -f '{{.Server.Version}}' 2>/dev/null | cut -d. -f1,2)"
    fi
}

peer_ready() {
    case "$PEER" in
        docker)
            "$DOCKER" info >/dev/null 2>&1 || {
                echo "dockerd does not answer on $DOCKER_HOST"
                return 1
            }
            ;;
        buildx | buildctl | llb)
            "$BUILDCTL" debug workers >/dev/null 2>&1 || {
                echo "buildkitd does not answer on $BUILDKIT_HOST"
                return 1
            }
            ;;
        *)
            echo "unknown peer: $PEER (docker, buildx, buildctl or llb)"
            return 1
            ;;
    esac
}

peer_build() {
    case "$PEER" in
        docker) _build_docker "$@" ;;
        buildx) _build_buildx "$@" ;;
        buildctl | llb) _build_buildctl "$@" ;;
        *)
            echo "unknown peer: $PEER" >&2
            return 2
            ;;
    esac
}

_build_docker() {
    local net=()
    mapfile -t net < <(build_network_args)
    DOCKER_BUILDKIT=1 "$DOCKER" build --progress=plain "${net[@]}" "$@"
}

# --load only with a tag: an untagged image would be left dangling in dockerd.
_build_buildx() {
    local arg load=()
    for arg in "$@"; do
        case "$arg" in
            -t | --tag | --tag=* | -t?*) load=(--load) ;;
        esac
    done
    # The network is buildkitd's (host); dockerd's bridge does not matter here.
    local args=()
    for arg in "$@"; do
        [[ "$arg" == --network=* ]] || args+=("$arg")
    done
    "$DOCKER" buildx build --builder "$BUILDX_BUILDER" --progress=plain "${load[@]}" "${args[@]}"
}

# The image named by a `# syntax=` directive at the top of FILE, if any.
syntax_image() {
    awk '
        /^#[ \t]*[A-Za-z]+[ \t]*=/ {
            line = $0
            sub(/^#[ \t]*/, "", line)
            key = tolower(line); sub(/[ \t]*=.*/, "", key)
            if (key == "syntax") { sub(/^[^=]*=[ \t]*/, "", line); sub(/[ \t]+$/, "", line); print line; exit }
            next
        }
        { exit }' "$1"
}

# Translates `docker build` arguments into buildctl's and runs the build;
# with a tag, the result is loaded into dockerd. PEER=llb converts with
# `stagecraft llb` first and solves the definition.
_build_buildctl() {
    local tag="" file="" ctx="" opts=() solve=() llb=() arg value
    while (($#)); do
        arg="$1"
        value=""
        case "$arg" in
            --*=*)
                value="${arg#*=}"
                arg="${arg%%=*}"
                ;;
            -t?* | -f?*)
                value="${arg:2}"
                arg="${arg:0:2}"
                ;;
            -t | --tag | -f | --file | --target | --build-arg | --secret | --ssh | --platform | --label | --network | --progress)
                value="${2-}"
                shift
                ;;
        esac
        shift
        case "$arg" in
            -t | --tag) tag="$value" ;;
            -f | --file) file="$value" ;;
            --target)
                opts+=(--opt "target=$value")
                llb+=(--target "$value")
                ;;
            --build-arg)
                # `--build-arg NAME` takes the value from the environment, as docker does.
                if [[ "$value" != *=* ]]; then
                    [[ -v "$value" ]] || continue
                    value="$value=${!value}"
                fi
                opts+=(--opt "build-arg:$value")
                llb+=(--build-arg "$value")
                ;;
            --platform)
                opts+=(--opt "platform=$value")
                llb+=(--platform "$value")
                ;;
            --label) opts+=(--opt "label:$value") ;;
            --secret | --ssh) solve+=("$arg" "$value") ;;
            --no-cache) solve+=(--no-cache) ;;
            # buildkitd runs steps on the host network; the plain progress is always on.
            --network | --progress) ;;
            -*)
                echo "peer_build ($PEER): unsupported argument $arg" >&2
                return 2
                ;;
            *) ctx="$arg" ;;
        esac
    done
    [[ -n "$ctx" ]] || {
        echo "peer_build ($PEER): no context directory" >&2
        return 2
    }
    [[ -n "$file" ]] || file="$ctx/Dockerfile"
    local output=()
    [[ -n "$tag" ]] && output=(--output "type=docker,name=$tag")

    if [[ "$PEER" == llb ]]; then
        _build_llb "$file" "$ctx" "$tag" "${llb[@]}" -- "${solve[@]}" "${output[@]}"
        return
    fi

    local frontend_args=(--frontend dockerfile.v0) syntax
    syntax="$(syntax_image "$file")"
    [[ -n "$syntax" ]] && frontend_args=(--frontend gateway.v0 --opt "source=$syntax")
    _solve_and_load "$tag" build "${frontend_args[@]}" "${opts[@]}" "${solve[@]}" \
        --local "context=$ctx" --local "dockerfile=$(dirname "$file")" --opt "filename=$(basename "$file")" \
        --progress=plain "${output[@]}"
}

# _solve_and_load TAG BUILDCTL_ARGS...: runs buildctl, piping the docker
# tarball into `docker load` when TAG is set.
_solve_and_load() {
    local tag="$1"
    shift
    if [[ -z "$tag" ]]; then
        "$BUILDCTL" "$@"
        return
    fi
    local status
    "$BUILDCTL" "$@" | "$DOCKER" load
    status=("${PIPESTATUS[@]}")
    ((status[0] == 0 && status[1] == 0))
}

# _build_llb FILE CONTEXT TAG LLB_ARGS... -- BUILDCTL_ARGS...
_build_llb() {
    local file="$1" ctx="$2" tag="$3" llb=() solve=()
    shift 3
    while (($#)) && [[ "$1" != -- ]]; do
        llb+=("$1")
        shift
    done
    shift
    solve=("$@")
    local configs=() status
    mapfile -t configs < <(llb_image_config_args)
    "$FRONTEND_BINARY" llb -f "$file" --context "$ctx" "${configs[@]}" "${llb[@]}" >"$WORK_DIR/tmp/llb.$$.bin" || {
        rm -f "$WORK_DIR/tmp/llb.$$.bin"
        return 1
    }
    _solve_and_load "$tag" build --local "context=$ctx" --progress=plain "${solve[@]}" <"$WORK_DIR/tmp/llb.$$.bin"
    status=$?
    rm -f "$WORK_DIR/tmp/llb.$$.bin"
    return "$status"
}

# `--image-config REF=FILE` for every local base image: `stagecraft llb` has no
# registry to ask for their ENV, WORKDIR and USER.
llb_image_config_args() {
    local dir="$WORK_DIR/llb-image-configs" image file
    mkdir -p "$dir"
    while read -r image; do
        [[ -n "$image" ]] || continue
        file="$dir/$(tr '/:' '__' <<<"$image").json"
        "$DOCKER" image inspect "$image" >"$file" 2>/dev/null || continue
        printf '%s\n' --image-config "$image=$file"
    done < <(
        printf '%s\n' "$STANDIN_BUSYBOX" "$BUSYBOX_IMAGE"
        "$DOCKER" image ls --format '{{.Repository}}:{{.Tag}}' "$STANDIN_NODE_REPO" | grep -v '<none>'
        "$DOCKER" image ls --format '{{.Repository}}:{{.Tag}}' "$NODE_IMAGE_REPO" | grep -v '<none>'
    )
}

# registry_name IMAGE: where a local image lives in the registry, as the
# docker.io name buildkitd asks its mirror for (busybox:latest ->
# 127.0.0.1:5050/library/busybox:latest).
registry_name() {
    local name="${1%:*}" tag="${1##*:}"
    [[ "$1" == *:* ]] || {
        name="$1"
        tag=latest
    }
    [[ "$name" == */* ]] || name="library/$name"
    printf '%s/%s:%s\n' "$REGISTRY_ADDR" "$name" "$tag"
}

# registry_current IMAGE: true when the registry's IMAGE is the local one
# (its manifest names the local image ID as its config).
registry_current() {
    local ref path id config
    ref="$(registry_name "$1")"
    path="${ref#*/}"
    id="$("$DOCKER" image inspect -f '{{.Id}}' "$1" 2>/dev/null)" || return 1
    config="$(curl -fsS --max-time 5 -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REGISTRY_ADDR/v2/${path%:*}/manifests/${path##*:}" 2>/dev/null | jq -r '.config.digest // empty' 2>/dev/null)"
    [[ -n "$config" && "$config" == "$id" ]]
}

registry_push() {
    local target status
    if registry_current "$1"; then
        echo "$1 is up to date in the registry"
        return 0
    fi
    target="$(registry_name "$1")"
    "$DOCKER" tag "$1" "$target" || return 1
    "$DOCKER" push "$target"
    status=$?
    # The registry tag was only a vehicle for the push.
    "$DOCKER" rmi "$target" >/dev/null 2>&1 || true
    return "$status"
}
