#!/usr/bin/env bash
# The buildkitd peer is ready: the pinned release answers on its own socket,
# buildx reaches it through the remote builder, the loopback registry (its
# docker.io mirror) holds the base images and both frontend images, and the
# reference image is labelled like the official one.
# peers: buildx
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

info="$("$BUILDCTL" debug info 2>&1)"
assert_matches "buildkitd on $BUILDKIT_HOST is $BUILDKIT_VERSION" "$info" "BuildKit: +github.com/moby/buildkit $BUILDKIT_VERSION"
workers="$("$BUILDCTL" debug workers -v 2>&1)"
assert_matches "the OCI worker runs steps" "$workers" "worker\.executor:[[:space:]]+oci"

builder="$(docker_cli buildx inspect "$BUILDX_BUILDER" 2>&1)"
assert_matches "buildx builder $BUILDX_BUILDER uses the remote driver" "$builder" 'Driver: +remote'
assert_contains "buildx builder $BUILDX_BUILDER reaches $BUILDKIT_VERSION" "$builder" "$BUILDKIT_VERSION"
assert_contains "buildx is $BUILDX_VERSION" "$(docker_cli buildx version 2>&1)" "$BUILDX_VERSION"

# Loopback only: nothing else may reach the registry.
listeners="$(ss -Hltn "sport = :${REGISTRY_ADDR##*:}" 2>&1 | awk '{ print $4 }' | sort -u | paste -sd' ')"
assert_eq "the registry listens on $REGISTRY_ADDR only" "$REGISTRY_ADDR" "$listeners"
catalog="$(curl -fsS "http://$REGISTRY_ADDR/v2/_catalog" 2>&1)"
for repo in "library/${BUSYBOX_IMAGE%%:*}" "library/$NODE_IMAGE_REPO" "library/${FRONTEND_IMAGE%%:*}" "library/${REFERENCE_IMAGE%%:*}"; do
    assert_contains "the registry holds $repo" "$catalog" "\"$repo\""
done

labels="$(docker_cli image inspect -f '{{json .Config.Labels}}' "$REFERENCE_IMAGE" 2>&1)"
assert_contains "$REFERENCE_IMAGE asks for no network" "$labels" '"moby.buildkit.frontend.network.none":"true"'
assert_contains "$REFERENCE_IMAGE declares the frontend caps" "$labels" \
    '"moby.buildkit.frontend.caps":"moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts,moby.buildkit.frontend.gitquerystring"'
assert_eq "$REFERENCE_IMAGE entrypoint" '["/bin/dockerfile-frontend"]' \
    "$(docker_cli image inspect -f '{{json .Config.Entrypoint}}' "$REFERENCE_IMAGE" 2>&1)"

# `FROM busybox` resolves through the mirror, with no rewriting.
ctx="$(test_tmpdir)"
printf 'FROM %s\nRUN echo mirrored >/m\n' "$BUSYBOX_IMAGE" >"$ctx/Dockerfile"
out="$(PEER=buildctl docker_build "$ctx" 2>&1)"
assert_contains "FROM $BUSYBOX_IMAGE comes from docker.io (the mirror)" "$out" "docker.io/library/$BUSYBOX_IMAGE"
