#!/usr/bin/env bash
# Everything CI runs: machine setup, the Rust test suite, clippy, the integration tests.
# Runs every part even when an earlier one fails, prints each summary, and
# exits non-zero when anything failed. CI=true is passed through to cargo
# (tests then fail instead of skipping when their data is missing).
#
#   integration/test-all.sh
set -uo pipefail

# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

results=()
failed=0

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }

# record NAME STATUS SUMMARY SECONDS: one line of the final summary.
record() {
    local name="$1" status="$2" summary="$3" took="$4"
    if ((status == 0)); then
        results+=("$(printf 'ok    %-12s %s (%ss)' "$name" "$summary" "$took")")
    else
        results+=("$(printf 'FAIL  %-12s %s (%ss, exit %d)' "$name" "$summary" "$took" "$status")")
        failed=1
    fi
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
# Sum cargo's per-binary "test result:" lines into one line.
cargo_summary="$(awk '/^test result:/ {
        for (i = 1; i <= NF; i++) {
            if ($(i + 1) ~ /^passed/) p += $i
            if ($(i + 1) ~ /^failed/) f += $i
            if ($(i + 1) ~ /^ignored/) g += $i
        }
        n++
    }
    END { printf "%d passed, %d failed, %d ignored in %d test binaries", p, f, g, n }' "$LOG_DIR/cargo-test.log")"
record cargo-test "$status" "$cargo_summary" "$(since "$start")"

echo "### cargo clippy --workspace --all-targets -- -D warnings"
start="$(now)"
(cd "$REPO_ROOT" && cargo clippy --workspace --all-targets -- -D warnings 2>&1) | tee "$LOG_DIR/cargo-clippy.log"
status="${PIPESTATUS[0]}"
record clippy "$status" "$(grep -cE '^(warning|error)(\[|:)' "$LOG_DIR/cargo-clippy.log") findings" "$(since "$start")"

for mode in llb lint; do
    echo "### reference oracle: $mode"
    start="$(now)"
    "$INTEGRATION_DIR/oracle.sh" "$mode" 2>&1 | tee "$LOG_DIR/oracle-$mode.log"
    status="${PIPESTATUS[0]}"
    record "oracle-$mode" "$status" "$(grep -E "^reference-$mode " "$LOG_DIR/oracle-$mode.log" | tail -n 1)" "$(since "$start")"
done

echo "### integration"
start="$(now)"
if ((${#results[@]} > 0)) && [[ "${results[0]}" == FAIL* ]]; then
    record integration 1 "not run: setup failed" 0
else
    "$INTEGRATION_DIR/run.sh" 2>&1 | tee "$LOG_DIR/integration.log"
    status="${PIPESTATUS[0]}"
    record integration "$status" "$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$LOG_DIR/integration.log" | tail -n 1)" "$(since "$start")"
fi

echo
echo "### test-all summary (logs in $LOG_DIR)"
printf '%s\n' "${results[@]}"
exit "$failed"
