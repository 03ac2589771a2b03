#!/usr/bin/env bash
# The node-app example built through `# syntax=stagecraft:dev` (issue 4): the
# assertions of the built-in baseline (05_node_app_builtin), then the default
# target of Dockerfile.multistage, its cache after a source edit, a --no-cache
# build and docker-compose, each checked to have gone through Stagecraft.
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../suites/node_app.sh
source "$INTEGRATION_DIR/suites/node_app.sh"
# shellcheck source=../suites/steps.sh
source "$INTEGRATION_DIR/suites/steps.sh"

node_app_suite stagecraft

FRONTEND_VERTEX="docker-image://docker.io/library/$FRONTEND_IMAGE"
ctx="$(fixture_copy node-app)" || exit 1
stamp="$$-$RANDOM"

# ------------------------------------------------------------ default target
tag="$(unique_tag default)"
out="$(docker_build -f "$ctx/Dockerfile.multistage" -t "$tag" "$ctx" 2>&1)"
if check "Dockerfile.multistage without --target builds" test $? -eq 0; then
    assert_contains "default target: built by Stagecraft" "$out" "$FRONTEND_VERTEX"
    assert_contains "default target: NODE_ENV=production in Env" \
        "$(_image_field "$tag" '{{json .Config.Env}}')" '"NODE_ENV=production"'
    assert_eq "default target: ExposedPorts" '{"3000/tcp":{}}' "$(_image_field "$tag" '{{json .Config.ExposedPorts}}')"
    assert_eq "default target: Cmd is the production server" '["node","dist/index.js"]' \
        "$(_image_field "$tag" '{{json .Config.Cmd}}')"
    assert_eq "default target: User" "node" "$(_image_field "$tag" '{{.Config.User}}')"
    assert_eq "default target: production dependencies only" "greet" \
        "$(docker_run "$tag" ls /app/node_modules 2>&1)"
    # shellcheck disable=SC2016 # expanded by the container's shell
    assert_eq "default target: dist/ present, no src/ scripts/ packages/" "dist|no-src|no-scripts|no-packages" \
        "$(docker_run "$tag" sh -c 'cd /app; test -f dist/index.js && echo dist; for d in src scripts packages; do test -e $d && echo $d || echo no-$d; done' 2>&1 | paste -sd'|')"
    assert_eq "default target: prints the greeting" "$NODE_APP_GREETING" \
        "$(docker_run "$tag" node dist/index.js --once 2>&1)"

    out="$(docker_build -f "$ctx/Dockerfile.multistage" -t "$tag" "$ctx" 2>&1)"
    if check "unchanged rebuild of the default target" test $? -eq 0; then
        states="$(step_states <<<"$out")"
        assert_steps "unchanged rebuild: every RUN/COPY step is CACHED" "$states" '.' cached
        # base 2, dev 2, build 1, prod-deps 1, prod 3
        assert_eq "unchanged rebuild: 9 RUN/COPY steps seen" 9 "$(steps_matching "$states" '.' | wc -l)"
    else
        fail "unchanged rebuild output" "$(_tail_output "$out")"
    fi

    # An edit of a source file: only `COPY . .` and what depends on it rerun.
    printf '// edited %s\n' "$stamp" >>"$ctx/src/message.js"
    out="$(docker_build -f "$ctx/Dockerfile.multistage" -t "$tag" "$ctx" 2>&1)"
    if check "rebuild after editing src/message.js" test $? -eq 0; then
        states="$(step_states <<<"$out")"
        assert_steps "after the edit: base stage CACHED" "$states" '^[a-z]+.\[base ' cached
        assert_steps "after the edit: dev's npm ci CACHED" "$states" '\] RUN npm ci$' cached
        assert_steps "after the edit: prod-deps CACHED" "$states" '\[prod-deps |COPY --from=prod-deps' cached
        assert_steps "after the edit: COPY . . reruns" "$states" '\] COPY \. \.$' ran
        assert_steps "after the edit: npm run build reruns" "$states" 'RUN npm run build' ran
        assert_steps "after the edit: COPY --from=build reruns" "$states" 'COPY --from=build' ran
        assert_contains "after the edit: dist/ holds the edited source" \
            "$(docker_run "$tag" cat /app/dist/message.js 2>&1)" "// edited $stamp"
        assert_eq "after the edit: still prints the greeting" "$NODE_APP_GREETING" \
            "$(docker_run "$tag" node dist/index.js --once 2>&1)"
    else
        fail "rebuild after the edit output" "$(_tail_output "$out")"
    fi
else
    fail "default target build output" "$(_tail_output "$out")"
fi

# ------------------------------------------------------------ --no-cache
start="$(now)"
out="$(docker_build -f "$ctx/Dockerfile.multistage" --no-cache -t "$tag" "$ctx" 2>&1)"
status=$?
took="$(seconds_since "$start")"
if check "--no-cache build of the default target" test "$status" -eq 0; then
    printf '       --no-cache build of Dockerfile.multistage: %ss\n' "$took"
    assert_steps "--no-cache: every RUN/COPY step ran" "$(step_states <<<"$out")" '.' ran
    assert_eq "--no-cache: prints the greeting" "$NODE_APP_GREETING" "$(docker_run "$tag" node dist/index.js --once 2>&1)"
else
    fail "--no-cache build output" "$(_tail_output "$out")"
fi

# ------------------------------------------------------------ compose
# docker-compose on dockerd, `docker buildx bake` on buildx.
if why="$(compose_peer)"; then
    composed="$(unique_tag compose-dev)"
    out="$(cd "$ctx" && NODE_APP_IMAGE="$composed" compose_build 2>&1)"
    if check "compose build (build.target: dev)" test $? -eq 0; then
        assert_contains "compose: built by Stagecraft" "$out" "$FRONTEND_VERTEX"
        assert_matches "compose: built the dev stage" "$out" '\[dev [0-9]+/[0-9]+\] COPY \. \.'
        assert_not_contains "compose: did not build the prod stage" "$out" "[prod "
        assert_eq "compose: Cmd is npm run dev" '["npm","run","dev"]' "$(_image_field "$composed" '{{json .Config.Cmd}}')"
        assert_eq "compose: the dev dependency is installed" "$(printf 'devtool\ngreet')" \
            "$(docker_run "$composed" ls /app/node_modules 2>&1)"
        assert_contains "compose: the image runs the dev script" "$(docker_run "$composed" 2>&1)" "$NODE_APP_DEV"
    else
        fail "compose build output" "$(_tail_output "$out")"
    fi
elif [[ "$why" != none ]]; then
    skip "compose through Stagecraft" "$why"
fi
