#!/usr/bin/env bash
# The gateway's own figures for one cached build: every RPC with its start
# and duration, the number of sequential rounds, the time spent waiting on
# BuildKit, and our own CPU time from process start to Return — as printed
# by the frontend's trace option into the daemon's log.
#
#   bench/gateway-trace.sh [trivial|node-app|stages100]...   (default: all three)
#
# Each input is built once to fill the cache, then once more with the trace
# on, on dockerd (`docker build --build-arg STAGECRAFT_TRACE=1`) and on
# buildkitd v0.32.2 when it runs (`buildctl build --opt stagecraft-trace=1`).
#
# Environment: FRONTEND_IMAGE (default stagecraft:dev; on buildkitd it is
# pulled through the loopback registry, so push it there first),
# BUILDKIT_HOST (default the peer buildkitd's socket), DOCKERD_LOG,
# BUILDKITD_LOG.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../integration/env.sh
source "$ROOT/integration/env.sh"

BUILDKIT_HOST="${BUILDKIT_HOST:-unix:///run/stagecraft-buildkit/buildkitd.sock}"
BUILDKITD_LOG="${BUILDKITD_LOG:-/var/log/stagecraft-buildkitd.log}"
BUILDCTL="${BUILDCTL:-$(command -v buildctl || echo /root/go/bin/buildctl)}"
read -r -a INPUTS <<<"${*:-trivial node-app stages100}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# context NAME: prints a context directory for the input.
context() {
    local dir="$WORK/$1"
    mkdir -p "$dir"
    case "$1" in
        trivial)
            printf 'FROM busybox\nWORKDIR /app\nCOPY hello.txt .\nRUN cat hello.txt\nCMD ["cat", "/app/hello.txt"]\n' \
                >"$dir/Dockerfile"
            echo hello >"$dir/hello.txt"
            ;;
        node-app)
            cp -a "$INTEGRATION_DIR/examples/node-app/." "$dir/"
            ;;
        stages100)
            "$ROOT/bench/gen-stages.sh" 100 all >"$dir/Dockerfile"
            local i
            for ((i = 0; i < 100; i++)); do
                mkdir -p "$dir/src$i"
                echo "$i" >"$dir/src$i/file"
            done
            ;;
        *)
            echo "unknown input $1 (trivial, node-app, stages100)" >&2
            exit 2
            ;;
    esac
    sed -i '/^#[[:space:]]*syntax[[:space:]]*=/d' "$dir/$(dockerfile "$1")"
    sed -i "1i # syntax=$FRONTEND_IMAGE" "$dir/$(dockerfile "$1")"
    echo "$dir"
}

# dockerfile NAME: the input's Dockerfile (node-app: its multi-stage one,
# built to its `prod` target, as integration/bench-build.sh does).
dockerfile() {
    if [[ "$1" == node-app ]]; then echo Dockerfile.multistage; else echo Dockerfile; fi
}

# traced LOG COMMAND...: runs the build twice (cache, then traced) and
# prints the trace lines the second run left in LOG.
traced() {
    local log="$1" offset
    shift
    "$@" >"$WORK/build.log" 2>&1 || {
        tail -n 20 "$WORK/build.log" >&2
        return 1
    }
    offset="$(stat -c %s "$log")"
    "$@" >"$WORK/build.log" 2>&1 || {
        tail -n 20 "$WORK/build.log" >&2
        return 1
    }
    sleep 0.5 # the daemon writes the frontend's stderr asynchronously
    tail -c "+$((offset + 1))" "$log" | grep -a '^trace: ' | sed 's/^/    /'
}

for input in "${INPUTS[@]}"; do
    dir="$(context "$input")"
    mapfile -t fixture < <(fixture_build_args)
    target=(-f "$dir/$(dockerfile "$input")")
    [[ "$input" == node-app ]] && target+=(--target prod)
    echo "$input on dockerd $("$DOCKER" version -f '{{.Server.Version}}'), $FRONTEND_IMAGE"
    traced "$DOCKERD_LOG" "$DOCKER" build --progress=plain "${target[@]}" "${fixture[@]}" \
        --build-arg STAGECRAFT_TRACE=1 -t "stagecraft-trace:$input" "$dir" || echo "    build failed"
    "$DOCKER" image rm -f "stagecraft-trace:$input" >/dev/null 2>&1 || true
    if [[ -x "$BUILDCTL" ]] && BUILDKIT_HOST="$BUILDKIT_HOST" "$BUILDCTL" debug workers >/dev/null 2>&1; then
        opts=(--opt stagecraft-trace=1 --opt "filename=$(dockerfile "$input")")
        [[ "$input" == node-app ]] && opts+=(--opt target=prod)
        for arg in "${fixture[@]}"; do
            [[ "$arg" == --build-arg ]] || opts+=(--opt "build-arg:$arg")
        done
        echo "$input on buildkitd $("$BUILDCTL" --addr "$BUILDKIT_HOST" --version | awk '{print $3}'), $FRONTEND_IMAGE"
        traced "$BUILDKITD_LOG" "$BUILDCTL" --addr "$BUILDKIT_HOST" build --progress=plain \
            --frontend gateway.v0 --opt "source=$FRONTEND_IMAGE" "${opts[@]}" \
            --local "context=$dir" --local "dockerfile=$dir" || echo "    build failed"
    fi
done
