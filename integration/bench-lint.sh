#!/usr/bin/env bash
# Times `stagecraft lint` over a few hundred Dockerfiles in one call: every
# Dockerfile the repository holds, copied until there are at least COUNT
# (default 400). Prints the file count, the findings and the time (best of
# RUNS, default 5).
#
#   integration/bench-lint.sh [BINARY]     (default: target/release/stagecraft)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$repo/target/release/stagecraft}"
count="${COUNT:-400}"
runs="${RUNS:-5}"
[[ -x "$bin" ]] || { echo "no binary at $bin (cargo build --release -p stagecraft)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mapfile -t sources < <(cd "$repo" && git ls-files | grep -Ei '(^|/)Dockerfile[^/]*$|\.Dockerfile$' | grep -v fuzz)
((${#sources[@]} > 0)) || { echo "no Dockerfiles found" >&2; exit 2; }
n=0
while ((n < count)); do
    for f in "${sources[@]}"; do
        ((n < count)) || break
        cp "$repo/$f" "$work/$n.Dockerfile"
        n=$((n + 1))
    done
done
files=("$work"/*.Dockerfile)

best=""
for ((i = 0; i < runs; i++)); do
    start=$(date +%s.%N)
    # Exit 2 (a file that does not parse) is expected: some fixtures are broken on purpose.
    "$bin" lint --format json "${files[@]}" >"$work/out.json" || [[ $? -le 2 ]]
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l)
    if [[ -z "$best" ]] || (($(echo "$t < $best" | bc -l))); then best="$t"; fi
done
findings=$(jq '.warnings | length' "$work/out.json")
printf 'stagecraft lint: %d files (%d distinct), %d findings, best of %d: %.3fs (%.0f files/s)\n' \
    "${#files[@]}" "${#sources[@]}" "$findings" "$runs" "$best" "$(echo "${#files[@]} / $best" | bc -l)"
