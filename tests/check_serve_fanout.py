#!/usr/bin/env python3
"""check_serve_fanout.py — a Standard execution killed (-9) inside a top-level
Map or Parallel state resumes inside it (docs/serve.md, "History and
durability"), driven by boto3:

  - a Map over 6 items, MaxConcurrency 2, each iteration a Wait of 2 s then
    a Task (a command appending its input to a file), killed once two
    iterations are done: after the restart the finished iterations are not
    run again, the others are; the output is every item's result in order; the file has each
    item's call once; the history has ids 1..n, each previousEventId an
    earlier event, each iteration started and succeeded once; the recorded
    results of the units are gone once the executions end;
  - a Parallel of a quick Task branch and a branch waiting 5 s before its
    Task, killed meanwhile: the finished branch is not run again (its Task
    called once), the other completes; the history the same.

  - in progress: a Map of 3 iterations and a Parallel of 2 branches, each
    unit Task -> Pass -> Wait 6 s -> Task, killed while every unit waits:
    after the restart each unit replays its recorded events (not written
    again) and goes on from its Wait, which ends 6 s after it was entered
    (not 6 s after the restart, 1.5 s later); each Task is called once; the
    outputs are right; the history has ids 1..n, the events before the kill unchanged,
    each state entered once; and a Map whose iterations each run a Parallel
    of their own, killed in that Parallel's Wait: such a unit runs again
    from its start (its first Task called again, as documented), the
    execution succeeds with a history still without gaps.

Exit 0 when every check holds, 1 otherwise, 77 (skipped) without boto3.

    tests/check_serve_fanout.py --aslc build/aslc
"""

import argparse
import json
import os
import signal
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import boto3_or_skip, Checks, start_server  # noqa: E402
import serve_common  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"
RESOURCE = "arn:aws:states:::sqs:sendMessage"

# the handler: its input appended to the log, a line per call
HANDLER = """#!/bin/sh
input=$(cat)
echo "$input" >> "%s"
echo "$input"
"""

MAP = json.dumps({"StartAt": "Each", "States": {"Each": {
    "Type": "Map", "MaxConcurrency": 2, "End": True,
    "ItemProcessor": {"StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 2, "Next": "Call"},
        "Call": {"Type": "Task", "Resource": RESOURCE, "End": True,
                 "Parameters": {"label.$": "States.Format('item-{}', $)"}}}}}}})

PARALLEL = json.dumps({"StartAt": "Both", "States": {"Both": {
    "Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Quick", "States": {
            "Quick": {"Type": "Task", "Resource": RESOURCE, "End": True,
                      "Parameters": {"label": "quick"}}}},
        {"StartAt": "Slow", "States": {
            "Slow": {"Type": "Wait", "Seconds": 5, "Next": "Late"},
            "Late": {"Type": "Task", "Resource": RESOURCE, "End": True,
                     "Parameters": {"label": "late"}}}}]}}})

# units in progress when the server is killed: Task -> Pass -> Wait -> Task
MAP_RUNNING = json.dumps({"StartAt": "Each", "States": {"Each": {
    "Type": "Map", "End": True,
    "ItemProcessor": {"StartAt": "Before", "States": {
        "Before": {"Type": "Task", "Resource": RESOURCE, "Next": "Mark",
                   "Parameters": {"label.$": "States.Format('first-{}', $)"}},
        "Mark": {"Type": "Pass", "Result": "marked", "ResultPath": "$.mark", "Next": "Nap"},
        "Nap": {"Type": "Wait", "Seconds": 6, "Next": "After"},
        "After": {"Type": "Task", "Resource": RESOURCE, "End": True,
                  "Parameters": {"label.$": "States.Format('second-{}', $.label)",
                                 "mark.$": "$.mark"}}}}}}})


def branch(tag):
    return {"StartAt": tag + "1", "States": {
        tag + "1": {"Type": "Task", "Resource": RESOURCE, "Next": tag + "Mark",
                    "Parameters": {"label": tag + "-first"}},
        tag + "Mark": {"Type": "Pass", "Parameters": {"label.$": "$.label", "mark": tag},
                       "Next": tag + "Nap"},
        tag + "Nap": {"Type": "Wait", "Seconds": 6, "Next": tag + "2"},
        tag + "2": {"Type": "Task", "Resource": RESOURCE, "End": True,
                    "Parameters": {"label.$": "States.Format('{}-second', $.mark)"}}}}


PARALLEL_RUNNING = json.dumps({"StartAt": "Both", "States": {"Both": {
    "Type": "Parallel", "End": True, "Branches": [branch("A"), branch("B")]}}})

# an iteration with a fan-out of its own: not replayed, run again whole
MAP_NESTED = json.dumps({"StartAt": "Each", "States": {"Each": {
    "Type": "Map", "End": True,
    "ItemProcessor": {"StartAt": "Outer", "States": {
        "Outer": {"Type": "Task", "Resource": RESOURCE, "Next": "Inner",
                  "Parameters": {"label.$": "States.Format('outer-{}', $)"}},
        "Inner": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "InnerNap", "States": {
                "InnerNap": {"Type": "Wait", "Seconds": 2, "Next": "InnerCall"},
                "InnerCall": {"Type": "Task", "Resource": RESOURCE, "End": True,
                              "Parameters": {"label.$": "States.Format('inner-{}', $.label)"}}}}]}}}}}})


