#!/usr/bin/env python3
"""check_history.py — the rules of --history that the AWS corpus does not show
(docs/history.md): payloads past 256 KiB cut with "truncated": true; event ids
in causes equal to the StateEntered ids with and without --history, after Map,
Parallel and Task events too; an unwritable history file exits 3; --bench with
--history; every id once, in order, and every previousEventId an earlier event
when Map iterations and Parallel branches run on worker threads.

  check_history.py --aslc build/aslc
Prints "ok ..." / "FAIL ..." lines and "N passed, M failed"; exit status 1 on
any failure.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   %s" % what)
    else:
        failed += 1
        print("FAIL %s %s" % (what, detail))


def compile_wf(aslc, d, name, definition, mocks=None):
    path = os.path.join(d, name + ".json")
    with open(path, "w") as f:
        json.dump(definition, f)
    cmd = [aslc, path, "-o", os.path.join(d, name)]
    if mocks:
        mp = os.path.join(d, name + ".mocks.json")
        with open(mp, "w") as f:
            json.dump(mocks, f)
        cmd += ["--mocks", mp]
    subprocess.run(cmd, check=True)
    return os.path.join(d, name)


def run(exe, inp, *args, env=None):
    e = dict(os.environ, ASL_TIME_SCALE="0")
    e.update(env or {})
    path = exe + ".input.json"
    with open(path, "w") as f:
        f.write(inp)
    return subprocess.run([exe, "--input-file", path] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=e)


def events(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    args = ap.parse_args()
    aslc = os.path.abspath(args.aslc)
    d = tempfile.mkdtemp(prefix="aslhist.")
    try:
        hist = os.path.join(d, "h.jsonl")

        # Ids in causes: the failing state's StateEntered id, with or without --history.
        wf = compile_wf(aslc, d, "ids", {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "M"},
            "M": {"Type": "Map", "ItemsPath": "$.a", "ResultPath": "$.r", "Next": "P",
                  "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}},
            "P": {"Type": "Parallel", "ResultPath": "$.p", "Next": "T", "Branches": [
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
                {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": True}}}]},
            "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                  "Next": "Z"},
            "Z": {"Type": "Pass", "InputPath": "$.nope", "End": True}}},
            mocks={"T": [{"x": 1}]})
        plain = run(wf, '{"a":[1,2]}')
        recorded = run(wf, '{"a":[1,2]}', "--history", hist)
        ev = events(hist)
        z = [e["id"] for e in ev if e["type"] == "PassStateEntered"
             and e["stateEnteredEventDetails"]["name"] == "Z"]
        check(plain.stderr == recorded.stderr and plain.returncode == recorded.returncode == 1,
              "the same failure with and without --history", plain.stderr + recorded.stderr)
        check(z and ("entered at the event id #%d)" % z[0]).encode() in plain.stderr,
              "the cause's event id is ZStateEntered's after Map, Parallel and a Task",
              "%s %s" % (z, plain.stderr))
        check(ev[-1]["type"] == "ExecutionFailed" and ev[-1]["previousEventId"] == z[0],
              "ExecutionFailed follows the failing state's StateEntered")

        # Truncation past 256 KiB (only reachable with AWS's limits lifted).
        wf = compile_wf(aslc, d, "big", {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
        big = json.dumps({"s": "\u00e9" * 200000})
        p = run(wf, big, "--history", hist, env={"ASL_PAYLOAD_LIMIT": "off"})
        ev = events(hist)
        st = ev[0]["executionStartedEventDetails"]
        check(p.returncode == 0 and st["inputDetails"] == {"truncated": True}
              and len(st["input"].encode()) <= 256 * 1024 and len(st["input"].encode()) > 256 * 1024 - 4,
              "a payload past 256 KiB is cut there, on a character boundary, truncated: true")
        p = run(wf, '{"s":"x"}', "--history", hist)
        check(events(hist)[0]["executionStartedEventDetails"]["inputDetails"] == {"truncated": False},
              "a small payload is whole, truncated: false")
        check(json.loads(events(hist)[1]["stateEnteredEventDetails"]["input"]) == {"s": "x"},
              "payloads are JSON text")

        # An unwritable history file: exit 3, with the output still written.
        p = run(wf, '{}', "--history", os.path.join(d, "no", "such", "dir", "h.jsonl"))
        check(p.returncode == 3 and b"cannot write the history" in p.stderr,
              "an unwritable history file exits 3", p.stderr)

        # --bench with --history: the last execution's events.
        p = run(wf, '{}', "--bench", "20", "--history", hist)
        ev = events(hist)
        check(p.returncode == 0 and [e["type"] for e in ev] ==
              ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"],
              "--bench with --history keeps one execution's events", p.stderr)

        # Worker threads: ids once each and in order; previousEventIds point back.
        wf = compile_wf(aslc, d, "threads", {"StartAt": "M", "States": {"M": {
            "Type": "Map", "ItemsPath": "$.a", "End": True,
            "ItemProcessor": {"StartAt": "W", "States": {
                "W": {"Type": "Wait", "Seconds": 1, "Next": "P"},
                "P": {"Type": "Parallel", "End": True, "Branches": [
                    {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 1, "End": True}}},
                    {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": True}}}]}}}}}})
        items = json.dumps({"a": list(range(40))})
        p = run(wf, items, "--time-scale", "0.001", "--history", hist, env={"ASL_ENGAGE_US": "0"})
        ev = events(hist)
        ids = [e["id"] for e in ev]
        check(p.returncode == 0 and ids == list(range(1, len(ev) + 1)), "ids 1..N in file order")
        check(all(e["previousEventId"] < e["id"] for e in ev), "every previousEventId is earlier")
        counts = {}
        for e in ev:
            counts[e["type"]] = counts.get(e["type"], 0) + 1
        check(counts.get("MapIterationSucceeded") == 40 and counts.get("ParallelStateSucceeded") == 40
              and counts.get("WaitStateEntered") == 80 and counts.get("PassStateExited") == 40,
              "every iteration's and branch's events are there", counts)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
