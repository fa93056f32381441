#!/usr/bin/env bash
# jsonata_twins_callgrind.sh — the JSONata twins of ../shared/bench against
# their JSONPath twins in instructions (valgrind --tool=callgrind), both back
# ends: instructions per execution (the bench's warm-up, N/10, counted in)
# and their ratio, JSONPath / JSONata (issue #20 asks for at least 0.67).
# Unlike bench/jsonata_twins.sh's rates these do not move with the
# machine's load.  Run by hand; never by CI.
#
#   bench/jsonata_twins_callgrind.sh [ASLC]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
aslc=${1:-$root/build/aslc}
shared=${ASLC_BENCH_SHARED:-$(cd "$root/.." && pwd)/shared/bench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# instructions of binary $1 on input $2 over $3 executions
instr() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" --input-file "$2" --bench "$3" 2>&1 >/dev/null |
        sed -n 's/.*refs: *//p' | tr -d ,
}

printf '| workflow | back end | JSONPath | JSONata | ratio | same output |\n|---|---|---:|---:|---:|---|\n'
for w in pass_chain_100 choice_loop map_1000; do
    n=200
    [ "$w" = map_1000 ] && n=10
    for be in c llvm; do
        "$aslc" "$shared/workflows/$w.json" -o "$work/p" --backend=$be 2>/dev/null || continue
        "$aslc" "$shared/workflows/${w}_jsonata.json" -o "$work/j" --backend=$be 2>/dev/null || continue
        same=no
        [ "$("$work/p" --input-file "$shared/inputs/$w.json")" = "$("$work/j" --input-file "$shared/inputs/${w}_jsonata.json")" ] && same=yes
        p=$(instr "$work/p" "$shared/inputs/$w.json" $n)
        j=$(instr "$work/j" "$shared/inputs/${w}_jsonata.json" $n)
        python3 - "$w" "$be" "$p" "$j" "$n" "$same" <<'PY'
import sys
w, be, p, j, n, same = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
execs = n + min(max(n // 10, 1), 1000)   # runtime/bench.c: the warm-up
fmt = lambda i: '{:,.0f} K'.format(i / execs / 1e3) if i / execs < 1e6 else '{:,.1f} M'.format(i / execs / 1e6)
print('| %s | %s | %s | %s | %.2f | %s |' % (w, be, fmt(p), fmt(j), p / j, same))
PY
    done
done
