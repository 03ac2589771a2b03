#!/usr/bin/env bash
# Builds the node-app example through Stagecraft (its Dockerfiles start with
# `# syntax=stagecraft:dev`) and runs the images, printing their output.
#
#   integration/example.sh [--builtin]
#
# --builtin builds the same files with dockerd's own Dockerfile frontend (the
# syntax line removed), for comparison. Expects integration/setup.sh to have run.
set -euo pipefail

# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

FRONTEND=stagecraft
case "${1:-}" in
    "") ;;
    --builtin) FRONTEND=builtin ;;
    *)
        echo "usage: $0 [--builtin]" >&2
        exit 2
        ;;
esac

APP="$INTEGRATION_DIR/examples/node-app"
CONTEXT="$APP"
if [[ "$FRONTEND" == builtin ]]; then
    mkdir -p "$WORK_DIR"
    CONTEXT="$(mktemp -d "$WORK_DIR/example.XXXXXX")"
    trap 'rm -rf "$CONTEXT"' EXIT
    cp -a "$APP/." "$CONTEXT/"
    sed -i '/^#[[:space:]]*syntax[[:space:]]*=/d' "$CONTEXT"/Dockerfile*
fi

"$DOCKER" info >/dev/null 2>&1 || {
    echo "dockerd does not answer; run integration/setup.sh first" >&2
    exit 1
}
if [[ "$FRONTEND" == stagecraft ]] && ! "$DOCKER" image inspect "$FRONTEND_IMAGE" >/dev/null 2>&1; then
    echo "$FRONTEND_IMAGE is missing; run integration/setup.sh first" >&2
    exit 1
fi

mapfile -t NETWORK_ARGS < <(build_network_args)
mapfile -t FIXTURE_ARGS < <(fixture_build_args)
failures=0

# run_step TITLE EXPECTED -- BUILD_ARGS... -- RUN_ARGS...
run_step() {
    local title="$1" expected="$2"
    shift 3
    local build_args=() run_args=()
    while [[ "$1" != -- ]]; do
        build_args+=("$1")
        shift
    done
    shift
    run_args=("$@")
    local tag="stagecraft-example/node-app:$title-$FRONTEND"

    printf '\n=== %s: docker build %s (%s frontend)\n' "$title" "${build_args[*]}" "$FRONTEND"
    local start took
    start="$(date +%s.%N)"
    if ! DOCKER_BUILDKIT=1 "$DOCKER" build --progress=plain "${NETWORK_ARGS[@]}" "${FIXTURE_ARGS[@]}" -t "$tag" "${build_args[@]}" "$CONTEXT"; then
        printf '=== %s: BUILD FAILED\n' "$title"
        failures=$((failures + 1))
        return 0
    fi
    took="$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
    printf '=== %s: built %s in %ss; docker run %s\n' "$title" "$tag" "$took" "${run_args[*]}"
    local out
    if ! out="$("$DOCKER" run --rm --network none "$tag" "${run_args[@]}" 2>&1)"; then
        printf '%s\n=== %s: RUN FAILED\n' "$out" "$title"
        failures=$((failures + 1))
        return 0
    fi
    printf '%s\n' "$out"
    if [[ "$out" == *"$expected"* ]]; then
        printf '=== %s: ok\n' "$title"
    else
        printf '=== %s: UNEXPECTED OUTPUT (wanted: %s)\n' "$title" "$expected"
        failures=$((failures + 1))
    fi
}

run_step two-stage "Hello, Stagecraft! node-app is running (NODE_ENV=production, built 2 files)" \
    -- -f "$CONTEXT/Dockerfile" --
run_step prod "Hello, Stagecraft! node-app is running (NODE_ENV=production, built 2 files)" \
    -- -f "$CONTEXT/Dockerfile.multistage" --target prod -- node dist/index.js --once
run_step dev "dev mode: stagecraft-node-app (devtool 1.0.0)" \
    -- -f "$CONTEXT/Dockerfile.multistage" --target dev --

if ((failures > 0)); then
    printf '\nexample: %d step(s) failed\n' "$failures"
    exit 1
fi
printf '\nexample: all steps passed (%s frontend)\n' "$FRONTEND"
