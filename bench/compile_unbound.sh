#!/bin/sh
# compile_unbound.sh — how many accepted definitions compile with no bindings
# (issue 21's bar: 95%): for each definition.json / workflow.json under the
# folders given, `aslc check FILE` (refused: not counted), then
# `aslc FILE -o OUT` with no --resources and no --mocks.  Prints one line per
# definition that is accepted but does not compile (with aslc's first error),
# then the count.  Not a test: it compiles hundreds of binaries.
#
#   bench/compile_unbound.sh build/aslc /work/shared/conformance/cases examples
set -u
aslc=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find "$@" \( -name definition.json -o -name workflow.json \) | sort > "$tmp/list"
accepted=0 compiled=0 refused=0
while read -r f; do
    if ! "$aslc" check "$f" >/dev/null 2>&1; then refused=$((refused + 1)); continue; fi
    accepted=$((accepted + 1))
    if err=$("$aslc" "$f" -o "$tmp/out" 2>&1); then
        compiled=$((compiled + 1))
    else
        printf 'does not compile: %s: %s\n' "$f" "$(printf '%s\n' "$err" | grep -m1 'error' | cut -c1-240)"
    fi
    rm -f "$tmp/out"
done < "$tmp/list"
echo "accepted $accepted (refused $refused); compiled with no bindings: $compiled of $accepted" \
     "($(awk "BEGIN { printf \"%.1f\", $accepted ? 100 * $compiled / $accepted : 0 }")%)"
