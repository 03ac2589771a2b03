#!/usr/bin/env bash
# Stagecraft builds the same images as the baseline frontend: on dockerd
# (BuildKit ≈ v0.8) its built-in frontend, on buildkitd the reference frontend
# image of the same release ($REFERENCE_IMAGE). Each
# integration/equivalence/<case> is built twice, with `# syntax=stagecraft:dev`
# and with the baseline, and compared on
#   - the image config as `docker inspect` shows it (Env, Cmd, ..., Author),
#   - the history (created_by, comment, empty_layer; layer count),
#   - every layer's entries from `docker save` (what each step added, changed
#     or whited out) and the raw config JSON the frontend wrote,
#   - the exported filesystem (names, types, modes, owners, sizes, link
#     targets, checksums; never mtimes).
# The cases stay within Dockerfile 1.2 features. A last section checks that
# both frontends refuse the same broken Dockerfiles.
#
# Where v0.8 and the BuildKit HEAD we follow disagree, the v0.8 side is
# rewritten to the HEAD form before comparing: derivable rules in
# `head_history`, exact per-case `accept`/`accept_fs` rules (each citing the
# moby/buildkit commit); nothing else is tolerated. Against the reference
# frontend nothing is rewritten or accepted.
#
#   EQ_ONLY=copy,add integration/run.sh 40_equivalence   # some cases only
#
# On buildkitd it runs through buildctl only: buildx would load the same
# images through another client, at twice the time.
# peers: docker buildctl
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=../suites/image_fs.sh
source "$INTEGRATION_DIR/suites/image_fs.sh"

EQ_DIR="$INTEGRATION_DIR/equivalence"
# The frontend Stagecraft is compared with.
if peer_on_buildkitd; then
    BASELINE=reference
else
    BASELINE=builtin
fi
EQ_PY="${EQ_PY:-$IMAGE_FS_PY}"

# A copy of equivalence/CASE; for FRONTEND=stagecraft (reference) every
# Dockerfile* gets the syntax line naming $FRONTEND_IMAGE ($REFERENCE_IMAGE). Modes are normalised so a checkout's umask cannot make the
# fixture differ between machines (both builds use the same modes anyway).
eq_context() {
    local case="$1" frontend="$2" dir file
    dir="$(test_tmpdir)"
    cp -a "$EQ_DIR/$case/." "$dir/"
    find "$dir" -type d -exec chmod 0755 {} +
    find "$dir" -type f -exec chmod 0644 {} +
    for file in "$dir"/Dockerfile*; do
        case "$frontend" in
            stagecraft) sed -i "1i # syntax=$FRONTEND_IMAGE" "$file" ;;
            reference) sed -i "1i # syntax=$REFERENCE_IMAGE" "$file" ;;
        esac
    done
    # Context modes that COPY must carry over unchanged.
    if [[ "$case" == copy ]]; then
        chmod 0640 "$dir/dir/one"
        chmod 0700 "$dir/dir/sub"
        chmod 0755 "$dir/b.txt"
    fi
    printf '%s\n' "$dir"
}

# eq_build CASE FRONTEND TAG DOCKERFILE [docker build args...]
# Prints the build log; exit status of the build.
eq_build() {
    local case="$1" frontend="$2" tag="$3" file="$4" dir
    shift 4
    dir="$(eq_context "$case" "$frontend")" || return 1
    docker_build -t "$tag" -f "$dir/$file" "$@" "$dir" 2>&1
}

# Image config fields that must match, as `Field=<json>` lines, sorted keys.
config_lines() {
    docker_cli image inspect --format '{{json .}}' "$1" | jq -r '
        {Author, Comment, DockerVersion, Os, Architecture, Variant} as $top
        | .Config as $c
        | ($top + {
            Env: $c.Env, Cmd: $c.Cmd, Entrypoint: $c.Entrypoint,
            WorkingDir: $c.WorkingDir, User: $c.User,
            ExposedPorts: $c.ExposedPorts, Volumes: $c.Volumes,
            Labels: $c.Labels, StopSignal: $c.StopSignal,
            Healthcheck: $c.Healthcheck, OnBuild: $c.OnBuild,
            Shell: $c.Shell, ArgsEscaped: $c.ArgsEscaped})
        | to_entries[] | "\(.key)=\(.value | tojson)"'
}

