#!/usr/bin/env bash
# The machine is ready: dockerd answers, the local base images run, the
# frontend image exists and is what BuildKit expects of a frontend.
# peers: docker
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

check "dockerd answers" docker_cli info

server="$(docker_cli version -f '{{.Server.Version}}' 2>&1)"
assert_matches "daemon version is known" "$server" '^[0-9]+\.[0-9]+'

out="$(docker_run "$STANDIN_BUSYBOX" sh -c 'echo ok' 2>&1)"
assert_eq "$STANDIN_BUSYBOX runs sh" "ok" "$out"

out="$(docker_run "$STANDIN_BUSYBOX" sh -c 'id -u app; stat -c %a /tmp' 2>&1)"
assert_eq "$STANDIN_BUSYBOX has user app (1000) and a 1777 /tmp" "1000
1777" "$out"

node_version="$(node -p process.versions.node 2>/dev/null)"
node_image="$STANDIN_NODE_REPO:${node_version%%.*}"
out="$(docker_run "$node_image" node --version 2>&1)"
assert_eq "$node_image runs node" "v$node_version" "$out"

out="$(docker_run "$node_image" npm --version 2>&1)"
assert_matches "$node_image runs npm" "$out" '^[0-9]+\.[0-9]+\.[0-9]+$'

out="$(docker_run "$node_image" sh -c 'cd /tmp && npm init -y >/dev/null && node -p "require(\"./package.json\").name"' 2>&1)"
assert_eq "npm writes a package.json in $node_image" "tmp" "$out"

if check "$FRONTEND_IMAGE exists" docker_cli image inspect "$FRONTEND_IMAGE"; then
    entrypoint="$(docker_cli image inspect -f '{{json .Config.Entrypoint}}' "$FRONTEND_IMAGE")"
    assert_eq "$FRONTEND_IMAGE entrypoint" '["/stagecraft"]' "$entrypoint"
    network="$(docker_cli image inspect -f '{{ index .Config.Labels "moby.buildkit.frontend.network.none" }}' "$FRONTEND_IMAGE")"
    assert_eq "$FRONTEND_IMAGE asks for no network" "true" "$network"
fi
