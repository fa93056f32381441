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
    of their own, killed in that Parallel's Wait: the nested units replay
    too (no Task called twice), the execution succeeds with a history
    without gaps;

  - nested and distributed: a Map inside a Parallel branch and a Distributed
    Map (child executions; and one in batches, ItemBatcher, one of which
    fails after its Wait, ToleratedFailureCount 2; and a Map inside a
    Parallel branch killed in its Retry's second attempt), each unit Task ->
    Wait 6 s -> Task, killed while
    every unit waits: each Task called once, the outputs right, the
    histories whole and with the event types of the same runs not
    interrupted, the Waits not slept again whole, a replayed Pass's
    $$.State.EnteredTime, States.UUID() and States.MathRandom() what they
    were before the kill, the child executions' recorded events gone once
    the execution ends; with them a top-level Map killed in its Retry's
    second run (each run's Tasks called once), a JSONata Map whose replayed
    Pass's $uuid(), $random(), $now() and $millis() are what they were (the
    time its PassStateExited's), and a top-level Parallel whose failing
    branch stopped the other in its Wait, killed in the Retry's interval
    (the stopped branch stops again where it had: its Task called once).

Exit 0 when every check holds, 1 otherwise, 77 (skipped) without boto3.

    tests/check_serve_fanout.py --aslc build/aslc
"""

import argparse
import datetime
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

# a handler that fails the first call of each label (it notes it in the
# log first) and succeeds afterwards
FLAKY = """#!/bin/sh
input=$(cat)
echo "$input" >> "%s"
label=$(echo "$input" | sed 's/.*"label":"\\([^"]*\\)".*/\\1/')
if grep -qx "$label" "%s.seen" 2>/dev/null; then echo "$input"; exit 0; fi
echo "$label" >> "%s.seen"
echo "not this time" >&2
exit 1
"""
FLAKY_RESOURCE = "arn:aws:states:::sns:publish"

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

# an iteration with a fan-out of its own: its units replay too
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


def task(name, fmt, nxt=None, args="$.tag, $.i"):
    """A Task calling the handler with label fmt (States.Format of args)."""
    t = {"Type": "Task", "Resource": RESOURCE,
         "Parameters": {"label.$": "States.Format('%s', %s)" % (fmt, args), "tag.$": "$.tag"}}
    if "$.i" in args:
        t["Parameters"]["i.$"] = "$.i"
    if nxt:
        t["Next"] = nxt
    else:
        t["End"] = True
    return t


# a Map inside a Parallel branch, each iteration Task -> Wait 6 s -> Task,
# beside a branch Task -> Wait 6 s -> Task
MAP_IN_PARALLEL = json.dumps({"StartAt": "Fork", "States": {"Fork": {
    "Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Items", "States": {"Items": {
            "Type": "Map", "ItemsPath": "$.items", "End": True,
            "ItemSelector": {"tag.$": "$.tag", "i.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"StartAt": "P1", "States": {
                "P1": task("P1", "{}-p1-{}", "Stamp"),
                # made again by the replay: its EnteredTime must be the recorded one
                # and so must its States.UUID() and States.MathRandom()
                "Stamp": {"Type": "Pass", "Next": "PNap", "Parameters": {
                    "tag.$": "$.tag", "i.$": "$.i", "at.$": "$$.State.EnteredTime",
                    "id.$": "States.UUID()", "n.$": "States.MathRandom(0, 1000000000)"}},
                "PNap": {"Type": "Wait", "Seconds": 6, "Next": "P2"},
                "P2": dict(task("P2", "{}-p2-{}"), ResultSelector={
                    "label.$": "$.label", "at.$": "$$.State.EnteredTime"}, ResultPath="$.r")}}}}},
        {"StartAt": "Solo1", "States": {
            "Solo1": task("Solo1", "{}-solo1", "SoloNap", "$.tag"),
            "SoloNap": {"Type": "Wait", "Seconds": 6, "Next": "Solo2"},
            "Solo2": task("Solo2", "{}-solo2", None, "$.tag")}}]}}})

# a Distributed Map (child executions), each Task -> Wait 6 s -> Task
DISTRIBUTED = json.dumps({"StartAt": "Spread", "States": {"Spread": {
    "Type": "Map", "ItemsPath": "$.items", "End": True, "ToleratedFailureCount": 0,
    "ItemSelector": {"tag.$": "$.tag", "i.$": "$$.Map.Item.Value"},
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                      "StartAt": "D1", "States": {
                          "D1": task("D1", "{}-d1-{}", "DNap"),
                          "DNap": {"Type": "Wait", "Seconds": 6, "Next": "D2"},
                          "D2": task("D2", "{}-d2-{}")}}}}})


def batch_task(fmt, nxt):
    """A Task of a batch's child execution, labelled after its first item."""
    t = {"Type": "Task", "Resource": RESOURCE, "ResultPath": "$.r", "Parameters": {
        "label.$": "States.Format('%s', $.Items[0].tag, $.Items[0].i)" % fmt}}
    if nxt:
        t["Next"] = nxt
    else:
        t["End"] = True
        t["OutputPath"] = "$.r"
    return t


# a Distributed Map of two batches (ItemBatcher), one of which fails after
# its Wait, tolerated (ToleratedFailureCount 2: a batch's items count)
DISTRIBUTED_BATCH = json.dumps({"StartAt": "Batches", "States": {"Batches": {
    "Type": "Map", "ItemsPath": "$.items", "End": True, "ToleratedFailureCount": 2,
    "ItemSelector": {"tag.$": "$.tag", "i.$": "$$.Map.Item.Value"},
    "ItemBatcher": {"MaxItemsPerBatch": 2},
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                      "StartAt": "B1", "States": {
                          "B1": batch_task("{}-b1-{}", "BNap"),
                          "BNap": {"Type": "Wait", "Seconds": 6, "Next": "Which"},
                          "Which": {"Type": "Choice", "Default": "B2", "Choices": [
                              {"Variable": "$.Items[0].i", "NumericEquals": 2, "Next": "Boom"}]},
                          "Boom": {"Type": "Fail", "Error": "Boom", "Cause": "the second batch"},
                          "B2": batch_task("{}-b2-{}", None)}}}}})


# a Map inside a Parallel branch whose first attempt fails (its Task's
# first call does) and whose Retry's second attempt waits 6 s
RETRIED_INSIDE = json.dumps({"StartAt": "Fork", "States": {"Fork": {
    "Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Again", "States": {"Again": {
            "Type": "Map", "ItemsPath": "$.items", "End": True,
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2}],
            "ItemSelector": {"tag.$": "$.tag", "i.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"StartAt": "F1", "States": {
                "F1": dict(task("F1", "{}-f1-{}", "FNap"), Resource=FLAKY_RESOURCE,
                           ResultPath="$.r"),
                "FNap": {"Type": "Wait", "Seconds": 6, "Next": "F2"},
                "F2": task("F2", "{}-f2-{}")}}}}}]}}})


