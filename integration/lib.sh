# shellcheck shell=bash
# Test harness for integration/tests/*.sh; sourced, never run.
#
# A test file is a bash script that sources this file and makes assertions:
#
#   source "$(dirname "$0")/../lib.sh"
#   check "daemon answers" docker_cli info
#   out="$(docker_run busybox:latest echo hi)"
#   assert_eq "echo works" "hi" "$out"
#
# The summary line `N passed, M failed` is printed when the file exits, and the
# exit status is non-zero when anything failed. Keep going after a failure:
# the file is not run with `set -e`.
#
# Helpers:
#   check NAME CMD...             passes when CMD exits 0 (its output is shown on failure)
#   check_fails NAME CMD...       passes when CMD exits non-zero
#   assert_eq NAME EXPECTED ACTUAL
#   assert_contains NAME HAYSTACK NEEDLE
#   assert_not_contains NAME HAYSTACK NEEDLE
#   assert_matches NAME TEXT ERE
#   pass NAME / fail NAME [DETAIL...] / skip NAME REASON
#   docker_cli ARGS...            the Debian docker client ($DOCKER)
#   docker_run IMAGE ARGS...      docker run --rm --network none
#   docker_build ARGS...          a `docker build` through the test peer $PEER (drivers.sh), plain progress
#   compose_build                 builds ./compose.yaml: docker-compose (docker) or buildx bake (buildx)
#   compose_peer                  true when $PEER has a compose client (else prints why not)
#   test_tmpdir                   a fresh directory removed when the file exits
#   fixture_copy NAME             copy of integration/examples/NAME in a fresh directory
#   strip_syntax DIR              removes `# syntax=` lines from DIR/Dockerfile* (built-in frontend)
#   unique_tag NAME               an image tag removed when the file exits
#
# KEEP_TEST_ARTIFACTS=1 keeps the directories and images for a post-mortem.

set -uo pipefail

# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=drivers.sh
source "$(dirname "${BASH_SOURCE[0]}")/drivers.sh"

TEST_NAME="$(basename "${0%.sh}")"
TESTS_PASSED=0
TESTS_FAILED=0
TESTS_SKIPPED=0
# Helpers are mostly called as $(...), in a subshell: register what to clean
# up in a file, not in a variable.
mkdir -p "$WORK_DIR/tmp"
_CLEANUP_LIST="$(mktemp "$WORK_DIR/tmp/cleanup.XXXXXX")"

pass() {
    TESTS_PASSED=$((TESTS_PASSED + 1))
    printf 'ok   - %s\n' "$1"
}

fail() {
    local name="$1"
    shift
    TESTS_FAILED=$((TESTS_FAILED + 1))
    printf 'FAIL - %s\n' "$name"
    local line
    for line in "$@"; do
        printf '%s\n' "$line" | sed 's/^/       | /'
    done
}

# In CI (CI=true) nothing may be skipped: setup.sh installs everything the
# tests need, so a skip there means a broken machine, and counts as a failure.
skip() {
    if [[ "${CI:-}" == true ]]; then
        fail "$1" "skipped in CI: $2"
        return
    fi
    TESTS_SKIPPED=$((TESTS_SKIPPED + 1))
    printf 'skip - %s: %s\n' "$1" "$2"
}

# Output longer than this many lines is cut to its tail in failure reports.
FAIL_OUTPUT_LINES="${FAIL_OUTPUT_LINES:-40}"

_tail_output() {
    local lines
    lines="$(printf '%s\n' "$1" | wc -l)"
    if ((lines > FAIL_OUTPUT_LINES)); then
        printf '... (%d lines, last %d)\n' "$lines" "$FAIL_OUTPUT_LINES"
        printf '%s\n' "$1" | tail -n "$FAIL_OUTPUT_LINES"
    else
        printf '%s\n' "$1"
    fi
}

check() {
    local name="$1" out status
    shift
    out="$("$@" 2>&1)"
    status=$?
    if ((status == 0)); then
        pass "$name"
    else
        fail "$name" "command: $*" "exit status: $status" "$(_tail_output "$out")"
    fi
    return "$status"
}

check_fails() {
    local name="$1" out status
    shift
    out="$("$@" 2>&1)"
    status=$?
    if ((status != 0)); then
        pass "$name"
        return 0
    fi
    fail "$name" "command: $*" "expected a non-zero exit status, got 0" "$(_tail_output "$out")"
    return 1
}

assert_eq() {
    local name="$1" expected="$2" actual="$3"
    if [[ "$expected" == "$actual" ]]; then
        pass "$name"
    else
        fail "$name" "expected: $expected" "actual:   $actual"
        return 1
    fi
}

