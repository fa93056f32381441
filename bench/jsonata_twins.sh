#!/usr/bin/env bash
# jsonata_twins.sh — the JSONata twins of ../shared/bench (pass_chain_100,
# choice_loop, map_1000 written in JSONata) against their JSONPath twins,
# with both back ends: the same output, and executions per second of each
# and their ratio (issue #20 asks for at least 0.67).  Run by hand, or by
# bench/run.sh; never by CI (the figures depend on the machine's load).
#
#   bench/jsonata_twins.sh [ASLC] [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
aslc=${1:-$root/build/aslc}
secs=${2:-2}
shared=${ASLC_BENCH_SHARED:-$(cd "$root/.." && pwd)/shared/bench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# executions per second of binary $1 on input file $2, over about $secs seconds
rate() {
    local n=10 out
    while :; do
        out=$("$1" --input-file "$2" --bench "$n" 2>/dev/null | tail -1)
        local s
        s=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["executions"]/d["exec_per_s"])' "$out")
        if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= $secs/4 or $n >= 10**7 else 1)" "$s"; then
            python3 -c 'import json,sys; print("%.1f" % json.loads(sys.argv[1])["exec_per_s"])' "$out"
            return
        fi
        n=$((n * 4))
    done
}

printf '| workflow | back end | JSONPath exec/s | JSONata exec/s | ratio | same output |\n|---|---|---:|---:|---:|---|\n'
for w in pass_chain_100 choice_loop map_1000; do
    for be in c llvm; do
        "$aslc" "$shared/workflows/$w.json" -o "$work/p" --backend=$be 2>/dev/null || continue
        "$aslc" "$shared/workflows/${w}_jsonata.json" -o "$work/j" --backend=$be 2>/dev/null || continue
        same=no
        [ "$("$work/p" --input-file "$shared/inputs/$w.json")" = "$("$work/j" --input-file "$shared/inputs/${w}_jsonata.json")" ] && same=yes
        p=$(rate "$work/p" "$shared/inputs/$w.json")
        j=$(rate "$work/j" "$shared/inputs/${w}_jsonata.json")
        printf '| %s | %s | %s | %s | %.3f | %s |\n' "$w" "$be" "$p" "$j" "$(python3 -c "print($j/$p)")" "$same"
    done
done
