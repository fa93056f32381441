#!/usr/bin/env bash
# fuzz/run.sh — builds the libFuzzer harnesses and runs each for a while.
#
#   fuzz/run.sh SECONDS [TARGET...]     TARGET: json jsonpath intrinsic frontend jsonata itemio (default: all)
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
# CI runs a short round:  bash fuzz/run.sh 20
# Needs clang (with libFuzzer) and libcjson-dev; jsonata also libpcre2-dev and libssl-dev.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
secs="${1:?usage: fuzz/run.sh SECONDS [json|jsonpath|intrinsic|frontend|jsonata|itemio]...}"
shift
targets=("$@")
((${#targets[@]})) || targets=(json jsonpath intrinsic frontend jsonata itemio)
build="${FUZZ_BUILD:-/tmp/aslc-fuzz-${USER:-$(id -u)}}"
cc="${FUZZ_CC:-clang}"
mkdir -p "$build/artifacts"

# The compiler's config header, as CMake would write it (emit_c.c includes it).
sed -e "s|@PROJECT_VERSION@|fuzz|" -e "s|@CMAKE_SOURCE_DIR@|$root|" \
    -e "s|@CMAKE_BINARY_DIR@|$build|" -e "s|@CMAKE_INSTALL_LIBDIR@|lib|" \
    -e "s|@CMAKE_INSTALL_INCLUDEDIR@|include|" -e "s|@CRYPTO_STATIC@||" -e "s|@Z_STATIC@||" -e "s|@PCRE2_STATIC@||" \
    -e "s|@ASLC_SAN_FLAGS_STR@||" "$root/compiler/config.h.in" > "$build/aslc_config.h"

flags=(-g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -fno-omit-frame-pointer -I"$build" -I"$root/runtime" -I"$root/compiler")
value=("$root/runtime/value.c" "$root/runtime/json.c" "$root/runtime/timestamp.c" "$root/runtime/format.c")
# The front end and the C back end: everything of aslc but the command line,
# the build driver and the optional LLVM back end.
compiler=()
for f in diag srcmap arn nulchars parse validate jsonpath intrinsic lower emit_c; do
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
  echo "== fuzz_$t: running for ${secs}s"
  # New inputs go to the first directory (the build's), seeds are read from the second.
  if ! "$build/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
        "${dict[@]}" "$build/corpus/$t" "$here/corpus/$t" 2>"$build/$t.log"; then
    echo "== fuzz_$t: FAILED; see $build/$t.log and $build/artifacts/"
    tail -n 40 "$build/$t.log"
    status=1
  fi
  grep -E '^stat::(new_units_added|peak_rss_mb)' "$build/$t.log" || true
  grep -E "^Done [0-9]+ runs" "$build/$t.log" || true
done
exit $status
