#!/usr/bin/env bash
# linked.sh — what a startExecution.sync:2 of a state machine compiled in with
# --link costs: a chain of 10 such Tasks, each running a one-Pass child,
# against a chain of 10 Pass states doing the same data flow, both with the
# binary's --bench (wall time per execution, after a warm-up).
#
#   bench/linked.sh [ASLC] [N]       (ASLC: default build/aslc; N executions, default 20000)
#
# Prints the two --bench lines; (linked p50 - pass p50) / 10 is the cost of
# one linked call: a child execution of its own (arena, bindings, ids, input
# as JSON text and back, the DescribeExecution answer).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
aslc=${1:-$(dirname "$here")/build/aslc}
n=${2:-20000}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
arn=arn:aws:states:us-east-1:123456789012:stateMachine:Leaf
echo '{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":"$.v"},"End":true}}}' >"$d/leaf.json"
python3 - "$d" "$arn" <<'PY'
import json, sys
d, arn = sys.argv[1], sys.argv[2]
def chain(state):
    st = {"C%d" % i: dict(state, Next="C%d" % (i + 1)) for i in range(10)}
    del st["C9"]["Next"]
    st["C9"]["End"] = True
    return {"StartAt": "C0", "States": st}
json.dump(chain({"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                 "Parameters": {"StateMachineArn": arn, "Input": {"v.$": "$.v"}},
                 "OutputPath": "$.Output"}), open(d + "/linked10.json", "w"))
json.dump(chain({"Type": "Pass", "Parameters": {"v.$": "$.v"}}), open(d + "/pass10.json", "w"))
PY
"$aslc" "$d/linked10.json" --link "$arn=$d/leaf.json" -o "$d/linked10"
"$aslc" "$d/pass10.json" -o "$d/pass10"
echo "linked10: $("$d/linked10" --input '{"v":1}' --bench "$n" | tail -1)"
echo "pass10:   $("$d/pass10" --input '{"v":1}' --bench "$n" | tail -1)"
