#!/usr/bin/env bash
# Times builds of the node-app example through Stagecraft, the reference
# frontend image and the built-in Dockerfile frontend, on both BuildKits, in
# paired runs: every repetition builds each variant once, in turn (A B C A B
# C ...), so drift on the machine hits them alike.
#
#   integration/bench-build.sh [REPS]
#   integration/bench-build.sh --gateway [REPS]
#
# --gateway times the issue's cached builds instead (a trivial file and a
# 100-stage one, and the fixed cost of running a frontend image) and prints
# the ratios against the goals: bench/gateway-bench.sh.
#
# Variants are PEER/FRONTEND (PEER as in drivers.sh; FRONTEND stagecraft =
# `# syntax=$FRONTEND_IMAGE`, reference = `# syntax=$REFERENCE_IMAGE`,
# builtin = no syntax line). Default: all three frontends on both BuildKits,
#   docker/stagecraft docker/reference docker/builtin
#   buildctl/stagecraft buildctl/reference buildctl/builtin
# On dockerd a build ends with the image in dockerd's store; on buildkitd it
# ends without an export, so compare ratios within one BuildKit.
#
# Scenarios, each REPS times per variant (default 5):
#   cached    nothing changed: every step is a cache hit
#   edit      one source file changed: `npm run build` and later steps rerun
#   no-cache  --no-cache: every step reruns (base images are local, nothing is pulled)
#
# Environment: BENCH_DOCKERFILE (default Dockerfile.multistage), BENCH_TARGET
# (default prod; empty for the last stage), BENCH_VARIANTS. Expects
# integration/setup.sh to have run.
set -euo pipefail

# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=drivers.sh
source "$INTEGRATION_DIR/drivers.sh"

if [[ "${1:-}" == --gateway ]]; then
    shift
    exec "$REPO_ROOT/bench/gateway-bench.sh" "$@"
fi

REPS="${1:-5}"
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || {
    echo "usage: $0 [REPS]" >&2
    exit 2
}
DOCKERFILE="${BENCH_DOCKERFILE:-Dockerfile.multistage}"
TARGET="${BENCH_TARGET-prod}"
read -r -a VARIANTS <<<"${BENCH_VARIANTS:-docker/stagecraft docker/reference docker/builtin buildctl/stagecraft buildctl/reference buildctl/builtin}"

mkdir -p "$WORK_DIR"
BENCH_DIR="$(mktemp -d "$WORK_DIR/bench.XXXXXX")"
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    rm -rf "$BENCH_DIR"
    local variant
    for variant in "${VARIANTS[@]}"; do
        "$DOCKER" image rm -f "stagecraft-bench:${variant//\//-}" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

# One context per variant, with the syntax line of its frontend.
for variant in "${VARIANTS[@]}"; do
    peer="${variant%%/*}"
    frontend="${variant#*/}"
    case "$peer" in
        docker | buildx | buildctl) ;;
        *)
            echo "unknown peer in $variant (docker, buildx or buildctl)" >&2
            exit 2
            ;;
    esac
    ready="$(PEER="$peer" peer_ready)" || {
        echo "$variant: $ready; run integration/setup.sh first" >&2
        exit 1
    }
    dir="$BENCH_DIR/${variant//\//-}"
    cp -a "$INTEGRATION_DIR/examples/node-app" "$dir"
    case "$frontend" in
        stagecraft) sed -i "s|^#[[:space:]]*syntax[[:space:]]*=.*|# syntax=$FRONTEND_IMAGE|" "$dir"/Dockerfile* ;;
        reference) sed -i "s|^#[[:space:]]*syntax[[:space:]]*=.*|# syntax=$REFERENCE_IMAGE|" "$dir"/Dockerfile* ;;
        builtin) sed -i '/^#[[:space:]]*syntax[[:space:]]*=/d' "$dir"/Dockerfile* ;;
        *)
            echo "unknown frontend in $variant (stagecraft, reference or builtin)" >&2
            exit 2
            ;;
    esac
done
# buildkitd takes `# syntax=` images from the registry: give it this build's.
for variant in "${VARIANTS[@]}"; do
    if [[ "$variant" != docker/* && "$variant" == */stagecraft ]]; then
        registry_push "$FRONTEND_IMAGE" >/dev/null || {
            echo "pushing $FRONTEND_IMAGE to $REGISTRY_ADDR failed" >&2
            exit 1
        }
        break
    fi
