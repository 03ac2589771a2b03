#!/usr/bin/env bash
# Stagecraft as dockerd's frontend (issue 3): `# syntax=stagecraft:dev` and
# BUILDKIT_SYNTAX builds, image config, error reports with the Dockerfile line,
# a prompt exit after the result, and the capability check for COPY --exclude.
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

# shellcheck source=../suites/steps.sh
source "$INTEGRATION_DIR/suites/steps.sh"

ctx="$(fixture_dir gateway)"
image_field() { docker_cli image inspect -f "$2" "$1" 2>&1; }

# ------------------------------------------------------------ # syntax= build
tag="$(unique_tag basic)"
start="$(now)"
out="$(docker_build -t "$tag" "$ctx" 2>&1)"
status=$?
took="$(seconds_since "$start")"
printf '       first build: %ss\n' "$took"
if ((status == 0)); then
    pass "# syntax=stagecraft:dev build succeeds"
    assert_contains "the frontend image was loaded" "$out" "docker-image://docker.io/library/stagecraft:dev"
    assert_eq "RUN wrote a file from the COPYed context file" \
        "$(printf 'hello from the context\nbuilt by RUN')" "$(docker_run "$tag" cat /app/built.txt 2>&1)"
    assert_eq "CMD runs in the image" \
        "$(printf 'hello from the context\nbuilt by RUN')" "$(docker_run "$tag" 2>&1)"
    assert_eq "WORKDIR is the working directory of the container" "/app" "$(docker_run "$tag" pwd 2>&1)"
    env_json="$(image_field "$tag" '{{json .Config.Env}}')"
    assert_contains "Env holds GREETING_FILE" "$env_json" '"GREETING_FILE=/app/built.txt"'
    assert_contains "Env holds APP_MODE" "$env_json" '"APP_MODE=gateway-test"'
    assert_contains "Env keeps the base image's PATH" "$env_json" '"PATH=/usr/local/sbin:'
    assert_eq "WorkingDir" "/app" "$(image_field "$tag" '{{.Config.WorkingDir}}')"
    assert_eq "Cmd" '["cat","/app/built.txt"]' "$(image_field "$tag" '{{json .Config.Cmd}}')"
    # shellcheck disable=SC2016 # expanded by the container's shell
    assert_eq "ENV is visible to the container" "gateway-test" "$(docker_run "$tag" sh -c 'echo $APP_MODE' 2>&1)"

    # A fully cached rebuild: the frontend must return and exit at once.
    start="$(now)"
    out="$(docker_build -t "$tag" "$ctx" 2>&1)"
    status=$?
    took="$(seconds_since "$start")"
    printf '       cached rebuild: %ss\n' "$took"
    if ((status == 0)); then
        if less_than "$took" 4; then
            pass "cached rebuild finishes promptly (${took}s < 4s)"
        else
            fail "cached rebuild finishes promptly" "took ${took}s" "$(printf '%s\n' "$out" | tail -n 20)"
        fi
        assert_matches "cached rebuild reuses the RUN step" "$out" $'RUN cat greeting.txt[^\n]*\n#[0-9]+ sha256:[0-9a-f]+\n#[0-9]+ CACHED'
    else
        fail "cached rebuild succeeds" "$out"
    fi
else
    fail "# syntax=stagecraft:dev build succeeds" "$(printf '%s\n' "$out" | tail -n 30)"
fi

# ------------------------------------------------------------ syntax errors
# Each bad Dockerfile has its error on line 3; it is built as ./Dockerfile so
# the message must name `Dockerfile:3`. MESSAGE is used in a regex: keep it plain.
expect_error() {
    local name="$1" file="$2" message="$3" offending="$4" out status dir
    dir="$(test_tmpdir)"
    cp "$ctx/$file" "$dir/Dockerfile"
    out="$(docker_build "$dir" 2>&1)"
    status=$?
    if ((status == 0)); then
        fail "$name fails the build" "$out"
        return
    fi
    pass "$name fails the build"
    assert_contains "$name: reported by Stagecraft through the gateway" "$out" "failed to solve with frontend gateway.v0"
    assert_contains "$name: message" "$out" "$message"
    # A multi-line instruction is reported as a range starting at line 3.
    assert_matches "$name: names Dockerfile line 3" "$out" "Dockerfile:3(-[0-9]+)?: $message"
    assert_contains "$name: shows the offending line" "$out" "$offending"
    assert_not_contains "$name: no step was started" "$out" "[1/"
}
expect_error "unknown instruction" Dockerfile.unknown-instruction \
    "unknown instruction: FROBNICATE" " 3 | FROBNICATE /app --all"
expect_error "unterminated heredoc" Dockerfile.unterminated-heredoc \
    "unterminated heredoc <<EOT" " 3 | RUN <<EOT"

# ------------------------------------------------------------ BUILDKIT_SYNTAX
tag="$(unique_tag heredoc)"
out="$(docker_build --build-arg BUILDKIT_SYNTAX=stagecraft:dev -f "$ctx/Dockerfile.heredoc" -t "$tag" "$ctx" 2>&1)"
if check "BUILDKIT_SYNTAX=stagecraft:dev build succeeds" test $? -eq 0; then
    assert_contains "BUILDKIT_SYNTAX: the frontend image was loaded" "$out" "docker-image://docker.io/library/stagecraft:dev"
    assert_matches "BUILDKIT_SYNTAX: the heredoc RUN step ran" "$out" '\] RUN <<EOF'
    assert_eq "BUILDKIT_SYNTAX: the heredoc wrote the file" \
        "$(printf 'hello from the context\nbuilt by a heredoc')" "$(docker_run "$tag" 2>&1)"
    assert_contains "BUILDKIT_SYNTAX: Env" "$(image_field "$tag" '{{json .Config.Env}}')" '"APP_MODE=heredoc-test"'
    assert_eq "BUILDKIT_SYNTAX: WorkingDir" "/app" "$(image_field "$tag" '{{.Config.WorkingDir}}')"
else
    fail "BUILDKIT_SYNTAX build output" "$(printf '%s\n' "$out" | tail -n 30)"
fi
# Proof that the build above needed Stagecraft: the built-in frontend rejects it.
out="$(docker_build -f "$ctx/Dockerfile.heredoc" "$ctx" 2>&1)"
assert_contains "the built-in frontend cannot build the heredoc Dockerfile" "$out" "failed to create LLB definition"

# ------------------------------------------------------------ COPY --exclude
out="$(docker_build -f "$ctx/Dockerfile.exclude" "$ctx" 2>&1)"
status=$?
if ((status != 0)); then
    pass "COPY --exclude fails on this daemon"
    assert_contains "COPY --exclude: names the flag" "$out" "--exclude"
    assert_contains "COPY --exclude: names the file and line" "$out" "Dockerfile.exclude:3:"
    assert_contains "COPY --exclude: shows the instruction" "$out" " 3 | COPY --exclude=*.md . /app"
    assert_matches "COPY --exclude: names the BuildKit version needed" "$out" 'BuildKit v0\.9'
    assert_not_contains "COPY --exclude: fails before building (no step started)" "$out" "[1/"
    assert_not_contains "COPY --exclude: the context was not transferred" "$out" "load build context"
else
    fail "COPY --exclude fails on this daemon" "$out"
fi
