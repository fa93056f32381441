#!/usr/bin/env python3
"""check_serve_maprun.py — a Distributed Map's map run and child executions
in `aslc serve` (issue #23), driven by boto3, each answer checked field by
field against AWS's shapes (botocore's model):

  - a Standard execution whose Distributed Map (Label, MaxConcurrency 2,
    ToleratedFailureCount 1) runs 4 items, the third failing: the history's
    MapRunStarted names the map run that ListMapRuns lists; DescribeMapRun
    (status, dates, settings, itemCounts and executionCounts); ListExecutions
    with mapRunArn (the 4 children in item order, their ARNs
    execution:MACHINE/LABEL:NAME, statusFilter, maxResults and nextToken);
    DescribeExecution of each child (input, output, error, cause,
    mapRunArn); GetExecutionHistory of a child (ids 1..n, its own
    ExecutionStarted and end, reverseOrder, paging);
    DescribeStateMachineForExecution of a child (mapRunArn, label);
    ListExecutions of the machine does not list the children; EXPRESS
    children counted and described, without a history; batches (ItemBatcher)
    counted by item and by child;
  - a failure over the threshold: the map run FAILED;
  - UpdateMapRun recorded (DescribeMapRun answers the new settings), and its
    bad arguments (ValidationException); InvalidArn, ResourceNotFound,
    ExecutionDoesNotExist for unknown ARNs; stateMachineArn with mapRunArn;
  - a stopped execution: its running map run and children ABORTED;
  - kill -9 while the children wait, and a restart: the map run SUCCEEDS,
    each child once, its history whole (one ExecutionStarted, ids 1..n);
  - the records kept across a restart, and a database without the map run
    tables (an older aslc serve's) opened.

Exit 0 when every check holds, 1 otherwise, 77 (skipped) without boto3.

    tests/check_serve_maprun.py --aslc build/aslc
"""

import json
import os
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import begin, start_server, wait_end  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/r"
PREFIX = "arn:aws:states:us-east-1:123456789012:"
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def distributed(label, states, start, kind="STANDARD", **extra):
    """A machine of one Distributed Map over $.items, children of states."""
    m = {"Type": "Map", "ItemsPath": "$.items", "End": True, "Label": label,
         "ItemSelector": {"i.$": "$$.Map.Item.Value"},
         "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                               "ExecutionType": kind},
                           "StartAt": start, "States": states}}
    m.update(extra)
    return json.dumps({"StartAt": "Spread", "States": {"Spread": m}})


# item 3 fails (tolerated: ToleratedFailureCount 1), the others double
SPREAD = distributed("Spreader", {
    "Which": {"Type": "Choice", "Default": "Double",
              "Choices": [{"Variable": "$.i", "NumericEquals": 3, "Next": "Boom"}]},
    "Boom": {"Type": "Fail", "Error": "Boom", "Cause": "item three"},
    "Double": {"Type": "Pass", "Parameters": {"d.$": "States.MathAdd($.i, $.i)"},
               "End": True}}, "Which", MaxConcurrency=2, ToleratedFailureCount=1)

# the same, no failure tolerated: the map run fails
STRICT = SPREAD.replace('"ToleratedFailureCount": 1', '"ToleratedFailureCount": 0')

# each child waits 6 s: long enough to stop or kill the server meanwhile
NAPPING = distributed("Nappers", {
    "Nap": {"Type": "Wait", "Seconds": 6, "Next": "Done"},
    "Done": {"Type": "Pass", "End": True}}, "Nap")


# the same, its children EXPRESS: counted and described, no history
QUICK = distributed("Quick", {"Done": {"Type": "Pass", "End": True}}, "Done", kind="EXPRESS")


# batches of 2 items (ItemBatcher): a child per batch, items counted apart
BATCHED = distributed("Batches", {"Done": {"Type": "Pass", "End": True}}, "Done",
                      ItemBatcher={"MaxItemsPerBatch": 2})


