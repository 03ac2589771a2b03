#!/usr/bin/env bash
# Cached builds through the Stagecraft image, the reference frontend image
# and the built-in Dockerfile frontend, on dockerd (`docker build`) and on
# buildkitd (buildctl), in paired runs: each repetition runs every variant
# once, in turn (starting with a different one each time), so drift on the
# machine hits them alike. Prints medians, the
# ratios against the issue's goals, and what the gap to the built-in frontend
# is made of.
#
#   bench/gateway-bench.sh [REPS]          (default 9; integration/bench-build.sh --gateway runs it)
#
# Cases, each built once per frontend and repetition after a warm-up:
#   PEER/trivial    FROM busybox, WORKDIR, COPY, RUN, CMD; goal ratio <= 0.85
#   PEER/stages100  bench/gen-stages.sh 100 all;            goal ratio <= 0.75
#   PEER/start      the trivial file with `--target nope`: every frontend reads
#                   the Dockerfile and fails at once, so ours minus the
#                   built-in's is what running a frontend image costs
#                   (resolving it, starting and ending its container, our
#                   process) with no build work to hide it.
# PEER is
#   docker     dockerd 20.10, `docker build -t` (the image is stored), whose
#              built-in frontend reads the Dockerfile and forwards to the
#              `# syntax=` image;
#   buildkitd  buildkitd v0.32.2, `buildctl build --frontend dockerfile.v0`
#              (no export), forwarding the same way, as buildx does;
#   buildctl   buildkitd, `--frontend gateway.v0 --opt source=<image>` as
#              integration/drivers.sh runs it. Not a default: the reference
#              image, started without the forwarder's `cmdline` option,
#              forwards its own `# syntax=` line to itself (a second
#              container), which flatters the ratio.
#
# Environment: FRONTEND_IMAGE (pushed to the loopback registry for buildkitd),
# REFERENCE_IMAGE, BENCH_CASES (default: docker and buildkitd, all three
# kinds), BENCH_FRONTENDS (default `stagecraft reference builtin`; add
# `before` and set BEFORE_IMAGE to time an earlier Stagecraft image in the
# same pairs).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../integration/env.sh
source "$ROOT/integration/env.sh"
# shellcheck source=../integration/drivers.sh
source "$INTEGRATION_DIR/drivers.sh"
# shellcheck source=inputs.sh
source "$ROOT/bench/inputs.sh"

REPS="${1:-9}"
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || {
    echo "usage: $0 [REPS]" >&2
    exit 2
}
read -r -a CASES <<<"${BENCH_CASES:-docker/trivial docker/stages100 docker/start buildkitd/trivial buildkitd/stages100 buildkitd/start}"
read -r -a FRONTENDS <<<"${BENCH_FRONTENDS:-stagecraft reference builtin}"

WORK="$(mktemp -d)"
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    rm -rf "$WORK"
    local c f
    for c in "${CASES[@]}"; do
        for f in "${FRONTENDS[@]}"; do
            "$DOCKER" image rm -f "stagecraft-gwbench:${c//\//-}-$f" >/dev/null 2>&1 || true
        done
    done
}
trap cleanup EXIT

# One context per input and frontend, with the frontend's syntax line.
for input in trivial stages100; do
    for frontend in "${FRONTENDS[@]}"; do
        dir="$WORK/$input-$frontend"
        bench_context "$input" "$dir"
        case "$frontend" in
            stagecraft) sed -i "1i # syntax=$FRONTEND_IMAGE" "$dir/Dockerfile" ;;
            reference) sed -i "1i # syntax=$REFERENCE_IMAGE" "$dir/Dockerfile" ;;
            before) sed -i "1i # syntax=${BEFORE_IMAGE:?BEFORE_IMAGE names the image to compare with}" "$dir/Dockerfile" ;;
            builtin) ;;
            *)
                echo "unknown frontend $frontend (stagecraft, reference, builtin)" >&2
                exit 2
                ;;
        esac
    done
done
# peer_of CASE: the drivers.sh peer that answers for the case's daemon.
peer_of() {
    case "${1%%/*}" in
        buildkitd) echo buildctl ;;
        *) echo "${1%%/*}" ;;
    esac
}
for c in "${CASES[@]}"; do
    ready="$(PEER="$(peer_of "$c")" peer_ready)" || {
        echo "$c: $ready; run integration/setup.sh first" >&2
        exit 1
    }
done
if [[ " ${CASES[*]} " == *" buildctl/"* || " ${CASES[*]} " == *" buildkitd/"* ]]; then
    for image in "$FRONTEND_IMAGE" ${BEFORE_IMAGE:+"$BEFORE_IMAGE"}; do
        registry_push "$image" >/dev/null || {
            echo "pushing $image to $REGISTRY_ADDR failed" >&2
            exit 1
        }
    done
fi

now() { date +%s.%N; }

