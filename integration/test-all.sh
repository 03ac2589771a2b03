#!/usr/bin/env bash
# Everything CI runs: machine setup, the Rust test suite, clippy, the LLB
# oracle, the integration tests on both BuildKits (dockerd's v0.8 through
# `docker build`; buildkitd $BUILDKIT_VERSION through buildx, buildctl and
# `stagecraft llb | buildctl`).
# Runs every part even when an earlier one fails, prints each summary, and
# exits non-zero when anything failed. CI=true is passed through to cargo
# (tests then fail instead of skipping when their data is missing) and to the
# integration tests (a peer that is not installed or not running fails).
#
#   integration/test-all.sh
#
# The last lines are one per BuildKit, `integration (<peer>)  N passed, M failed`,
# then the plain total `N passed, M failed` over every part.
set -uo pipefail

# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=drivers.sh
source "$INTEGRATION_DIR/drivers.sh"

results=()
closing=()
failed=0
total_passed=0
total_failed=0

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }

# record NAME STATUS SUMMARY SECONDS [PASSED FAILED]: one line of the final
# summary; PASSED and FAILED count into the total.
record() {
    local name="$1" status="$2" summary="$3" took="$4"
    if ((status == 0)); then
        results+=("$(printf 'ok    %-16s %s (%ss)' "$name" "$summary" "$took")")
    else
        results+=("$(printf 'FAIL  %-16s %s (%ss, exit %d)' "$name" "$summary" "$took" "$status")")
        failed=1
    fi
    total_passed=$((total_passed + ${5:-0}))
    total_failed=$((total_failed + ${6:-0}))
    # A part that failed without a failed count still fails the total.
    if ((status != 0 && ${6:-0} == 0)); then
        total_failed=$((total_failed + 1))
    fi
}

# counts FILE: the `N M` of the last `N passed, M failed` line in FILE.
counts() {
    local line p f
    line="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)"
    [[ -n "$line" ]] || line="0 passed, 0 failed"
    read -r p _ f _ <<<"${line//,/}"
    printf '%d %d\n' "$p" "$f"
}

LOG_DIR="$WORK_DIR/logs"
mkdir -p "$LOG_DIR"

echo "### setup"
start="$(now)"
"$INTEGRATION_DIR/setup.sh" 2>&1 | tee "$LOG_DIR/setup.log"
status="${PIPESTATUS[0]}"
record setup "$status" "$(grep -E '^\[setup\] +total' "$LOG_DIR/setup.log" | sed 's/^\[setup\] *//')" "$(since "$start")"

echo "### cargo test --workspace (CI=${CI:-unset})"
start="$(now)"
(cd "$REPO_ROOT" && cargo test --workspace 2>&1) | tee "$LOG_DIR/cargo-test.log"
status="${PIPESTATUS[0]}"
# Sum cargo's per-binary "test result:" lines.
read -r cargo_passed cargo_failed cargo_ignored cargo_binaries < <(awk '/^test result:/ {
        for (i = 1; i <= NF; i++) {
            if ($(i + 1) ~ /^passed/) p += $i
            if ($(i + 1) ~ /^failed/) f += $i
            if ($(i + 1) ~ /^ignored/) g += $i
        }
        n++
    }
    END { printf "%d %d %d %d\n", p, f, g, n }' "$LOG_DIR/cargo-test.log")
record cargo-test "$status" \
    "$cargo_passed passed, $cargo_failed failed, $cargo_ignored ignored in $cargo_binaries test binaries" \
    "$(since "$start")" "$cargo_passed" "$cargo_failed"

echo "### cargo clippy --workspace --all-targets -- -D warnings"
start="$(now)"
(cd "$REPO_ROOT" && cargo clippy --workspace --all-targets -- -D warnings 2>&1) | tee "$LOG_DIR/cargo-clippy.log"
status="${PIPESTATUS[0]}"
record clippy "$status" "$(grep -cE '^(warning|error)(\[|:)' "$LOG_DIR/cargo-clippy.log") findings" "$(since "$start")"

# The live LLB oracle and its lint mode: `reference-MODE  N same, M differ`,
# counted into the total like passed/failed.
oracle_lines=()
for mode in llb lint; do
    echo "### reference oracle: $mode"
    start="$(now)"
    "$INTEGRATION_DIR/oracle.sh" "$mode" 2>&1 | tee "$LOG_DIR/oracle-$mode.log"
    status="${PIPESTATUS[0]}"
    line="$(grep -E "^reference-$mode " "$LOG_DIR/oracle-$mode.log" | tail -n 1)"
    read -r same differ < <(awk '{ print $2, $4 }' <<<"${line:-x 0 x 0}")
    record "oracle-$mode" "$status" "$line" "$(since "$start")" "${same:-0}" "${differ:-0}"
    oracle_lines+=("${line:-reference-$mode  no summary (see $LOG_DIR/oracle-$mode.log)}")
done

setup_failed=0
((${#results[@]} > 0)) && [[ "${results[0]}" == FAIL* ]] && setup_failed=1

# integration NAME PEER...: runs run.sh once per peer, records one line and
# one closing line for them together.
integration() {
    local name="$1" peer label start status=0 p=0 f=0 peer_p peer_f
    shift
    label="$(PEER="$1" peer_label)"
    start="$(now)"
    if ((setup_failed)); then
        record "$name" 1 "not run: setup failed" 0
        closing+=("$(printf 'integration (%s)  not run: setup failed' "$label")")
        return
    fi
    for peer in "$@"; do
        echo "### integration, peer $peer ($label)"
        "$INTEGRATION_DIR/run.sh" --peer "$peer" 2>&1 | tee "$LOG_DIR/integration-$peer.log"
        ((PIPESTATUS[0] == 0)) || status=1
        read -r peer_p peer_f <<<"$(counts "$LOG_DIR/integration-$peer.log")"
        p=$((p + peer_p))
        f=$((f + peer_f))
    done
    record "$name" "$status" "$p passed, $f failed ($*)" "$(since "$start")" "$p" "$f"
    closing+=("$(printf 'integration (%s)  %d passed, %d failed' "$label" "$p" "$f")")
}

integration integration-v0.8 docker
integration "integration-$BUILDKIT_VERSION" buildx buildctl llb
closing+=("${oracle_lines[@]}")

echo
echo "### test-all summary (logs in $LOG_DIR)"
printf '%s\n' "${results[@]}"
echo
printf '%s\n' "${closing[@]}"
printf '%d passed, %d failed\n' "$total_passed" "$total_failed"
exit "$failed"
