#!/usr/bin/env bash
# Baseline: the node-app example built by the BuildKit's own Dockerfile frontend.
# If this fails, the fixture or the machine is wrong, not Stagecraft. On
# buildkitd, buildx is enough: the frontend is the same whatever the client.
# peers: docker buildx
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../suites/node_app.sh
source "$INTEGRATION_DIR/suites/node_app.sh"

node_app_suite builtin
