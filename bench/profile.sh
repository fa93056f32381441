#!/usr/bin/env bash
# profile.sh — where an execution's time goes, compiled workflow against the
# hand-written program, counted in instructions (callgrind), which unlike
# wall time does not depend on what else the machine is doing.
#
#   bench/profile.sh WORKLOAD [N] [BACKEND]      (after bench/run.sh)
#
# Runs `--bench N` (default 200) of the aslc binary (back end c, or llvm)
# and of bench/hand/WORKLOAD under valgrind --tool=callgrind, counting only
# inside the executions (warm-up included), prints the instructions per
# execution of each and
# the functions of the aslc binary by inclusive and by self cost.  The
# runtime is compiled without -g, so costs are per function, not per line.
# Output files: bench/build/profile/WORKLOAD.{aslc,hand}.callgrind, for
# callgrind_annotate or kcachegrind.  (perf record -e cpu-clock works too on
# machines where hardware counters are not exposed; callgrind is used here
# because its counts are exact and repeatable.)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${ASLC_BENCH_BUILD:-$here/build}
shared=${ASLC_BENCH_SHARED:-$(cd "$root/.." && pwd)/shared/bench}
w=${1:?usage: profile.sh WORKLOAD [N] [BACKEND]}
n=${2:-200}
backend=${3:-c}
command -v valgrind >/dev/null || { echo "profile.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
d=$build/profile
mkdir -p "$d"
bin=$d/$w.aslc-$backend
"$build/aslc/aslc" "$shared/workflows/$w.json" --resources "$here/resources.json" \
    --handlers "$here/handlers.c" --backend="$backend" -o "$bin"
input=$shared/inputs/$w.json
runs=$(( n + (n / 10 > 0 ? (n / 10 > 1000 ? 1000 : n / 10) : 1) ))
# Under valgrind every unit looks 50 times longer than it is, which would
# make Map and Parallel call in worker threads they do not use natively
# (runtime/fanout.c): keep fan-outs on one thread unless told otherwise.
export ASL_ENGAGE_US=${ASL_ENGAGE_US:-100000000}

count() { # binary, output file
    # Only inside one execution (main.c's bench_exec, hand.h's hand_exec:
    # called through a pointer, never inlined), not the timing loop's sort.
    valgrind --tool=callgrind --toggle-collect=bench_exec --toggle-collect=hand_exec \
        --callgrind-out-file="$2" "$1" --bench "$n" --input-file "$input" \
        2>&1 >/dev/null | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p; s/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d , | tail -1
}
a=$(count "$bin" "$d/$w.aslc.callgrind")
h=$(count "$build/hand/$w" "$d/$w.hand.callgrind")
echo "$w: aslc-$backend $(( a / runs )) instructions per execution, hand-written $(( h / runs )) ($(python3 -c "print(f'{$a/$h:.2f}')")×)"
echo
echo "aslc-$backend, inclusive (top 30):"
callgrind_annotate --inclusive=yes "$d/$w.aslc.callgrind" 2>/dev/null | grep -E '^ *[0-9,]+ ' | sed -n '2,31p'
echo
echo "aslc-$backend, self (top 20):"
callgrind_annotate --inclusive=no "$d/$w.aslc.callgrind" 2>/dev/null | grep -E '^ *[0-9,]+ ' | sed -n '2,21p'
echo
echo "hand-written, self (top 10):"
callgrind_annotate --inclusive=no "$d/$w.hand.callgrind" 2>/dev/null | grep -E '^ *[0-9,]+ ' | sed -n '2,11p'
