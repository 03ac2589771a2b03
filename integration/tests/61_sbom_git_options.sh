#!/usr/bin/env bash
# SBOM attestations with the scan arguments, the Git URL options `mtime`
# and `fetch-by-commit` (issue 8 item 5), and `oci-layout://` named contexts
# (item 3), on buildkitd through buildx; the resource options through
# buildctl.
#
# The scanner is a small image built here and pushed to the loopback
# registry: a shell script that writes one in-toto statement listing what it
# was shown (the image's files, the extras, a parameter). The daemon scans
# only the image when the frontend leaves SBOMs to it, so seeing the context
# and the `deps` stage among the extras shows the frontend ran the scan.
# peers: buildx
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

builder="${BUILDX_BUILDER:-stagecraft-v032}"
registry="${REGISTRY_ADDR:-127.0.0.1:5050}"
buildx() { docker_cli buildx build --builder "$builder" --progress=plain "$@"; }

if ! docker_cli buildx inspect "$builder" >/dev/null 2>&1; then
    skip "SBOM and Git options on buildkitd" "buildx builder $builder is not set up (integration/setup.sh)"
    exit 0
fi
tag="$(date +%s)-$$"

# ---------------------------------------------------------------- scanner
scanner_ctx="$(test_tmpdir)"
cat >"$scanner_ctx/scan.sh" <<'SCRIPT'
#!/bin/sh
set -e
core="$(cd "$BUILDKIT_SCAN_SOURCE" && find . -type f | sort | tr '\n' ' ')"
extras=""
if [ -n "$BUILDKIT_SCAN_SOURCE_EXTRAS" ]; then
    extras="$(ls "$BUILDKIT_SCAN_SOURCE_EXTRAS" | sort | tr '\n' ' ')"
fi
deps=""
if [ -d "$BUILDKIT_SCAN_SOURCE_EXTRAS/sbom-deps" ]; then
    deps="$(cd "$BUILDKIT_SCAN_SOURCE_EXTRAS/sbom-deps" && find . -name 'dep*.txt' | sort | tr '\n' ' ')"
fi
printf '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":{"spdxVersion":"SPDX-2.3","name":"stagecraft-test-scanner","core":"%s","extras":"%s","deps":"%s","mark":"%s"}}\n' \
    "$core" "$extras" "$deps" "$BUILDKIT_SCAN_MARK" >"$BUILDKIT_SCAN_DESTINATION/scan.spdx.json"
SCRIPT
chmod +x "$scanner_ctx/scan.sh"
printf 'FROM busybox\nCOPY scan.sh /scan.sh\nENTRYPOINT ["/scan.sh"]\n' >"$scanner_ctx/Dockerfile"
scanner="$registry/stagecraft-tests/sbom-scanner:$tag"
check "a scanner image is pushed to $registry" buildx -t "$scanner" --push "$scanner_ctx"

# ---------------------------------------------------------------- SBOM
ctx="$(test_tmpdir)"
echo "from the context" >"$ctx/ctxfile.txt"
cat >"$ctx/Dockerfile" <<DOCKERFILE
# syntax=$FRONTEND_IMAGE
ARG BUILDKIT_SBOM_SCAN_CONTEXT=true
FROM busybox AS deps
ARG BUILDKIT_SBOM_SCAN_STAGE=true
RUN echo dep >/dep1.txt && echo dep >/dep2.txt
FROM scratch
COPY --from=deps /dep1.txt /
COPY ctxfile.txt /
DOCKERFILE
out="$(test_tmpdir)"
log="$(buildx --sbom="generator=$scanner,MARK=param-seen" -o "type=local,dest=$out" "$ctx" 2>&1)"
statement="$(cat "$out"/scan.spdx.json 2>/dev/null)"
# The exporter writes the statement again (its own indentation, the image's
# files as subjects): read the scanner's fields back with jq.
field() { jq -r --arg f "$1" '.predicate[$f]' <<<"$statement" 2>&1; }
if check "buildx --sbom=generator=<local scanner> writes the scanner's SBOM" test -n "$statement"; then
    assert_eq "the scanner saw the image's files" "./ctxfile.txt ./dep1.txt " "$(field core)"
    assert_eq "BUILDKIT_SBOM_SCAN_CONTEXT and _STAGE: the context and the deps stage are extras" \
        "sbom-context sbom-deps " "$(field extras)"
    assert_eq "the deps stage is shown whole (both files)" "./dep1.txt ./dep2.txt " "$(field deps)"
    assert_eq "generator parameters reach the scanner as BUILDKIT_SCAN_<KEY>" param-seen "$(field mark)"
    assert_contains "the scan step is named for its platform" "$log" "generating sbom using $scanner"
