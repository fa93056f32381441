#!/usr/bin/env python3
"""check_linked.py — aslc --link ARN=FILE beyond what a golden case shows.

    tests/check_linked.py --aslc build/aslc --backend c|llvm

Checks that:
- linked machines that start each other (A -> B -> A) are refused with a
  diagnostic naming the cycle, and no output is written; one that starts
  itself by an ARN computed at run time fails at a depth of 10;
- a malformed --link (no FILE, an ARN that is not a state machine's, one with
  a version) and an ARN given twice are refused (exit 2);
- a linked definition's own errors are reported against its file;
- a plain startExecution of a linked machine returns at once and the binary
  waits for the child before it exits (the child's command handler, which
  sleeps, has written its file when the binary is done);
- precedence: --mocks beats the link (the child does not run), and so does a
  resources-file binding of the resource; the link beats the real service
  (no AWS client linked: no asl_aws_sdk_call in the binary);
- --history: the parent's Task has TaskScheduled, TaskStarted, TaskSubmitted
  (the StartExecution answer) and TaskSucceeded, of resourceType "states"
  and resource "startExecution.sync".
Exit 0 when all hold, 1 otherwise; 77 (skipped) without nm.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

A = "arn:aws:states:us-east-1:123456789012:stateMachine:A"
B = "arn:aws:states:us-east-1:123456789012:stateMachine:B"


def start(arn, suffix=".sync", nxt=None, **extra):
    st = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution" + suffix,
          "Parameters": {"StateMachineArn": arn, "Input": {"n": 1}}}
    st.update(extra)
    if nxt:
        st["Next"] = nxt
    else:
        st["End"] = True
    return st


def machine(states, first):
    return {"StartAt": first, "States": states}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--backend", default="c")
    args = ap.parse_args()
    if not shutil.which("nm"):
        print("SKIP: no nm")
        return 77
    aslc = os.path.abspath(args.aslc)
    work = tempfile.mkdtemp(prefix="asllinked.")
    problems = []

    def write(name, value):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            if isinstance(value, str):
                f.write(value)
            else:
                json.dump(value, f, indent=1)
        return path

    def compile_(defn, *extra):
        exe = os.path.join(work, "wf")
        if os.path.exists(exe):
            os.unlink(exe)
        p = subprocess.run([aslc, defn, "-o", exe, "--backend=" + args.backend] + list(extra),
                           capture_output=True, text=True, timeout=300)
        return p, exe

    def run(exe, *extra, inp='{"n": 1}'):
        env = dict(os.environ, ASL_TIME_SCALE="0")
        return subprocess.run([exe, "--input", inp] + list(extra), capture_output=True, text=True,
                              timeout=120, env=env, cwd=work)

    try:
        # ---- a cycle --------------------------------------------------------------
        parent = write("parent.json", machine({"S": start(A)}, "S"))
        a = write("a.json", machine({"S": start(B)}, "S"))
        b = write("b.json", machine({"S": start(A + ":3")}, "S"))
        p, exe = compile_(parent, "--link", A + "=" + a, "--link", B + "=" + b)
        if p.returncode != 1 or "cycle" not in p.stderr or A not in p.stderr or os.path.exists(exe):
            problems.append("cycle: expected exit 1, a diagnostic naming the cycle and no output; "
                            "got exit %d:\n%s" % (p.returncode, p.stderr))

        # ---- a cycle only known at run time: cut at a depth ------------------------------
        selfie = write("self.json", machine({"S": {
            "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
            "Parameters": {"StateMachineArn.$": "$.me", "Input.$": "$"}, "End": True}}, "S"))
        p, exe = compile_(selfie, "--link", A + "=" + selfie)
        r = run(exe, inp=json.dumps({"me": A})) if p.returncode == 0 else None
        if not r or r.returncode != 1 or "more than 10 deep" not in r.stderr:
            problems.append("a run-time cycle: expected a failure naming the depth, got %s"
                            % ((r.stderr[:300] if r else p.stderr)))

        # ---- malformed options ----------------------------------------------------
        for bad in (["--link", A], ["--link", "arn:aws:lambda:us-east-1:1:function:f=" + a],
                    ["--link", A + ":1=" + a], ["--link", A + "=" + a, "--link", A + "=" + b]):
            p, exe = compile_(parent, *bad)
            if p.returncode != 2 or "--link" not in p.stderr:
                problems.append("%s: expected exit 2 naming --link, got %d:\n%s"
                                % (" ".join(bad), p.returncode, p.stderr))

        # ---- the linked definition's own errors -------------------------------------
        broken = write("broken.json", {"StartAt": "Nowhere", "States": {"P": {"Type": "Pass", "End": True}}})
        p, exe = compile_(parent, "--link", A + "=" + broken)
        if p.returncode != 1 or "broken.json:" not in p.stderr or os.path.exists(exe):
            problems.append("a broken linked definition: expected exit 1 with broken.json's "
                            "diagnostic, got %d:\n%s" % (p.returncode, p.stderr))

        # ---- a plain start is waited for ------------------------------------------
        mark = os.path.join(work, "child-ran")
        child = write("child.json", machine({"Work": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                                                      "End": True}}, "Work"))
        res = write("res.json", {"arn:aws:states:::sqs:sendMessage": {
            "command": ["sh", "-c", "sleep 1; echo ran > '%s'; echo '{}'" % mark]}})
        plain = write("plain.json", machine({"S": start(A, "", ResultSelector={"arn.$": "$.ExecutionArn"})}, "S"))
        p, exe = compile_(plain, "--link", A + "=" + child, "--resources", res)
        if p.returncode != 0:
            problems.append("plain start: compile failed:\n%s" % p.stderr)
        else:
            r = run(exe)
            if r.returncode != 0 or not json.loads(r.stdout or "{}").get("arn", "").startswith(
                    "arn:aws:states:us-east-1:123456789012:execution:A:"):
                problems.append("plain start: exit %d, %r %r" % (r.returncode, r.stdout, r.stderr))
            if not os.path.exists(mark):
                problems.append("plain start: the binary exited before its child ended")
            out = subprocess.run(["nm", exe], capture_output=True, text=True).stdout
            # defined (T), not the weak reference task.c makes to it, which a
            # binary linked without -static (the sanitizers) lists as "w"
            if any(ln.split()[-2:] == ["T", "asl_aws_sdk_call"] for ln in out.splitlines()):
                problems.append("a linked ARN given as a constant should not link the AWS client")

        # ---- precedence ---------------------------------------------------------------
        os.path.exists(mark) and os.unlink(mark)
        sync = write("sync.json", machine({"S": start(A)}, "S"))
        mocks = write("mocks.json", {"S": [{"mocked": True}]})
        p, exe = compile_(sync, "--link", A + "=" + child, "--resources", res, "--mocks", mocks)
        r = run(exe) if p.returncode == 0 else None
        if not r or r.returncode != 0 or json.loads(r.stdout or "null") != {"mocked": True} or os.path.exists(mark):
            problems.append("--mocks must win over --link: %s" % (r.stdout + r.stderr if r else p.stderr))
        res2 = write("res2.json", {"arn:aws:states:::states:startExecution.sync": {
            "command": ["sh", "-c", "echo '{\"bound\": true}'"]}})
        p, exe = compile_(sync, "--link", A + "=" + child, "--resources", res2)
        r = run(exe) if p.returncode == 0 else None
        if not r or r.returncode != 0 or json.loads(r.stdout or "null") != {"bound": True}:
            problems.append("a resources binding must win over --link: %s" % (r.stdout + r.stderr if r else p.stderr))

        # ---- history ---------------------------------------------------------------------
        quick = write("quick.json", machine({"P": {"Type": "Pass", "End": True}}, "P"))
        p, exe = compile_(sync, "--link", A + "=" + quick)
        hist = os.path.join(work, "h.jsonl")
        r = run(exe, "--history", hist) if p.returncode == 0 else None
        if not r or r.returncode != 0:
            problems.append("history run failed: %s" % (r.stderr if r else p.stderr))
        else:
            with open(hist) as f:
                events = [json.loads(l) for l in f if l.strip()]
            types = [e["type"] for e in events]
            want = ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
            got = [t for t in types if t.startswith("Task") and not t.startswith("TaskState")]
            if got != want:
                problems.append("history: expected %s, got %s" % (want, got))
            for e in events:
                d = next((v for k, v in e.items() if k.endswith("EventDetails")), {})
                if e["type"] in want and (d.get("resourceType"), d.get("resource")) != ("states", "startExecution.sync"):
                    problems.append("history: %s names %r %r" % (e["type"], d.get("resourceType"), d.get("resource")))
            sub = next((e for e in events if e["type"] == "TaskSubmitted"), None)
            if sub and sorted(json.loads(sub["taskSubmittedEventDetails"]["output"])) != ["ExecutionArn", "StartDate"]:
                problems.append("history: TaskSubmitted's output is not StartExecution's answer: %r" % sub)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for pr in problems:
        print("FAIL: " + pr)
    if not problems:
        print("PASS check_linked [%s] (cycle, options, errors, plain start waited for, precedence, history)"
              % args.backend)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
