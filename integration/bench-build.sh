#!/usr/bin/env bash
# Times builds of the node-app example through Stagecraft (`# syntax=stagecraft:dev`)
# and through dockerd's own Dockerfile frontend, interleaved in the same run.
#
#   integration/bench-build.sh [REPS]
#
# Scenarios, each REPS times per frontend (default 5):
#   cached    nothing changed: every step is a cache hit
#   edit      one source file changed: `npm run build` and later steps rerun
#   no-cache  --no-cache: every step reruns (base images are local, nothing is pulled)
#
# Environment: BENCH_DOCKERFILE (default Dockerfile.multistage), BENCH_TARGET
# (default prod; empty for the last stage), BENCH_FRONTENDS (default
# "stagecraft builtin"). Expects integration/setup.sh to have run.
set -euo pipefail

# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

REPS="${1:-5}"
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || {
    echo "usage: $0 [REPS]" >&2
    exit 2
}
DOCKERFILE="${BENCH_DOCKERFILE:-Dockerfile.multistage}"
TARGET="${BENCH_TARGET-prod}"
read -r -a FRONTENDS <<<"${BENCH_FRONTENDS:-stagecraft builtin}"

"$DOCKER" info >/dev/null 2>&1 || {
    echo "dockerd does not answer; run integration/setup.sh first" >&2
    exit 1
}

mkdir -p "$WORK_DIR"
BENCH_DIR="$(mktemp -d "$WORK_DIR/bench.XXXXXX")"
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    rm -rf "$BENCH_DIR"
    local frontend
    for frontend in "${FRONTENDS[@]}"; do
        "$DOCKER" image rm -f "stagecraft-bench:$frontend" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

# One context per frontend; the built-in one loses its syntax line.
for frontend in "${FRONTENDS[@]}"; do
    case "$frontend" in
        stagecraft | builtin) ;;
        *)
            echo "unknown frontend: $frontend (stagecraft or builtin)" >&2
            exit 2
            ;;
    esac
    cp -a "$INTEGRATION_DIR/examples/node-app" "$BENCH_DIR/$frontend"
    if [[ "$frontend" == builtin ]]; then
        sed -i '/^#[[:space:]]*syntax[[:space:]]*=/d' "$BENCH_DIR/$frontend"/Dockerfile*
    fi
done

mapfile -t NETWORK_ARGS < <(build_network_args)
mapfile -t FIXTURE_ARGS < <(fixture_build_args)
declare -A TIMES # "$scenario/$frontend" -> space-separated seconds
declare -A FAILED

now() { date +%s.%N; }

# build FRONTEND [EXTRA_ARGS...]: prints the seconds taken, or fails.
build() {
    local frontend="$1" start end
    shift
    local args=(-f "$BENCH_DIR/$frontend/$DOCKERFILE" -t "stagecraft-bench:$frontend" "${NETWORK_ARGS[@]}" "${FIXTURE_ARGS[@]}")
    [[ -n "$TARGET" ]] && args+=(--target "$TARGET")
    start="$(now)"
    if ! DOCKER_BUILDKIT=1 "$DOCKER" build --progress=plain "${args[@]}" "$@" "$BENCH_DIR/$frontend" \
        >"$BENCH_DIR/$frontend.log" 2>&1; then
        return 1
    fi
    end="$(now)"
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

edit_source() {
    local frontend="$1" rep="$2"
    printf "\n// bench edit %s %s\n" "$rep" "$(now)" >>"$BENCH_DIR/$frontend/src/message.js"
}

measure() {
    local scenario="$1" frontend="$2" rep="$3" t
    [[ -n "${FAILED[$frontend]:-}" ]] && return 0
    case "$scenario" in
        edit) edit_source "$frontend" "$rep" ;;
    esac
    local extra=()
    [[ "$scenario" == no-cache ]] && extra+=(--no-cache)
    if t="$(build "$frontend" "${extra[@]}")"; then
        TIMES["$scenario/$frontend"]+="$t "
        printf '  %-9s %-11s rep %d: %ss\n' "$scenario" "$frontend" "$rep" "$t"
    else
        FAILED[$frontend]="$scenario rep $rep"
        printf '  %-9s %-11s rep %d: BUILD FAILED; last lines of the log:\n' "$scenario" "$frontend" "$rep"
        tail -n 15 "$BENCH_DIR/$frontend.log" | sed 's/^/      /'
    fi
}

echo "bench: $DOCKERFILE${TARGET:+ --target $TARGET}, $REPS reps, frontends: ${FRONTENDS[*]}"
echo "dockerd $("$DOCKER" version -f '{{.Server.Version}}'), frontend image $FRONTEND_IMAGE"

echo "warm-up (not counted)"
for frontend in "${FRONTENDS[@]}"; do
    measure warmup "$frontend" 0
done

for scenario in cached edit no-cache; do
    echo "$scenario"
    for rep in $(seq 1 "$REPS"); do
        # Interleave so drift on the machine hits both frontends alike.
        for frontend in "${FRONTENDS[@]}"; do
            measure "$scenario" "$frontend" "$rep"
        done
    done
done

stats() {
    tr ' ' '\n' | awk 'NF' | sort -g | awk '
        { v[NR] = $1; s += $1 }
        END {
            if (NR == 0) { print "-"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "min %.3f  median %.3f  mean %.3f  max %.3f  (n=%d)", v[1], m, s / NR, v[NR], NR
        }'
}

median() {
    tr ' ' '\n' | awk 'NF' | sort -g | awk '
        { v[NR] = $1 }
        END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo
echo "results (seconds, wall clock of docker build)"
for scenario in cached edit no-cache; do
    for frontend in "${FRONTENDS[@]}"; do
        printf '  %-9s %-11s %s\n' "$scenario" "$frontend" \
            "$(stats <<<"${TIMES[$scenario/$frontend]:-}")"
    done
    if [[ -n "${TIMES[$scenario/stagecraft]:-}" && -n "${TIMES[$scenario/builtin]:-}" ]]; then
        ours="$(median <<<"${TIMES[$scenario/stagecraft]}")"
        theirs="$(median <<<"${TIMES[$scenario/builtin]}")"
        awk -v a="$ours" -v b="$theirs" -v s="$scenario" \
            'BEGIN { printf "  %-9s stagecraft/builtin median ratio %.2f (%+.3fs)\n", s, a / b, a - b }'
    fi
done
status=0
for frontend in "${!FAILED[@]}"; do
    echo "FAILED: $frontend (at ${FAILED[$frontend]})"
    status=1
done
exit "$status"
