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
    env DOCKER_BUILDKIT=1 "$DOCKER" build --build-arg BUILDKIT_MULTI_PLATFORM=1 -t "$tag20" "$one"
docker_cli rmi "$tag20" >/dev/null 2>&1
# buildkitd's docker exporter (buildx --load) takes no map of refs at all,
# one platform or not: it fails with its own message, as it does for the
# reference frontend.
out="$(docker_cli buildx build --builder "$builder" --progress=plain --build-arg BUILDKIT_MULTI_PLATFORM=1 \
    --load -t "$tag20" "$one" 2>&1)"
assert_contains "buildx --load of a map of refs fails as with the reference" "$out" \
    "docker exporter does not currently support exporting manifest lists"

# ================================================================ named contexts
# `--build-context` and bake `contexts` (issue 8): a stage and an image
# replaced, an image context's config applied, a bake target feeding
# another (`target:`), Git and HTTP contexts from servers on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
server_pids=()
stop_servers() {
    local pid
    for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null; done
}
trap 'stop_servers; _finish' EXIT

# An image with config to stand in for a base: ENV, WORKDIR, USER.
base_ctx="$(test_tmpdir)"
printf 'FROM busybox\nRUN mkdir -p /work && chmod 777 /work\nENV FROM_CONTEXT_IMAGE=yes\nWORKDIR /work\nUSER 1234\n' >"$base_ctx/Dockerfile"
base_ref="$registry/stagecraft-tests/context-base:$tag"
check "a base image for the contexts is pushed" buildx -t "$base_ref" --push "$base_ctx"

ctx="$(test_tmpdir)"
mkdir -p "$ctx/deps"
echo "from the deps context" >"$ctx/deps/lib.txt"
echo "ignored by the deps context" >"$ctx/deps/skip.tmp"
printf '*.tmp\n' >"$ctx/deps/.dockerignore"
cat >"$ctx/Dockerfile" <<DOCKERFILE
# syntax=$FRONTEND_IMAGE
FROM busybox AS deps
RUN exit 1
FROM base
RUN id -u >uid && pwd >pwd && echo "\$FROM_CONTEXT_IMAGE" >env
COPY --from=deps / /work/deps/
DOCKERFILE
out="$(test_tmpdir)"
log="$(buildx --build-context deps="$ctx/deps" --build-context base="docker-image://$base_ref" \
    -o "type=local,dest=$out" "$ctx" 2>&1)"
if check "--build-context replaces a stage (local dir) and an image" test -f "$out/work/deps/lib.txt"; then
    assert_eq "the stage's files come from the directory" "from the deps context" "$(cat "$out/work/deps/lib.txt")"
    check_fails "the directory's .dockerignore applies" test -e "$out/work/deps/skip.tmp"
    assert_eq "the image context's WORKDIR applies" /work "$(cat "$out/work/pwd" 2>&1)"
    assert_eq "the image context's ENV applies" yes "$(cat "$out/work/env" 2>&1)"
    assert_eq "the image context's USER applies" 1234 "$(cat "$out/work/uid" 2>&1)"
    assert_contains "steps of a context are named after it" "$log" "[context deps] load from client"
    assert_contains "an image context is named after it" "$log" "[context base] load metadata for $base_ref"
    assert_not_contains "the replaced stage never runs" "$log" "RUN exit 1"
else
    printf '%s\n' "$log" | tail -30
fi

# ---------------------------------------------------------------- bake
bake="$(test_tmpdir)"
mkdir -p "$bake/app"
printf '# syntax=%s\nFROM busybox\nRUN echo "built by the base target" >/base.txt\nENV FROM_BASE_TARGET=1\n' "$FRONTEND_IMAGE" >"$bake/Dockerfile.base"
# shellcheck disable=SC2016 # expanded by RUN's shell
printf '# syntax=%s\nFROM base\nRUN cat /base.txt >/app.txt && echo "$FROM_BASE_TARGET" >>/app.txt\nCOPY --from=assets /asset.txt /asset.txt\n' "$FRONTEND_IMAGE" >"$bake/Dockerfile.app"
mkdir -p "$bake/assets"
echo "asset" >"$bake/assets/asset.txt"
bake_out="$(test_tmpdir)"
cat >"$bake/docker-bake.hcl" <<HCL
target "base" {
  context    = "."
  dockerfile = "Dockerfile.base"
}
target "app" {
  context    = "."
  dockerfile = "Dockerfile.app"
  contexts = {
    base   = "target:base"
    assets = "./assets"
  }
  output = ["type=local,dest=$bake_out"]
}
HCL
# The output directory is outside bake's working directory: buildx asks
# for the write entitlement, as it would of a user.
log="$(cd "$bake" && docker_cli buildx bake --builder "$builder" --progress=plain \
    --allow "fs.write=$bake_out" app 2>&1)"
