#!/usr/bin/env bash
# Multi-stage builds through Stagecraft (issue 4): only needed stages run,
# independent stages run in parallel, the cache is reused step by step,
# COPY --from (index, image, stage), FROM <stage> chains and --target.
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

# shellcheck source=../suites/steps.sh
source "$INTEGRATION_DIR/suites/steps.sh"

ctx="$(fixture_dir multistage)"
image_field() { docker_cli image inspect -f "$2" "$1" 2>&1; }

# ------------------------------------------------------------ unneeded stage
tag="$(unique_tag unneeded)"
out="$(docker_build -f "$ctx/Dockerfile.unneeded" -t "$tag" "$ctx" 2>&1)"
if check "a broken unneeded stage does not fail the default target" test $? -eq 0; then
    assert_eq "default target: its own and its base stage's files" \
        "$(printf 'good\nfinal')" "$(docker_run "$tag" cat /good.txt /final.txt 2>&1)"
    assert_not_contains "default target: the broken stage never ran" "$out" "[broken"
else
    fail "default target build output" "$(_tail_output "$out")"
fi
tag="$(unique_tag unneeded-good)"
out="$(docker_build -f "$ctx/Dockerfile.unneeded" --target good -t "$tag" "$ctx" 2>&1)"
if check "a broken unneeded stage does not fail --target good" test $? -eq 0; then
    assert_eq "--target good: its file, and not the last stage's" \
        "good|absent" "$(docker_run "$tag" sh -c 'cat /good.txt; test -e /final.txt && echo present || echo absent' 2>&1 | paste -sd'|')"
    assert_not_contains "--target good: the broken stage never ran" "$out" "[broken"
else
    fail "--target good build output" "$(_tail_output "$out")"
fi
# Control: the stage really is broken, so the two builds above skipped it.
out="$(docker_build -f "$ctx/Dockerfile.unneeded" --target broken "$ctx" 2>&1)"
if check_fails "control: --target broken fails" test $? -eq 0; then
    assert_contains "control: the broken RUN ran and failed" "$out" "exit code: 1"
fi

# ------------------------------------------------------------ parallel stages
# Two 3s steps one after the other take 6s, side by side 3s and the rest of
# the build. The limit is the longer step plus that rest, so a loaded machine
# (where `sleep 3` itself takes longer) does not fail a parallel build, and a
# serial one (longer step + at least 3s) still fails. On buildkitd the rest
# also holds the export to a docker tarball and `docker load` into dockerd.
slack=2.5
peer_on_buildkitd && slack=3.5
# limit_for LOG: the longer of the two sleep steps in LOG plus the slack.
limit_for() {
    local left right
    left="$(step_seconds "$1" "[left 2/2] RUN sleep 3")"
    right="$(step_seconds "$1" "[right 2/2] RUN sleep 3")"
    awk -v a="${left:-3}" -v b="${right:-3}" -v s="$slack" 'BEGIN { printf "%.2f", (a > b ? a : b) + s }'
}
stamp="$$-$RANDOM"
tag="$(unique_tag parallel)"
start="$(now)"
out="$(docker_build -f "$ctx/Dockerfile.parallel" --build-arg "STAMP=$stamp" -t "$tag" "$ctx" 2>&1)"
status=$?
took="$(seconds_since "$start")"
if ((status == 0)); then
    pass "parallel stages build"
    states="$(step_states <<<"$out")"
    assert_steps "parallel: both sleep steps ran (cache busted)" "$states" 'RUN sleep 3' ran
    left="$(step_seconds "$out" "[left 2/2] RUN sleep 3")"
    right="$(step_seconds "$out" "[right 2/2] RUN sleep 3")"
    printf '       parallel build wall time %ss (left RUN %ss, right RUN %ss)\n' "$took" "${left:-?}" "${right:-?}"
    limit="$(limit_for "$out")"
    if less_than "$took" "$limit"; then
        pass "parallel: two 'RUN sleep 3' stages build in ${took}s < ${limit}s (longer step + ${slack}s)"
    else
        fail "parallel: two 'RUN sleep 3' stages build in < ${limit}s" "took ${took}s" "$states"
    fi
    # Robust against a slow machine: the steps overlapped if the whole build
    # took less than the two steps one after the other.
    if [[ -n "$left" && -n "$right" ]] && less_than "$took" "$(awk -v a="$left" -v b="$right" 'BEGIN { print a + b }')"; then
        pass "parallel: wall time ${took}s < left + right (${left}s + ${right}s)"
    else
        fail "parallel: wall time < left + right" "wall ${took}s, left ${left:-?}s, right ${right:-?}s"
    fi
    assert_eq "parallel: the final stage joined both outputs" \
        "$(printf 'left %s\nright %s' "$stamp" "$stamp")" "$(docker_run "$tag" cat /out/both.txt 2>&1)"
else
    fail "parallel stages build" "$(_tail_output "$out")"
fi

# --no-cache: every step runs again, still in parallel.
start="$(now)"
out="$(docker_build -f "$ctx/Dockerfile.parallel" --build-arg "STAMP=$stamp" --no-cache -t "$tag" "$ctx" 2>&1)"
status=$?
took="$(seconds_since "$start")"
if ((status == 0)); then
    states="$(step_states <<<"$out")"
    printf '       --no-cache parallel build wall time %ss\n' "$took"
    assert_steps "--no-cache: every RUN/COPY step ran" "$states" '.' ran
    limit="$(limit_for "$out")"
    if less_than "$took" "$limit"; then
        pass "--no-cache: parallel build in ${took}s < ${limit}s (longer step + ${slack}s)"
    else
        fail "--no-cache: parallel build in < ${limit}s" "took ${took}s" "$states"
    fi
