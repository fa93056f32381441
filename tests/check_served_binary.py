#!/usr/bin/env python3
"""check_served_binary.py — the binary's side of `aslc serve`'s channel
(runtime/served.c), without the server, for both back ends: a definition
compiled with --served is run with ASL_SERVE_FD on a socketpair, this script
acknowledging each event as the server does;

  - every event comes as "E <json>" (a unit's "U <key> <json>") with ids 1..n, each top-level
    StateEntered preceded by a "C <checkpoint>" with the state's name, input,
    variables and previousEventId;
  - the binary waits for each acknowledgement: while one is held back, no
    further event comes and the process has not ended;
  - run again with --resume (the checkpoint of the last state, as the server
    writes it), it continues there: the same output, the events after that
    StateEntered with the same ids and types, none before;
  - a binary whose channel is closed stops at its next event with status 75;
  - resumed in a Task state with a recorded attempt ("replay"), the Task is
    not called: a recorded success goes on as its result, a recorded
    failure to the Catch, an attempt with no outcome fails with
    States.TaskFailed (a TaskFailed event, the Catch takes it);
  - the failures a Retry took before the restart count: its attempts are
    not made again;
  - resumed in a Wait, it ends when the Wait would have: counted from its
    recorded entry (entered_time), not from the server's plan (waited);
  - resumed in a Parallel with a finished branch ("fan"), only the other
    branch runs: its Task is called, the finished one's is not, the output
    has both results, no ParallelStateStarted is written again;
  - resumed in a Parallel with a branch that was running ("fan"'s "live":
    its recorded events), that branch replays them: a recorded
    TaskSucceeded's output is its Task's result (not called), an attempt
    with no outcome fails with States.TaskFailed; the new events go on
    after its last recorded one, none of those written again.

    tests/check_served_binary.py --aslc build/aslc
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import Checks  # noqa: E402

DEFINITION = {
    "StartAt": "Remember",
    "States": {
        "Remember": {"Type": "Pass", "Assign": {"who.$": "$$.Execution.Input.name"}, "Result": {"n": 1},
                     "Next": "Count"},
        "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"},
                  "Assign": {"seen.$": "$.n"}, "Next": "Answer"},
        "Answer": {"Type": "Pass", "Parameters": {"who.$": "$who", "seen.$": "$seen",
                                                  "n.$": "$.n"}, "End": True},
    },
}


TASKS = {
    "StartAt": "Work",
    "States": {
        "Work": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                 "Parameters": {"label": "work"}, "Next": "Done",
                 "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                            "Next": "Caught"}]},
        "Caught": {"Type": "Pass", "End": True},
        "Done": {"Type": "Pass", "End": True},
    },
}

# the same Task with a Retry of one attempt on Boom
RETRIED = json.loads(json.dumps(TASKS))
RETRIED["States"]["Work"]["Retry"] = [{"ErrorEquals": ["Boom"], "MaxAttempts": 1,
                                       "IntervalSeconds": 1}]

FAN = {
    "StartAt": "Both",
    "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Task", "End": True,
                                          "Resource": "arn:aws:states:::sqs:sendMessage",
                                          "Parameters": {"label": "a"}}}},
        {"StartAt": "B", "States": {"B": {"Type": "Task", "End": True,
                                          "Resource": "arn:aws:states:::sqs:sendMessage",
                                          "Parameters": {"label": "b"}}}}]}},
}

# a Wait resumed after a restart ends when it would have: counted from its
# recorded entry, not from when the server planned the resume
WAITING = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3, "End": True}}}

# the handler: its input appended to the log, and answered
HANDLER = """#!/bin/sh
input=$(cat)
echo "$input" >> "%s"
echo "$input"
"""


def run(binary, inp, args=(), hold=None, close_at=None):
    """Runs binary on a channel; returns (status, output, events, checkpoints).
    hold: an event id whose acknowledgement waits 0.5 s (checked: nothing
    more meanwhile); close_at: the channel is closed at that event."""
    ours, theirs = socket.socketpair()
    env = dict(os.environ, ASL_SERVE_FD=str(theirs.fileno()), ASL_SERVE_DURABLE="1")
    p = subprocess.Popen([binary] + list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, pass_fds=(theirs.fileno(),))
    theirs.close()
    p.stdin.write(inp.encode())
    p.stdin.close()
    events, checkpoints, buf, held_ok = [], [], b"", True
    f = ours.makefile("rb")
    for line in f:
        kind, text = line[:1], line[2:].decode()
        if kind == b"C":
            checkpoints.append((len(events), json.loads(text)))
        elif kind == b"F":
            ours.sendall(b"A\n")   # a fan-out's run failed: acknowledged, as the server does
        elif kind in (b"E", b"U", b"V"):
            # "U <unit> <event>": a branch's or iteration's; "V": a child
            # execution's (not the history's, numbered apart)
            if kind != b"E":
                text = text.split(" ", 1)[1]
            ev = json.loads(text)
            if kind == b"V":
                ours.sendall(b"A\n")
                continue
            events.append(ev)
            if close_at == ev["id"]:
                f.close()       # (the file keeps the socket open otherwise)
                ours.close()
                break
            if hold == ev["id"]:
                ours.settimeout(0.5)
                try:
                    more = ours.recv(1, socket.MSG_PEEK)
                    held_ok = False if more else held_ok
                except socket.timeout:
                    pass
                held_ok = held_ok and p.poll() is None
                ours.settimeout(None)
            ours.sendall(b"A\n")
    out, err = p.stdout.read(), p.stderr.read()
    p.wait(timeout=30)
    try:
        ours.close()
    except OSError:
        pass
    return p.returncode, out.decode(), events, checkpoints, held_ok, err.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    args = ap.parse_args()
    check = Checks()

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "wf.json")
        with open(src, "w") as f:
            json.dump(DEFINITION, f)
        for backend in ("c", "llvm"):
            binary = os.path.join(tmp, "wf-" + backend)
            r = subprocess.run([args.aslc, src, "-o", binary, "--served", "--backend=" + backend],
                               capture_output=True, text=True)
            if r.returncode != 0:
                check(backend + ": compiles with --served", False, r.stderr)
                continue
            inp = '{"name": "ann"}'
            status, out, events, cps, held_ok, err = run(binary, inp, hold=4)
            want = {"who": "ann", "seen": 2, "n": 2}
            check(backend + ": served run's output", status == 0 and json.loads(out) == want,
                  (status, out, err))
            check(backend + ": events 1..n in order",
                  [e["id"] for e in events] == list(range(1, len(events) + 1)),
                  [e["id"] for e in events])
            check(backend + ": a checkpoint before each top-level StateEntered",
                  [(events[i]["type"], c["state"]) for i, c in cps] ==
                  [("PassStateEntered", "Remember"), ("PassStateEntered", "Count"),
                   ("PassStateEntered", "Answer")], cps)
            check(backend + ": nothing goes on while an event waits for its acknowledgement",
                  held_ok)
            at, cp = cps[-1]
            check(backend + ": the checkpoint has the state's input and the variables",
                  json.loads(json.dumps(cp["input"])) == {"n": 2} and
                  cp["vars"] == {"who": "ann", "seen": 2} and
                  cp["prev"] == events[at]["previousEventId"], cp)
            # resume at Answer, as the server does after a restart
            resume = dict(cp, entered=events[at]["id"], last=events[at]["id"], waited=0)
            rf = os.path.join(tmp, "resume.json")
            with open(rf, "w") as f:
                json.dump(resume, f)
            status, out2, ev2, cps2, _, err = run(binary, inp, args=("--resume", rf))
            check(backend + ": resumed at Answer: the same output",
                  status == 0 and json.loads(out2) == want, (status, out2, err))
            strip = lambda evs: [(e["id"], e["previousEventId"], e["type"]) for e in evs]
            check(backend + ": resumed: the events after its StateEntered, same ids and types",
                  strip(ev2) == strip(events[at + 1:]) and not cps2, (strip(ev2), cps2))
            status, _, ev3, _, _, _ = run(binary, inp, close_at=3)
            check(backend + ": a closed channel stops the binary at its next event (75)",
                  status == 75 and len(ev3) == 3, (status, len(ev3)))
            replays(args.aslc, tmp, backend, check)
    return check.summary()


def replays(aslc, tmp, backend, check):
    """The "replay" and "fan" parts of a checkpoint (aslc serve's restart)."""
    log = os.path.join(tmp, "calls-" + backend)
    handler = os.path.join(tmp, "send.sh")
    with open(handler, "w") as f:
        f.write(HANDLER % log)
    os.chmod(handler, 0o755)
    res = os.path.join(tmp, "res.json")
    with open(res, "w") as f:
        json.dump({"arn:aws:states:::sqs:sendMessage": {"command": [handler]}}, f)

    def build(defn, name):
        src = os.path.join(tmp, name + ".json")
        with open(src, "w") as f:
            json.dump(defn, f)
        binary = os.path.join(tmp, name + "-" + backend)
        r = subprocess.run([aslc, src, "-o", binary, "--served", "--backend=" + backend,
                            "--resources", res], capture_output=True, text=True)
        return binary if r.returncode == 0 else None

    def calls():
        if not os.path.exists(log):
            return []
        with open(log) as f:
            return [json.loads(l)["label"] for l in f if l.strip()]

    def resume_with(binary, cp):
        rf = os.path.join(tmp, "cp.json")
        with open(rf, "w") as f:
            json.dump(cp, f)
        return run(binary, "{}", args=("--resume", rf))

    waiting = build(WAITING, "waiting")
    if waiting:
        # entered 2 s ago, planned (waited 1 s) 1 s ago: 1 s is left, not 2
        t0 = time.time()
        entered = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 - 2)) + \
            ".%03dZ" % int((t0 - 2) % 1 * 1000)
        status, out, evs, _, _, err = resume_with(waiting, {
            "state": "Nap", "input": {"w": 1}, "vars": {}, "prev": 1, "entered": 2, "last": 2,
            "waited": 1, "entered_time": entered})
        took = time.time() - t0
        check(backend + ": a resumed Wait ends when it would have, counted from its recorded "
              "entry (%.2f s left of 3, not 2)" % took,
              status == 0 and json.loads(out) == {"w": 1} and 0.8 <= took < 1.6 and
              [e["type"] for e in evs] == ["WaitStateExited", "ExecutionSucceeded"],
              (status, out, err, took, [e["type"] for e in evs]))
    else:
        check(backend + ": a Wait workflow compiles with --served", False)
    tasks = build(TASKS, "tasks")
    if not tasks:
        check(backend + ": a Task workflow compiles with --served", False)
        return
    # events 1 ExecutionStarted, 2 TaskStateEntered, 3 TaskScheduled, 4 TaskStarted
    base = {"state": "Work", "input": {}, "vars": {}, "prev": 1, "entered": 2, "last": 4,
            "waited": 0}
    for outcome, replay, want, first in (
            ("a recorded success", {"outcome": "succeeded", "output": '{"r": 7}'},
             {"r": 7}, "TaskStateExited"),
            ("a recorded failure", {"outcome": "failed", "error": "Boom", "cause": "c"},
             {"error": {"Error": "Boom", "Cause": "c"}}, "TaskStateExited"),
            ("an attempt with no outcome", {"outcome": "started"}, None, "TaskFailed")):
        before = len(calls())
        status, out, evs, _, _, err = resume_with(tasks, dict(base, replay=replay))
        got = json.loads(out) if status == 0 and out.strip() else None
        if want is None:
            ok = got is not None and got.get("error", {}).get("Error") == "States.TaskFailed" \
                and "stopped" in got["error"].get("Cause", "")
        else:
            ok = got == want
        check(backend + ": resumed with " + outcome + ": not called, the outcome goes on",
              ok and len(calls()) == before, (status, out, err, calls()))
        check(backend + ": ... its first event " + first + ", id 5 after 4",
              bool(evs) and (evs[0]["type"], evs[0]["id"], evs[0]["previousEventId"]) ==
              (first, 5, 4) and "TaskScheduled" not in [e["type"] for e in evs],
              [(e["id"], e["previousEventId"], e["type"]) for e in evs])

    retried = build(RETRIED, "retried")
    if retried:
        # before the restart: a Boom the Retry took, then a Boom again (6, 7: the
        # second attempt's TaskScheduled and TaskStarted, 8 its TaskFailed)
        before = len(calls())
        status, out, evs, _, _, err = resume_with(retried, dict(
            base, last=8, replay={"outcome": "failed", "error": "Boom", "cause": "c",
                                  "retried": ["Boom"]}))
        check(backend + ": resumed after a retried failure: the Retry's attempt is used up",
              status == 0 and json.loads(out).get("error", {}).get("Error") == "Boom" and
              len(calls()) == before, (status, out, err, calls()))
    else:
        check(backend + ": a Task workflow with a Retry compiles with --served", False)

    fan = build(FAN, "fan")
    if not fan:
        check(backend + ": a Parallel workflow compiles with --served", False)
        return
    # 1 ExecutionStarted, 2 ParallelStateEntered, 3 ParallelStateStarted, branch a's
    # 4 TaskStateEntered .. 8 TaskStateExited
    before = calls()
    status, out, evs, _, _, err = resume_with(fan, {
        "state": "Both", "input": {}, "vars": {}, "prev": 1, "entered": 2, "last": 8,
        "waited": 0, "fan": {"started": 3, "cursor": 8,
                             "done": [{"index": 0, "result": {"label": "a"}}]}})
    check(backend + ": resumed in a Parallel: the finished branch's result, the other run",
          status == 0 and json.loads(out) == [{"label": "a"}, {"label": "b"}] and
          calls()[len(before):] == ["b"], (status, out, err, calls()[len(before):]))
    types = [e["type"] for e in evs]
    check(backend + ": ... no ParallelStateStarted again, the branch's events from id 9 on",
          "ParallelStateStarted" not in types and evs and evs[0]["id"] == 9 and
          evs[0]["previousEventId"] == 3 and types.count("TaskScheduled") == 1,
          [(e["id"], e["previousEventId"], e["type"]) for e in evs])

    # branch b was running: 9 its TaskStateEntered, 10 TaskScheduled, 11
    # TaskStarted, (12 TaskSucceeded)
    def ev(i, prev, type_, **details):
        e = {"id": i, "previousEventId": prev, "type": type_}
        e.update(details)
        return e
    recorded = [ev(9, 3, "TaskStateEntered", stateEnteredEventDetails={"name": "B"}),
                ev(10, 9, "TaskScheduled"), ev(11, 10, "TaskStarted")]
    for label, events, last in (
            ("a recorded success", recorded + [ev(12, 11, "TaskSucceeded", taskSucceededEventDetails={
                "output": '{"label": "b-before"}'})], 12),
            ("an attempt with no outcome", recorded, 11)):
        before = calls()
        status, out, evs, _, _, err = resume_with(fan, {
            "state": "Both", "input": {}, "vars": {}, "prev": 1, "entered": 2, "last": last,
            "waited": 0, "fan": {"started": 3, "cursor": last,
                                 "done": [{"index": 0, "result": {"label": "a"}}],
                                 "live": [{"key": "/3.1", "events": events, "waited": 0}]}})
        types = [e["type"] for e in evs]
        if last == 12:
            ok = status == 0 and json.loads(out) == [{"label": "a"}, {"label": "b-before"}]
            first = "TaskStateExited"
        else:
            ok = status != 0 and "States.TaskFailed" in err
            first = "TaskFailed"
        check(backend + ": a running branch resumed with " + label + ": not called, it goes on",
              ok and calls()[len(before):] == [], (status, out, err, calls()[len(before):]))
        check(backend + ": ... its recorded events not written again, the next " + first +
              " after them",
              bool(evs) and (evs[0]["type"], evs[0]["id"], evs[0]["previousEventId"]) ==
              (first, last + 1, last) and "TaskScheduled" not in types and
              "TaskStateEntered" not in types,
              [(e["id"], e["previousEventId"], e["type"]) for e in evs])


if __name__ == "__main__":
    sys.exit(main())
