#!/usr/bin/env bash
# The live reference oracle: builds tests/oracle (Go, pinned to BuildKit's
# own frontend) and compares, for every Dockerfile the project holds,
#   llb:  `stagecraft llb` with the reference's dockerfile2llb (and image config),
#   lint: `stagecraft lint --format json` with the reference linter.
# Extra arguments go to the comparison (e.g. -v, --only NAME, --scratch DIR).
#
# Go builds are cached in the default GOCACHE. Without Go the run is skipped,
# except with CI=true, where that is a failure.
#
#   integration/oracle.sh llb|lint [-v] [--only SUBSTRING]
set -uo pipefail

# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

mode="${1:-llb}"
shift || true
case "$mode" in
    llb) command=compare ;;
    lint) command=compare-lint ;;
    *)
        echo "usage: $0 llb|lint [oracle flags]" >&2
        exit 2
        ;;
esac

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
# The harness's own tests (graph pairing, allow-list, literal extraction).
if [[ "$mode" == llb ]]; then
    (cd "$REPO_ROOT/tests/oracle" && go vet . && go test -count=1 .) || exit 1
fi

# The debug binary `cargo test` already built, unless one is given.
if [[ -z "${STAGECRAFT_BIN:-}" ]]; then
    (cd "$REPO_ROOT" && cargo build -q -p stagecraft --bin stagecraft) || exit 1
    STAGECRAFT_BIN="$REPO_ROOT/target/debug/stagecraft"
fi

exec "$ORACLE_BIN" "$command" --stagecraft "$STAGECRAFT_BIN" --repo "$REPO_ROOT" "$@"
