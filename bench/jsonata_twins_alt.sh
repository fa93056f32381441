#!/usr/bin/env bash
# jsonata_twins_alt.sh — the JSONata twins of ../shared/bench against their
# JSONPath twins in executions per second, as bench/jsonata_twins.sh, but
# ROUNDS times over, the two twins run one after the other in each round, so
# that a change of the machine's load falls on both: each round's ratio
# (JSONata / JSONPath), then the median ratio and its spread (lowest,
# highest), and the load average before and after.  On a shared machine the
# single run of jsonata_twins.sh moves by more than the differences it is
# meant to show.  The last column is the same median of the ratio of the
# executions' median times (p50_us, JSONPath / JSONata), which a preempted
# execution moves less than the rate.  Run by hand; never by CI.
#
#   bench/jsonata_twins_alt.sh [ASLC] [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
aslc=${1:-$root/build/aslc}
rounds=${2:-7}
shared=${ASLC_BENCH_SHARED:-$(cd "$root/.." && pwd)/shared/bench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# executions per second and median microseconds of an execution of
# binary $1 on input $2 over $3 executions, as "rate/p50"
rate() {
    "$1" --input-file "$2" --bench "$3" 2>/dev/null | tail -1 |
        python3 -c 'import json,sys; d = json.load(sys.stdin); print("%s/%s" % (d["exec_per_s"], d["p50_us"]))'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| workflow | back end | JSONPath exec/s (median) | JSONata exec/s (median) | ratio, median | lowest | highest | rounds | p50 ratio, median |\n'
printf '|---|---|---:|---:|---:|---:|---:|---:|---:|\n'
for w in pass_chain_100 choice_loop map_1000; do
    case $w in
    pass_chain_100) n=20000 ;;
    choice_loop) n=5000 ;;
    map_1000) n=100 ;;
    esac
    for be in c llvm; do
        "$aslc" "$shared/workflows/$w.json" -o "$work/p" --backend=$be 2>/dev/null || continue
        "$aslc" "$shared/workflows/${w}_jsonata.json" -o "$work/j" --backend=$be 2>/dev/null || continue
        ps=() js=()
        for ((r = 0; r < rounds; r++)); do
            ps+=("$(rate "$work/p" "$shared/inputs/$w.json" $n)")
            js+=("$(rate "$work/j" "$shared/inputs/${w}_jsonata.json" $n)")
        done
        python3 - "$w" "$be" "${ps[*]}" "${js[*]}" <<'PY'
import statistics, sys
w, be = sys.argv[1], sys.argv[2]
p = [float(v.split('/')[0]) for v in sys.argv[3].split()]
j = [float(v.split('/')[0]) for v in sys.argv[4].split()]
p50 = [float(a.split('/')[1]) / float(b.split('/')[1]) for a, b in zip(sys.argv[3].split(), sys.argv[4].split())]
ratios = [b / a for a, b in zip(p, j)]
print('| %s | %s | %s | %s | %.2f | %.2f | %.2f | %d | %.2f |' % (
    w, be, '{:,.0f}'.format(statistics.median(p)), '{:,.0f}'.format(statistics.median(j)),
    statistics.median(ratios), min(ratios), max(ratios), len(ratios), statistics.median(p50)))
PY
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