# From the image config in `docker save`: `H layers=N` and one
# `H created_by|comment|empty` line per history entry, then the raw JSON as
# written by the frontend (what `docker inspect` hides: fields it fills in or
# drops): `R key=json` for top-level keys but created/history/rootfs, and
# `C key=json` for each key of "config"; `L N entry` for each entry of layer N
# (as fs_lines, whiteouts included).
image_dump() {
    docker_cli save "$1" | PYTHONPATH="$INTEGRATION_DIR/suites" "$EQ_PY" -c '
import io, json, sys, tarfile
from tar_rows import rows
def entries(blob):
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:*") as layer:
        return rows(layer)
with tarfile.open(fileobj=sys.stdin.buffer, mode="r|") as tar:
    files = {m.name: tar.extractfile(m).read() for m in tar if m.isfile() and (m.name.endswith(".json") or m.name.endswith(".tar"))}
manifest = json.loads(files["manifest.json"])[0]
config = json.loads(files[manifest["Config"]])
print("H layers=%d" % len(config["rootfs"]["diff_ids"]))
for n, name in enumerate(manifest["Layers"]):
    for row in entries(files[name]):
        print("L %d %s" % (n, row))
for h in config.get("history", []):
    print("H %s|%s|%s" % (h.get("created_by", ""), h.get("comment", ""),
                          "empty" if h.get("empty_layer") else "layer"))
for k in sorted(config):
    if k not in ("created", "history", "rootfs", "config"):
        print("R %s=%s" % (k, json.dumps(config[k], sort_keys=True)))
for k in sorted(config.get("config") or {}):
    print("C %s=%s" % (k, json.dumps(config["config"][k], sort_keys=True)))
'
}

history_lines() { sed -n 's/^H //p' <<<"$1"; }

# v0.8 wrote `"OnBuild": null` always (no omitempty on its ImageConfig, v0.8.3
# dockerfile2llb/image.go); HEAD's docker-image-spec has omitempty.
raw_lines() { grep -E '^[RC] ' <<<"$1" | grep -v -x 'C OnBuild=null'; }

# Accepted v0.8-vs-HEAD differences that cannot be derived from the v0.8 text
# alone (HEAD prints something v0.8 dropped): `accept CASE V08 HEAD` replaces
# the created_by text V08 of the built-in image by HEAD, exactly, once per line.
declare -A ACCEPTED=()
accept() {
    [[ "$BASELINE" == builtin ]] || return 0
    ACCEPTED[$1]+="$2"$'\t'"$3"$'\n'
}

# `accept_fs CASE PATH`: PATH (as exported: no leading slash) is left out of
# the filesystem comparison of CASE, which checks its content by itself.
declare -A ACCEPTED_FS=()
accept_fs() {
    [[ "$BASELINE" == builtin ]] || return 0
    ACCEPTED_FS[$1]+="$2"$'\n'
}

# fs_filter CASE [COLUMN]: drops lines whose path (field COLUMN, default 1) is
# accepted for CASE.
fs_filter() {
    awk -v list="${ACCEPTED_FS[$1]:-}" -v col="${2:-1}" '
        BEGIN { n = split(list, p, "\n"); for (i = 1; i <= n; i++) if (p[i] != "") skip[p[i]] = 1 }
        !($col in skip)'
}

