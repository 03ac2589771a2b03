#!/usr/bin/env bash
# Several platforms in one build on buildkitd (issue 8), through buildx:
# local output (one folder per platform), OCI layout and a push to the
# loopback registry (index and each manifest), the build-platform stage run
# once, platform-prefixed step names; and dockerd 20.10, whose image store
# takes one platform per build.
#
# Non-native platforms never RUN anything (no QEMU here): their stages only
# COPY, or RUN in a `FROM --platform=$BUILDPLATFORM` stage — the
# cross-compiling pattern these builds are for.
# peers: buildx
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

builder="${BUILDX_BUILDER:-stagecraft-v032}"
registry="${REGISTRY_ADDR:-127.0.0.1:5050}"
buildx() { docker_cli buildx build --builder "$builder" --progress=plain "$@"; }

if ! docker_cli buildx inspect "$builder" >/dev/null 2>&1; then
    skip "multi-platform builds on buildkitd" "buildx builder $builder is not set up (integration/setup.sh)"
    exit 0
fi

ctx="$(test_tmpdir)"
cat >"$ctx/Dockerfile" <<DOCKERFILE
# syntax=$FRONTEND_IMAGE
FROM --platform=\$BUILDPLATFORM busybox AS build
ARG TARGETPLATFORM TARGETARCH
RUN echo "\$TARGETPLATFORM" >/platform && echo "\$TARGETARCH" >/arch
FROM --platform=\$BUILDPLATFORM busybox AS tools
RUN echo "shared by every platform" >/tools
FROM scratch
COPY --from=build /platform /arch /
COPY --from=tools /tools /
ENV IMAGE_KIND=cross
DOCKERFILE
platforms=linux/amd64,linux/arm64

# ---------------------------------------------------------------- local
out="$(test_tmpdir)"
log="$(buildx --platform "$platforms" -o "type=local,dest=$out" "$ctx" 2>&1)"
if check "buildx --platform $platforms -o type=local builds" test -d "$out/linux_arm64"; then
    for p in linux/amd64 linux/arm64; do
        dir="$out/${p//\//_}"
        assert_eq "$p: TARGETPLATFORM in its folder" "$p" "$(cat "$dir/platform" 2>&1)"
        assert_eq "$p: TARGETARCH in its folder" "${p#linux/}" "$(cat "$dir/arch" 2>&1)"
        assert_eq "$p: the shared stage's file" "shared by every platform" "$(cat "$dir/tools" 2>&1)"
    done
    assert_contains "steps are named with their platform" "$log" "[linux/arm64 stage-2 1/2] COPY --from=build /platform /arch /"
    assert_contains "a cross-compiling step names its target" "$log" "[linux/amd64->arm64 build 2/2] RUN echo"
    runs="$(grep -cE '^#[0-9]+ \[linux/amd64 tools 2/2\] RUN echo "shared by every platform"' <<<"$log")"
    assert_eq "the build-platform stage runs once for both platforms" 1 "$runs"
else
    printf '%s\n' "$log" | tail -30
fi

# ---------------------------------------------------------------- OCI layout
oci="$(test_tmpdir)"
if check "buildx -o type=oci builds" buildx --platform "$platforms" -o "type=oci,dest=$oci/image.tar" "$ctx"; then
    tar -xf "$oci/image.tar" -C "$oci"
    index_digest="$(jq -r '.manifests[0].digest' "$oci/index.json")"
    blob() { cat "$oci/blobs/${1%%:*}/${1#*:}"; }
    got="$(blob "$index_digest" | jq -r '[.manifests[] | select(.platform.os != "unknown") | .platform.os + "/" + .platform.architecture] | sort | join(",")')"
    assert_eq "the OCI index lists both platforms" "$platforms" "$got"
    for p in linux/amd64 linux/arm64; do
        manifest="$(blob "$index_digest" | jq -r --arg a "${p#linux/}" '.manifests[] | select(.platform.architecture == $a) | .digest')"
        config="$(blob "$manifest" | jq -r '.config.digest')"
        assert_eq "$p: the config's architecture" "${p#linux/}" "$(blob "$config" | jq -r .architecture)"
        assert_contains "$p: the config's Env" "$(blob "$config" | jq -c .config.Env)" '"IMAGE_KIND=cross"'
    done
fi

# ---------------------------------------------------------------- push
repo="$registry/stagecraft-tests/platforms"
tag="$(date +%s)-$$"
if check "buildx --push to $registry" buildx --platform "$platforms" -t "$repo:$tag" --push "$ctx"; then
    accept='application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.list.v2+json'
    index="$(curl -fsS -H "Accept: $accept" "http://$registry/v2/stagecraft-tests/platforms/manifests/$tag")"
    got="$(jq -r '[.manifests[] | select(.platform.os != "unknown") | .platform.os + "/" + .platform.architecture] | sort | join(",")' <<<"$index")"
    assert_eq "the pushed index lists both platforms" "$platforms" "$got"
    for p in linux/amd64 linux/arm64; do
        digest="$(jq -r --arg a "${p#linux/}" '.manifests[] | select(.platform.architecture == $a) | .digest' <<<"$index")"
        manifest="$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json' \
            "http://$registry/v2/stagecraft-tests/platforms/manifests/$digest")"
        config="$(curl -fsS "http://$registry/v2/stagecraft-tests/platforms/blobs/$(jq -r .config.digest <<<"$manifest")")"
        assert_eq "$p: pushed config's architecture" "${p#linux/}" "$(jq -r .architecture <<<"$config")"
        assert_eq "$p: pushed manifest has the image's two layers" 2 "$(jq '.layers | length' <<<"$manifest")"
    done
fi

# ------------------------------------------------- dockerd 20.10: one platform
# dockerd refuses a platform list itself, before any frontend runs; a map of
# refs holding one platform (BUILDKIT_MULTI_PLATFORM) is what its image
# store takes.
one="$(test_tmpdir)"
printf '# syntax=%s\nFROM scratch\nCOPY Dockerfile /\n' "$FRONTEND_IMAGE" >"$one/Dockerfile"
out="$(DOCKER_BUILDKIT=1 docker_cli build --platform "$platforms" "$one" 2>&1)"
assert_contains "dockerd 20.10 refuses several platforms with a clear error" "$out" "is an invalid component of \"$platforms\""
tag20="$(unique_tag multi-one)"
check "dockerd 20.10 exports a one-platform map of refs (BUILDKIT_MULTI_PLATFORM=1)" \
    docker_build --build-arg BUILDKIT_MULTI_PLATFORM=1 -t "$tag20" "$one"
