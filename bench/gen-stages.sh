#!/usr/bin/env bash
# Prints a generated multi-stage Dockerfile for conversion benchmarks.
#
#   bench/gen-stages.sh STAGES [all|last]
#
# STAGES stages of ten instructions each (FROM, ARG, ENV, WORKDIR, two RUNs,
# COPY from the context, LABEL, EXPOSE, USER), then a final stage:
#   all   (default) the final stage copies from every stage, so the default
#         target reaches all of them;
#   last  the final stage copies from the last stage only, so the default
#         target reaches one stage and the rest are planned but skipped.
set -euo pipefail

STAGES="${1:-}"
REACH="${2:-all}"
[[ "$STAGES" =~ ^[1-9][0-9]*$ && "$REACH" =~ ^(all|last)$ ]] || {
    echo "usage: $0 STAGES [all|last]" >&2
    exit 2
}

awk -v n="$STAGES" -v reach="$REACH" 'BEGIN {
    print "ARG BASE=busybox"
    for (i = 0; i < n; i++) {
        printf "FROM ${BASE} AS s%d\n", i
        printf "ARG V%d=value%d\n", i, i
        printf "ENV E%d=$V%d P%d=/opt/%d\n", i, i, i, i
        printf "WORKDIR /work/%d\n", i
        printf "RUN echo %d > /out && echo $E%d\n", i, i
        printf "COPY src%d/ ./\n", i
        printf "RUN --mount=type=cache,target=/cache cp /out /cache/%d\n", i
        printf "LABEL stage%d=yes\n", i
        printf "EXPOSE %d\n", 1000 + i
        printf "USER user%d\n", i
    }
    print "FROM busybox AS final"
    first = (reach == "all") ? 0 : n - 1
    for (i = first; i < n; i++) printf "COPY --from=s%d /out /in/%d\n", i, i
    print "CMD [\"true\"]"
}'
