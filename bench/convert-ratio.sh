#!/usr/bin/env bash
# Conversion cost, whole process, Stagecraft against the reference converter.
#
#   bench/convert-ratio.sh [-n REPS] [--curve] [--no-build]
#
# Each input is converted by `stagecraft llb` and by the reference's
# dockerfile2llb (BuildKit v0.32.2, the oracle harness in tests/oracle, with
# its offline image resolver), in paired runs: ours, theirs, ours, theirs…
# (REPS each, default 7). Printed per input: median wall time, CPU time
# (user + system) and peak RSS of each, and our/their ratios. Both sides get
# the same base image config and write the binary Definition to a file.
#
# Inputs (bench/gen-stages.sh): 500 and 2,000 stages whose default target
# reaches every stage, and 2,000 stages whose target reaches one. --curve
# adds the cost curve: 10, 100, 1,000 and 5,000 stages, all reached.
#
# Goals (issue 11): on the first two inputs, wall ≤ 0.10 and memory ≤ 0.50 of
# the reference's; the last column says whether they hold.
#
# Environment: STAGECRAFT_BIN (default: the static binary our image ships,
# target/x86_64-unknown-linux-gnu/release/stagecraft, built as
# integration/setup.sh builds it unless --no-build; a dynamically linked
# build spends about 0.8 ms more loading its shared libraries), ORACLE_BIN
# (default integration/.work/oracle, built from tests/oracle unless
# --no-build).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPS=7
CURVE=0
BUILD=1
while (($#)); do
    case "$1" in
        -n)
            REPS="${2:-}"
            shift 2
            ;;
        --curve)
            CURVE=1
            shift
            ;;
        --no-build)
            BUILD=0
            shift
            ;;
        *)
            echo "usage: $0 [-n REPS] [--curve] [--no-build]" >&2
            exit 2
            ;;
    esac
done
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || {
    echo "REPS must be a positive number" >&2
    exit 2
}

RUST_TARGET=x86_64-unknown-linux-gnu
OURS="${STAGECRAFT_BIN:-$ROOT/target/$RUST_TARGET/release/stagecraft}"
THEIRS="${ORACLE_BIN:-$ROOT/integration/.work/oracle}"
IMAGES="$ROOT/tests/oracle/images"
TIME=/usr/bin/time
[[ -x "$TIME" ]] || {
    echo "needs GNU time at $TIME (Debian package: time)" >&2
    exit 1
}

if ((BUILD)); then
    (cd "$ROOT" && RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
        cargo build --release --quiet --target "$RUST_TARGET" -p stagecraft)
    mkdir -p "$(dirname "$THEIRS")"
    (cd "$ROOT/tests/oracle" && go build -o "$THEIRS" .)
fi
for bin in "$OURS" "$THEIRS"; do
    [[ -x "$bin" ]] || {
        echo "missing $bin" >&2
        exit 1
    }
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# run SIDE FILE: one conversion; prints "wall_s cpu_s rss_kib".
run() {
    local side="$1" file="$2" start end
    local cmd
    if [[ "$side" == ours ]]; then
        cmd=("$OURS" llb -f "$file" --image-config "docker.io/library/busybox:latest=$IMAGES/default.json")
    else
        cmd=("$THEIRS" llb --raw -f "$file" --images "$IMAGES")
    fi
    start=$EPOCHREALTIME
    (cd "$WORK" && "$TIME" -o "$WORK/time" -f '%U %S %M' "${cmd[@]}" >"$WORK/out.$side" 2>"$WORK/err.$side") || {
        echo "$side failed on $file:" >&2
        tail -n 5 "$WORK/err.$side" >&2
        exit 1
    }
    end=$EPOCHREALTIME
    awk -v a="$start" -v b="$end" '{ printf "%.4f %.2f %d\n", b - a, $1 + $2, $3 }' "$WORK/time"
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure NAME STAGES REACH GOAL: paired runs, one result line.
measure() {
    local name="$1" stages="$2" reach="$3" goal="$4" file="$WORK/$1.Dockerfile" i
    "$ROOT/bench/gen-stages.sh" "$stages" "$reach" >"$file"
    : >"$WORK/ours.txt"
    : >"$WORK/theirs.txt"
    run ours "$file" >/dev/null # warm the page cache for both binaries
    run theirs "$file" >/dev/null
    for ((i = 0; i < REPS; i++)); do
        run ours "$file" >>"$WORK/ours.txt"
        run theirs "$file" >>"$WORK/theirs.txt"
    done
    local ow oc om tw tc tm
    ow="$(cut -d' ' -f1 "$WORK/ours.txt" | median)"
    oc="$(cut -d' ' -f2 "$WORK/ours.txt" | median)"
    om="$(cut -d' ' -f3 "$WORK/ours.txt" | median)"
    tw="$(cut -d' ' -f1 "$WORK/theirs.txt" | median)"
    tc="$(cut -d' ' -f2 "$WORK/theirs.txt" | median)"
    tm="$(cut -d' ' -f3 "$WORK/theirs.txt" | median)"
    awk -v n="$name" -v ow="$ow" -v oc="$oc" -v om="$om" -v tw="$tw" -v tc="$tc" -v tm="$tm" \
        -v goal="$goal" -v ops="$(tr -cd '\n' <"$file" | wc -c)" 'BEGIN {
        rw = ow / tw; rm = om / tm
        verdict = goal ? ((rw <= 0.10 && rm <= 0.50) ? "met" : "NOT met") : "-"
        printf "%-22s %8.4f %6.2f %7.1f | %8.4f %6.2f %7.1f | %5.2f %5.2f  %s\n",
            n, ow, oc, om / 1024, tw, tc, tm / 1024, rw, rm, verdict
    }'
}

echo "conversion: stagecraft llb vs the reference dockerfile2llb (BuildKit v0.32.2); $REPS paired runs, medians"
printf '%-22s %8s %6s %7s | %8s %6s %7s | %5s %5s  %s\n' \
    input "wall s" "cpu s" "MiB" "wall s" "cpu s" "MiB" wall mem goal
printf '%-22s %23s | %23s |\n' "" stagecraft reference
measure "500 stages, all" 500 all 1
measure "2000 stages, all" 2000 all 1
measure "2000 stages, one" 2000 last 0
if ((CURVE)); then
    for stages in 10 100 1000 5000; do
        measure "curve $stages" "$stages" all 0
    done
fi