def main():
    started = begin()
    if not started:
        return 77
    args, check, code_of = started
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "serve.db")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=tmp)
        server, sfn, _ = start_server(args.aslc, db, env=env)
        try:
            sm = sfn.create_state_machine(name="spread", definition=SPREAD,
                                          roleArn=ROLE)["stateMachineArn"]
            ex = sfn.start_execution(stateMachineArn=sm, name="one",
                                     input=json.dumps({"items": [1, 2, 3, 4]}))["executionArn"]
            d = wait_end(sfn, ex)
            check("the execution SUCCEEDED with the failure tolerated",
                  d["status"] == "SUCCEEDED" and json.loads(d["output"]) ==
                  [{"d": 2}, {"d": 4}, {"Error": "Boom", "Cause": "item three"}, {"d": 8}], d)
            hist = sfn.get_execution_history(executionArn=ex, maxResults=1000)["events"]
            started_ev = [e for e in hist if e["type"] == "MapRunStarted"]
            types = [e["type"] for e in hist]
            check("the parent's history: one MapRunStarted, MapRunSucceeded, no child events",
                  len(started_ev) == 1 and "MapRunSucceeded" in types and
                  "ExecutionStarted" not in types[1:] and "PassStateEntered" not in types, types)
            mr = started_ev[0]["mapRunStartedEventDetails"]["mapRunArn"] if started_ev else ""

            runs = sfn.list_map_runs(executionArn=ex)
            check("ListMapRuns: the history's map run", [r["mapRunArn"] for r in
                                                         runs["mapRuns"]] == [mr], runs)
            check("the map run's ARN: mapRun:MACHINE/LABEL:UUID",
                  re.fullmatch(re.escape(PREFIX + "mapRun:spread/Spreader:") + UUID, mr), mr)
            item = runs["mapRuns"][0] if runs["mapRuns"] else {}
            check("ListMapRuns: executionArn, stateMachineArn, startDate <= stopDate",
                  item.get("executionArn") == ex and item.get("stateMachineArn") == sm and
                  item.get("startDate") and item.get("stopDate") and
                  item["startDate"] <= item["stopDate"] and "nextToken" not in runs, item)

            dm = sfn.describe_map_run(mapRunArn=mr)
            want_counts = {"pending": 0, "running": 0, "succeeded": 3, "failed": 1, "timedOut": 0,
                           "aborted": 0, "total": 4, "resultsWritten": 0}
            check("DescribeMapRun: arn, execution, SUCCEEDED, dates",
                  dm["mapRunArn"] == mr and dm["executionArn"] == ex and
                  dm["status"] == "SUCCEEDED" and dm["startDate"] <= dm["stopDate"] and
                  dm["startDate"] >= d["startDate"] and dm["stopDate"] <= d["stopDate"], dm)
            check("DescribeMapRun: the Map's settings",
                  (dm["maxConcurrency"], dm["toleratedFailurePercentage"],
                   dm["toleratedFailureCount"]) == (2, 0, 1), dm)
            for k in ("itemCounts", "executionCounts"):
                got = {f: dm[k].get(f) for f in want_counts}
                check("DescribeMapRun: " + k, got == want_counts, dm[k])

            kids = sfn.list_executions(mapRunArn=mr)
            kl = kids["executions"]
            check("ListExecutions(mapRunArn): the 4 children in item order",
                  [k["status"] for k in kl] == ["SUCCEEDED", "SUCCEEDED", "FAILED", "SUCCEEDED"]
                  and "nextToken" not in kids, kl)
            check("the children's ARNs: execution:MACHINE/LABEL:NAME, names apart",
                  all(re.fullmatch(re.escape(PREFIX + "execution:spread/Spreader:") + UUID,
                                   k["executionArn"]) and k["executionArn"].endswith(":" + k["name"])
                      for k in kl) and len({k["name"] for k in kl}) == 4, kl)
            check("the children's items: stateMachineArn MACHINE/LABEL, mapRunArn, dates",
                  all(k["stateMachineArn"] == PREFIX + "stateMachine:spread/Spreader" and
                      k["mapRunArn"] == mr and k["startDate"] <= k["stopDate"] and
                      k.get("itemCount") == 1 for k in kl), kl)
            failed = sfn.list_executions(mapRunArn=mr, statusFilter="FAILED")["executions"]
            check("ListExecutions(mapRunArn, statusFilter FAILED): the third",
                  [k["executionArn"] for k in failed] == [kl[2]["executionArn"]], failed)
            p1 = sfn.list_executions(mapRunArn=mr, maxResults=3)
            p2 = sfn.list_executions(mapRunArn=mr, maxResults=3, nextToken=p1.get("nextToken", ""))
            check("ListExecutions(mapRunArn): pages of 3 then 1",
                  len(p1["executions"]) == 3 and "nextToken" not in p2 and
                  [k["executionArn"] for k in p1["executions"] + p2["executions"]] ==
                  [k["executionArn"] for k in kl], (p1, p2))
            mine = sfn.list_executions(stateMachineArn=sm)["executions"]
            check("ListExecutions(stateMachineArn): the parent only",
                  [k["executionArn"] for k in mine] == [ex], mine)

            for n, k in enumerate(kl, 1):
                c = sfn.describe_execution(executionArn=k["executionArn"])
                good = (c["executionArn"] == k["executionArn"] and c["mapRunArn"] == mr and
                        c["stateMachineArn"] == k["stateMachineArn"] and c["name"] == k["name"] and
                        json.loads(c["input"]) == {"i": n} and c["startDate"] <= c["stopDate"])
                if n == 3:
                    good = good and c["status"] == "FAILED" and c.get("error") == "Boom" and \
                        c.get("cause") == "item three" and "output" not in c
                else:
                    good = good and c["status"] == "SUCCEEDED" and \
                        json.loads(c["output"]) == {"d": 2 * n}
                check("DescribeExecution of child %d" % n, good, c)

            h = sfn.get_execution_history(executionArn=kl[0]["executionArn"])["events"]
            check("a child's history: its own, ids 1..n",
                  [e["type"] for e in h] == ["ExecutionStarted", "ChoiceStateEntered",
                                             "ChoiceStateExited", "PassStateEntered",
                                             "PassStateExited", "ExecutionSucceeded"] and
                  [e["id"] for e in h] == list(range(1, 7)) and
                  [e["previousEventId"] for e in h] == [0, 0, 2, 3, 4, 5], h)
            check("a child's ExecutionStarted and ExecutionSucceeded: input and output",
                  len(h) == 6 and json.loads(h[0]["executionStartedEventDetails"]["input"]) ==
                  {"i": 1} and json.loads(h[-1]["executionSucceededEventDetails"]["output"]) ==
                  {"d": 2}, h)
            check("a child's ExecutionStarted: its machine's roleArn",
                  h and h[0]["executionStartedEventDetails"]["roleArn"] == ROLE, h[:1])
            dsm = sfn.describe_state_machine_for_execution(executionArn=kl[0]["executionArn"])
            check("DescribeStateMachineForExecution of a child: the machine, mapRunArn, label",
                  dsm["stateMachineArn"] == sm and dsm["mapRunArn"] == mr and
                  dsm["label"] == "Spreader" and dsm["definition"] == SPREAD, dsm)
            hf = sfn.get_execution_history(executionArn=kl[2]["executionArn"],
                                           reverseOrder=True)["events"]
            check("the failed child's history, reversed: ExecutionFailed first",
                  hf and hf[0]["type"] == "ExecutionFailed" and
                  hf[0]["executionFailedEventDetails"] == {"error": "Boom", "cause": "item three"}
                  and hf[-1]["type"] == "ExecutionStarted", hf)
            q1 = sfn.get_execution_history(executionArn=kl[0]["executionArn"], maxResults=4)
            q2 = sfn.get_execution_history(executionArn=kl[0]["executionArn"], maxResults=4,
                                           nextToken=q1.get("nextToken", ""))
            check("a child's history in pages of 4",
                  [e["id"] for e in q1["events"] + q2["events"]] == list(range(1, 7)), (q1, q2))

            # UpdateMapRun: recorded, answered
            sfn.update_map_run(mapRunArn=mr, maxConcurrency=5, toleratedFailurePercentage=50.5)
            dm2 = sfn.describe_map_run(mapRunArn=mr)
            check("UpdateMapRun: DescribeMapRun answers the new settings",
                  (dm2["maxConcurrency"], dm2["toleratedFailurePercentage"],
                   dm2["toleratedFailureCount"]) == (5, 50.5, 1), dm2)
            check("UpdateMapRun: a percentage over 100 is a ValidationException",
                  code_of(sfn.update_map_run, mapRunArn=mr, toleratedFailurePercentage=101)
                  == "ValidationException")
            check("UpdateMapRun: nothing to update is a ValidationException",
                  code_of(sfn.update_map_run, mapRunArn=mr) == "ValidationException")
            check("UpdateMapRun: an unknown map run is ResourceNotFound",
                  code_of(sfn.update_map_run, mapRunArn=mr[:-4] + "ffff", maxConcurrency=1)
                  == "ResourceNotFound")

            # unknown and malformed ARNs
            check("DescribeMapRun: unknown is ResourceNotFound",
                  code_of(sfn.describe_map_run, mapRunArn=mr[:-4] + "ffff") == "ResourceNotFound")
            check("DescribeMapRun: not a map run's ARN is InvalidArn",
                  code_of(sfn.describe_map_run, mapRunArn="nope") == "InvalidArn")
            check("ListMapRuns: an unknown execution is ExecutionDoesNotExist",
                  code_of(sfn.list_map_runs, executionArn=ex + "x") == "ExecutionDoesNotExist")
            check("ListMapRuns: a bad token is InvalidToken",
                  code_of(sfn.list_map_runs, executionArn=ex, nextToken="zz") == "InvalidToken")
            check("ListExecutions: an unknown mapRunArn is ResourceNotFound",
                  code_of(sfn.list_executions, mapRunArn=mr[:-4] + "ffff") == "ResourceNotFound")
            check("ListExecutions: stateMachineArn with mapRunArn is a ValidationException",
                  code_of(sfn.list_executions, mapRunArn=mr, stateMachineArn=sm)
                  == "ValidationException")
            check("DescribeExecution: an unknown child is ExecutionDoesNotExist",
                  code_of(sfn.describe_execution, executionArn=kl[0]["executionArn"][:-4] + "ffff")
                  == "ExecutionDoesNotExist")
            check("GetExecutionHistory: an unknown child is ExecutionDoesNotExist",
                  code_of(sfn.get_execution_history,
                          executionArn=kl[0]["executionArn"][:-4] + "ffff")
                  == "ExecutionDoesNotExist")

            # a failure over the threshold: the map run FAILED, the execution too
            st_m = sfn.create_state_machine(name="strict", definition=STRICT,
                                            roleArn=ROLE)["stateMachineArn"]
            fx = sfn.start_execution(stateMachineArn=st_m, input=json.dumps(
                {"items": [1, 2, 3, 4]}))["executionArn"]
            fd = wait_end(sfn, fx)
            fr = sfn.list_map_runs(executionArn=fx)["mapRuns"]
            fm = sfn.describe_map_run(mapRunArn=fr[0]["mapRunArn"]) if fr else {}
            fc = fm.get("executionCounts", {})
            check("over the threshold: the execution and its map run FAILED, one child failed",
                  fd["status"] == "FAILED" and fm.get("status") == "FAILED" and
                  fc.get("failed") == 1 and fc.get("running") == 0 and
                  sum(fc[k] for k in ("succeeded", "failed", "aborted", "pending")) == 4, fm)

            # EXPRESS children: counted and described, without a history
            qm = sfn.create_state_machine(name="quick", definition=QUICK,
                                          roleArn=ROLE)["stateMachineArn"]
            qx = sfn.start_execution(stateMachineArn=qm,
                                     input=json.dumps({"items": [5, 6]}))["executionArn"]
            wait_end(sfn, qx)
            qr = sfn.list_map_runs(executionArn=qx)["mapRuns"]
            qd = sfn.describe_map_run(mapRunArn=qr[0]["mapRunArn"]) if qr else {}
            check("an EXPRESS map run: SUCCEEDED, 2 children succeeded",
                  qd.get("status") == "SUCCEEDED" and qd["executionCounts"]["succeeded"] == 2, qd)
            qk = sfn.list_executions(mapRunArn=qd["mapRunArn"])["executions"] if qd else []
            check("an EXPRESS child: described, no history (ExecutionDoesNotExist)",
                  len(qk) == 2 and json.loads(sfn.describe_execution(
                      executionArn=qk[0]["executionArn"])["output"]) == {"i": 5} and
                  code_of(sfn.get_execution_history, executionArn=qk[0]["executionArn"])
                  == "ExecutionDoesNotExist", qk)

            # batches: items and children counted apart
            bm = sfn.create_state_machine(name="batched", definition=BATCHED,
                                          roleArn=ROLE)["stateMachineArn"]
            bx = sfn.start_execution(stateMachineArn=bm,
                                     input=json.dumps({"items": [1, 2, 3, 4, 5]}))["executionArn"]
            wait_end(sfn, bx)
            br = sfn.list_map_runs(executionArn=bx)["mapRuns"]
            bd = sfn.describe_map_run(mapRunArn=br[0]["mapRunArn"]) if br else {}
            bk = sfn.list_executions(mapRunArn=bd["mapRunArn"])["executions"] if bd else []
            check("batches: each child's itemCount (2, 2, 1)",
                  [k.get("itemCount") for k in bk] == [2, 2, 1], bk)
            check("batches: itemCounts 5 items, executionCounts 3 children",
                  bd and (bd["itemCounts"]["succeeded"], bd["itemCounts"]["total"],
                          bd["executionCounts"]["succeeded"], bd["executionCounts"]["total"])
                  == (5, 5, 3, 3), bd)

            # a stopped execution: its map run and running children are aborted
            nap = sfn.create_state_machine(name="nap", definition=NAPPING,
                                           roleArn=ROLE)["stateMachineArn"]
            sx = sfn.start_execution(stateMachineArn=nap, name="stopped",
                                     input=json.dumps({"items": [1, 2]}))["executionArn"]
            running = None
            for _ in range(200):
                runs = sfn.list_map_runs(executionArn=sx)["mapRuns"]
                if runs:
                    running = sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])
                    if running["executionCounts"]["running"] == 2:
                        break
                time.sleep(0.05)
            check("a running map run: RUNNING, 2 children running, none pending",
                  running and running["status"] == "RUNNING" and "stopDate" not in running and
                  running["executionCounts"]["running"] == 2 and
                  running["executionCounts"]["pending"] == 0, running)
            smr = running["mapRunArn"] if running else ""
            live = sfn.list_executions(mapRunArn=smr)["executions"] if smr else []
            check("its children RUNNING", [k["status"] for k in live] == ["RUNNING"] * 2, live)
            sfn.stop_execution(executionArn=sx, error="Halt", cause="enough")
            wait_end(sfn, sx)
            ab = sfn.describe_map_run(mapRunArn=smr) if smr else {}
            check("after StopExecution: the map run ABORTED, its children counted aborted",
                  ab.get("status") == "ABORTED" and ab.get("stopDate") and
                  ab["executionCounts"]["aborted"] == 2 and
                  ab["executionCounts"]["running"] == 0, ab)
            dead = sfn.list_executions(mapRunArn=smr)["executions"] if smr else []
            check("... and each child ABORTED with a stopDate",
                  [k["status"] for k in dead] == ["ABORTED"] * 2 and
                  all(k.get("stopDate") for k in dead), dead)

            # kill -9 while 3 children wait; a restart finishes them, once each
            kx = sfn.start_execution(stateMachineArn=nap, name="killed",
                                     input=json.dumps({"items": [1, 2, 3]}))["executionArn"]
            kmr = None
            for _ in range(200):
                runs = sfn.list_map_runs(executionArn=kx)["mapRuns"]
                if runs and sfn.describe_map_run(
                        mapRunArn=runs[0]["mapRunArn"])["executionCounts"]["running"] == 3:
                    kmr = runs[0]["mapRunArn"]
                    break
                time.sleep(0.05)
            time.sleep(0.5)   # into their Waits
            server.send_signal(signal.SIGKILL)
            server.wait()
            server, sfn, _ = start_server(args.aslc, db, env=env)
            kd = wait_end(sfn, kx, limit=40)
            check("killed in the map run: the execution SUCCEEDED after the restart",
                  kd["status"] == "SUCCEEDED" and
                  json.loads(kd["output"]) == [{"i": 1}, {"i": 2}, {"i": 3}], kd)
            km = sfn.describe_map_run(mapRunArn=kmr) if kmr else {}
            check("... its map run SUCCEEDED, 3 children succeeded",
                  km.get("status") == "SUCCEEDED" and km["executionCounts"]["succeeded"] == 3
                  and km["executionCounts"]["total"] == 3, km)
            kk = sfn.list_executions(mapRunArn=kmr)["executions"] if kmr else []
            whole = True
            for k in kk:
                hh = sfn.get_execution_history(executionArn=k["executionArn"])["events"]
                whole = whole and [e["type"] for e in hh] == [
                    "ExecutionStarted", "WaitStateEntered", "WaitStateExited",
                    "PassStateEntered", "PassStateExited", "ExecutionSucceeded"] and \
                    [e["id"] for e in hh] == list(range(1, 7))
            check("... each child's history whole: each event once, ids 1..n",
                  len(kk) == 3 and whole, kk)

            # the records outlive the execution, and a restart
            server.terminate()
            server.wait()
            server, sfn, _ = start_server(args.aslc, db, env=env)
            again = sfn.describe_map_run(mapRunArn=mr)
            check("after a restart: DescribeMapRun and the children as before",
                  again["status"] == "SUCCEEDED" and again["itemCounts"]["failed"] == 1 and
                  [k["executionArn"] for k in sfn.list_executions(mapRunArn=mr)["executions"]]
                  == [k["executionArn"] for k in kl], again)
        finally:
            server.terminate()
            server.wait()

        # a database of an aslc serve without the map run tables opens
        old = os.path.join(tmp, "old.db")
        shutil.copy(db, old)
        con = sqlite3.connect(old)
        for t in ("map_runs", "child_execs"):
            con.execute("DROP TABLE " + t)
        con.commit()
        con.close()
        server, sfn, _ = start_server(args.aslc, old, env=env)
        try:
            names = [m["name"] for m in sfn.list_state_machines()["stateMachines"]]
            check("an older database opens: its machines there, no map run",
                  sorted(names) == ["batched", "nap", "quick", "spread", "strict"] and
                  code_of(sfn.describe_map_run, mapRunArn=mr) == "ResourceNotFound", names)
        finally:
            server.terminate()
            server.wait()
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
