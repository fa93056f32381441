#!/usr/bin/env bash
# coldstart_why.sh — where the cold start of a generated binary goes.
#
#   bench/coldstart_why.sh [RUNS]        (after bench/run.sh, which builds aslc)
#
# Builds seed_psy (the smallest workload) in variants that each remove one
# suspect, and times a fresh process of each with bench/coldstart (median,
# minimum, page faults, peak RSS):
#   /bin/true                 the price of any process on this machine
#   hand-written              the same JSON work, 48 KB binary, no libcrypto
#   aslc (as shipped)         PIE, runtime + libcrypto linked statically
#   aslc -no-pie              same code, no load-time relocations
#   aslc, libcrypto stubbed   (measurement only: States.Hash would not work)
#   aslc, no exec thread      runtime/main.c without its 512 MiB-stack thread
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
link aslc_nopie "$build/aslc/libaslrt.a" "$crypto" -no-pie
# EVP_* are reached only through States.Hash / Base64 (intrinsics.c), which
# seed_psy never calls; stubs show what linking libcrypto costs at start-up.
cat > "$d/stub_crypto.c" <<'EOF'
#include <stddef.h>
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_md5(void) { return 0; }
const EVP_MD *EVP_sha1(void) { return 0; }
const EVP_MD *EVP_sha256(void) { return 0; }
const EVP_MD *EVP_sha384(void) { return 0; }
const EVP_MD *EVP_sha512(void) { return 0; }
int EVP_Digest(const void *d, size_t n, unsigned char *md, unsigned *s, const EVP_MD *t, void *e)
{ (void)d; (void)n; (void)md; (void)s; (void)t; (void)e; return 0; }
int EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n) { (void)t; (void)f; (void)n; return 0; }
EOF
link aslc_nocrypto "$d/stub_crypto.c" "$build/aslc/libaslrt.a"
# The same driver, running the execution on the main thread (8 MiB stack:
# enough for seed_psy, not for deep workflows).
sed 's/if (pthread_create(&t, &attr, run_job, &j) != 0) run_job(&j);/run_job(\&j); if (0) {}/' \
    "$root/runtime/main.c" > "$d/main_nothread.c"
if grep -q 'run_job(&j); if (0) {}' "$d/main_nothread.c"; then
    link aslc_nothread "$d/main_nothread.c" "$build/aslc/libaslrt.a" "$crypto"
fi
variants=(/bin/true "$build/hand/seed_psy" "$d/aslc_default" "$d/aslc_nopie" "$d/aslc_nocrypto")
labels=("\`/bin/true\`" "hand-written" "aslc, as built (PIE, libcrypto)" "aslc, \`-no-pie\`"
        "aslc, libcrypto stubbed")
if [ -x "$d/aslc_nothread" ]; then
    variants+=("$d/aslc_nothread")
    labels+=("aslc, no execution thread")
fi
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
