#!/usr/bin/env bash
# history_cost.sh — what --history costs: instructions per execution of the
# six benchmark workloads (callgrind, counting only inside the executions, as
# bench/profile.sh does), without --history and with it.
#
#   bench/history_cost.sh [ASLC] [N]     (ASLC: default bench/build/aslc/aslc, after bench/run.sh)
#
# Prints one line a workload: instructions per execution without --history,
# with it, and the ratio.  An aslc from before --history gives the first
# column alone (its binaries refuse the option): run it once with that aslc
# and once with the new one to compare the cost of recording when it is off.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
aslc=${1:-$here/build/aslc/aslc}
n=${2:-200}
shared=${ASLC_BENCH_SHARED:-$(cd "$root/.." && pwd)/shared/bench}
command -v valgrind >/dev/null || { echo "history_cost.sh: needs valgrind" >&2; exit 2; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
export ASL_ENGAGE_US=${ASL_ENGAGE_US:-100000000}   # fan-outs on one thread, as profile.sh

count() { # n, binary args...: instructions per execution
    local runs=$(( $1 + ($1 / 10 > 0 ? ($1 / 10 > 1000 ? 1000 : $1 / 10) : 1) ))
    shift
    local total
    total=$(valgrind --tool=callgrind --toggle-collect=bench_exec --callgrind-out-file="$d/cg" \
        "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' | tail -1)
    echo $(( total / runs ))
}

printf '%-16s %14s %14s %8s\n' workload "without" "with --history" ratio
for w in seed_psy task_chain_10 pass_chain_100 choice_loop parallel_4 map_1000; do
    k=$n
    [ "$w" = map_1000 ] && k=$(( n / 10 > 0 ? n / 10 : 1 ))
    "$aslc" "$shared/workflows/$w.json" --resources "$here/resources.json" \
        --handlers "$here/handlers.c" -o "$d/$w"
    input=$shared/inputs/$w.json
    off=$(count "$k" "$d/$w" --bench "$k" --input-file "$input")
    if "$d/$w" --help | grep -q -- --history; then
        on=$(count "$k" "$d/$w" --bench "$k" --input-file "$input" --history "$d/h.jsonl")
        printf '%-16s %14s %14s %7.2fx\n' "$w" "$off" "$on" "$(python3 -c "print($on/$off)")"
    else
        printf '%-16s %14s %14s %8s\n' "$w" "$off" "-" "-"
    fi
done