if check "bake: a target: context chains two targets" test -f "$bake_out/app.txt"; then
    assert_eq "the app target ran on the base target's result and config" \
        "$(printf 'built by the base target\n1')" "$(cat "$bake_out/app.txt")"
    assert_eq "bake contexts: a local directory" asset "$(cat "$bake_out/asset.txt" 2>&1)"
else
    printf '%s\n' "$log" | tail -30
fi

# ---------------------------------------------------------------- Git and HTTP
repo_root="$(test_tmpdir)"
git init -q -b main "$repo_root/src.git.work"
echo "from git" >"$repo_root/src.git.work/README"
mkdir -p "$repo_root/src.git.work/sub"
echo "from a git subdir" >"$repo_root/src.git.work/sub/file"
printf '# syntax=%s\nFROM scratch\nCOPY . /\n' "$FRONTEND_IMAGE" >"$repo_root/src.git.work/Dockerfile"
git -C "$repo_root/src.git.work" -c user.email=t@t -c user.name=t add -A
git -C "$repo_root/src.git.work" -c user.email=t@t -c user.name=t commit -qm one
git clone -q --bare "$repo_root/src.git.work" "$repo_root/src.git"
git_port="$(free_port)"
git daemon --listen=127.0.0.1 --port="$git_port" --base-path="$repo_root" --export-all --reuseaddr "$repo_root" \
    >/dev/null 2>&1 &
server_pids+=($!)
http_root="$(test_tmpdir)"
echo "over http" >"$http_root/file.txt"
tar -C "$http_root" -czf "$http_root/files.tar.gz" file.txt
mkdir -p "$http_root/ctx"
echo "in the tarball" >"$http_root/ctx/data.txt"
printf '# syntax=%s\nFROM scratch\nCOPY data.txt /\n' "$FRONTEND_IMAGE" >"$http_root/ctx/Dockerfile"
tar -C "$http_root/ctx" -czf "$http_root/ctx.tar.gz" Dockerfile data.txt
http_port="$(free_port)"
(cd "$http_root" && exec python3 -m http.server --bind 127.0.0.1 "$http_port") >/dev/null 2>&1 &
server_pids+=($!)
sleep 1

remote="$(test_tmpdir)"
printf '# syntax=%s\nFROM scratch\nCOPY --from=src /README /readme\nCOPY --from=sub /file /subfile\nCOPY --from=files /context /files.tar.gz\n' \
    "$FRONTEND_IMAGE" >"$remote/Dockerfile"
out="$(test_tmpdir)"
log="$(buildx --build-context src="git://127.0.0.1:$git_port/src.git#main" \
    --build-context sub="git://127.0.0.1:$git_port/src.git#main:sub" \
    --build-context files="http://127.0.0.1:$http_port/files.tar.gz" \
    -o "type=local,dest=$out" "$remote" 2>&1)"
if check "Git and HTTP named contexts build" test -f "$out/readme"; then
    assert_eq "a Git context" "from git" "$(cat "$out/readme")"
    assert_eq "a Git context's subdirectory" "from a git subdir" "$(cat "$out/subfile" 2>&1)"
    check "an HTTP context is the downloaded file" cmp "$out/files.tar.gz" "$http_root/files.tar.gz"
else
    printf '%s\n' "$log" | tail -30
fi

# ------------------------------------------------------ remote main contexts
out="$(test_tmpdir)"
log="$(buildx -o "type=local,dest=$out" "git://127.0.0.1:$git_port/src.git#main" 2>&1)"
if check "a Git URL as the build context (Dockerfile read from it)" test -f "$out/README"; then
    assert_eq "the repository's files are the context" "from git" "$(cat "$out/README")"
    check_fails "without keep-git-dir, no .git" test -e "$out/.git"
else
    printf '%s\n' "$log" | tail -30
fi
out="$(test_tmpdir)"
log="$(buildx -o "type=local,dest=$out" "git://127.0.0.1:$git_port/src.git?ref=main&keep-git-dir=true" 2>&1)"
if check "a Git URL with 1.26 query options (gitquerystring)" test -f "$out/README"; then
    check "keep-git-dir=true keeps .git" test -d "$out/.git"
else
    printf '%s\n' "$log" | tail -30
fi
out="$(test_tmpdir)"
log="$(buildx -o "type=local,dest=$out" "http://127.0.0.1:$http_port/ctx.tar.gz" 2>&1)"
if check "an HTTP tarball as the build context" test -f "$out/data.txt"; then
    assert_eq "the tarball's files are the context" "in the tarball" "$(cat "$out/data.txt")"
else
    printf '%s\n' "$log" | tail -30
fi
