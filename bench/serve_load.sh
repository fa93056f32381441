#!/usr/bin/env bash
# serve_load.sh — how many StartSyncExecution/s `aslc serve` answers, and how
# fast, under wrk (Debian: wrk) with N keep-alive connections; beside the
# floor, a do-nothing server on the same HTTP library (bench/serve_floor.c).
#
#   bench/serve_load.sh [--aslc build/aslc] [--duration 5] [--conns "1 64"] [--isolate] [--auth]
#
# Workflows: seed_psy (its Lambdas as bench/handlers.c, native) and
# pass_chain_100, from /work/shared/bench (or $ASLC_BENCH_DIR), created as
# EXPRESS state machines.  --isolate also measures `--isolate on` (a
# process per execution, as before issue #23); --auth also a server with
# --auth (SigV4 checked), sent one request signed by botocore (a signature
# stays valid 5 minutes: keep --duration short).  Prints a Markdown table:
# exec/s, p50 and p99 latency (wrk's), errors (non-200 answers, or an
# execution that did not succeed, counted by the Lua script).  Timing goes
# to docs/benchmarks.md, never into a test.
set -euo pipefail
cd "$(dirname "$0")/.."
aslc=build/aslc duration=5 conns="1 64" isolate=0 auth=0
while (($#)); do
  case "$1" in
    --aslc) aslc=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --isolate) isolate=1; shift ;;
    --auth) auth=1; shift ;;
    *) echo "usage: $0 [--aslc A] [--duration S] [--conns \"1 64\"] [--isolate] [--auth]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "serve_load.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
bench=${ASLC_BENCH_DIR:-/work/shared/bench}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

cc -O2 bench/serve_floor.c -lmicrohttpd -o "$tmp/floor"

# start_server NAME CMD...: runs CMD, whose first stdout line is its port
start_server() {
  local name=$1; shift
  "$@" >"$tmp/$name.port" 2>"$tmp/$name.err" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$tmp/$name.port" ] && break; sleep 0.1; done
  head -1 "$tmp/$name.port"
}

call() {  # call PORT ACTION JSON
  curl -sf -X POST "http://127.0.0.1:$1/" -H "X-Amz-Target: AWSStepFunctions.$2" \
       -H 'Content-Type: application/x-amz-json-1.0' --data-binary "$3"
}

# wrk_run LABEL PORT CONNS BODY EXPECT [HEADERS-JSON]: one row of the table
wrk_run() {
  local label=$1 port=$2 c=$3 body=$4 expect=$5 headers=${6:-"{}"} lua="$tmp/run.lua"
  python3 - "$body" "$expect" "$headers" >"$lua" <<'PY'
import json, sys
body, expect, headers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
extra = "".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n" for k, v in headers.items())
print(f'''wrk.method = "POST"
wrk.body = {json.dumps(body)}
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AWSStepFunctions.StartSyncExecution"
{extra}
local threads = {{}}
function setup(t) table.insert(threads, t) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, {json.dumps(expect)}, 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  io.write(string.format("BAD %d\\n", b))
end''')
PY
  local t=2; ((c < 2)) && t=1
  wrk -t$t -c"$c" -d"${duration}s" --latency -s "$lua" "http://127.0.0.1:$port/" >"$tmp/wrk.out" 2>&1 || true
  python3 - "$label" "$c" "$tmp/wrk.out" <<'PY'
import re, sys
label, c, text = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
def us(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    return float(m.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6}[m.group(2)] if m else float("nan")
rps = re.search(r"Requests/sec:\s*([\d.]+)", text)
p50 = re.search(r"^\s*50%\s+(\S+)", text, re.M)
p99 = re.search(r"^\s*99%\s+(\S+)", text, re.M)
bad = re.search(r"BAD (\d+)", text)
sock = re.search(r"Socket errors: (.*)", text)
err = (int(bad.group(1)) if bad else -1)
extra = f" (socket: {sock.group(1)})" if sock else ""
print(f"| {label} | {c} | {float(rps.group(1)) if rps else 0:,.0f} | "
      f"{us(p50.group(1)) if p50 else float('nan'):,.0f} µs | {us(p99.group(1)) if p99 else float('nan'):,.0f} µs | {err}{extra} |")
PY
}

floor_port=$(start_server floor "$tmp/floor" 0)

serve_cmd=("$aslc" serve --listen 127.0.0.1:0 --resources bench/resources.json --handlers bench/handlers.c)
# --isolate off: the bench's handlers are trusted (with --handlers serve runs
# Express executions as processes unless told so, docs/serve.md)
port=$(start_server serve "${serve_cmd[@]}" --db "$tmp/a.db" --isolate off)
iport=
if ((isolate)); then iport=$(start_server iserve "${serve_cmd[@]}" --db "$tmp/i.db" --isolate on); fi
aport=
if ((auth)); then
  echo '{"AKIDBENCH": "bench-secret"}' >"$tmp/creds.json"
  aport=$(start_server aserve "${serve_cmd[@]}" --db "$tmp/s.db" --auth "$tmp/creds.json" --isolate off)
fi
# signed PORT ACTION BODY [post]: the headers botocore signs BODY with, as a
# JSON object; with "post", the signed request is sent instead
signed() {
  python3 - "$@" <<'PY'
import json, sys, urllib.request
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
port, action, body = sys.argv[1:4]
url = f"http://127.0.0.1:{port}/"
req = AWSRequest(method="POST", url=url, data=body.encode(), headers={
    "X-Amz-Target": "AWSStepFunctions." + action,
    "Content-Type": "application/x-amz-json-1.0", "Host": f"127.0.0.1:{port}"})
SigV4Auth(Credentials("AKIDBENCH", "bench-secret"), "states", "us-east-1").add_auth(req)
if sys.argv[4:] == ["post"]:
    urllib.request.urlopen(urllib.request.Request(url, data=body.encode(), method="POST",
                                                  headers=dict(req.headers.items()))).read()
else:
    print(json.dumps({k: v for k, v in req.headers.items() if k in ("Authorization", "X-Amz-Date")}))
PY
}

arns=()
for wf in seed_psy pass_chain_100; do
  def=$(python3 -c 'import json,sys; print(json.dumps({"name": sys.argv[2], "type": "EXPRESS", "roleArn": "arn:aws:iam::123456789012:role/r", "definition": open(sys.argv[1]).read()}))' "$bench/workflows/$wf.json" "$wf")
  for p in $port $iport; do call "$p" CreateStateMachine "$def" >/dev/null; done
  if ((auth)); then signed "$aport" CreateStateMachine "$def" post >/dev/null; fi
done

echo "| server | connections | exec/s | p50 | p99 | errors |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for c in $conns; do
  wrk_run "floor (serve_floor.c)" "$floor_port" "$c" '{}' '{}'
  for wf in seed_psy pass_chain_100; do
    body=$(python3 -c 'import json,sys; print(json.dumps({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:" + sys.argv[1], "input": open(sys.argv[2]).read()}))' "$wf" "$bench/inputs/$wf.json")
    wrk_run "aslc serve, $wf" "$port" "$c" "$body" '"SUCCEEDED"'
    if ((isolate)); then wrk_run "aslc serve --isolate on, $wf" "$iport" "$c" "$body" '"SUCCEEDED"'; fi
    if ((auth)); then
      wrk_run "aslc serve --auth, $wf" "$aport" "$c" "$body" '"SUCCEEDED"' \
              "$(signed "$aport" StartSyncExecution "$body")"
    fi
  done
done