# Rewrites v0.8 history lines (stdin) into the form BuildKit HEAD writes, the
# behaviour Stagecraft follows; $1 is the case name for `accept` pairs, $2
# Stagecraft's history (entries equal at the same index are kept as they are).
# Derivable rules (reference: moby/buildkit HEAD vs v0.8.3,
# frontend/dockerfile/dockerfile2llb/convert.go):
# - HEALTHCHECK: v0.8 commits fmt.Sprintf("HEALTHCHECK %q", *Healthcheck
#   pointer*) -> `&{["CMD" "x"] "5s" "3s" "2s" '\x04'}`; HEAD commits
#   fmt.Sprintf("HEALTHCHECK %+v", struct) -> `{Test:[CMD x] Interval:5s
#   Timeout:3s StartPeriod:2s StartInterval:0s Retries:4}` (dispatchHealthcheck).
# - RUN `|N K=V ...`: v0.8 lists every ARG declaration, a re-declared ARG twice;
#   HEAD's runCommandString keeps one entry per key, at its first position,
#   with the current value.
head_history() {
    if [[ "$BASELINE" != builtin ]]; then
        cat
        return
    fi
    ACCEPT_PAIRS="${ACCEPTED[$1]:-}" OTHER_HISTORY="$2" "$EQ_PY" -c '
import codecs, os, re, sys
pairs = [l.split("\t", 1) for l in os.environ["ACCEPT_PAIRS"].splitlines() if "\t" in l]
used = set()
def health(m):
    test = re.findall(r"\"((?:[^\"\\]|\\.)*)\"", m.group(1))
    test = [t.encode().decode("unicode_escape") for t in test]
    dur = m.group(2).split()
    retries = m.group(3)
    n = ord(codecs.decode(retries, "unicode_escape"))
    return "HEALTHCHECK {Test:[%s] Interval:%s Timeout:%s StartPeriod:%s StartInterval:0s Retries:%d}" % (
        " ".join(test), dur[0].strip("\""), dur[1].strip("\""), dur[2].strip("\""), n)
other = os.environ["OTHER_HISTORY"].splitlines()
for index, line in enumerate(sys.stdin.read().splitlines()):
    # An entry Stagecraft wrote the same needs no rewrite: it may come from a
    # base image that v0.8 built.
    if line.startswith("layers=") or (index < len(other) and other[index] == line):
        print(line); continue
    created, comment, empty = line.rsplit("|", 2)
    created = re.sub(r"^HEALTHCHECK &\{\[(.*)\] (\S+ \S+ \S+) \x27(\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\.|.)\x27\}$", health, created)
    m = re.match(r"^RUN \|(\d+) (.*)$", created)
    if m:
        words = m.group(2).split(" ")
        n = int(m.group(1))
        env, order = {}, []
        for w in words[:n]:
            k = w.split("=", 1)[0]
            if k not in env:
                order.append(k)
            env[k] = w
        created = "RUN |%d %s" % (len(order), " ".join([env[k] for k in order] + words[n:]))
    for i, (old, new) in enumerate(pairs):
        if i not in used and created == old:
            created = new
            used.add(i)
            break
    print("%s|%s|%s" % (created, comment, empty))
for i, (old, new) in enumerate(pairs):
    if i not in used:
        print("UNUSED accept rule: %s" % old)
'
}

# Lines of A that differ from B, as a unified diff without headers.
diff_body() {
    diff -U0 <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed -n '3,$p' | grep -v '^@@'
}