# the same Map at the top level: killed in its Retry's second run, whose
# units have keys of their own and replay as the first run's do
RETRIED_TOP = json.dumps({"StartAt": "Again", "States": {
    "Again": json.loads(RETRIED_INSIDE)["States"]["Fork"]["Branches"][0]["States"]["Again"]}})


# JSONata: a replayed Pass's $uuid(), $random(), $now() and $millis() must be
# what they were before the kill (the time: its PassStateExited's)
JN_STAMP = json.dumps({"QueryLanguage": "JSONata", "StartAt": "Each", "States": {"Each": {
    "Type": "Map", "Items": "{% $states.input.items %}", "End": True,
    "ItemSelector": {"tag": "{% $states.input.tag %}", "i": "{% $states.context.Map.Item.Value %}"},
    "ItemProcessor": {"StartAt": "N1", "States": {
        "N1": {"Type": "Task", "Resource": RESOURCE, "Next": "Stamp", "Arguments": {
            "label": "{% $states.input.tag & '-n1-' & $string($states.input.i) %}",
            "tag": "{% $states.input.tag %}", "i": "{% $states.input.i %}"}},
        "Stamp": {"Type": "Pass", "Next": "NNap", "Output": {
            "tag": "{% $states.input.tag %}", "i": "{% $states.input.i %}",
            "u": "{% $uuid() %}", "r": "{% $random() %}", "now": "{% $now() %}",
            "ms": "{% $millis() %}"}},
        "NNap": {"Type": "Wait", "Seconds": 6, "Next": "N2"},
        "N2": {"Type": "Task", "Resource": RESOURCE, "End": True, "Arguments": {
            "label": "{% $states.input.tag & '-n2-' & $string($states.input.i) %}"},
            "Output": "{% $merge([$states.input, {'label': $states.result.label}]) %}"}}}}}})