def running_units(args, check, db, resources, log, wait_end, history, whole):
    """Units killed in their Wait: they replay and go on (docs/serve.md)."""
    open(log, "w").close()
    server, sfn, _ = start_server(args.aslc, db, "--resources", resources)
    try:
        m = sfn.create_state_machine(name="each-running", roleArn=ROLE,
                                     definition=MAP_RUNNING)["stateMachineArn"]
        p = sfn.create_state_machine(name="both-running", roleArn=ROLE,
                                     definition=PARALLEL_RUNNING)["stateMachineArn"]
        ex_m = sfn.start_execution(stateMachineArn=m, input="[0, 1, 2]")["executionArn"]
        ex_p = sfn.start_execution(stateMachineArn=p)["executionArn"]
        n = sfn.create_state_machine(name="each-nested", roleArn=ROLE,
                                     definition=MAP_NESTED)["stateMachineArn"]
        ex_n = sfn.start_execution(stateMachineArn=n, input="[0, 1]")["executionArn"]
        deadline = time.time() + 30
        while time.time() < deadline:
            before_m = history(sfn, ex_m)
            before_p = history(sfn, ex_p)
            before_n = history(sfn, ex_n)
            if [e["type"] for e in before_m].count("WaitStateEntered") == 3 and \
                    [e["type"] for e in before_p].count("WaitStateEntered") == 2 and \
                    [e["type"] for e in before_n].count("WaitStateEntered") == 2:
                break
            time.sleep(0.02)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    for label, before, n in (("Map", before_m, 3), ("Parallel", before_p, 2)):
        types = [e["type"] for e in before]
        check(label + " (running units): killed with every unit in its Wait",
              types.count("WaitStateEntered") == n and "WaitStateExited" not in types, types)
    # long enough that a Wait slept again whole would end late
    time.sleep(1.5)
    server, sfn, _ = start_server(args.aslc, db, "--resources", resources)
    try:
        d_m = wait_end(sfn, ex_m)
        d_p = wait_end(sfn, ex_p)
        h_m = history(sfn, ex_m)
        h_p = history(sfn, ex_p)
        d_n = wait_end(sfn, ex_n)
        h_n = history(sfn, ex_n)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    check("Map (running units): SUCCEEDED with each item's second call, in order",
          d_m["status"] == "SUCCEEDED" and json.loads(d_m["output"]) ==
          [{"label": "second-first-%d" % i, "mark": "marked"} for i in range(3)], d_m)
    check("Parallel (running units): SUCCEEDED with both branches' second calls",
          d_p["status"] == "SUCCEEDED" and json.loads(d_p["output"]) ==
          [{"label": "A-second"}, {"label": "B-second"}], d_p)
    for label, before, h, n in (("Map", before_m, h_m, 3), ("Parallel", before_p, h_p, 2)):
        whole(h, label + " (running units)")
        types = [e["type"] for e in h]
        check(label + " (running units): each unit's states entered once, Tasks scheduled once",
              types.count("TaskScheduled") == 2 * n and types.count("TaskSucceeded") == 2 * n and
              types.count("PassStateEntered") == n and types.count("WaitStateEntered") == n and
              types.count("WaitStateExited") == n and
              types.count("MapIterationStarted") == (n if label == "Map" else 0), types)
        kept = {e["id"]: e for e in h}
        check(label + " (running units): the events before the kill are kept as they were",
              all(kept.get(e["id"]) == e for e in before), "")
        entered = {e["id"]: e["timestamp"] for e in h if e["type"] == "WaitStateEntered"}
        late = [(kept[e["previousEventId"]]["type"], (e["timestamp"] -
                 entered[e["previousEventId"]]).total_seconds())
                for e in h if e["type"] == "WaitStateExited"]
        check(label + " (running units): each Wait ended about 6 s after it was entered "
              "(not slept again whole after the restart)",
              all(t == "WaitStateEntered" and 5.9 <= s < 7 for t, s in late), late)
    check("nested (killed in an iteration's own Parallel): SUCCEEDED, right output",
          d_n["status"] == "SUCCEEDED" and json.loads(d_n["output"]) ==
          [[{"label": "inner-outer-%d" % i}] for i in range(2)], d_n)
    whole(h_n, "nested")
    types = [e["type"] for e in h_n]
    check("nested: each iteration started and succeeded once, its Parallel once",
          types.count("MapIterationStarted") == 2 and types.count("MapIterationSucceeded") == 2 and
          types.count("ParallelStateStarted") == 2 and types.count("WaitStateEntered") == 2, types)
    with open(log) as f:
        calls = sorted(json.loads(l)["label"] for l in f if l.strip())
    # the nested units replayed too: no Task called twice
    check("running units: each Task called once (the nested iterations' too)",
          calls == sorted(["first-%d" % i for i in range(3)] +
                          ["second-first-%d" % i for i in range(3)] +
                          ["A-first", "A-second", "B-first", "B-second"] +
                          ["outer-%d" % i for i in range(2)] +
                          ["inner-outer-%d" % i for i in range(2)]), calls)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    args = ap.parse_args()
    if not boto3_or_skip():
        return 77
    check = Checks()

    def wait_end(sfn, arn, limit=40):
        return serve_common.wait_end(sfn, arn, limit)

    def history(sfn, arn):
        return sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]

    def whole(h, label):
        check(label + ": ids 1..n, each previousEventId an earlier event",
              [e["id"] for e in h] == list(range(1, len(h) + 1)) and
              all(0 <= e["previousEventId"] < e["id"] for e in h),
              [(e["id"], e["previousEventId"], e["type"]) for e in h])

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "serve.db")
        log = os.path.join(tmp, "calls.log")
        handler = os.path.join(tmp, "send.sh")
        with open(handler, "w") as f:
            f.write(HANDLER % log)
        os.chmod(handler, 0o755)
        resources = os.path.join(tmp, "resources.json")
        with open(resources, "w") as f:
            json.dump({RESOURCE: {"command": [handler]}}, f)

        server, sfn, _ = start_server(args.aslc, db, "--resources", resources)
        try:
            m = sfn.create_state_machine(name="each", roleArn=ROLE,
                                         definition=MAP)["stateMachineArn"]
            p = sfn.create_state_machine(name="both", roleArn=ROLE,
                                         definition=PARALLEL)["stateMachineArn"]
            ex_p = sfn.start_execution(stateMachineArn=p)["executionArn"]
            ex_m = sfn.start_execution(stateMachineArn=m, input="[0, 1, 2, 3, 4, 5]")[
                "executionArn"]
            # killed as soon as two iterations are done (the next two then
            # have 2 s of Wait to go) and the quick branch is
            deadline = time.time() + 30
            while time.time() < deadline:
                before_m = history(sfn, ex_m)
                before_p = history(sfn, ex_p)
                if [e["type"] for e in before_m].count("MapIterationSucceeded") >= 2 and \
                        "TaskSucceeded" in [e["type"] for e in before_p]:
                    break
                time.sleep(0.02)
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)
        done_m = [e["mapIterationSucceededEventDetails"]["index"] for e in before_m
                  if e["type"] == "MapIterationSucceeded"]
        check("the Map was killed with some iterations finished, others not",
              2 <= len(done_m) < 6, [e["type"] for e in before_m])
        check("the Parallel was killed with its quick branch finished, the other waiting",
              "TaskSucceeded" in [e["type"] for e in before_p] and
              "WaitStateExited" not in [e["type"] for e in before_p],
              [e["type"] for e in before_p])

        time.sleep(0.3)
        server, sfn, _ = start_server(args.aslc, db, "--resources", resources)
        try:
            d = wait_end(sfn, ex_m)
            check("the Map's execution SUCCEEDED with every item's result, in order",
                  d["status"] == "SUCCEEDED" and json.loads(d["output"]) ==
                  [{"label": "item-%d" % i} for i in range(6)], d)
            h = history(sfn, ex_m)
            whole(h, "Map")
            starts = sorted(e["mapIterationStartedEventDetails"]["index"] for e in h
                            if e["type"] == "MapIterationStarted")
            ends = sorted(e["mapIterationSucceededEventDetails"]["index"] for e in h
                          if e["type"] == "MapIterationSucceeded")
            check("Map: each iteration started and succeeded once",
                  starts == list(range(6)) and ends == list(range(6)), (starts, ends))
            types = [e["type"] for e in h]
            check("Map: MapStateStarted once, each iteration's Task scheduled once",
                  types.count("MapStateStarted") == 1 and types.count("TaskScheduled") == 6 and
                  types.count("WaitStateEntered") == 6, types)
            check("Map: the events before the crash of the finished iterations are kept",
                  all(e in h for e in before_m
                      if e["type"] in ("MapStateEntered", "MapStateStarted")), "")
            d = wait_end(sfn, ex_p)
            check("the Parallel's execution SUCCEEDED with both branches' results",
                  d["status"] == "SUCCEEDED" and json.loads(d["output"]) ==
                  [{"label": "quick"}, {"label": "late"}], d)
            h = history(sfn, ex_p)
            whole(h, "Parallel")
            types = [e["type"] for e in h]
            check("Parallel: ParallelStateStarted once, each Task scheduled once",
                  types.count("ParallelStateStarted") == 1 and
                  types.count("TaskScheduled") == 2, types)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        with sqlite3.connect(db) as con:
            left = con.execute("SELECT COUNT(*) FROM units").fetchone()[0]
        check("the units' recorded results go when their executions end", left == 0, left)
        with open(log) as f:
            calls = [json.loads(l)["label"] for l in f if l.strip()]
        check("no Task called twice: each item's and each branch's call once",
              sorted(calls) == sorted(["item-%d" % i for i in range(6)] + ["quick", "late"]),
              calls)
        running_units(args, check, db, resources, log, wait_end, history, whole)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