# compare_images NAME BUILTIN_TAG STAGECRAFT_TAG
compare_images() {
    local name="$1" want="$2" got="$3" a b field diffs=0
    # --- config, field by field
    a="$(config_lines "$want")"
    b="$(config_lines "$got")"
    if [[ -z "$a" || -z "$b" ]]; then
        fail "[$name] docker inspect answers for both images"
        return 1
    fi
    while IFS= read -r field; do
        local key="${field%%=*}" other
        other="$(grep -m1 "^$key=" <<<"$b")"
        if [[ "$field" != "$other" ]]; then
            fail "[$name] config $key" "$BASELINE:   ${field#*=}" "stagecraft: ${other#*=}"
            diffs=$((diffs + 1))
        fi
    done <<<"$a"
    ((diffs == 0)) && pass "[$name] image config identical ($(wc -l <<<"$a") fields)"
    # --- history
    local dump_want dump_got
    dump_want="$(image_dump "$want")"
    dump_got="$(image_dump "$got")"
    b="$(history_lines "$dump_got")"
    a="$(history_lines "$dump_want" | head_history "$name" "$b")"
    if [[ "$a" == "$b" ]]; then
        pass "[$name] history identical ($(($(wc -l <<<"$a") - 1)) entries)"
    else
        fail "[$name] history" "- $BASELINE (HEAD form)  + stagecraft" "$(diff_body "$a" "$b")"
    fi
    # --- layer by layer: what each step added, changed or deleted
    a="$(grep '^L ' <<<"$dump_want" | fs_filter "$name" 3)"
    b="$(grep '^L ' <<<"$dump_got" | fs_filter "$name" 3)"
    if [[ "$a" == "$b" ]]; then
        pass "[$name] layer contents identical ($(wc -l <<<"$a") entries)"
    else
        fail "[$name] layer contents (docker save)" "- $BASELINE  + stagecraft" "$(_tail_output "$(diff_body "$a" "$b")")"
    fi
    # --- raw config JSON
    a="$(raw_lines "$dump_want")"
    b="$(raw_lines "$dump_got")"
    if [[ "$a" == "$b" ]]; then
        pass "[$name] raw image config JSON identical ($(wc -l <<<"$a") keys)"
    else
        fail "[$name] raw image config JSON (docker save)" "- $BASELINE  + stagecraft" "$(diff_body "$a" "$b")"
    fi
    # --- filesystem
    a="$(fs_lines "$want" | fs_filter "$name")"
    b="$(fs_lines "$got" | fs_filter "$name")"
    if [[ -z "$a" || -z "$b" ]]; then
        fail "[$name] filesystem export" "$BASELINE: $(wc -l <<<"$a") lines" "stagecraft: $(wc -l <<<"$b") lines"
    elif [[ "$a" == "$b" ]]; then
        pass "[$name] filesystem identical ($(wc -l <<<"$a") paths)"
    else
        fail "[$name] filesystem" "- $BASELINE  + stagecraft" "$(_tail_output "$(diff_body "$a" "$b")")"
    fi
}

# equivalent NAME CASE DOCKERFILE [docker build args...]
# Builds with both frontends and compares; prints nothing else.
equivalent() {
    local name="$1" case="$2" file="$3" want got log
    shift 3
    # EQ_ONLY=name1,name2 runs only those cases (for iterating on one bug).
    if [[ -n "${EQ_ONLY:-}" && ",$EQ_ONLY," != *",$name,"* ]]; then
        return 0
    fi
    want="$(unique_tag "$name-$BASELINE")"
    got="$(unique_tag "$name-stagecraft")"
    if ! log="$(eq_build "$case" "$BASELINE" "$want" "$file" "$@")"; then
        fail "[$name] $BASELINE frontend builds (fixture error)" "$(_tail_output "$log")"
        return 1
    fi
    if [[ "$BASELINE" == reference && "$log" != *"docker-image://docker.io/library/$REFERENCE_IMAGE"* ]]; then
        fail "[$name] the syntax line ran $REFERENCE_IMAGE" "$(_tail_output "$log")"
        return 1
    fi
    if ! log="$(eq_build "$case" stagecraft "$got" "$file" "$@")"; then
        fail "[$name] stagecraft builds" "$(_tail_output "$log")"
        return 1
    fi
    # Guards against comparing the built-in frontend with itself.
    if [[ "$log" != *"docker-image://docker.io/library/$FRONTEND_IMAGE"* ]]; then
        fail "[$name] the syntax line ran $FRONTEND_IMAGE" "$(_tail_output "$log")"
        return 1
    fi
    compare_images "$name" "$want" "$got"
}

# ------------------------------------------------------------------ accepted
# v0.8 texts that HEAD (and Stagecraft) write differently. Each group cites the
# moby/buildkit commit that changed the behaviour after v0.8.

