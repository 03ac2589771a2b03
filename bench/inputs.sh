# shellcheck shell=bash
# The build inputs the gateway benchmarks share; sourced, never run.
#
#   bench_context NAME DIR   writes input NAME's context into DIR (made if missing)
#   bench_dockerfile NAME    the Dockerfile of NAME, relative to its context
#
# Inputs:
#   trivial    FROM busybox, WORKDIR, COPY, RUN, CMD (the issue's cached build)
#   stages100  bench/gen-stages.sh 100 all, with the 100 source directories it copies
#   node-app   integration/examples/node-app (Dockerfile.multistage, target prod)
#
# No `# syntax=` line is written: callers add the frontend they time.

BENCH_ROOT="${BENCH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

bench_context() {
    local name="$1" dir="$2" i
    mkdir -p "$dir"
    case "$name" in
        trivial)
            printf 'FROM busybox\nWORKDIR /app\nCOPY hello.txt .\nRUN cat hello.txt\nCMD ["cat", "/app/hello.txt"]\n' \
                >"$dir/Dockerfile"
            echo hello >"$dir/hello.txt"
            ;;
        stages100)
            "$BENCH_ROOT/bench/gen-stages.sh" 100 all >"$dir/Dockerfile"
            for ((i = 0; i < 100; i++)); do
                mkdir -p "$dir/src$i"
                echo "$i" >"$dir/src$i/file"
            done
            ;;
        node-app)
            cp -a "$BENCH_ROOT/integration/examples/node-app/." "$dir/"
            sed -i '/^#[[:space:]]*syntax[[:space:]]*=/d' "$dir"/Dockerfile*
            ;;
        *)
            echo "unknown input $name (trivial, stages100, node-app)" >&2
            return 2
            ;;
    esac
}

bench_dockerfile() {
    if [[ "$1" == node-app ]]; then echo Dockerfile.multistage; else echo Dockerfile; fi
}
