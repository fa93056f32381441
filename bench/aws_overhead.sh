#!/usr/bin/env bash
# aws_overhead.sh — what a Task's call to AWS Lambda costs over HTTP on
# loopback, with the connection kept: task_chain_10 (ten Lambda Tasks) run
# with --bench twice, its functions once as native C handlers linked into the
# binary and once as real Invoke calls to bench/lambda_echo.c, an endpoint
# that answers in a few microseconds; the difference over ten calls is the
# HTTP path's cost per call: building and signing the request, libcurl, the
# kernel's loopback both ways, reading the response.  /usr/bin/time's user and
# system seconds say how much of it is the binary's own CPU.  By hand, not in CI.
#
#   bench/aws_overhead.sh [ASLC] [N] [CPUS]   (defaults: build/aslc, 20000, "1 1")
#
# CPUS: the CPU of the binary and of the endpoint (taskset).  The same CPU for
# both ("1 1") measures the path itself; two ("1 0") adds what waking a process
# on the other CPU costs, which on a paravirtualised VM is most of the time.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
aslc=${1:-$root/build/aslc}
n=${2:-20000}
read -r cpu_bin cpu_srv <<< "${3:-1 1}"
shared=${ASLC_BENCH_SHARED:-$(cd "$root/.." && pwd)/shared/bench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

wf=$shared/workflows/task_chain_10.json
input=$shared/inputs/task_chain_10.json
"$aslc" "$wf" --resources "$here/resources.json" --handlers "$here/handlers.c" -o "$tmp/native"
"$aslc" "$wf" -o "$tmp/http"

${CC:-cc} -O2 -o "$tmp/lambda_echo" "$here/lambda_echo.c"
coproc ECHO { exec taskset -c "$cpu_srv" "$tmp/lambda_echo"; }
trap 'kill "$ECHO_PID" 2>/dev/null || true; rm -rf "$tmp"' EXIT
read -r port <&"${ECHO[0]}"
export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ACCESS_KEY_ID=AKIDBENCH \
       AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1

echo "## task_chain_10, $n executions each (ten Lambda calls per execution); binary on CPU $cpu_bin, endpoint on CPU $cpu_srv"
echo
echo "native C handlers:"
taskset -c "$cpu_bin" "$tmp/native" --bench "$n" < "$input" | tee "$tmp/native.txt"
echo
echo "Invoke over HTTP (loopback, one kept connection):"
/usr/bin/time -f "cpu: %U s user, %S s system" taskset -c "$cpu_bin" "$tmp/http" --bench "$n" \
    < "$input" | tee "$tmp/http.txt"
python3 - "$tmp/native.txt" "$tmp/http.txt" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("p50_us", "p90_us", "p99_us"):
    print("HTTP path per call (%s): %.1f us  ((%.1f - %.1f) / 10)"
          % (k[:3], (b[k] - a[k]) / 10, b[k], a[k]))
PY
