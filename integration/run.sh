#!/usr/bin/env bash
# Runs the integration tests: every integration/tests/*.sh in name order, or
# only those whose name contains one of the given words.
#
#   integration/run.sh [WORD...]
#
# Each file prints its own `N passed, M failed`; the last line here is the
# total in the same form. Exits non-zero when any file fails. Expects
# integration/setup.sh to have run.
set -uo pipefail

# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

selected() {
    local name="$1" word
    (($# == 1)) && return 0
    shift
    for word in "$@"; do
        [[ "$name" == *"$word"* ]] && return 0
    done
    return 1
}

total_passed=0
total_failed=0
failed_files=()
summaries=()
files=0

for file in "$INTEGRATION_DIR"/tests/*.sh; do
    [[ -e "$file" ]] || continue
    name="$(basename "$file" .sh)"
    selected "$name" "$@" || continue
    files=$((files + 1))
    printf '\n### %s\n' "$name"
    start="$(date +%s.%N)"
    log="$(mktemp)"
    bash "$file" 2>&1 | tee "$log"
    status="${PIPESTATUS[0]}"
    took="$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
    summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)"
    rm -f "$log"
    if [[ -n "$summary" ]]; then
        read -r passed _ failed _ <<<"${summary//,/}"
    else
        # The file died before lib.sh could print its summary.
        passed=0
        failed=1
    fi
    if ((status != 0 && failed == 0)); then
        failed=1
    fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    ((failed > 0)) && failed_files+=("$name")
    summaries+=("$(printf '%-32s %4d passed, %d failed  (%ss)' "$name" "$passed" "$failed" "$took")")
done

if ((files == 0)); then
    echo "no test files matched" >&2
    exit 2
fi

printf '\n### integration summary\n'
printf '%s\n' "${summaries[@]}"
if ((${#failed_files[@]})); then
    printf 'failed: %s\n' "${failed_files[*]}"
fi
printf '%d passed, %d failed\n' "$total_passed" "$total_failed"
((total_failed == 0))