done

mapfile -t FIXTURE_ARGS < <(fixture_build_args)
declare -A TIMES # "$scenario/$variant" -> space-separated seconds
declare -A FAILED

now() { date +%s.%N; }

# build VARIANT [EXTRA_ARGS...]: prints the seconds taken, or fails.
build() {
    local variant="$1" peer="${1%%/*}" dir="$BENCH_DIR/${1//\//-}" start end
    shift
    local args=(-f "$dir/$DOCKERFILE" "${FIXTURE_ARGS[@]}")
    [[ -n "$TARGET" ]] && args+=(--target "$TARGET")
    # dockerd always stores the image; buildkitd is timed without an export.
    [[ "$peer" == docker ]] && args+=(-t "stagecraft-bench:${variant//\//-}")
    start="$(now)"
    if ! PEER="$peer" peer_build "${args[@]}" "$@" "$dir" >"$dir.log" 2>&1; then
        return 1
    fi
    end="$(now)"
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

edit_source() {
    printf "\n// bench edit %s %s\n" "$2" "$(now)" >>"$BENCH_DIR/${1//\//-}/src/message.js"
}

measure() {
    local scenario="$1" variant="$2" rep="$3" t
    [[ -n "${FAILED[$variant]:-}" ]] && return 0
    [[ "$scenario" == edit ]] && edit_source "$variant" "$rep"
    local extra=()
    [[ "$scenario" == no-cache ]] && extra+=(--no-cache)
    if t="$(build "$variant" "${extra[@]}")"; then
        TIMES["$scenario/$variant"]+="$t "
        printf '  %-9s %-20s rep %d: %ss\n' "$scenario" "$variant" "$rep" "$t"
    else
        FAILED[$variant]="$scenario rep $rep"
        printf '  %-9s %-20s rep %d: BUILD FAILED; last lines of the log:\n' "$scenario" "$variant" "$rep"
        tail -n 15 "$BENCH_DIR/${variant//\//-}.log" | sed 's/^/      /'
    fi
}

echo "bench: $DOCKERFILE${TARGET:+ --target $TARGET}, $REPS reps, variants: ${VARIANTS[*]}"
echo "dockerd $("$DOCKER" version -f '{{.Server.Version}}' 2>/dev/null || echo '?'), buildkitd $BUILDKIT_VERSION," \
    "frontend images $FRONTEND_IMAGE and $REFERENCE_IMAGE"

echo "warm-up (not counted)"
for variant in "${VARIANTS[@]}"; do
    measure warmup "$variant" 0
done

for scenario in cached edit no-cache; do
    echo "$scenario"
    for rep in $(seq 1 "$REPS"); do
        for variant in "${VARIANTS[@]}"; do
            measure "$scenario" "$variant" "$rep"
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

# ratio SCENARIO PEER OTHER: Stagecraft's median over OTHER's on one peer.
ratio() {
    local ours="${TIMES[$1/$2/stagecraft]:-}" theirs="${TIMES[$1/$2/$3]:-}"
    [[ -n "$ours" && -n "$theirs" ]] || return 0
    awk -v a="$(median <<<"$ours")" -v b="$(median <<<"$theirs")" -v s="$1" -v p="$2" -v o="$3" \
        'BEGIN { printf "  %-9s %-9s stagecraft/%-9s median ratio %.2f (%+.3fs)\n", s, p, o, a / b, a - b }'
}

echo
echo "results (seconds, wall clock of the build command)"
for scenario in cached edit no-cache; do
    for variant in "${VARIANTS[@]}"; do
        printf '  %-9s %-20s %s\n' "$scenario" "$variant" "$(stats <<<"${TIMES[$scenario/$variant]:-}")"
    done
done
echo
echo "ratios (< 1: Stagecraft is faster)"
for scenario in cached edit no-cache; do
    for peer in docker buildx buildctl; do
        ratio "$scenario" "$peer" builtin
        ratio "$scenario" "$peer" reference
    done
done
status=0
for variant in "${!FAILED[@]}"; do
    echo "FAILED: $variant (at ${FAILED[$variant]})"
    status=1
done
exit "$status"
