#!/usr/bin/env python3
"""check_serve_durable.py — `aslc serve`'s Standard executions are durable and
their history is the binary's own (docs/serve.md), driven by boto3:

  - GetExecutionHistory of a finished Standard execution has every event,
    ids 1..n each once, each previousEventId an earlier id, AWS's types in
    order; maxResults/nextToken pages give the same events, reverseOrder
    gives them backwards, includeExecutionData=False leaves out the inputs
    and outputs;
  - crash: an execution (Pass with Assign, Wait 6 s, Pass reading the
    variable) is started, the server is killed with SIGKILL 2.5 s into the
    Wait and started again on the same database: the execution resumes in
    the Wait for the time left (it ends no sooner than 6 s after it started,
    and well before 6 s after the restart: the bound leaves a busy machine a
    second and a half to restart), with the right output, and its history
    has each state entered once, no event lost or twice;
  - a server stopped with SIGTERM mid-Wait leaves the execution running, and
    the next start finishes it.

Exit 0 when every check holds, 1 otherwise, 77 (skipped) without boto3.

    tests/check_serve_durable.py --aslc build/aslc
"""

import argparse
import json
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import (boto3_or_skip, Checks, wait_end,  # noqa: E402
                          start_server as common_start_server)

WAIT_S = 6

DEFINITION = json.dumps({
    "StartAt": "Remember",
    "States": {
        "Remember": {"Type": "Pass", "Assign": {"greeting.$": "$$.Execution.Input.greeting"},
                     "Result": {"step": 1}, "Next": "Nap"},
        "Nap": {"Type": "Wait", "Seconds": WAIT_S, "Next": "Answer"},
        "Answer": {"Type": "Pass", "Parameters": {"said.$": "$greeting", "step.$": "$.step"},
                   "End": True},
    },
})