# c7ce41a2f "Add --chown and --chmod to commitMessage for ADD/COPY command":
# HEAD writes the (expanded) flags, --chown before --chmod; v0.8 drops them.
accept multistage "COPY /out/ /owned/ # buildkit" "COPY --chown=app:1234 --chmod=0700 /out/ /owned/ # buildkit"
accept copy "COPY a.txt /chown-named/ # buildkit" "COPY --chown=app:app a.txt /chown-named/ # buildkit"
accept copy "COPY dir /chown-numeric # buildkit" "COPY --chown=1500:1600 dir /chown-numeric # buildkit"
accept copy "COPY a.txt /chown-svc # buildkit" "COPY --chown=svc:svcgrp a.txt /chown-svc # buildkit"
accept copy "COPY b.txt /chown-user-only/ # buildkit" "COPY --chown=svc b.txt /chown-user-only/ # buildkit"
accept copy "COPY script.sh /usr/local/bin/ # buildkit" "COPY --chmod=0755 script.sh /usr/local/bin/ # buildkit"
accept copy "COPY a.txt /chmod-600 # buildkit" "COPY --chmod=600 a.txt /chmod-600 # buildkit"
accept copy "COPY a.txt /expanded/ # buildkit" "COPY --chown=svc --chmod=640 a.txt /expanded/ # buildkit"
accept copy "COPY dir /expanded/dir # buildkit" "COPY --chown=svc:1600 --chmod=0700 dir /expanded/dir # buildkit"
accept lenient "COPY a.txt /chown-unknown # buildkit" "COPY --chown=nosuchuser a.txt /chown-unknown # buildkit"
accept add "ADD note.txt /chowned/ # buildkit" "ADD --chown=7:8 note.txt /chowned/ # buildkit"
accept add "ADD bundle.tar.gz /owned-tar/ # buildkit" "ADD --chown=5:6 bundle.tar.gz /owned-tar/ # buildkit"

# 98eab3257 "dockerfile: fix history config for EXPOSE instruction": HEAD
# prints the port list in the order of the (sorted, see instructions/parse.go
# parseExpose) raw words, expanded; v0.8 printed the nat.PortSet map.
accept metadata \
    "EXPOSE map[53/udp:{} 7000/udp:{} 7001/udp:{} 80/tcp:{} 8080/tcp:{} 9000/tcp:{} 9001/tcp:{} 9002/tcp:{}]" \
    "EXPOSE [8080/tcp 53/udp 7000/udp 7001/udp 80/tcp 9000/tcp 9001/tcp 9002/tcp]"
accept metadata "EXPOSE map[443/tcp:{}]" "EXPOSE [443/tcp]"
# HEAD's parsePorts keeps duplicates (`80/tcp 80` -> 80/tcp twice).
accept edge "EXPOSE map[80/tcp:{} 8080/tcp:{}]" "EXPOSE [80/tcp 80/tcp 8080/tcp]"
accept edge-upper "EXPOSE map[80/tcp:{} 8080/tcp:{}]" "EXPOSE [80/tcp 80/tcp 8080/tcp]"
accept parse-edge "EXPOSE map[81/tcp:{} 82/udp:{}]" "EXPOSE [82/udp 81/tcp]"
accept inherit-base "EXPOSE map[7000/udp:{}]" "EXPOSE [7000/udp]"

# 47a52a17b "dockerfile: avoid evaluating ARG default if unused": HEAD's
# dispatchArg commits the value in effect (a --build-arg, else the global ARG
# value, else the expanded default); v0.8 committed the text as written.
accept args "ARG GLOBAL_ONLY" "ARG GLOBAL_ONLY=g"
accept args-overridden "ARG GLOBAL_ONLY" "ARG GLOBAL_ONLY=g"
accept args-overridden "ARG LOCAL=second-default" "ARG LOCAL=from-cli"
accept args-overridden "ARG OVERRIDE=default" "ARG OVERRIDE=cli"
accept args-overridden "ARG NOVALUE" "ARG NOVALUE=given"
accept args-overridden "ARG LOCAL=redeclared" "ARG LOCAL=from-cli"
# The automatic platform ARGs are global ARGs in HEAD (defaultArgs in
# dockerfile2llb/platform.go), so an empty TARGETVARIANT commits as `=`.
accept platform "ARG TARGETVARIANT" "ARG TARGETVARIANT="
# Same commit: ARG is no longer pre-expanded as a whole (dispatch skips
# Expand for ArgCommand); each value is expanded after the previous one of the
# same instruction was set, so MULTI2 sees MULTI1. This changes the image:
# v0.8 gives MULTI2=-m2, HEAD gives m1-m2; /tmp/multi.txt records it and is
# checked on its own below.
accept_fs env-expansion tmp/multi.txt
accept env-expansion "ARG MULTI1=m1 MULTI2=-m2" "ARG MULTI1=m1 MULTI2=m1-m2"
# shellcheck disable=SC2016 # the RUN texts hold literal $VAR references
for run in \
    'sh -c echo "exec form $MULTI1 $E" > /tmp/exec.txt' \
    '/bin/sh -c echo "$MULTI2" > /tmp/multi.txt' \
    "/bin/sh -c echo 'single quotes \$A' \"double \$A\"     continued     && echo \"\$LEGACY|\$B|\$C|\$D|\$DEFAULTED|\$ALTERED|\$MISSING\" > /tmp/env.txt" \
    '/bin/sh -c set -e;     echo inside >> /tmp/env.txt'; do
    accept env-expansion "RUN |3 MULTI1=m1 MULTI2=-m2 EMPTY= $run # buildkit" \
        "RUN |3 MULTI1=m1 MULTI2=m1-m2 EMPTY= $run # buildkit"
