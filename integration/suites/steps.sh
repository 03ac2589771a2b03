# shellcheck shell=bash
# Helpers for tests that look at fixtures, timings and the per-step cache state
# of a `--progress=plain` build log; sourced after lib.sh.
#
#   fixture_dir NAME               copy of integration/fixtures/NAME in a fresh directory
#   now / seconds_since START      wall clock (date +%s.%N) and seconds elapsed, 2 decimals
#   less_than A B                  A < B as decimals
#   step_states < LOG              `cached<TAB>NAME` or `ran<TAB>NAME` per build step
#   steps_matching STATES ERE      the RUN/COPY lines of STATES matching ERE
#   assert_steps NAME STATES ERE cached|ran
#   step_seconds LOG NAME_PREFIX   the `DONE 3.4s` duration of a step, empty if none

fixture_dir() {
    local dir
    dir="$(test_tmpdir)"
    cp -a "$INTEGRATION_DIR/fixtures/$1/." "$dir/"
    printf '%s\n' "$dir"
}

now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
less_than() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# Steps are the named vertices (`#12 [alpha 3/4] RUN ...`) in first-seen order;
# [internal] ones and unnamed ones (the frontend image, exporting) are left out.
# A vertex counts as cached when BuildKit printed `#N CACHED` for it.
step_states() {
    awk '
        match($0, /^#[0-9]+ /) {
            id = substr($0, 2, RLENGTH - 2)
            rest = substr($0, RLENGTH + 1)
            if (rest ~ /^\[/ && rest !~ /^\[internal\]/ && !(id in name)) {
                name[id] = rest
                order[++n] = id
            } else if (rest == "CACHED") {
                cached[id] = 1
            }
        }
        END {
            for (i = 1; i <= n; i++) {
                id = order[i]
                printf "%s\t%s\n", (id in cached) ? "cached" : "ran", name[id]
            }
        }'
}

steps_matching() { grep -E $'^(cached|ran)\t\\[[^]]*\\] (RUN|COPY)' <<<"$1" | grep -E -- "$2" || true; }

# Passes when every RUN/COPY step matching ERE is in the wanted state and
# there is at least one such step.
assert_steps() {
    local name="$1" states="$2" regex="$3" want="$4" matched wrong
    matched="$(steps_matching "$states" "$regex")"
    if [[ -z "$matched" ]]; then
        fail "$name" "no RUN/COPY step matches: $regex" "steps:" "$states"
        return 1
    fi
    wrong="$(grep -v "^$want"$'\t' <<<"$matched" || true)"
    if [[ -z "$wrong" ]]; then
        pass "$name"
    else
        fail "$name" "expected $want:" "$wrong" "all steps:" "$states"
        return 1
    fi
}

step_seconds() {
    awk -v want="$2" '
        match($0, /^#[0-9]+ /) {
            id = substr($0, 2, RLENGTH - 2)
            rest = substr($0, RLENGTH + 1)
            if (index(rest, want) == 1) {
                ids[id] = 1
            } else if ((id in ids) && rest ~ /^DONE [0-9.]+s$/) {
                sub(/^DONE /, "", rest)
                sub(/s$/, "", rest)
                print rest
                exit
            }
        }' <<<"$1"
}
