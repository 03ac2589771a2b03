#!/usr/bin/env bash
# Runs every hostile class of the stress generator at its full size (or
# SIZE) through `stagecraft llb`, `stagecraft graph` and `stagecraft lint`
# (which, like the gateway's lint subrequest, also converts every stage),
# and prints the wall
# time, the CPU time (user + system), the peak RSS and how it ended (built,
# or the error's first line). Each must end within 2 s of CPU and 256 MiB,
# built or with an error naming a line; the goal column says so, and the exit
# status is 1 if any did not. CPU, not wall, time is judged: on a shared
# machine the wall clock also counts other processes.
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
printf '%-20s %-5s %9s %8s %6s %6s %8s  %-4s %s\n' class cmd size "file KiB" wall cpu "peak MiB" goal outcome
for class in "${classes[@]}"; do
    size="${SIZE:-$("$stress" --list | awk -v c="$class" '$1 == c { print $2 }')}"
    "$stress" "$class" "$size" >"$work/Dockerfile"
    for cmd in llb graph lint; do
        set +e
        # 60 s and 4 GiB at most, so a regression cannot take the machine.
        (cd "$work" && ulimit -v 4194304 && /usr/bin/time -f '%e %U %S %M' -o time \
            timeout 60 "$bin" "$cmd" -f Dockerfile >out 2>err)
        rc=$?
        set -e
        # GNU time puts "Command exited with non-zero status" first when it failed.
        read -r wall user sys kib < <(tail -n 1 "$work/time") || true
        cpu="$(awk -v u="${user:-0}" -v s="${sys:-0}" 'BEGIN { printf "%.2f", u + s }')"
        kib="${kib:-0}"
        named_line=0
        if ((rc == 0)); then
            if [[ "$cmd" == lint ]]; then
                outcome="checked ($(stat -c %s "$work/out") bytes of findings)"
            else
                outcome="built ($(stat -c %s "$work/out") bytes)"
            fi
        else
            outcome="$(grep -v '^note:' "$work/err" | head -1 | cut -c1-100 || true)"
            [[ "$outcome" =~ ^Dockerfile:[0-9]+(-[0-9]+)?:\  ]] && named_line=1
        fi
        goal=ok
        if [[ -z "${wall:-}" ]] || awk -v s="$cpu" -v m="$max_seconds" 'BEGIN { exit !(s > m) }' \
            || ((kib > max_kib)) || ((rc != 0 && !named_line)); then
            goal=OVER failed=1
        fi
        printf '%-20s %-5s %9s %8s %6s %6s %8s  %-4s %s\n' "$class" "$cmd" "$size" \
            "$(( $(stat -c %s "$work/Dockerfile") / 1024 ))" "${wall:-?}" "$cpu" "$(( kib / 1024 ))" \
            "$goal" "$outcome"
    done
done
exit "$failed"