done

# ------------------------------------------------------------------ cases
equivalent multistage multistage Dockerfile
equivalent args args Dockerfile
equivalent args-overridden args Dockerfile \
    --build-arg TAG=latest --build-arg LOCAL=from-cli --build-arg OVERRIDE=cli \
    --build-arg NOVALUE=given --build-arg UNUSED=never-declared \
    --build-arg HTTP_PROXY=http://proxy.invalid:3128 --build-arg NOT_IN_CLIENT_ENV
equivalent workdir-user workdir-user Dockerfile
equivalent copy copy Dockerfile
equivalent add add Dockerfile
equivalent mounts mounts Dockerfile
equivalent shell shell Dockerfile
equivalent cmd-entrypoint cmd-entrypoint Dockerfile
for stage in inherits entry-resets entry-then-cmd cmd-after-entry shell-forms; do
    equivalent "cmd-entrypoint-$stage" cmd-entrypoint Dockerfile --target "$stage"
done
equivalent env-expansion env-expansion Dockerfile
equivalent scratch scratch Dockerfile
equivalent node-base node-base Dockerfile
equivalent parse-edge parse-edge Dockerfile
equivalent lenient lenient Dockerfile
equivalent stage-shadow stage-shadow Dockerfile
equivalent context-ignore context-ignore Dockerfile
equivalent edge edge Dockerfile
equivalent edge-upper edge Dockerfile --target upper
equivalent context-copy context-copy Dockerfile
# RUN --mount=type=ssh needs an agent to forward.
ssh_dir="$(test_tmpdir)"
if ssh-keygen -q -t ed25519 -N '' -f "$ssh_dir/key" >/dev/null 2>&1 &&
    eval "$(ssh-agent -s -a "$ssh_dir/agent.sock")" >/dev/null &&
    ssh-add -q "$ssh_dir/key" 2>/dev/null; then
    equivalent mounts-more mounts-more Dockerfile --target multi \
        --secret "id=token,src=$EQ_DIR/mounts-more/token.txt" --ssh default
    # shellcheck disable=SC2154 # set by ssh-agent's eval
    kill "$SSH_AGENT_PID" 2>/dev/null
else
    skip "[mounts-more] RUN --mount=type=ssh" "no ssh-agent"
fi
equivalent mounts-more-secrets mounts-more Dockerfile --target secrets \
    --secret "id=token,src=$EQ_DIR/mounts-more/token.txt"
equivalent escape-directive escape-directive Dockerfile
equivalent metadata metadata Dockerfile
equivalent healthcheck-none healthcheck-none Dockerfile
equivalent healthcheck-exec healthcheck-none Dockerfile --target exec-form
equivalent onbuild-stage onbuild-stage Dockerfile
equivalent onbuild-stage-mid onbuild-stage Dockerfile --target mid
equivalent target-middle target Dockerfile --target middle
equivalent platform platform Dockerfile --platform linux/amd64
equivalent labels labels Dockerfile --label overridden=cli --label extra.cli=1

# base_reachable IMAGE: a base built here lands in dockerd; buildkitd reads
# bases from the registry, so it is pushed there (a few KiB per run: its
# layers are the busybox ones already there).
base_reachable() {
    peer_on_buildkitd || return 0
    local out
    out="$(registry_push "$1" 2>&1)" || {
        log="push to $REGISTRY_ADDR: $out"
        return 1
    }
}

