#!/usr/bin/env bash
# `stagecraft llb | buildctl build` on buildkitd: no frontend image runs, yet
# each Dockerfile gives the filesystem the frontend image gives through the
# gateway on the same daemon; the node-app server built this way runs.
# peers: llb
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../suites/image_fs.sh
source "$INTEGRATION_DIR/suites/image_fs.sh"

EQ_DIR="$INTEGRATION_DIR/equivalence"

# context_copy DIR: a copy with normalised modes (the gateway and the pipe
# builds must see the same files).
context_copy() {
    local dir
    dir="$(test_tmpdir)"
    cp -a "$1/." "$dir/"
    find "$dir" -type d -exec chmod 0755 {} +
    find "$dir" -type f -exec chmod 0644 {} +
    printf '%s\n' "$dir"
}

# same_fs NAME DIR DOCKERFILE [build args...]: builds DIR through the pipe and
# through `# syntax=$FRONTEND_IMAGE` on buildctl, and compares the filesystems.
same_fs() {
    local name="$1" dir="$2" file="$3" piped gateway log a b
    shift 3
    piped="$(unique_tag "$name-llb")"
    gateway="$(unique_tag "$name-gateway")"
    if ! log="$(PEER=llb docker_build -f "$dir/$file" -t "$piped" "$@" "$dir" 2>&1)"; then
        fail "[$name] stagecraft llb | buildctl build" "$(_tail_output "$log")"
        return 1
    fi
    if [[ "$log" == *"docker-image://docker.io/library/$FRONTEND_IMAGE"* ]]; then
        fail "[$name] the pipe ran without a frontend image" "$(_tail_output "$log")"
        return 1
    fi
    # Outside the context: a COPY . . must not see it.
    local syntaxed
    syntaxed="$(test_tmpdir)/$file"
    { printf '# syntax=%s\n' "$FRONTEND_IMAGE" && cat "$dir/$file"; } >"$syntaxed"
    if ! log="$(PEER=buildctl docker_build -f "$syntaxed" -t "$gateway" "$@" "$dir" 2>&1)"; then
        fail "[$name] gateway build (control)" "$(_tail_output "$log")"
        return 1
    fi
    a="$(fs_lines "$gateway")"
    b="$(fs_lines "$piped")"
    if [[ -z "$a" || -z "$b" ]]; then
        fail "[$name] filesystem export" "gateway: $(wc -l <<<"$a") lines" "pipe: $(wc -l <<<"$b") lines"
    elif [[ "$a" == "$b" ]]; then
        pass "[$name] pipe filesystem equals the gateway's ($(wc -l <<<"$a") paths)"
    else
        fail "[$name] pipe filesystem" "- gateway  + pipe" \
            "$(_tail_output "$(diff -U0 <(printf '%s\n' "$a") <(printf '%s\n' "$b") | sed -n '3,$p' | grep -v '^@@')")"
    fi
}

for case in multistage args workdir-user copy add shell cmd-entrypoint env-expansion scratch \
    node-base parse-edge lenient stage-shadow context-ignore edge context-copy escape-directive \
    metadata healthcheck-none onbuild-stage target; do
    same_fs "$case" "$(context_copy "$EQ_DIR/$case")" Dockerfile
done
same_fs args-overridden "$(context_copy "$EQ_DIR/args")" Dockerfile \
    --build-arg TAG=latest --build-arg LOCAL=from-cli --build-arg OVERRIDE=cli --build-arg NOVALUE=given
same_fs target-middle "$(context_copy "$EQ_DIR/target")" Dockerfile --target middle
same_fs platform "$(context_copy "$EQ_DIR/platform")" Dockerfile --platform linux/amd64
same_fs mounts-more-secrets "$(context_copy "$EQ_DIR/mounts-more")" Dockerfile --target secrets \
    --secret "id=token,src=$EQ_DIR/mounts-more/token.txt"

# ------------------------------------------------------------ node-app
ctx="$(fixture_copy node-app)" || exit 1
mapfile -t fargs < <(fixture_build_args)
tag="$(unique_tag node-prod)"
if check "node-app --target prod through the pipe" \
    docker_build "${fargs[@]}" -f "$ctx/Dockerfile.multistage" --target prod -t "$tag" "$ctx"; then
    # No image config comes with the pipe: the working directory is given here.
    assert_eq "node-app prod built by the pipe prints the greeting" \
        "Hello, Stagecraft! node-app is running (NODE_ENV=production, built 2 files)" \
        "$(docker_cli run --rm --network none -w /app -e NODE_ENV=production "$tag" node dist/index.js --once 2>&1)"
    assert_eq "node-app prod: production dependencies only" "greet" \
        "$(docker_run "$tag" ls /app/node_modules 2>&1)"
fi
