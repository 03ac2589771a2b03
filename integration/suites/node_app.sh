# shellcheck shell=bash
# Assertions on the node-app example, shared by the built-in frontend baseline
# and the Stagecraft tests; sourced after lib.sh.
#
#   node_app_suite builtin      # dockerd's own frontend (syntax lines removed)
#   node_app_suite stagecraft   # through `# syntax=stagecraft:dev`
#
# The same outcome is expected from both: a difference is a Stagecraft bug.

NODE_APP_GREETING="Hello, Stagecraft! node-app is running (NODE_ENV=production, built 2 files)"
NODE_APP_DEV="dev mode: stagecraft-node-app (devtool 1.0.0)"

_image_field() { docker_cli image inspect -f "$2" "$1" 2>&1; }

node_app_suite() {
    local frontend="$1" ctx
    ctx="$(fixture_copy node-app)" || {
        fail "copy node-app fixture"
        return
    }
    if [[ "$frontend" == builtin ]]; then
        strip_syntax "$ctx"
    fi
    # A local node_modules must never reach the image (.dockerignore); this one
    # breaks every script that loads devtool from it.
    mkdir -p "$ctx/node_modules/devtool"
    echo '{"name":"devtool","version":"0.0.0","main":"index.js"}' >"$ctx/node_modules/devtool/package.json"
    echo 'throw new Error("node_modules from the build context leaked into the image")' \
        >"$ctx/node_modules/devtool/index.js"

    local two prod dev build out fargs=()
    mapfile -t fargs < <(fixture_build_args)
    two="$(unique_tag two-stage)"
    prod="$(unique_tag prod)"
    dev="$(unique_tag dev)"
    build="$(unique_tag build)"

    # Dockerfile: build stage + runtime stage.
    if check "[$frontend] build Dockerfile" docker_build "${fargs[@]}" -t "$two" "$ctx"; then
        out="$(docker_run "$two" 2>&1)"
        assert_eq "[$frontend] two-stage image prints the greeting" "$NODE_APP_GREETING" "$out"
        out="$(docker_run "$two" sh -c 'cd /app && ls -A . node_modules' 2>&1)"
        assert_eq "[$frontend] two-stage image holds dist and production dependencies only" \
            "$(printf '.:\ndist\nnode_modules\npackage.json\n\nnode_modules:\n.package-lock.json\ngreet')" "$out"
    fi

    # Dockerfile.multistage, target prod.
    if check "[$frontend] build Dockerfile.multistage --target prod" \
        docker_build "${fargs[@]}" -f "$ctx/Dockerfile.multistage" --target prod -t "$prod" "$ctx"; then
        out="$(docker_run "$prod" node dist/index.js --once 2>&1)"
        assert_eq "[$frontend] prod prints the greeting" "$NODE_APP_GREETING" "$out"
        out="$(docker_run "$prod" sh -c 'ls -A /app /app/node_modules' 2>&1)"
        assert_eq "[$frontend] prod has no sources and no dev dependency" \
            "$(printf '/app:\ndist\nnode_modules\npackage.json\n\n/app/node_modules:\n.package-lock.json\ngreet')" "$out"
        assert_eq "[$frontend] prod runs as node" "node" "$(_image_field "$prod" '{{.Config.User}}')"
        assert_eq "[$frontend] prod exposes 3000" '{"3000/tcp":{}}' "$(_image_field "$prod" '{{json .Config.ExposedPorts}}')"
        assert_eq "[$frontend] prod workdir" "/app" "$(_image_field "$prod" '{{.Config.WorkingDir}}')"
        assert_eq "[$frontend] prod cmd" '["node","dist/index.js"]' "$(_image_field "$prod" '{{json .Config.Cmd}}')"
        assert_contains "[$frontend] prod sets NODE_ENV" "$(_image_field "$prod" '{{json .Config.Env}}')" '"NODE_ENV=production"'
        _node_app_serves "$frontend" "$prod"
    fi

    # Dockerfile.multistage, target dev (also what compose.yaml builds).
    if check "[$frontend] build Dockerfile.multistage --target dev" \
        docker_build "${fargs[@]}" -f "$ctx/Dockerfile.multistage" --target dev -t "$dev" "$ctx"; then
        out="$(docker_run "$dev" 2>&1)"
        assert_contains "[$frontend] dev runs npm run dev" "$out" "$NODE_APP_DEV"
        assert_eq "[$frontend] dev cmd" '["npm","run","dev"]' "$(_image_field "$dev" '{{json .Config.Cmd}}')"
        out="$(docker_run "$dev" ls /app/node_modules 2>&1)"
        assert_eq "[$frontend] dev has both dependencies" "$(printf 'devtool\ngreet')" "$out"
    fi

    # Dockerfile.multistage, target build: the dev dependency stamped the output.
    if check "[$frontend] build Dockerfile.multistage --target build" \
        docker_build "${fargs[@]}" -f "$ctx/Dockerfile.multistage" --target build -t "$build" "$ctx"; then
        out="$(docker_run "$build" head -n 1 /app/dist/index.js 2>&1)"
        assert_eq "[$frontend] build output carries the devtool banner" \
            "// built from src/index.js by devtool 1.0.0" "$out"
    fi

    # compose.yaml: build.target dev.
    local why composed
    if why="$(compose_peer)"; then
        composed="$(unique_tag compose)"
        if check "[$frontend] compose build (target dev)" \
            _node_app_compose_build "$ctx" "$composed"; then
            out="$(docker_run "$composed" 2>&1)"
            assert_contains "[$frontend] compose-built image runs the dev script" "$out" "$NODE_APP_DEV"
        fi
    elif [[ "$why" != none ]]; then
        skip "[$frontend] compose build" "$why"
    fi
}

# The default command serves HTTP on port 3000.
_node_app_serves() {
    local frontend="$1" image="$2" id out="" _
    id="$(docker_cli run -d --network none "$image" 2>&1)" || {
        fail "[$frontend] prod starts" "$id"
        return
    }
    for _ in $(seq 1 30); do
        out="$(docker_cli exec "$id" wget -qO- http://127.0.0.1:3000/ 2>&1)" && break
        sleep 0.2
    done
    docker_cli rm -f "$id" >/dev/null 2>&1
    assert_eq "[$frontend] prod serves the greeting on port 3000" "$NODE_APP_GREETING" "$out"
}

_node_app_compose_build() {
    (cd "$1" && NODE_APP_IMAGE="$2" NODE_IMAGE="$STANDIN_NODE_REPO" NODE_VERSION="$(node_major)" compose_build)
}