# ONBUILD in a base image: the base itself must match, then a child of the
# (built-in) base must run the same triggers through either frontend.
equivalent onbuild-base onbuild-image Dockerfile.base
base="$(unique_tag onbuild-base-shared)"
if log="$(eq_build onbuild-image "$BASELINE" "$base" Dockerfile.base)" && base_reachable "$base"; then
    equivalent onbuild-child onbuild-image Dockerfile --build-arg "BASE=$base"
else
    fail "[onbuild-child] base image builds" "$(_tail_output "$log")"
fi

# The one accepted content difference (see accept_fs above): v0.8 expands
# `ARG MULTI1=m1 MULTI2=${MULTI1}-m2` before MULTI1 is set, HEAD after; the
# reference frontend is HEAD.
if [[ -z "${EQ_ONLY:-}" || ",$EQ_ONLY," == *",env-expansion,"* ]]; then
    want="$(unique_tag "env-expansion-$BASELINE")"
    got="$(unique_tag env-expansion-stagecraft)"
    if [[ "$BASELINE" == builtin ]]; then
        assert_eq "[env-expansion] v0.8 built-in: MULTI2 expanded before MULTI1 was set" \
            "-m2" "$(docker_run "$want" cat /tmp/multi.txt 2>&1)"
    else
        assert_eq "[env-expansion] reference: MULTI2 sees MULTI1" \
            "m1-m2" "$(docker_run "$want" cat /tmp/multi.txt 2>&1)"
    fi
    assert_eq "[env-expansion] stagecraft: MULTI2 sees MULTI1 (HEAD dispatchArg)" \
        "m1-m2" "$(docker_run "$got" cat /tmp/multi.txt 2>&1)"
fi

# A child of a (built-in) base image that sets every config field inherits
# them all the same way.
equivalent inherit-base inherit Dockerfile.base
base="$(unique_tag inherit-base-shared)"
if log="$(eq_build inherit "$BASELINE" "$base" Dockerfile.base)" && base_reachable "$base"; then
    equivalent inherit-child inherit Dockerfile --build-arg "BASE=$base"
else
    fail "[inherit-child] base image builds" "$(_tail_output "$log")"
fi

# ------------------------------------------------------------------ errors
# Dockerfiles both frontends must refuse (messages differ; the outcome not).
# both_fail NAME DOCKERFILE_TEXT [docker build args...]
both_fail() {
    local name="$1" text="$2" dir frontend out
    shift 2
    if [[ -n "${EQ_ONLY:-}" && ",$EQ_ONLY," != *",$name,"* ]]; then
        return 0
    fi
    for frontend in "$BASELINE" stagecraft; do
        dir="$(test_tmpdir)"
        printf '%s\n' "$text" >"$dir/Dockerfile"
        echo a >"$dir/a.txt"
        echo b >"$dir/b.txt"
        case "$frontend" in
            stagecraft) sed -i "1i # syntax=$FRONTEND_IMAGE" "$dir/Dockerfile" ;;
            reference) sed -i "1i # syntax=$REFERENCE_IMAGE" "$dir/Dockerfile" ;;
        esac
        if ! out="$(docker_build "$@" "$dir" 2>&1)"; then
            pass "[$name] $frontend refuses it"
        else
            fail "[$name] $frontend refuses it" "$(_tail_output "$out")"
        fi
    done
}
both_fail err-missing-source $'FROM busybox:latest\nCOPY missing.txt /'
both_fail err-circular-from $'FROM busybox:latest AS a\nCOPY --from=b /x /x\nFROM busybox:latest AS b\nCOPY --from=a /y /y'
both_fail err-unknown-target $'FROM busybox:latest AS a\nRUN true' --target nope
both_fail err-unknown-instruction $'FROM busybox:latest\nFROBNICATE now'
both_fail err-failing-run $'FROM busybox:latest\nRUN exit 3'
both_fail err-bad-expose $'FROM busybox:latest\nEXPOSE 80/sctpx'
both_fail err-bad-stopsignal $'FROM busybox:latest\nSTOPSIGNAL NOTASIGNAL'
both_fail err-healthcheck-bad-duration $'FROM busybox:latest\nHEALTHCHECK --interval=5 CMD true'
