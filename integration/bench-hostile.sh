#!/usr/bin/env bash
# Runs every hostile class of the stress generator at its full size (or
# SIZE) through `stagecraft llb` and `stagecraft graph`, and prints the wall
# time, the peak RSS and how it ended (built, or the error's first line).
# Each must end within 2 s and 256 MiB, built or with an error naming a
# line; the last column says so, and the exit status is 1 if any did not.
#
#   integration/bench-hostile.sh [CLASS…]    (default: every class)
#   BIN=path/to/stagecraft STRESS=path/to/stress SIZE=n  override
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="${BIN:-$repo/target/release/stagecraft}"
stress="${STRESS:-$repo/target/release/stress}"
for b in "$bin" "$stress"; do
    [[ -x "$b" ]] || { echo "no binary at $b (cargo build --release -p stagecraft -p stagecraft-tests)" >&2; exit 2; }
done
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }

max_seconds=2
max_kib=$((256 * 1024))
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mapfile -t classes < <(if (($#)); then printf '%s\n' "$@"; else "$stress" --list | cut -d' ' -f1; fi)

failed=0
printf '%-20s %-5s %9s %10s %7s %8s  %-4s %s\n' class cmd size "file KiB" seconds "peak MiB" goal outcome
for class in "${classes[@]}"; do
    size="${SIZE:-$("$stress" --list | awk -v c="$class" '$1 == c { print $2 }')}"
    "$stress" "$class" "$size" >"$work/Dockerfile"
    for cmd in llb graph; do
        set +e
        # 60 s and 4 GiB at most, so a regression cannot take the machine.
        (cd "$work" && ulimit -v 4194304 && /usr/bin/time -f '%e %M' -o time \
            timeout 60 "$bin" "$cmd" -f Dockerfile >out 2>err)
        rc=$?
        set -e
        read -r seconds kib <"$work/time" || true
        seconds="${seconds:-?}" kib="${kib:-0}"
        named_line=0
        if ((rc == 0)); then
            outcome="built ($(stat -c %s "$work/out") bytes)"
        else
            outcome="$(grep -v '^note:' "$work/err" | head -1 | cut -c1-100 || true)"
            [[ "$outcome" =~ ^Dockerfile:[0-9]+(-[0-9]+)?:\  ]] && named_line=1
        fi
        goal=ok
        if [[ "$seconds" == "?" ]] || awk -v s="$seconds" -v m="$max_seconds" 'BEGIN { exit !(s > m) }' \
            || ((kib > max_kib)) || ((rc != 0 && !named_line)); then
            goal=OVER failed=1
        fi
        printf '%-20s %-5s %9s %10s %7s %8s  %-4s %s\n' "$class" "$cmd" "$size" \
            "$(( $(stat -c %s "$work/Dockerfile") / 1024 ))" "$seconds" "$(( kib / 1024 ))" "$goal" "$outcome"
    done
done
exit "$failed"
