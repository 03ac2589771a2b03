#!/usr/bin/env bash
# The gateway's own figures for one cached build: every RPC with its start
# and duration, the number of sequential rounds, the time spent waiting on
# BuildKit, and our own CPU time from process start to Return — as printed
# by the frontend's trace option into the daemon's log — and, from the
# daemon's progress timestamps, what the frontend container costs around
# the session:
#   start   the frontend image ready (its progress vertex done) -> our `main`
#   end     our `Return` -> the daemon's next step (the frontend process
#           exits and its container is removed before the daemon uses the
#           result)
#
#   bench/gateway-trace.sh [trivial|node-app|stages100]...   (default: all three)
#
# Each input is built once to fill the cache, then once more with the trace
# on and the progress as JSON: on dockerd through buildx's default builder
# (dockerd's own BuildKit, `--build-arg STAGECRAFT_TRACE=1`), and on
# buildkitd v0.32.2 when it runs (`buildctl build --frontend dockerfile.v0
# --opt stagecraft-trace=1`, which forwards to the `# syntax=` image as
# buildx does).
#
# Environment: FRONTEND_IMAGE (default stagecraft:dev; on buildkitd it is
# pulled through the loopback registry, so push it there first),
# BUILDKIT_HOST (default the peer buildkitd's socket), DOCKERD_LOG,
# BUILDKITD_LOG.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../integration/env.sh
source "$ROOT/integration/env.sh"
# shellcheck source=inputs.sh
source "$ROOT/bench/inputs.sh"

BUILDKIT_HOST="${BUILDKIT_HOST:-unix:///run/stagecraft-buildkit/buildkitd.sock}"
BUILDKITD_LOG="${BUILDKITD_LOG:-/var/log/stagecraft-buildkitd.log}"
BUILDCTL="${BUILDCTL:-$(command -v buildctl || echo /root/go/bin/buildctl)}"
read -r -a INPUTS <<<"${*:-trivial node-app stages100}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# context NAME: prints a context directory for the input, its Dockerfile
# naming FRONTEND_IMAGE.
context() {
    local dir="$WORK/$1"
    bench_context "$1" "$dir"
    sed -i "1i # syntax=$FRONTEND_IMAGE" "$dir/$(bench_dockerfile "$1")"
    echo "$dir"
}

# traced LOG COMMAND...: runs the build twice (cache, then traced, its
# progress as JSON in $WORK/progress.json) and prints the trace lines the
# second run left in LOG.
traced() {
    local log="$1" offset
    shift
    "$@" >"$WORK/build.log" 2>&1 || {
        tail -n 20 "$WORK/build.log" >&2
        return 1
    }
    offset="$(stat -c %s "$log")"
    "$@" >"$WORK/progress.json" 2>&1 || {
        tail -n 20 "$WORK/progress.json" >&2
        return 1
    }
    sleep 0.5 # the daemon writes the frontend's stderr asynchronously
    tail -c "+$((offset + 1))" "$log" | grep -a '^trace: ' >"$WORK/trace.txt" || true
    sed 's/^/    /' "$WORK/trace.txt"
}

# around: the container's start and end, from the trace's clock line and
# the progress in $WORK/progress.json.
around() {
    local main_at return_at
    read -r main_at return_at < <(sed -n 's/^trace: main at unix \([0-9.]*\), Return at unix \([0-9.]*\).*/\1 \2/p' "$WORK/trace.txt" | tail -n 1) || true
    [[ -n "${main_at:-}" ]] || {
        echo "    (no clock line in the trace)"
        return 0
    }
    jq -r 'select(.vertexes != null) | .vertexes[] | [.name, (.started // "-"), (.completed // "-")] | @tsv' \
        "$WORK/progress.json" 2>/dev/null |
        while IFS=$'\t' read -r name started completed; do
            local s=- c=-
            [[ "$started" != - ]] && s="$(date -d "$started" +%s.%N)"
            [[ "$completed" != - ]] && c="$(date -d "$completed" +%s.%N)"
            printf '%s\t%s\t%s\n' "$s" "$c" "$name"
        done | awk -F'\t' -v main="$main_at" -v ret="$return_at" -v img="$FRONTEND_IMAGE" '
            $3 ~ /^docker-image:\/\// && index($3, img) && $2 != "-" && $2 + 0 > ready { ready = $2 + 0 }
            $1 != "-" && $1 + 0 > ret + 0 && (next_at == "" || $1 + 0 < next_at) { next_at = $1 + 0; next_name = $3 }
            END {
                if (ready) printf "    container start: %.1f ms from the frontend image ready to main\n", (main - ready) * 1000
                if (next_at != "") printf "    container end: %.1f ms from Return to the next step (%s)\n", (next_at - ret) * 1000, substr(next_name, 1, 60)
            }'
}

for input in "${INPUTS[@]}"; do
    dir="$(context "$input")"
    file="$dir/$(bench_dockerfile "$input")"
    target=()
    [[ "$input" == node-app ]] && target=(--target prod)
    # The node-app's base image comes from a build arg; elsewhere it would
    # be an unused one (and a warning).
    fixture=()
    [[ "$input" == node-app ]] && mapfile -t fixture < <(fixture_build_args)
    echo "$input on dockerd $("$DOCKER" version -f '{{.Server.Version}}') (buildx default builder), $FRONTEND_IMAGE"
    if traced "$DOCKERD_LOG" "$DOCKER" buildx build --builder default --progress=rawjson -f "$file" \
        ${target[@]+"${target[@]}"} ${fixture[@]+"${fixture[@]}"} --build-arg STAGECRAFT_TRACE=1 "$dir"; then
        around
    else
        echo "    build failed"
    fi
    if [[ -x "$BUILDCTL" ]] && BUILDKIT_HOST="$BUILDKIT_HOST" "$BUILDCTL" debug workers >/dev/null 2>&1; then
        opts=(--opt stagecraft-trace=1 --opt "filename=$(bench_dockerfile "$input")")
        [[ "$input" == node-app ]] && opts+=(--opt target=prod)
        for arg in ${fixture[@]+"${fixture[@]}"}; do
            [[ "$arg" == --build-arg ]] || opts+=(--opt "build-arg:$arg")
        done
        echo "$input on buildkitd $("$BUILDCTL" --addr "$BUILDKIT_HOST" --version | awk '{print $3}') (dockerfile.v0 forwarding), $FRONTEND_IMAGE"
        if traced "$BUILDKITD_LOG" "$BUILDCTL" --addr "$BUILDKIT_HOST" build --progress=rawjson \
            --frontend dockerfile.v0 "${opts[@]}" --local "context=$dir" --local "dockerfile=$dir"; then
            around
        else
            echo "    build failed"
        fi
    fi
done
