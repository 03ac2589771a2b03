#!/usr/bin/env bash
# Runs the integration tests: every integration/tests/*.sh in name order, or
# only those whose name contains one of the given words, against one test
# peer (drivers.sh; default docker, i.e. dockerd's BuildKit).
#
#   integration/run.sh [--peer docker|buildx|buildctl|llb] [WORD...]
#
# A file runs on the peers its `# peers:` line names (default: docker buildx
# buildctl). Each file prints its own `N passed, M failed`; the last line here
# is the total in the same form. Exits non-zero when any file fails. Expects
# integration/setup.sh to have run.
set -uo pipefail

if [[ "${1:-}" == --peer ]]; then
    PEER="${2:?--peer needs a name}"
    shift 2
elif [[ "${1:-}" == --peer=* ]]; then
    PEER="${1#--peer=}"
    shift
fi

# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=drivers.sh
source "$INTEGRATION_DIR/drivers.sh"

# The peers a test file is meant for, from its `# peers: ...` line.
file_peers() {
    local line
    line="$(grep -m1 -E '^# peers:' "$1" || true)"
    if [[ -n "$line" ]]; then
        printf '%s\n' "${line#\# peers:}"
    else
        echo docker buildx buildctl
    fi
}

printf '### peer %s: %s\n' "$PEER" "$(peer_label)"
if ! reason="$(peer_ready)"; then
    if [[ "${CI:-}" == true ]]; then
        printf 'FAIL - peer %s is not ready: %s\n0 passed, 1 failed\n' "$PEER" "$reason"
        exit 1
    fi
    printf 'skip - peer %s is not ready: %s\n0 passed, 0 failed\n' "$PEER" "$reason"
    exit 0
fi
if peer_on_buildkitd && [[ "$PEER" != llb ]]; then
    # buildkitd pulls the frontend of `# syntax=` from the registry: give it
    # the image under test, whatever FRONTEND_IMAGE names.
    if ! out="$(registry_push "$FRONTEND_IMAGE" 2>&1)"; then
        printf 'FAIL - push %s to %s\n%s\n0 passed, 1 failed\n' "$FRONTEND_IMAGE" "$REGISTRY_ADDR" "$out"
        exit 1
    fi
fi

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
    [[ " $(file_peers "$file") " == *" $PEER "* ]] || continue
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

printf '\n### integration summary (peer %s: %s)\n' "$PEER" "$(peer_label)"
printf '%s\n' "${summaries[@]}"
if ((${#failed_files[@]})); then
    printf 'failed: %s\n' "${failed_files[*]}"
fi
printf '%d passed, %d failed\n' "$total_passed" "$total_failed"
((total_failed == 0))
