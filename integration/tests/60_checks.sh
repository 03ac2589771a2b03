#!/usr/bin/env bash
# Build checks and subrequests (issue 9). On buildkitd: buildx `--call
# targets|outline|check[,format=json|,ignorestatus=true]`, `--check`, the
# warning summary of a normal build and `error=true` failing, each compared
# with the reference frontend image on the same Dockerfile (output and exit
# status). On dockerd 20.10: a Dockerfile with findings builds as before.
# peers: docker buildx
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

REFERENCE_IMAGE="${REFERENCE_IMAGE:-dockerfile-reference:v0.32.2}"
BUILDX_BUILDER="${BUILDX_BUILDER:-stagecraft-v032}"

# CASE FRONTEND: a context holding the case's Dockerfile under `# syntax=FRONTEND`.
case_dir() {
    local dir
    dir="$(test_tmpdir)"
    printf '# syntax=%s\n' "$2" >"$dir/Dockerfile"
    case "$1" in
        linty) cat >>"$dir/Dockerfile" <<'DOCKERFILE' ;;
# VERSION the busybox tag
ARG VERSION=latest
# build compiles the thing
FROM busybox:$VERSION AS build
ARG MODE=fast
RUN --mount=type=secret,id=token true
MAINTAINER me
FROM build AS release
CMD echo hi
DOCKERFILE
        clean) printf 'FROM busybox\nCMD ["true"]\n' >>"$dir/Dockerfile" ;;
        # A stage no build of the last one reaches, which cannot convert: a
        # check converts every stage, so it reports that as the build error.
        broken) printf 'ARG BASE\nFROM busybox AS ok\nMAINTAINER me\nFROM ${BASE} AS unused\nRUN true\nFROM busybox\nCMD ["true"]\n' >>"$dir/Dockerfile" ;;
        # The per-instruction `# check=skip=` comment.
        skipping) printf 'FROM busybox\n# check=skip=MaintainerDeprecated\nMAINTAINER me\nMAINTAINER you\nCMD echo hi\n' >>"$dir/Dockerfile" ;;
        # A FROM that fails to parse after a finding on an earlier line.
        unparsable) printf 'FROM busybox AS Build\nMAINTAINER me\nFROM busybox AS x y\n' >>"$dir/Dockerfile" ;;
        strict) printf '# check=error=true\nFROM busybox\nMAINTAINER me\nCMD ["true"]\n' >>"$dir/Dockerfile" ;;
    esac
    printf '%s\n' "$dir"
}

# The stdout and exit status of a buildx build of CASE through FRONTEND.
buildx_result() {
    local case="$1" frontend="$2" dir out status
    shift 2
    dir="$(case_dir "$case" "$frontend")"
    out="$(cd "$dir" && "$DOCKER" buildx build --builder "$BUILDX_BUILDER" --progress=plain "$@" . 2>"$dir/stderr")"
    status=$?
    # The Dockerfiles differ in their syntax line: leave the file's bytes (and
    # the Definition that loaded them) out of JSON.
    if [[ "$out" == "{"* ]]; then
        out="$(jq -S 'del(.sources[]?.data, .sources[]?.definition)' <<<"$out" 2>&1)"
    fi
    printf 'exit %s\n%s\n' "$status" "$out"
    # The summary of warnings and the error go to stderr. buildx lists the
    # warnings as they reach it, and the reference's arrive in no fixed order
    # (seen both ways on the same file): compare them as a set.
    sed -e 's/\x1b\[[0-9;]*m//g' "$dir/stderr" | grep -E '^ *- |warnings? found|^ERROR' | sed -e 's/^ *//' | LC_ALL=C sort
}

# The same call through both frontends must give the same result.
same_as_reference() {
    local name="$1" case="$2" ours theirs
    shift 2
    ours="$(buildx_result "$case" "$FRONTEND_IMAGE" "$@")"
    theirs="$(buildx_result "$case" "$REFERENCE_IMAGE" "$@")"
    if [[ "$ours" == "$theirs" ]]; then
        pass "$name: as the reference ($(head -n1 <<<"$ours"))"
    else
        fail "$name: as the reference" "ours:" "$ours" "reference:" "$theirs"
    fi
    printf '%s\n' "$ours" >"$WORK_DIR/tmp/$TEST_NAME.last"
}

last() { cat "$WORK_DIR/tmp/$TEST_NAME.last"; }

