#!/usr/bin/env bash
# Features whose lowering depends on what the BuildKit can do, on both sides of
# the capability: COPY --link (a merge over the stage with MergeOp, a plain
# copy without it, same files either way), COPY --exclude and COPY --parents
# (refused before building on v0.8, naming the version they need; honoured on
# current BuildKit, with the files the reference frontend gives).
# peers: docker buildx
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../suites/image_fs.sh
source "$INTEGRATION_DIR/suites/image_fs.sh"

ctx="$(test_tmpdir)"
mkdir -p "$ctx/src/a" "$ctx/src/b" "$ctx/src/c"
echo "x $$" >"$ctx/src/a/x.txt"
echo "y $$" >"$ctx/src/b/y.txt"
echo "not matched" >"$ctx/src/c/z.md"
echo "linked $$" >"$ctx/a.txt"
echo "# notes" >"$ctx/NOTES.md"

# dockerfile NAME BODY: writes Dockerfile.NAME for FRONTEND_IMAGE, and
# Dockerfile.NAME.reference for the reference image.
dockerfile() {
    printf '# syntax=%s\n%s\n' "$FRONTEND_IMAGE" "$2" >"$ctx/Dockerfile.$1"
    printf '# syntax=%s\n%s\n' "$REFERENCE_IMAGE" "$2" >"$ctx/Dockerfile.$1.reference"
}

dockerfile link "FROM $BUSYBOX_IMAGE
RUN echo base > /base
COPY --link a.txt /linked/
RUN cat /base /linked/a.txt > /both"

dockerfile parents "FROM $BUSYBOX_IMAGE
COPY --parents src/*/*.txt /out/
RUN find /out | sort > /listing"

dockerfile exclude "FROM $BUSYBOX_IMAGE
COPY --exclude=*.md . /app
RUN find /app -name '*.md' -o -name a.txt | sort > /listing"

# same_as_reference NAME TAG: on buildkitd, the reference image gives the same files.
same_as_reference() {
    local name="$1" tag="$2" ref out a b
    peer_on_buildkitd || return 0
    ref="$(unique_tag "$name-reference")"
    if ! out="$(docker_build -f "$ctx/Dockerfile.$name.reference" -t "$ref" "$ctx" 2>&1)"; then
        fail "[$name] the reference frontend builds it" "$(_tail_output "$out")"
        return 1
    fi
    a="$(fs_lines "$ref")"
    b="$(fs_lines "$tag")"
    if [[ -n "$a" && "$a" == "$b" ]]; then
        pass "[$name] same filesystem as the reference frontend ($(wc -l <<<"$a") paths)"
    else
        fail "[$name] same filesystem as the reference frontend" "- reference  + stagecraft" \
            "$(_tail_output "$(diff -U0 <(printf '%s\n' "$a") <(printf '%s\n' "$b") | sed -n '3,$p' | grep -v '^@@')")"
    fi
}

# ------------------------------------------------------------ COPY --link
tag="$(unique_tag link)"
if check "[link] COPY --link builds on BuildKit $(peer_buildkit)" docker_build -f "$ctx/Dockerfile.link" -t "$tag" "$ctx"; then
    assert_eq "[link] the linked file lands over the stage" "$(printf 'base\nlinked %s' "$$")" \
        "$(docker_run "$tag" cat /both 2>&1)"
    same_as_reference link "$tag"
fi
# On v0.8 the build above succeeding is the fallback at work: a merge op
# would not solve there.
if peer_on_buildkitd; then
    # The merge shows as its own vertex; plain progress folds it into the
    # COPY's group, the raw events do not.
    names="$("$DOCKER" buildx build --builder "$BUILDX_BUILDER" --progress=rawjson -f "$ctx/Dockerfile.link" "$ctx" 2>&1 |
        grep -o '"name":"[^"]*"' | sort -u)"
    assert_contains "[link] with MergeOp: the copy is merged over the stage" "$names" '"name":"[3/4] LINK COPY --link a.txt /linked/"'
fi

# ------------------------------------------------------------ --exclude, --parents
# newer_flag NAME INSTRUCTION EXPECTED_LISTING: Dockerfile.NAME (line 3 is
# INSTRUCTION) builds on current BuildKit, its /listing is EXPECTED_LISTING and
# its files are the reference's; on v0.8 it is refused before anything is
# built or sent, naming the file, the line and the BuildKit version needed.
newer_flag() {
    local name="$1" instruction="$2" expected="$3" tag out status
    tag="$(unique_tag "$name")"
    out="$(docker_build -f "$ctx/Dockerfile.$name" -t "$tag" "$ctx" 2>&1)"
    status=$?
    if peer_on_buildkitd; then
        if check "[$name] builds on BuildKit $(peer_buildkit)" test "$status" -eq 0; then
            assert_eq "[$name] the copied files" "$expected" "$(docker_run "$tag" cat /listing 2>&1)"
            same_as_reference "$name" "$tag"
        else
            fail "[$name] build output" "$(_tail_output "$out")"
        fi
    elif ((status != 0)); then
        pass "[$name] refused on BuildKit v0.8"
        assert_contains "[$name] names the file and line" "$out" "Dockerfile.$name:3:"
        assert_contains "[$name] shows the instruction" "$out" " 3 | $instruction"
        assert_matches "[$name] names the BuildKit version needed" "$out" 'needs BuildKit v0\.[0-9]+ or newer'
        assert_not_contains "[$name] refused before building (no step started)" "$out" "[1/"
        assert_not_contains "[$name] the context was not transferred" "$out" "load build context"
    else
        fail "[$name] refused on BuildKit v0.8" "$(_tail_output "$out")"
    fi
}

# `*.md` matches at the top of the context only, as in .dockerignore.
newer_flag exclude "COPY --exclude=*.md . /app" "$(printf '/app/a.txt\n/app/src/c/z.md')"
newer_flag parents "COPY --parents src/*/*.txt /out/" \
    "$(printf '/out\n/out/src\n/out/src/a\n/out/src/a/x.txt\n/out/src/b\n/out/src/b/y.txt')"