TYPES = ["ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered",
         "WaitStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    args = ap.parse_args()
    if not boto3_or_skip():
        return 77

    check = Checks()

    def history(sfn, arn, **kw):
        events, token = [], None
        while True:
            page = sfn.get_execution_history(executionArn=arn, **kw,
                                              **({"nextToken": token} if token else {}))
            events += page["events"]
            token = page.get("nextToken")
            if not token:
                return events

    def whole(events, label):
        ids = [e["id"] for e in events]
        check(label + ": ids 1..n, each once", ids == list(range(1, len(ids) + 1)), ids)
        check(label + ": each previousEventId an earlier event",
              all(0 <= e["previousEventId"] < e["id"] for e in events),
              [(e["id"], e["previousEventId"]) for e in events])
        check(label + ": the events of each state, once, in order",
              [e["type"] for e in events] == TYPES, [e["type"] for e in events])
        entered = [e["stateEnteredEventDetails"]["name"] for e in events
                   if "stateEnteredEventDetails" in e]
        check(label + ": each state entered once", entered == ["Remember", "Nap", "Answer"],
              entered)

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "serve.db")

        def start_server():
            return common_start_server(args.aslc, db)[:2]

        server, sfn = start_server()
        try:
            role = "arn:aws:iam::123456789012:role/StepFunctionsRole"
            sm = sfn.create_state_machine(name="napper", definition=DEFINITION,
                                          roleArn=role)["stateMachineArn"]
            quick = sfn.create_state_machine(
                name="quick", roleArn=role,
                definition=DEFINITION.replace('"Seconds": %d' % WAIT_S, '"Seconds": 0'))
            quick = quick["stateMachineArn"]

            # ---- the history of a finished execution
            ex = sfn.start_execution(stateMachineArn=quick, input='{"greeting": "hi"}')
            d = wait_end(sfn, ex["executionArn"])
            check("a Standard execution SUCCEEDED",
                  d["status"] == "SUCCEEDED" and
                  json.loads(d["output"]) == {"said": "hi", "step": 1}, d)
            events = history(sfn, ex["executionArn"])
            whole(events, "history")
            check("history: ExecutionStarted has the input and the machine's role",
                  json.loads(events[0]["executionStartedEventDetails"]["input"]) ==
                  {"greeting": "hi"} and
                  events[0]["executionStartedEventDetails"]["roleArn"] == role, events[0])
            check("history: the Wait's input is the Pass's output",
                  json.loads(events[3]["stateEnteredEventDetails"]["input"]) == {"step": 1},
                  events[3])
            check("history: assignedVariables in the Pass's StateExited",
                  events[2]["stateExitedEventDetails"].get("assignedVariables") ==
                  {"greeting": '"hi"'}, events[2])
            check("history: ExecutionSucceeded has the output",
                  json.loads(events[-1]["executionSucceededEventDetails"]["output"]) ==
                  {"said": "hi", "step": 1}, events[-1])
            check("history: timestamps in order",
                  all(a["timestamp"] <= b["timestamp"] for a, b in zip(events, events[1:])))
            pages = []
            page = sfn.get_execution_history(executionArn=ex["executionArn"], maxResults=3)
            pages.append(page["events"])
            while page.get("nextToken"):
                page = sfn.get_execution_history(executionArn=ex["executionArn"], maxResults=3,
                                                 nextToken=page["nextToken"])
                pages.append(page["events"])
            check("maxResults=3: pages of 3, 3, 2 with the same events",
                  [len(p) for p in pages] == [3, 3, 2] and
                  [e for p in pages for e in p] == events, [len(p) for p in pages])
            rev = history(sfn, ex["executionArn"], reverseOrder=True, maxResults=5)
            check("reverseOrder: the same events, last first", rev == events[::-1],
                  [e["id"] for e in rev])
            bare = history(sfn, ex["executionArn"], includeExecutionData=False)
            check("includeExecutionData=False: no input or output",
                  len(bare) == len(events) and
                  not any(k in det for e in bare for key, det in e.items()
                          if key.endswith("EventDetails") for k in ("input", "output")), bare)
            try:
                sfn.get_execution_history(executionArn=ex["executionArn"], nextToken="nonsense")
                check("a nextToken it never gave: InvalidToken", False)
            except sfn.exceptions.InvalidToken:
                check("a nextToken it never gave: InvalidToken", True)

            # ---- kill -9 in the middle of the Wait
            started = time.time()
            crash = sfn.start_execution(stateMachineArn=sm, name="crash",
                                        input='{"greeting": "again"}')["executionArn"]
            time.sleep(2.5)
            before = history(sfn, crash)
            check("mid-Wait: the history ends with WaitStateEntered",
                  [e["type"] for e in before] == TYPES[:4], [e["type"] for e in before])
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)

        time.sleep(0.5)
        restarted = time.time()
        server, sfn = start_server()
        try:
            d = wait_end(sfn, crash, limit=WAIT_S + 20)
            took, since = time.time() - started, time.time() - restarted
            check("after kill -9 and a restart the execution SUCCEEDED with its output",
                  d["status"] == "SUCCEEDED" and
                  json.loads(d["output"]) == {"said": "again", "step": 1}, d)
            check("the Wait resumed for the time left (%.1f s from the start, %.1f s from the "
                  "restart, Wait %d s)" % (took, since, WAIT_S),
                  took >= WAIT_S - 0.3 and since < WAIT_S - 1, (took, since))
            after = history(sfn, crash)
            whole(after, "resumed history")
            check("resumed history: the events before the crash are kept as they were",
                  after[:4] == before, (before, after[:4]))
            check("resumed history: the variable survived the restart",
                  json.loads(after[-1]["executionSucceededEventDetails"]["output"])["said"] ==
                  "again", after[-1])

            # ---- a server stopped with SIGTERM leaves it running
            term = sfn.start_execution(stateMachineArn=sm, name="term",
                                       input='{"greeting": "later"}')["executionArn"]
            time.sleep(1.0)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

        server, sfn = start_server()
        try:
            d = wait_end(sfn, term, limit=WAIT_S + 20)
            check("after SIGTERM and a restart the execution SUCCEEDED",
                  d["status"] == "SUCCEEDED" and
                  json.loads(d["output"]) == {"said": "later", "step": 1}, d)
            whole(history(sfn, term), "history across SIGTERM")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
