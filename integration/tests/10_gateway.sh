#!/usr/bin/env bash
# Stagecraft as the frontend of `# syntax=stagecraft:dev` and BUILDKIT_SYNTAX
# builds (issue 3), on dockerd and on buildkitd: image config, error reports
# with the Dockerfile line, a prompt exit after the result. Flags that need a
# newer BuildKit are 15_capabilities'.
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

    # A fully cached rebuild: the frontend must return and exit at once. On
    # buildkitd it is timed without the export: `docker load` into a busy
    # dockerd says nothing about the frontend.
    again=(-t "$tag")
    peer_on_buildkitd && again=()
    start="$(now)"
    out="$(docker_build "${again[@]}" "$ctx" 2>&1)"
    status=$?
    took="$(seconds_since "$start")"
    printf '       cached rebuild: %ss\n' "$took"
    if ((status == 0)); then
        if less_than "$took" 4; then
            pass "cached rebuild finishes promptly (${took}s < 4s)"
        else
            fail "cached rebuild finishes promptly" "took ${took}s" "$(printf '%s\n' "$out" | tail -n 20)"
        fi
        # v0.8 prints the cache key before CACHED; current BuildKit does not.
        assert_matches "cached rebuild reuses the RUN step" "$out" $'RUN cat greeting.txt[^\n]*\n(#[0-9]+ sha256:[0-9a-f]+\n)?#[0-9]+ CACHED'
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
    if peer_on_buildkitd; then
        assert_contains "$name: reported by Stagecraft, loaded as the frontend" "$out" "docker-image://docker.io/library/$FRONTEND_IMAGE"
    else
        assert_contains "$name: reported by Stagecraft through the gateway" "$out" "failed to solve with frontend gateway.v0"
    fi
    assert_contains "$name: message" "$out" "$message"
    # A multi-line instruction is reported as a range starting at line 3.
    assert_matches "$name: names Dockerfile line 3" "$out" "Dockerfile:3(-[0-9]+)?: $message"
    if peer_on_buildkitd; then
        # Current BuildKit clients draw the snippet from the error's source
        # detail, marking the line.
        assert_contains "$name: the client shows the offending line" "$out" "   3 | >>> $offending"
    else
        assert_contains "$name: shows the offending line" "$out" " 3 | $offending"
    fi
    assert_not_contains "$name: no step was started" "$out" "[1/"
}
expect_error "unknown instruction" Dockerfile.unknown-instruction \
    "unknown instruction: FROBNICATE" "FROBNICATE /app --all"
expect_error "unterminated heredoc" Dockerfile.unterminated-heredoc \
    "unterminated heredoc <<EOT" "RUN <<EOT"

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
if peer_on_buildkitd; then
    # Current BuildKit's own frontend knows heredocs: it must build the same file.
    builtin="$(unique_tag heredoc-builtin)"
    if check "the built-in frontend builds the heredoc Dockerfile" \
        docker_build -f "$ctx/Dockerfile.heredoc" -t "$builtin" "$ctx"; then
        assert_eq "the heredoc output equals the built-in frontend's" \
            "$(docker_run "$builtin" 2>&1)" "$(docker_run "$tag" 2>&1)"
    fi
else
    # Proof that the build above needed Stagecraft: the built-in frontend rejects it.
    out="$(docker_build -f "$ctx/Dockerfile.heredoc" "$ctx" 2>&1)"
    assert_contains "the built-in frontend cannot build the heredoc Dockerfile" "$out" "failed to create LLB definition"
fi