# run CASE FRONTEND: prints the seconds one build took; fails if a build
# failed (or, for `start`, if it did not fail as it must).
run() {
    local peer="${1%%/*}" kind="${1#*/}" frontend="$2" input start end status=0
    input="$kind"
    [[ "$kind" == start ]] && input=trivial
    local dir="$WORK/$input-$frontend" args=()
    args=(-f "$dir/Dockerfile")
    [[ "$peer" == docker ]] && args+=(-t "stagecraft-gwbench:$peer-$kind-$frontend")
    [[ "$kind" == start ]] && args+=(--target nope)
    start="$(now)"
    if [[ "$peer" == buildkitd ]]; then
        local opts=(--opt filename=Dockerfile)
        [[ "$kind" == start ]] && opts+=(--opt target=nope)
        "$BUILDCTL" build --progress=plain --frontend dockerfile.v0 "${opts[@]}" \
            --local "context=$dir" --local "dockerfile=$dir" >"$WORK/last.log" 2>&1 || status=$?
    else
        PEER="$peer" peer_build "${args[@]}" "$dir" >"$WORK/last.log" 2>&1 || status=$?
    fi
    end="$(now)"
    if [[ "$kind" == start ]]; then
        grep -q nope "$WORK/last.log" || status=1
        ((status != 0)) && status=0 || status=1
    fi
    if ((status != 0)); then
        echo "$1 $frontend failed; last lines of its log:" >&2
        tail -n 15 "$WORK/last.log" | sed 's/^/    /' >&2
        return 1
    fi
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }'
}

median() {
    tr ' ' '\n' | awk 'NF' | sort -g | awk '
        { v[NR] = $1 }
        END { if (NR) printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A TIMES
echo "gateway bench: $REPS reps, cases: ${CASES[*]}"
echo "dockerd $("$DOCKER" version -f '{{.Server.Version}}' 2>/dev/null || echo '?'), buildkitd $BUILDKIT_VERSION," \
    "images $FRONTEND_IMAGE and $REFERENCE_IMAGE"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "warm-up (not counted)"
for c in "${CASES[@]}"; do
    for frontend in "${FRONTENDS[@]}"; do
        run "$c" "$frontend" >/dev/null
        run "$c" "$frontend" >/dev/null
    done
done
for rep in $(seq 1 "$REPS"); do
    line="rep $rep:"
    # Each repetition starts with the next frontend: no variant always runs
    # first (after another case or daemon) or last.
    shift_by=$(((rep - 1) % ${#FRONTENDS[@]}))
    order=("${FRONTENDS[@]:shift_by}" "${FRONTENDS[@]:0:shift_by}")
    for c in "${CASES[@]}"; do
        for frontend in "${order[@]}"; do
            t="$(run "$c" "$frontend")"
            TIMES["$c/$frontend"]+="$t "
            line+=" ${c#*/}/${frontend:0:3} $t"
        done
    done
    echo "  $line"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
printf '%-19s %10s %10s %10s %7s %6s %9s\n' "median seconds" stagecraft reference builtin ratio goal "to-builtin"
for c in "${CASES[@]}"; do
    s="$(median <<<"${TIMES[$c/stagecraft]:-}")"
    r="$(median <<<"${TIMES[$c/reference]:-}")"
    b="$(median <<<"${TIMES[$c/builtin]:-}")"
    goal=-
    case "${c#*/}" in
        trivial) goal=0.85 ;;
        stages100) goal=0.75 ;;
    esac
    awk -v c="$c" -v s="${s:-0}" -v r="${r:-0}" -v b="${b:-0}" -v g="$goal" 'BEGIN {
        ratio = (r > 0) ? s / r : 0
        verdict = (g == "-") ? "" : (ratio <= g ? " met" : " NOT met")
        printf "%-19s %10.3f %10.3f %10.3f %7.2f %6s %+9.3f%s\n", c, s, r, b, ratio, g, s - b, verdict
    }'
done
if [[ " ${FRONTENDS[*]} " == *" before "* ]]; then
    echo "before ($BEFORE_IMAGE) in the same pairs:"
    for c in "${CASES[@]}"; do
        s="$(median <<<"${TIMES[$c/stagecraft]:-}")"
        o="$(median <<<"${TIMES[$c/before]:-}")"
        r="$(median <<<"${TIMES[$c/reference]:-}")"
        awk -v c="$c" -v s="${s:-0}" -v o="${o:-0}" -v r="${r:-0}" 'BEGIN {
            printf "%-19s before %.3f (ratio to reference %.2f), now %.3f (%.2f): %+.3f s\n", c, o, (r > 0) ? o / r : 0, s, (r > 0) ? s / r : 0, s - o
        }'
    done
fi
for peer in docker buildkitd buildctl; do
    [[ -n "${TIMES[$peer/start/stagecraft]:-}" && -n "${TIMES[$peer/start/builtin]:-}" ]] || continue
    start="$(awk -v s="$(median <<<"${TIMES[$peer/start/stagecraft]}")" \
        -v b="$(median <<<"${TIMES[$peer/start/builtin]}")" 'BEGIN { printf "%.3f", s - b }')"
    for input in trivial stages100; do
        [[ -n "${TIMES[$peer/$input/stagecraft]:-}" && -n "${TIMES[$peer/$input/builtin]:-}" ]] || continue
        awk -v p="$peer/$input" -v st="$start" \
            -v s="$(median <<<"${TIMES[$peer/$input/stagecraft]}")" \
            -v b="$(median <<<"${TIMES[$peer/$input/builtin]}")" 'BEGIN {
                gap = s - b
                printf "%-19s gap to built-in %+.3f s: %+.3f s running the frontend image (start case), %+.3f s the rest\n", p, gap, st, gap - st
            }'
    done
done