else
    printf '%s\n' "$log" | tail -30
fi

# Without the scan arguments the scanner sees the image alone.
plain="$(test_tmpdir)"
printf '# syntax=%s\nFROM busybox AS deps\nRUN echo dep >/dep1.txt\nFROM scratch\nCOPY --from=deps /dep1.txt /\n' \
    "$FRONTEND_IMAGE" >"$plain/Dockerfile"
out="$(test_tmpdir)"
log="$(buildx --sbom="generator=$scanner" -o "type=local,dest=$out" "$plain" 2>&1)"
statement="$(cat "$out"/scan.spdx.json 2>/dev/null)"
if check "an SBOM without scan arguments" test -n "$statement"; then
    assert_eq "no extras without BUILDKIT_SBOM_SCAN_*" "" "$(field extras)"
    assert_eq "the image alone is scanned" "./dep1.txt " "$(field core)"
else
    printf '%s\n' "$log" | tail -30
fi

# A multi-platform build gets one SBOM per platform, pushed with the index.
repo="$registry/stagecraft-tests/sbom"
if check "a multi-platform build with --sbom pushes" \
    buildx --platform linux/amd64,linux/arm64 --sbom="generator=$scanner" -t "$repo:$tag" --push "$plain"; then
    accept='application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.list.v2+json'
    index="$(curl -fsS -H "Accept: $accept" "http://$registry/v2/stagecraft-tests/sbom/manifests/$tag")"
    refs="$(jq -r '[.manifests[] | select(.annotations["vnd.docker.reference.type"] == "attestation-manifest")] | length' <<<"$index")"
    assert_eq "the index holds an attestation manifest per platform" 2 "$refs"
fi

# ---------------------------------------------------------------- OCI layout
# An image exported as an OCI layout directory, then named as a context:
# buildx serves the layout from the session, the frontend reads it there.
base_ctx="$(test_tmpdir)"
printf 'FROM busybox\nRUN echo "from the layout" >/layout.txt\nENV FROM_LAYOUT=yes\nWORKDIR /in-layout\n' >"$base_ctx/Dockerfile"
layout="$(test_tmpdir)/layout"
if check "an image is exported as an OCI layout" buildx -o "type=oci,dest=$layout,tar=false" "$base_ctx"; then
    digest="$(jq -r '.manifests[0].digest' "$layout/index.json")"
    oci_ctx="$(test_tmpdir)"
    # shellcheck disable=SC2016 # expanded by RUN's shell
    printf '# syntax=%s\nFROM base\nRUN cat /layout.txt >out.txt && echo "$FROM_LAYOUT" >>out.txt && pwd >>out.txt\n' \
        "$FRONTEND_IMAGE" >"$oci_ctx/Dockerfile"
    out="$(test_tmpdir)"
    log="$(buildx --build-context "base=oci-layout://$layout@$digest" -o "type=local,dest=$out" "$oci_ctx" 2>&1)"
    if check "an oci-layout:// named context replaces an image" test -f "$out/in-layout/out.txt"; then
        assert_eq "the layout's files, ENV and WORKDIR" \
            "$(printf 'from the layout\nyes\n/in-layout')" "$(cat "$out/in-layout/out.txt")"
        assert_contains "the context's step is named after it" "$log" "[context base] OCI load from client"
    else
        printf '%s\n' "$log" | tail -30
    fi
fi

