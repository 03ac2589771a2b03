#!/usr/bin/env bash
# The live reference oracle: builds tests/oracle (Go, pinned to BuildKit's
# own frontend) and compares `stagecraft llb` with the reference's
# dockerfile2llb for every Dockerfile the project holds, and `stagecraft lint`
# with the reference linter. Extra arguments go to both comparisons (e.g. -v,
# --only NAME).
#
# Go builds are cached in the default GOCACHE. Without Go the run is skipped,
# except with CI=true, where that is a failure.
#
#   integration/oracle.sh [-v] [--only SUBSTRING]
set -uo pipefail

# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

ORACLE_BIN="${ORACLE_BIN:-$WORK_DIR/oracle}"
mkdir -p "$WORK_DIR"

fail_or_skip() {
    if [[ "${CI:-}" == true ]]; then
        echo "oracle: $1 (a failure with CI=true)" >&2
        exit 1
    fi
    echo "SKIPPED: oracle: $1" >&2
    exit 0
}

command -v go >/dev/null || fail_or_skip "go not found"
(cd "$REPO_ROOT/tests/oracle" && go build -o "$ORACLE_BIN" .) || fail_or_skip "building the harness failed"

# The debug binary `cargo test` already built, unless one is given.
if [[ -z "${STAGECRAFT_BIN:-}" ]]; then
    (cd "$REPO_ROOT" && cargo build -q -p stagecraft --bin stagecraft) || exit 1
    STAGECRAFT_BIN="$REPO_ROOT/target/debug/stagecraft"
fi

status=0
"$ORACLE_BIN" compare --stagecraft "$STAGECRAFT_BIN" --repo "$REPO_ROOT" "$@" || status=1
# The lint findings, once the binary has `stagecraft lint`.
if "$STAGECRAFT_BIN" lint --help >/dev/null 2>&1; then
    "$ORACLE_BIN" compare-lint --stagecraft "$STAGECRAFT_BIN" --repo "$REPO_ROOT" "$@" || status=1
else
    echo "reference-lint: not compared ($STAGECRAFT_BIN has no lint command)"
fi
exit "$status"