else
    fail "--no-cache parallel build" "$(_tail_output "$out")"
fi

# ------------------------------------------------------------ cache per stage
cache_ctx="$ctx/cache"
# Unique inputs: the first build below really builds.
echo "alpha-$stamp" >"$cache_ctx/alpha/input.txt"
echo "beta-$stamp" >"$cache_ctx/beta/input.txt"
tag="$(unique_tag cache)"
out="$(docker_build -t "$tag" "$cache_ctx" 2>&1)"
if check "cache fixture: first build" test $? -eq 0; then
    assert_steps "first build: every RUN/COPY step ran" "$(step_states <<<"$out")" '.' ran
    assert_eq "first build: joined output" \
        "$(printf 'ALPHA-%s\nBETA-%s' "$stamp" "$stamp")" "$(docker_run "$tag" cat /joined.txt 2>&1)"

    start="$(now)"
    out="$(docker_build -t "$tag" "$cache_ctx" 2>&1)"
    status=$?
    took="$(seconds_since "$start")"
    if check "unchanged rebuild succeeds" test "$status" -eq 0; then
        printf '       unchanged rebuild: %ss\n' "$took"
        states="$(step_states <<<"$out")"
        assert_steps "unchanged rebuild: every RUN/COPY step is CACHED" "$states" '.' cached
        assert_eq "unchanged rebuild: 7 RUN/COPY steps seen" 7 "$(steps_matching "$states" '.' | wc -l)"
    fi

    echo "beta-changed-$stamp" >"$cache_ctx/beta/input.txt"
    out="$(docker_build -t "$tag" "$cache_ctx" 2>&1)"
    if check "rebuild after changing beta/input.txt" test $? -eq 0; then
        states="$(step_states <<<"$out")"
        assert_steps "after the change: alpha's steps stay CACHED" "$states" '\[alpha ' cached
        assert_steps "after the change: the copy from alpha stays CACHED" "$states" 'COPY --from=alpha' cached
        assert_steps "after the change: beta's steps run again" "$states" '\[beta ' ran
        assert_steps "after the change: the copy from beta runs again" "$states" 'COPY --from=beta' ran
        assert_steps "after the change: the joining RUN runs again" "$states" 'RUN cat /alpha.txt' ran
        assert_eq "after the change: joined output has the new beta" \
            "$(printf 'ALPHA-%s\nBETA-CHANGED-%s' "$stamp" "$stamp")" "$(docker_run "$tag" cat /joined.txt 2>&1)"
    else
        fail "rebuild after the change output" "$(_tail_output "$out")"
    fi
else
    fail "cache fixture: first build output" "$(_tail_output "$out")"
fi

# ------------------------------------------------------------ COPY --from, FROM <stage>, --target
tag="$(unique_tag copyfrom)"
out="$(docker_build -f "$ctx/Dockerfile.copyfrom" -t "$tag" "$ctx" 2>&1)"
if check "COPY --from / FROM <stage> build" test $? -eq 0; then
    assert_eq "COPY --from=0 copied stage 0's file" "from stage 0" "$(docker_run "$tag" cat /copied/zero.txt 2>&1)"
    assert_eq "COPY --from=busybox copied the image's file byte for byte" \
        "$(docker_run "$BUSYBOX_IMAGE" sha256sum /bin/busybox 2>&1 | cut -d' ' -f1)" \
        "$(docker_run "$tag" sha256sum /copied/busybox 2>&1 | cut -d' ' -f1)"
    assert_eq "the copied busybox runs" "copied" "$(docker_run "$tag" /copied/busybox echo copied 2>&1)"
    assert_eq "FROM zero -> one -> two chain, copied by COPY --from=two" \
        "$(printf 'zero\none\ntwo')" "$(docker_run "$tag" 2>&1)"
    # shellcheck disable=SC2016 # expanded by the container's shell
    assert_eq "the final stage did not inherit the chain's ENV" "unset" \
        "$(docker_run "$tag" sh -c 'echo "${STAGE:-unset}"' 2>&1)"
else
    fail "COPY --from build output" "$(_tail_output "$out")"
fi

tag="$(unique_tag target-one)"
out="$(docker_build -f "$ctx/Dockerfile.copyfrom" --target one -t "$tag" "$ctx" 2>&1)"
if check "--target one (a middle stage) builds" test $? -eq 0; then
    assert_eq "--target one: the chain stops at one" "$(printf 'zero\none')" "$(docker_run "$tag" cat /chain.txt 2>&1)"
    assert_contains "--target one: ENV of one" "$(image_field "$tag" '{{json .Config.Env}}')" '"STAGE=one"'
    assert_eq "--target one: LABEL of one" "one" \
        "$(image_field "$tag" '{{ index .Config.Labels "org.stagecraft.test.stage" }}')"
    assert_eq "--target one: Cmd inherited from busybox" '["sh"]' "$(image_field "$tag" '{{json .Config.Cmd}}')"
    assert_eq "--target one: the final stage's files are absent" "absent" \
        "$(docker_run "$tag" sh -c 'test -e /copied && echo present || echo absent' 2>&1)"
    assert_not_contains "--target one: stage two was not built" "$out" "[two "
    assert_not_contains "--target one: stage final was not built" "$out" "[final "
else
    fail "--target one build output" "$(_tail_output "$out")"
fi