assert_contains() {
    local name="$1" haystack="$2" needle="$3"
    if [[ "$haystack" == *"$needle"* ]]; then
        pass "$name"
    else
        fail "$name" "expected to contain: $needle" "in:" "$(_tail_output "$haystack")"
        return 1
    fi
}

assert_not_contains() {
    local name="$1" haystack="$2" needle="$3"
    if [[ "$haystack" != *"$needle"* ]]; then
        pass "$name"
    else
        fail "$name" "expected not to contain: $needle" "in:" "$(_tail_output "$haystack")"
        return 1
    fi
}

assert_matches() {
    local name="$1" text="$2" regex="$3"
    if [[ "$text" =~ $regex ]]; then
        pass "$name"
    else
        fail "$name" "expected to match: $regex" "in:" "$(_tail_output "$text")"
        return 1
    fi
}

docker_cli() { "$DOCKER" "$@"; }

docker_run() {
    local image="$1"
    shift
    "$DOCKER" run --rm --network none "$image" "$@"
}

docker_build() { peer_build "$@"; }

# compose_build: builds compose.yaml in the current directory through the
# peer's compose client: docker-compose 1.x on dockerd (with BuildKit only
# through the docker CLI it finds on PATH; put the Debian client first, a newer
# one needs buildx), `docker buildx bake` on buildx. Other peers have none
# (compose_peer says so).
compose_build() {
    case "$PEER" in
        docker)
            PATH="$(dirname "$DOCKER"):$PATH" COMPOSE_DOCKER_CLI_BUILD=1 DOCKER_BUILDKIT=1 \
                docker-compose build
            ;;
        buildx) "$DOCKER" buildx bake --builder "$BUILDX_BUILDER" --progress=plain --load ;;
        *)
            echo "peer $PEER has no compose client" >&2
            return 2
            ;;
    esac
}

# compose_peer: true when $PEER has a compose client; prints why not
# (`none` for peers without one, else what is missing on this machine).
compose_peer() {
    case "$PEER" in
        docker)
            if ! command -v docker-compose >/dev/null; then
                echo "docker-compose is not installed"
                return 1
            elif [[ -n "$(build_network_args)" ]]; then
                echo "dockerd has no bridge network (compose.yaml builds on the default one)"
                return 1
            fi
            ;;
        buildx) ;;
        *)
            echo none
            return 1
            ;;
    esac
}

test_tmpdir() {
    local dir
    mkdir -p "$WORK_DIR/tmp"
    dir="$(mktemp -d "$WORK_DIR/tmp/$TEST_NAME.XXXXXX")"
    printf 'dir\t%s\n' "$dir" >>"$_CLEANUP_LIST"
    printf '%s\n' "$dir"
}

fixture_copy() {
    local src="$INTEGRATION_DIR/examples/$1" dir
    [[ -d "$src" ]] || {
        echo "no fixture $src" >&2
        return 1
    }
    dir="$(test_tmpdir)"
    cp -a "$src/." "$dir/"
    printf '%s\n' "$dir"
}

strip_syntax() {
    local file
    for file in "$1"/Dockerfile*; do
        [[ -f "$file" ]] && sed -i '/^#[[:space:]]*syntax[[:space:]]*=/d' "$file"
    done
    return 0
}

unique_tag() {
    local tag
    tag="stagecraft-test-$(tr '[:upper:]_' '[:lower:]-' <<<"$TEST_NAME")-$1:$$"
    printf 'image\t%s\n' "$tag" >>"$_CLEANUP_LIST"
    printf '%s\n' "$tag"
}

_finish() {
    local status=$?
    local kind item
    if [[ -z "${KEEP_TEST_ARTIFACTS:-}" ]]; then
        while IFS=$'\t' read -r kind item; do
            case "$kind" in
                image) "$DOCKER" image rm -f "$item" >/dev/null 2>&1 || true ;;
                dir) rm -rf "$item" ;;
            esac
        done <"$_CLEANUP_LIST"
    fi
    rm -f "$_CLEANUP_LIST"
    # A file that dies before any assertion still counts as a failure.
    if ((status != 0 && TESTS_FAILED == 0)); then
        fail "$TEST_NAME exited with status $status"
    fi
    if ((TESTS_SKIPPED > 0)); then
        printf '(%d skipped)\n' "$TESTS_SKIPPED"
    fi
    printf '%d passed, %d failed\n' "$TESTS_PASSED" "$TESTS_FAILED"
    if ((TESTS_FAILED > 0)); then
        exit 1
    fi
    exit 0
}
trap _finish EXIT