# As same_as_reference, but error messages may be worded our own way.
same_findings_as_reference() {
    local name="$1" case="$2" ours theirs strip='/"message":/d; /^ERROR/d'
    shift 2
    ours="$(buildx_result "$case" "$FRONTEND_IMAGE" "$@" | sed -e "$strip")"
    theirs="$(buildx_result "$case" "$REFERENCE_IMAGE" "$@" | sed -e "$strip")"
    if [[ "$ours" == "$theirs" ]]; then
        pass "$name: findings as the reference ($(head -n1 <<<"$ours"))"
    else
        fail "$name: findings as the reference" "ours:" "$ours" "reference:" "$theirs"
    fi
    printf '%s\n' "$ours" >"$WORK_DIR/tmp/$TEST_NAME.last"
}

if declare -F peer_on_buildkitd >/dev/null && peer_on_buildkitd; then
    same_as_reference "--call targets" linty --call targets
    assert_contains "targets lists the stages, descriptions and the default" "$(last)" \
        "$(printf 'build             compiles the thing\nrelease (default) ')"
    same_as_reference "--call outline --target build" linty --call outline --target build
    assert_contains "outline shows build args with defaults and descriptions" "$(last)" "VERSION     latest   the busybox tag"
    assert_contains "outline shows secrets" "$(last)" "token"
    same_as_reference "--call check" linty --call check
    assert_contains "check finds the rules" "$(last)" "Check complete, 2 warnings have been found!"
    assert_contains "check exits 1 on findings" "$(last)" "exit 1"
    same_as_reference "--call check,ignorestatus=true" linty --call check,ignorestatus=true
    assert_contains "ignorestatus exits 0" "$(last)" "exit 0"
    same_as_reference "--call check,format=json" linty --call check,format=json
    assert_contains "JSON names the rule" "$(last)" '"ruleName": "MaintainerDeprecated"'
    same_as_reference "--check on a clean file" clean --check
    assert_contains "a clean check says so" "$(last)" "Check complete, no warnings found."
    same_as_reference "error=true under ignorestatus" strict --call check,ignorestatus=true
    assert_contains "error=true still fails" "$(last)" "ERROR: lint violation found for rules: MaintainerDeprecated"
    same_as_reference "--call check,format=json of a file that fails to convert" broken --call check,format=json
    assert_contains "the conversion error is the build error" "$(last)" '"message": "base name (${BASE}) should not be blank"'
    same_as_reference "--call check of a file that fails to convert" broken --call check
    same_findings_as_reference "--call check of a file that fails to parse" unparsable --call check,format=json
    assert_contains "findings before the failing line stay" "$(last)" '"ruleName": "StageNameCasing"'
    same_findings_as_reference "a build that fails to parse" unparsable
    assert_contains "it shows the warnings found before the failing line" "$(last)" \
        "- MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 3)"
    same_as_reference "# check=skip= above one instruction" skipping --call check
    assert_contains "only the instruction below the comment is skipped" "$(last)" "Check complete, 2 warnings have been found!"
    same_as_reference "BUILDKIT_DOCKERFILE_CHECK replaces the directive" linty --call check --build-arg BUILDKIT_DOCKERFILE_CHECK=skip=MaintainerDeprecated,JSONArgsRecommended
    assert_contains "the build arg skips the rules" "$(last)" "Check complete, no warnings found."
    # One rule left: the reference lists several in Go's map order.
    same_as_reference "BUILDKIT_DOCKERFILE_CHECK=error=true fails a build" linty \
        --build-arg 'BUILDKIT_DOCKERFILE_CHECK=skip=JSONArgsRecommended;error=true'
    assert_contains "the build arg fails the build" "$(last)" "lint violation found for rules: MaintainerDeprecated"
    same_as_reference "a build shows the warnings" linty
    assert_contains "the summary lists each finding" "$(last)" \
        "- MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 8)"
    same_as_reference "error=true fails a build" strict
    assert_contains "the build fails naming the rules" "$(last)" "lint violation found for rules: MaintainerDeprecated"
else
    # dockerd 20.10 takes no warnings: the build must not notice the checks.
    dir="$(case_dir linty "$FRONTEND_IMAGE")"
    tag="$(unique_tag linty)"
    check "a Dockerfile with findings builds on $(docker_cli version -f '{{.Server.Version}}' 2>/dev/null)" \
        docker_build -t "$tag" "$dir"
    check "and runs" docker_run "$tag" true
fi