# ------------------------------------------------ Git URL mtime, fetch-by-commit
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
repo_root="$(test_tmpdir)"
git init -q -b main "$repo_root/work"
commit_time=978307200 # 2001-01-01T00:00:00Z
# One branch (one commit) per case: the daemon caches a checkout by commit,
# whatever its mtime policy, so cases sharing a commit would see each
# other's files. The run's tag makes the commits new on every run.
commit_on() {
    git -C "$repo_root/work" checkout -q -B "$1"
    echo "from git ($1 $tag)" >"$repo_root/work/README"
    printf '# syntax=%s\nFROM scratch\nCOPY README /\n' "$FRONTEND_IMAGE" >"$repo_root/work/Dockerfile"
    git -C "$repo_root/work" add -A
    GIT_AUTHOR_DATE="@$commit_time +0000" GIT_COMMITTER_DATE="@$commit_time +0000" \
        git -C "$repo_root/work" -c user.email=t@t -c user.name=t commit -qm "$1"
}
for branch in main plain pinned named; do commit_on "$branch"; done
commit="$(git -C "$repo_root/work" rev-parse pinned)"
git clone -q --bare --mirror "$repo_root/work" "$repo_root/src.git"
git_port="$(free_port)"
git daemon --listen=127.0.0.1 --port="$git_port" --base-path="$repo_root" --export-all --reuseaddr "$repo_root" \
    >/dev/null 2>&1 &
git_pid=$!
trap 'kill "$git_pid" 2>/dev/null; _finish' EXIT
sleep 1

out="$(test_tmpdir)"
log="$(buildx -o "type=local,dest=$out" "git://127.0.0.1:$git_port/src.git?ref=main&mtime=commit" 2>&1)"
if check "a Git context with mtime=commit builds" test -f "$out/README"; then
    assert_eq "mtime=commit: the file has the commit's time" "$commit_time" "$(stat -c %Y "$out/README")"
else
    printf '%s\n' "$log" | tail -30
fi
out="$(test_tmpdir)"
log="$(buildx -o "type=local,dest=$out" "git://127.0.0.1:$git_port/src.git?ref=plain" 2>&1)"
if check "a Git context without mtime builds" test -f "$out/README"; then
    check_fails "without mtime the file keeps its checkout time" test "$(stat -c %Y "$out/README")" = "$commit_time"
fi
out="$(test_tmpdir)"
log="$(buildx -o "type=local,dest=$out" "git://127.0.0.1:$git_port/src.git?checksum=$commit&fetch-by-commit=true" 2>&1)"
if check "fetch-by-commit: the commit is fetched by its hash" test -f "$out/README"; then
    assert_eq "fetch-by-commit: the commit's files" "from git (pinned $tag)" "$(cat "$out/README")"
else
    printf '%s\n' "$log" | tail -30
fi
# The same options in a named context.
named="$(test_tmpdir)"
printf '# syntax=%s\nFROM scratch\nCOPY --from=src /README /readme\n' "$FRONTEND_IMAGE" >"$named/Dockerfile"
out="$(test_tmpdir)"
log="$(buildx --build-context "src=git://127.0.0.1:$git_port/src.git?ref=named&mtime=commit" \
    -o "type=local,dest=$out" "$named" 2>&1)"
if check "a Git named context with mtime=commit builds" test -f "$out/readme"; then
    assert_eq "named context, mtime=commit: the commit's time" "$commit_time" "$(stat -c %Y "$out/readme")"
else
    printf '%s\n' "$log" | tail -30
fi

# ---------------------------------------------------------------- resources
# The resource options (buildctl --opt; buildx has no flags for them) put
# cgroup limits on every RUN: read back from the step's own cgroup (v1 here)
# and compared with what the reference frontend's build shows.
res_ctx="$(test_tmpdir)"
printf 'FROM busybox\nRUN cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpuset/cpuset.cpus /sys/fs/cgroup/cpu/cpu.shares >/limits\n' \
    >"$res_ctx/Dockerfile"
limits_with() {
    local out
    out="$(test_tmpdir)"
    "$BUILDCTL" --addr "$BUILDKIT_HOST" build --frontend gateway.v0 --opt "source=$1" \
        --opt memory=268435456 --opt cpusetcpus=0 --opt cpushares=512 \
        --local context="$res_ctx" --local dockerfile="$res_ctx" \
        --output "type=local,dest=$out" >/dev/null 2>&1
    tr '\n' ' ' <"$out/limits" 2>/dev/null
}
ours="$(limits_with "$FRONTEND_IMAGE")"
assert_eq "memory, cpusetcpus and cpushares limit the RUN" "268435456 0 512 " "$ours"
assert_eq "the same limits as the reference frontend's build" "$(limits_with "$REFERENCE_IMAGE")" "$ours"
