#!/usr/bin/env bash
# coldstart_why.sh — where the cold start of a generated binary goes.
#
#   bench/coldstart_why.sh [RUNS]        (after bench/run.sh, which builds aslc)
#
# Builds seed_psy (the smallest workload) in variants that each remove one
# suspect, and times a fresh process of each with bench/coldstart (median,
# minimum, page faults, peak RSS):
#   /bin/true                 the price of any process on this machine
#   hand-written              the same JSON work, linked as aslc links
#   aslc (as built)           runtime and (where it can) the C library linked
#                             statically; the execution on the main thread,
#                             its stack switched (bigstack.c)
#   aslc, C library shared    -no-pie, as aslc linked before: ld.so loads libc
#   aslc, libcrypto linked in as for a workflow that calls States.Hash
#   aslc, execution thread    the execution on a thread with a 512 MiB stack
#   aslc under ASan           when ASLC_ASAN_BUILD names an -DASLC_SANITIZE=ON
#                             build dir (its aslc builds ASan binaries)
# Run it on a quiet machine: process start-up is a few hundred µs, and any
# other load shows up directly in the figures.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${ASLC_BENCH_BUILD:-$here/build}
shared=${ASLC_BENCH_SHARED:-$(cd "$root/.." && pwd)/shared/bench}
runs=${1:-300}
aslc=$build/aslc/aslc
if [ ! -x "$aslc" ] || [ ! -x "$build/coldstart" ]; then
    echo "run bench/run.sh first (needs $aslc and $build/coldstart)" >&2
    exit 2
fi
crypto=$(sed -n 's/^CRYPTO_STATIC:FILEPATH=//p' "$build/aslc/CMakeCache.txt")
d=$build/coldstart_why
mkdir -p "$d"
cc=${CC:-cc}

"$aslc" "$shared/workflows/seed_psy.json" --resources "$here/resources.json" \
    --handlers "$here/handlers.c" --emit-c "$d/seed.c" -o "$d/aslc_default"
link() { # name, extra sources/flags...
    local name=$1; shift
    "$cc" -std=gnu11 -O2 -I"$root/runtime" -o "$d/$name" "$d/seed.c" "$here/handlers.c" "$@" -lpthread -lm
}
# As aslc linked before it linked statically: the C library shared, loaded
# and relocated by ld.so at every start.
link aslc_dynamic "$build/aslc/libaslrt.a" "$crypto" -no-pie
static=()
grep -q '^#define ASLC_LINK_STATIC 1' "$build/aslc/aslc_config.h" && static=(-static)
# libcrypto comes in only with States.Hash / Base64Encode (runtime/digest.c),
# which seed_psy never calls: what it costs at start-up, its object forced in.
link aslc_crypto -Wl,--undefined=asl_intrinsic_HASH "$build/aslc/libaslrt.a" "$crypto" -no-pie \
    "${static[@]}" 2> >(grep -v "statically linked applications\|: in function" >&2)
# The execution on a thread of its own with the 512 MiB stack, as before
# runtime/bigstack.c switched the main thread's stack instead: bigstack.c
# compiled without the switch, linked ahead of the archive's.
"$cc" -std=gnu11 -O2 -DSWITCH_STACKS=0 -I"$root/runtime" -c -o "$d/bigstack_thread.o" \
    "$root/runtime/bigstack.c"
link aslc_thread "$d/bigstack_thread.o" "$build/aslc/libaslrt.a" "$crypto" -no-pie "${static[@]}"
variants=(/bin/true "$build/hand/seed_psy" "$d/aslc_default" "$d/aslc_dynamic" "$d/aslc_crypto"
          "$d/aslc_thread")
labels=("\`/bin/true\`" "hand-written (linked as aslc links)" "aslc, as built"
        "aslc, C library shared (\`-no-pie\`)" "aslc, libcrypto linked in (as with States.Hash)"
        "aslc, the execution on a thread")
if [ -n "${ASLC_ASAN_BUILD:-}" ] && [ -x "$ASLC_ASAN_BUILD/aslc" ]; then
    "$ASLC_ASAN_BUILD/aslc" "$shared/workflows/seed_psy.json" --resources "$here/resources.json" \
        --handlers "$here/handlers.c" -o "$d/aslc_asan"
    variants+=("$d/aslc_asan")
    labels+=("aslc, ASan build")
fi

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| variant | binary | relocations | cold start median | min | page faults | peak RSS |\n'
printf '|---|---:|---:|---:|---:|---:|---:|\n'
for k in "${!variants[@]}"; do
    v=${variants[$k]}
    args=(--input-file "$shared/inputs/seed_psy.json")
    [ "$v" = /bin/true ] && args=()
    r=$("$build/coldstart" "$runs" -- "$v" "${args[@]}")
    size=$(stat -L -c %s "$v")
    relocs=$(readelf -rW "$v" 2>/dev/null | grep -c R_X86_64 || true)
    python3 - "${labels[$k]}" "$size" "$relocs" "$r" <<'EOF'
import json, sys
label, size, relocs, r = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
print(f"| {label} | {size / 1024:,.0f} KB | {relocs} | {r['median_us'] / 1000:.2f} ms | "
      f"{r['min_us'] / 1000:.2f} ms | {r['median_minflt']} | {r['median_rss_kb'] / 1024:.1f} MB |")
EOF
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
