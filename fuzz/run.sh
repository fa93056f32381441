#!/usr/bin/env bash
# fuzz/run.sh — builds the libFuzzer harnesses and runs each for a while.
#
#   fuzz/run.sh SECONDS [TARGET...]     TARGET: json jsonpath intrinsic frontend jsonata itemio parquet serve (default: all)
#   fuzz/run.sh --runs N [TARGET...]    the same, repeatable: N inputs from seed 1
#
# Each harness is built with clang -fsanitize=fuzzer,address,undefined (leak
# detection on) into $FUZZ_BUILD (default /tmp/aslc-fuzz-$USER) and run for
# SECONDS, one after the other, starting from the seed corpus in
# fuzz/corpus/TARGET plus whatever earlier runs found (kept in the build
# directory, so the repository's seeds stay small).  A crash, hang (a run
# over 10 s), leak or broken invariant stops with status 1 and leaves the
# input in $FUZZ_BUILD/artifacts/; reproduce it with
#     $FUZZ_BUILD/fuzz_TARGET $FUZZ_BUILD/artifacts/crash-...
# then add it as a regression test (tests/diag or a unit test).
# CI runs the repeatable round (bash fuzz/run.sh --runs 200000): every seed
# in fuzz/corpus (the regressions among them), then a fixed number of
# mutations from a fixed seed into a fresh scratch corpus, so the same tree
# gives the same verdict on every machine.  A timed run explores instead and
# keeps what it finds: that is for finding bugs, not for gating a change.
# Needs clang (with libFuzzer) and libcjson-dev; jsonata also libpcre2-dev and libssl-dev;
# serve also libmicrohttpd-dev and libsqlite3-dev.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
usage="usage: fuzz/run.sh SECONDS|--runs N [json|jsonpath|intrinsic|frontend|jsonata|itemio|parquet|serve]..."
runs=""
if [[ "${1:-}" == --runs ]]; then
  runs="${2:?$usage}"
  shift 2
else
  secs="${1:?$usage}"
  shift
fi
targets=("$@")
((${#targets[@]})) || targets=(json jsonpath intrinsic frontend jsonata itemio parquet serve)
build="${FUZZ_BUILD:-/tmp/aslc-fuzz-${USER:-$(id -u)}}"
cc="${FUZZ_CC:-clang}"
mkdir -p "$build/artifacts"

# The compiler's config header, as CMake would write it (emit_c.c includes it).
sed -e "s|@PROJECT_VERSION@|fuzz|" -e "s|@CMAKE_SOURCE_DIR@|$root|" \
    -e "s|@CMAKE_BINARY_DIR@|$build|" -e "s|@CMAKE_INSTALL_LIBDIR@|lib|" \
    -e "s|@CMAKE_INSTALL_INCLUDEDIR@|include|" -e "s|@CRYPTO_STATIC@||" -e "s|@Z_STATIC@||" -e "s|@ZSTD_STATIC@||" -e "s|@PCRE2_STATIC@||" \
    -e "s|@ASLC_SAN_FLAGS_STR@||" "$root/compiler/config.h.in" > "$build/aslc_config.h"

flags=(-g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -fno-omit-frame-pointer -I"$build" -I"$root/runtime" -I"$root/compiler")
value=("$root/runtime/value.c" "$root/runtime/json.c" "$root/runtime/timestamp.c" "$root/runtime/format.c")
# The front end and the C back end: everything of aslc but the command line,
# the build driver and the optional LLVM back end.
compiler=()
for f in diag srcmap arn nulchars parse validate jsonpath intrinsic lower lir_data emit_c ids; do
  compiler+=("$root/compiler/$f.c")
done

build_one() {
  local t="$1" srcs=() libs=()
  case "$t" in
    json)      srcs=("${value[@]}") ;;
    jsonpath)  srcs=("${value[@]}" "$root/runtime/path.c" "$root/compiler/jsonpath.c") ;;
    intrinsic) srcs=("${value[@]}" "$root/compiler/jsonpath.c" "$root/compiler/intrinsic.c") ;;
    frontend)  srcs=("${value[@]}" "${compiler[@]}" "$root"/runtime/jsonata*.c "$root"/compiler/jsonata_*.c)
               libs=(-lcjson -lpcre2-8 -lcrypto -lm) ;;   # lower.c lowers JSONata (jsonata_lower.c)
    jsonata)   srcs=("${value[@]}" "$root"/runtime/jsonata*.c "$root"/compiler/jsonata_{lex,parse,eval}.c)
               libs=(-lpcre2-8 -lcrypto) ;;   # the parser and the walker (not the lowering: lower.c's)
    itemio)    srcs=("${value[@]}" "$root/runtime/csv.c") ;;
    parquet)   srcs=("${value[@]}" "$root/runtime/parquet.c")
               libs=(-lz -lzstd) ;;
    serve)     # the request path of aslc serve (fuzz_serve.c includes serve.c); --auth's SigV4
               srcs=("${value[@]}" "$root/runtime/sigv4.c")
               for f in files tmpdir serve_store serve_run serve_inproc serve_tags serve_teststate serve_mockcfg \
                        serve_auth serve_limits serve_hist serve_task serve_maprun; do
                 srcs+=("$root/compiler/$f.c")
               done
               libs=(-lcjson -lmicrohttpd -lsqlite3 -lcrypto -ldl -lpthread) ;;
    *) echo "fuzz/run.sh: unknown target $t" >&2; exit 2 ;;
  esac
  "$cc" "${flags[@]}" "$here/fuzz_$t.c" "${srcs[@]}" -o "$build/fuzz_$t" "${libs[@]}" -lm
}

status=0
for t in "${targets[@]}"; do
  echo "== fuzz_$t: building"
  build_one "$t"
  mkdir -p "$build/corpus/$t"
  dict=()
  [[ -f "$here/dict/$t.dict" ]] && dict=(-dict="$here/dict/$t.dict")
  if [[ -n "$runs" ]]; then
    echo "== fuzz_$t: $runs runs from seed 1"
    work="$build/scratch/$t"
    rm -rf "$work" && mkdir -p "$work"
    how=(-seed=1 -runs="$runs" -max_len=4096)
  else
    echo "== fuzz_$t: running for ${secs}s"
    work="$build/corpus/$t"
    how=(-max_total_time="$secs" -max_len=65536)
  fi
  # New inputs go to the first directory, seeds are read from the second.
  if ! "$build/fuzz_$t" "${how[@]}" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
        "${dict[@]}" "$work" "$here/corpus/$t" 2>"$build/$t.log"; then
    echo "== fuzz_$t: FAILED; see $build/$t.log and $build/artifacts/"
    tail -n 40 "$build/$t.log"
    status=1
  fi
  grep -E '^stat::(new_units_added|peak_rss_mb)' "$build/$t.log" || true
  grep -E "^Done [0-9]+ runs" "$build/$t.log" || true
done
exit $status