# a top-level Parallel whose branch 1 fails at once (its Task's first call)
# and stops branch 0 in its Wait, killed in the Retry's interval: replayed,
# branch 0 must stop where its events end, not call the Task it never did
ABORTED = json.dumps({"StartAt": "Fork", "States": {"Fork": {
    "Type": "Parallel", "End": True,
    "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 4, "MaxAttempts": 1}],
    "Branches": [
        {"StartAt": "XNap", "States": {
            "XNap": {"Type": "Wait", "Seconds": 2, "Next": "XLate"},
            "XLate": task("XLate", "{}-late", None, "$.tag")}},
        {"StartAt": "XFlaky", "States": {
            "XFlaky": dict(task("XFlaky", "{}-flaky", None, "$.tag"),
                           Resource=FLAKY_RESOURCE)}},
        # stopped in a Wait that ends it: replayed, it must not end
        {"StartAt": "YNap", "States": {"YNap": {"Type": "Wait", "Seconds": 2, "End": True}}}]}}})


def nested_units(args, check, db, resources, log, wait_end, history, whole):
    """A Map inside a Parallel branch and a Distributed Map, killed while
    every iteration waits: after the restart every unit, nested or a child
    execution, replays its recorded events and goes on from its Wait."""
    open(log, "w").close()

    def calls(tag):
        with open(log) as f:
            return sorted(l for l in (json.loads(x)["label"] for x in f if x.strip())
                          if l.startswith(tag + "-"))

    server, sfn, _ = start_server(args.aslc, db, "--resources", resources)
    try:
        # every machine compiled first, so that the executions start together
        # (each unit's Wait of 6 s is the window for the kill)
        mp = sfn.create_state_machine(name="map-in-parallel", roleArn=ROLE,
                                      definition=MAP_IN_PARALLEL)["stateMachineArn"]
        dm = sfn.create_state_machine(name="distributed", roleArn=ROLE,
                                      definition=DISTRIBUTED)["stateMachineArn"]
        db_ = sfn.create_state_machine(name="distributed-batch", roleArn=ROLE,
                                       definition=DISTRIBUTED_BATCH)["stateMachineArn"]
        rt = sfn.create_state_machine(name="retried-inside", roleArn=ROLE,
                                      definition=RETRIED_INSIDE)["stateMachineArn"]
        rtop = sfn.create_state_machine(name="retried-top", roleArn=ROLE,
                                        definition=RETRIED_TOP)["stateMachineArn"]
        jn = sfn.create_state_machine(name="jsonata-stamp", roleArn=ROLE,
                                      definition=JN_STAMP)["stateMachineArn"]
        ab = sfn.create_state_machine(name="aborted", roleArn=ROLE,
                                      definition=ABORTED)["stateMachineArn"]
        # the retried ones first: theirs is the longest way to their Wait
        ex_rt = sfn.start_execution(stateMachineArn=rt, input=json.dumps(
            {"tag": "r", "items": [0]}))["executionArn"]
        ex_rtop = sfn.start_execution(stateMachineArn=rtop, input=json.dumps(
            {"tag": "t", "items": [0]}))["executionArn"]
        ex_mp = sfn.start_execution(stateMachineArn=mp, input=json.dumps(
            {"tag": "k", "items": [0, 1, 2]}))["executionArn"]
        ex_dm = sfn.start_execution(stateMachineArn=dm, input=json.dumps(
            {"tag": "j", "items": [0, 1, 2, 3]}))["executionArn"]
        ex_db = sfn.start_execution(stateMachineArn=db_, input=json.dumps(
            {"tag": "b", "items": [0, 1, 2, 3]}))["executionArn"]
        ex_jn = sfn.start_execution(stateMachineArn=jn, input=json.dumps(
            {"tag": "n", "items": [0, 1]}))["executionArn"]
        ex_ab = sfn.start_execution(stateMachineArn=ab, input=json.dumps(
            {"tag": "x"}))["executionArn"]
        # killed once every unit's first Task is done (each then waits 6 s;
        # the retried Map's second attempt's)
        deadline = time.time() + 30
        while time.time() < deadline and (len(calls("k")) < 4 or len(calls("j")) < 4 or
                                          len(calls("b")) < 2 or len(calls("r")) < 2 or
                                          len(calls("t")) < 2 or len(calls("n")) < 2 or
                                          len(calls("x")) < 1):
            time.sleep(0.02)
        time.sleep(0.5)
        before_mp = history(sfn, ex_mp)
        before_jn = history(sfn, ex_jn)
        before_ab = history(sfn, ex_ab)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    types = [e["type"] for e in before_mp]
    check("Map in a Parallel: killed with every unit in its Wait",
          types.count("WaitStateEntered") == 4 and types.count("PassStateExited") == 3 and
          "WaitStateExited" not in types, types)
    check("Distributed Map: killed with every child execution past its first Task",
          calls("j") == ["j-d1-%d" % i for i in range(4)], calls("j"))
    # a Wait slept again whole would end 9.5 s or more after it was entered
    time.sleep(3)
    server, sfn, _ = start_server(args.aslc, db, "--resources", resources)
    try:
        d_mp = wait_end(sfn, ex_mp)
        d_dm = wait_end(sfn, ex_dm)
        d_db = wait_end(sfn, ex_db)
        d_rt = wait_end(sfn, ex_rt)
        h_rt = history(sfn, ex_rt)
        d_ab = wait_end(sfn, ex_ab)
        h_ab = history(sfn, ex_ab)
        d_jn = wait_end(sfn, ex_jn)
        h_jn = history(sfn, ex_jn)
        d_rtop = wait_end(sfn, ex_rtop)
        h_rtop = history(sfn, ex_rtop)
        h_mp = history(sfn, ex_mp)
        h_dm = history(sfn, ex_dm)
        # the same, not interrupted, for the events they make
        u_mp = sfn.start_execution(stateMachineArn=mp, input=json.dumps(
            {"tag": "uk", "items": [0, 1, 2]}))["executionArn"]
        u_dm = sfn.start_execution(stateMachineArn=dm, input=json.dumps(
            {"tag": "uj", "items": [0, 1, 2, 3]}))["executionArn"]
        wait_end(sfn, u_mp)
        wait_end(sfn, u_dm)
        hu_mp = history(sfn, u_mp)
        hu_dm = history(sfn, u_dm)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    out = json.loads(d_mp["output"]) if d_mp["status"] == "SUCCEEDED" else None
    check("Map in a Parallel: SUCCEEDED with the iterations' and the branch's second calls",
          out and [{"tag": o["tag"], "i": o["i"], "label": o["r"]["label"]} for o in out[0]] ==
          [{"label": "k-p2-%d" % i, "tag": "k", "i": i} for i in range(3)] and
          out[1] == {"label": "k-solo2", "tag": "k"}, d_mp)
    # $$.State.EnteredTime of a state entered before the kill (Stamp) and
    # replayed: the time recorded in its PassStateEntered, not the restart's
    stamps = sorted(datetime.datetime.fromisoformat(o["at"].replace("Z", "+00:00"))
                    for o in (out[0] if out else []))
    recorded = sorted(e["timestamp"] for e in before_mp if e["type"] == "PassStateEntered")
    check("Map in a Parallel: a replayed state's $$.State.EnteredTime is its recorded entry's",
          len(stamps) == 3 and stamps == recorded, (stamps, recorded))
    drawn = sorted((json.loads(e["stateExitedEventDetails"]["output"])["i"],
                    json.loads(e["stateExitedEventDetails"]["output"])["id"],
                    json.loads(e["stateExitedEventDetails"]["output"])["n"])
                   for e in before_mp if e["type"] == "PassStateExited")
    redrawn = sorted((o["i"], o["id"], o["n"]) for o in (out[0] if out else []))
    check("Map in a Parallel: a replayed state's States.UUID() and States.MathRandom() are "
          "the values it drew before the kill (and differ between iterations)",
          len(drawn) == 3 and drawn == redrawn and len({d[1] for d in drawn}) == 3,
          (drawn, redrawn))
    check("Distributed Map: SUCCEEDED with each child execution's second call, in order",
          d_dm["status"] == "SUCCEEDED" and json.loads(d_dm["output"]) ==
          [{"label": "j-d2-%d" % i, "tag": "j", "i": i} for i in range(4)], d_dm)
    check("Distributed Map in batches: SUCCEEDED, the failed batch tolerated, after the restart",
          d_db["status"] == "SUCCEEDED" and json.loads(d_db["output"]) ==
          [{"label": "b-b2-0"}, {"Error": "Boom", "Cause": "the second batch"}], d_db)
    check("Distributed Map in batches: each batch's Tasks called once",
          calls("b") == ["b-b1-0", "b-b1-2", "b-b2-0"], calls("b"))
    check("Map retried inside a Parallel: SUCCEEDED after its Retry, across the restart",
          d_rt["status"] == "SUCCEEDED" and json.loads(d_rt["output"]) ==
          [[{"label": "r-f2-0", "tag": "r", "i": 0}]], d_rt)
    check("Map retried inside a Parallel: the flaky Task called twice (failed, then in the "
          "Retry), the last once: none again after the restart",
          calls("r") == ["r-f1-0", "r-f1-0", "r-f2-0"], calls("r"))
    whole(h_rt, "Map retried inside a Parallel")
    types = [e["type"] for e in before_ab]
    check("Parallel with a stopped branch: killed in its Retry's interval (one run, its "
          "branch 0 in its Wait)", types.count("ParallelStateStarted") == 1 and
          "TaskFailed" in types and types.count("WaitStateEntered") == 2 and
          "WaitStateExited" not in types, types)
    check("Parallel with a stopped branch: SUCCEEDED after its Retry",
          d_ab["status"] == "SUCCEEDED" and json.loads(d_ab["output"]) ==
          [{"label": "x-late", "tag": "x"}, {"label": "x-flaky", "tag": "x"}, {"tag": "x"}], d_ab)
    check("Parallel with a stopped branch: the stopped branch's Task called once (in the "
          "Retry's run), not by the replay of the run that stopped it",
          calls("x") == ["x-flaky", "x-flaky", "x-late"], calls("x"))
    whole(h_ab, "Parallel with a stopped branch")
    types = [e["type"] for e in h_ab]
    check("Parallel with a stopped branch: two runs, the stopped branches' Waits entered in "
          "each and exited in the second only (one ends its branch), the Task scheduled once",
          types.count("ParallelStateStarted") == 2 and types.count("WaitStateEntered") == 4 and
          types.count("WaitStateExited") == 2 and types.count("TaskScheduled") == 3, types)
    stamped = sorted((o["i"], o["u"], o["r"], o["now"], o["ms"], round(e["timestamp"].timestamp() * 1000))
                     for e in before_jn if e["type"] == "PassStateExited"
                     for o in [json.loads(e["stateExitedEventDetails"]["output"])])
    out = json.loads(d_jn["output"]) if d_jn["status"] == "SUCCEEDED" else []
    check("JSONata: SUCCEEDED, each Task called once",
          d_jn["status"] == "SUCCEEDED" and len(out) == 2 and
          calls("n") == ["n-n1-0", "n-n1-1", "n-n2-0", "n-n2-1"], (d_jn, calls("n")))
    check("JSONata: a replayed Pass's $uuid(), $random(), $now() and $millis() are what it "
          "had before the kill ($millis() its PassStateExited's time; draws differ by unit)",
          len(stamped) == 2 and
          sorted((o["i"], o["u"], o["r"], o["now"], o["ms"]) for o in out) ==
          [st[:5] for st in stamped] and all(st[4] == st[5] for st in stamped) and
          stamped[0][1] != stamped[1][1], (stamped, out))
    whole(h_jn, "JSONata Map")
    types = [e["type"] for e in h_jn]
    check("JSONata Map: each Pass entered once (replayed, not entered again)",
          types.count("PassStateEntered") == 2 and types.count("PassStateExited") == 2, types)
    check("top-level Map killed in its Retry's second run: SUCCEEDED",
          d_rtop["status"] == "SUCCEEDED" and json.loads(d_rtop["output"]) ==
          [{"label": "t-f2-0", "tag": "t", "i": 0}], d_rtop)
    check("top-level Map killed in its Retry's second run: each Task called once in each run "
          "(the second run's replayed, not run again)",
          calls("t") == ["t-f1-0", "t-f1-0", "t-f2-0"], calls("t"))
    whole(h_rtop, "top-level Map retried")
    types = [e["type"] for e in h_rtop]
    check("top-level Map retried: two MapStateStarted, one TaskFailed, each Wait once",
          types.count("MapStateStarted") == 2 and types.count("TaskFailed") == 1 and
          types.count("TaskScheduled") == 3 and types.count("WaitStateEntered") == 1 and
          types.count("WaitStateExited") == 1, types)
    entered = {e["id"]: e["timestamp"] for e in h_rtop if e["type"] == "WaitStateEntered"}
    late = [(e["timestamp"] - entered[e["previousEventId"]]).total_seconds()
            for e in h_rtop if e["type"] == "WaitStateExited" and e["previousEventId"] in entered]
    check("top-level Map retried: its Wait ended about 6 s after it was entered",
          len(late) == 1 and all(5.9 <= s < 8.5 for s in late), late)
    types = [e["type"] for e in h_rt]
    check("Map retried inside a Parallel: two MapStateStarted, one TaskFailed, each Wait once",
          types.count("MapStateStarted") == 2 and types.count("TaskFailed") == 1 and
          types.count("WaitStateEntered") == 1 and types.count("WaitStateExited") == 1, types)
    check("Map in a Parallel: each Task called once",
          calls("k") == sorted(["k-p1-%d" % i for i in range(3)] +
                               ["k-p2-%d" % i for i in range(3)] +
                               ["k-solo1", "k-solo2"]), calls("k"))
    check("Distributed Map: each child execution's Tasks called once",
          calls("j") == sorted(["j-d1-%d" % i for i in range(4)] +
                               ["j-d2-%d" % i for i in range(4)]),
          calls("j"))
    whole(h_mp, "Map in a Parallel")
    whole(h_dm, "Distributed Map")
    for label, h, hu in (("Map in a Parallel", h_mp, hu_mp), ("Distributed Map", h_dm, hu_dm)):
        check(label + ": the events an uninterrupted run makes, each once",
              sorted(e["type"] for e in h) == sorted(e["type"] for e in hu),
              (sorted(e["type"] for e in h), sorted(e["type"] for e in hu)))
    kept = {e["id"]: e for e in h_mp}
    check("Map in a Parallel: the events before the kill are kept as they were",
          all(kept.get(e["id"]) == e for e in before_mp), "")
    entered = {e["id"]: e["timestamp"] for e in h_mp if e["type"] == "WaitStateEntered"}
    late = [(e["timestamp"] - entered[e["previousEventId"]]).total_seconds()
            for e in h_mp if e["type"] == "WaitStateExited" and e["previousEventId"] in entered]
    check("Map in a Parallel: each Wait ended about 6 s after it was entered",
          len(late) == 4 and all(5.9 <= s < 8.5 for s in late), late)
    took = (d_dm["stopDate"] - d_dm["startDate"]).total_seconds()
    check("Distributed Map: its Waits not slept again whole after the restart (%.1f s)" % took,
          took < 9, took)
    with sqlite3.connect(db) as con:
        left = con.execute("SELECT COUNT(*) FROM child_events").fetchone()[0]
    check("the child executions' recorded events go when their executions end", left == 0, left)


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
            flaky = os.path.join(tmp, "flaky.sh")
            with open(flaky, "w") as g:
                g.write(FLAKY % (log, log, log))
            os.chmod(flaky, 0o755)
            json.dump({RESOURCE: {"command": [handler]},
                       FLAKY_RESOURCE: {"command": [flaky]}}, f)

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
        nested_units(args, check, db, resources, log, wait_end, history, whole)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
