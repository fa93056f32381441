#!/usr/bin/env bash
# aws_overhead.sh — what a Task's call to AWS Lambda costs over HTTP on
# loopback, with the connection kept: task_chain_10 (ten Lambda Tasks) run
# with --bench twice, its functions once as native C handlers linked into the
# binary and once as real Invoke calls to bench/lambda_endpoint.mjs (Node's
# http module); the difference over ten calls is the HTTP path's cost per
# call: request building and signing, libcurl, the kernel's loopback, Node's
# answer, reading the response.  wrk, when installed, measures Node's own
# share (the floor) with the same request.  By hand, not in CI.
#
#   bench/aws_overhead.sh [ASLC] [N]      (defaults: build/aslc, 20000)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
aslc=${1:-$root/build/aslc}
n=${2:-20000}
shared=${ASLC_BENCH_SHARED:-$(cd "$root/.." && pwd)/shared/bench}
tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null || true; rm -rf "$tmp"' EXIT

wf=$shared/workflows/task_chain_10.json
input=$shared/inputs/task_chain_10.json
"$aslc" "$wf" --resources "$here/resources.json" --handlers "$here/handlers.c" -o "$tmp/native"
"$aslc" "$wf" -o "$tmp/http"

coproc NODE { node "$here/lambda_endpoint.mjs"; }
exec 3>&"${NODE[1]}"
read -r port <&"${NODE[0]}"
export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ACCESS_KEY_ID=AKIDBENCH \
       AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1

echo "## task_chain_10, $n executions each (ten Lambda calls per execution)"
echo
echo "native C handlers:"
"$tmp/native" --bench "$n" < "$input" | tee "$tmp/native.txt"
echo
echo "Invoke over HTTP (loopback, one kept connection):"
"$tmp/http" --bench "$n" < "$input" | tee "$tmp/http.txt"
python3 - "$tmp/native.txt" "$tmp/http.txt" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("p50_us", "p90_us", "p99_us"):
    print("HTTP path per call (%s): %.1f us  ((%.1f - %.1f) / 10)"
          % (k[:3], (b[k] - a[k]) / 10, b[k], a[k]))
PY
if command -v wrk >/dev/null; then
  cat > "$tmp/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"value":1}'
wrk.headers["Content-Type"] = "application/json"
LUA
  echo
  echo "Node's own share (wrk, 1 connection, 1 thread, POST fn1):"
  wrk -t1 -c1 -d3s --latency -s "$tmp/post.lua" \
      "http://127.0.0.1:$port/2015-03-31/functions/fn1/invocations" | sed -n '/Latency Distribution/,/99%/p'
fi
