#!/usr/bin/env python3
"""check_serve_once.py — what `aslc serve` promises a Standard execution
beyond resuming a Wait (docs/serve.md, "History and durability"), driven by
boto3:

  - a Task running when the server is killed (-9) is not called again by
    the restart: the resumed execution records its attempt as TaskFailed
    (States.TaskFailed, a cause saying the server stopped), which a Catch
    takes; with a Retry on that error the Task is called once more.  The
    handler (a command appending its input to a file) shows how many
    calls there were: one, and two with the Retry; the histories have each
    event once (TaskScheduled once before the crash, kept), ids 1..n;
  - two state machines' executions of the same name have different
    .waitForTaskToken tokens, and each token reaches its own execution;
  - a Standard execution whose output is over 256 KiB is FAILED with
    States.DataLimitExceeded, and its history ends with ExecutionFailed
    saying the same (not ExecutionSucceeded).

Exit 0 when every check holds, 1 otherwise, 77 (skipped) without boto3.

    tests/check_serve_once.py --aslc build/aslc
"""

import argparse
import json
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import boto3_or_skip, Checks, fake_aws, start_server, wait_end  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/q"
HANDLER_S = 4      # how long the handler runs: the server is killed meanwhile

# the handler: its input appended to the log, a line per call, then a pause
HANDLER = """#!/bin/sh
input=$(cat)
echo "$input" >> "%s"
sleep %d
echo '{"sent": true}'
"""


def work(**extra):
    return json.dumps({"StartAt": "Work", "States": {
        "Work": dict({"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                      "Parameters": {"QueueUrl": QUEUE, "MessageBody.$": "$.label"}}, **extra),
        "Recovered": {"Type": "Pass", "End": True}}})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    args = ap.parse_args()
    if not boto3_or_skip():
        return 77
    check = Checks()

    def types(sfn, arn):
        return [e["type"] for e in sfn.get_execution_history(executionArn=arn,
                                                             maxResults=1000)["events"]]

    def history_whole(sfn, arn, label):
        h = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        check(label + ": ids 1..n, each previousEventId an earlier one",
              [e["id"] for e in h] == list(range(1, len(h) + 1)) and
              all(0 <= e["previousEventId"] < e["id"] for e in h),
              [(e["id"], e["previousEventId"], e["type"]) for e in h])
        return h

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "serve.db")
        log = os.path.join(tmp, "calls.log")
        handler = os.path.join(tmp, "send.sh")
        with open(handler, "w") as f:
            f.write(HANDLER % (log, HANDLER_S))
        os.chmod(handler, 0o755)
        resources = os.path.join(tmp, "resources.json")
        # the SQS the callback Tasks send their token to before they wait
        fake, fake_env, _ = fake_aws(tmp)
        with open(resources, "w") as f:
            json.dump({"arn:aws:states:::sqs:sendMessage": {"command": [handler]}}, f)

        server, sfn, _ = start_server(args.aslc, db, "--resources", resources, env=fake_env)
        try:
            # ---- item 4: tokens of two machines' executions of one name
            tok = {}
            for m in ("tok_a", "tok_b"):
                arn = sfn.create_state_machine(name=m, roleArn=ROLE, definition=json.dumps(
                    {"StartAt": "T", "States": {"T": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "Parameters": {"QueueUrl": QUEUE,
                                       "MessageBody": {"token.$": "$$.Task.Token"}},
                        "End": True}}}))["stateMachineArn"]
                ex = sfn.start_execution(stateMachineArn=arn, name="same")["executionArn"]
                det = None
                deadline = time.time() + 20
                while det is None and time.time() < deadline:
                    for e in sfn.get_execution_history(executionArn=ex)["events"]:
                        if e["type"] == "TaskScheduled":
                            det = e["taskScheduledEventDetails"]
                    time.sleep(0.05)
                tok[m] = (ex, json.loads(det["parameters"])["MessageBody"]["token"])
            check("two machines' executions named alike: different task tokens",
                  tok["tok_a"][1] != tok["tok_b"][1], tok)
            sfn.send_task_success(taskToken=tok["tok_b"][1], output='{"who": "b"}')
            sfn.send_task_success(taskToken=tok["tok_a"][1], output='{"who": "a"}')
            outs = {m: wait_end(sfn, tok[m][0]) for m in tok}
            check("each token reaches its own execution",
                  all(outs[m]["status"] == "SUCCEEDED" for m in outs) and
                  json.loads(outs["tok_a"]["output"]) == {"who": "a"} and
                  json.loads(outs["tok_b"]["output"]) == {"who": "b"}, outs)

            # ---- item 5: an output over 256 KiB
            big = sfn.create_state_machine(name="big", roleArn=ROLE, definition=json.dumps(
                {"StartAt": "Double", "States": {"Double": {
                    "Type": "Pass", "Parameters": {"a.$": "$.s", "b.$": "$.s"},
                    "End": True}}}))["stateMachineArn"]
            ex = sfn.start_execution(stateMachineArn=big,
                                     input=json.dumps({"s": "x" * 200000}))["executionArn"]
            d = wait_end(sfn, ex)
            h = sfn.get_execution_history(executionArn=ex, reverseOrder=True,
                                          maxResults=1)["events"][0]
            check("an output over 256 KiB: FAILED, States.DataLimitExceeded",
                  d["status"] == "FAILED" and d.get("error") == "States.DataLimitExceeded", d)
            check("... and its history ends with ExecutionFailed saying so",
                  h["type"] == "ExecutionFailed" and
                  h["executionFailedEventDetails"]["error"] == "States.DataLimitExceeded",
                  h["type"])
            caught = sfn.create_state_machine(name="caught", roleArn=ROLE, definition=work(
                Catch=[{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error",
                        "Next": "Recovered"}], End=True))["stateMachineArn"]
            retried = sfn.create_state_machine(name="retried", roleArn=ROLE, definition=work(
                Retry=[{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1,
                        "MaxAttempts": 1}], ResultPath="$.r", End=True))["stateMachineArn"]
            ex_c = sfn.start_execution(stateMachineArn=caught,
                                       input='{"label": "catch-me"}')["executionArn"]
            ex_r = sfn.start_execution(stateMachineArn=retried,
                                       input='{"label": "retry-me"}')["executionArn"]
            deadline = time.time() + 30
            while time.time() < deadline and not all(
                    "TaskStarted" in types(sfn, a) for a in (ex_c, ex_r)):
                time.sleep(0.05)
            before_c = types(sfn, ex_c)
            check("both Tasks started before the kill",
                  before_c[-1] == "TaskStarted" and types(sfn, ex_r)[-1] == "TaskStarted",
                  (before_c, types(sfn, ex_r)))

        finally:
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)

        killed = time.time()
        time.sleep(0.3)
        server, sfn, _ = start_server(args.aslc, db, "--resources", resources, env=fake_env)
        try:
            d = wait_end(sfn, ex_c, limit=30)
            out = json.loads(d.get("output") or "{}")
            check("the running Task is not called again: States.TaskFailed, caught",
                  d["status"] == "SUCCEEDED" and
                  out.get("error", {}).get("Error") == "States.TaskFailed" and
                  "stopped" in out.get("error", {}).get("Cause", ""), d)
            h = history_whole(sfn, ex_c, "caught")
            check("caught: the attempt recorded once, its TaskFailed after the restart",
                  [e["type"] for e in h] ==
                  ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                   "TaskFailed", "TaskStateExited", "PassStateEntered", "PassStateExited",
                   "ExecutionSucceeded"], [e["type"] for e in h])
            d = wait_end(sfn, ex_r, limit=30)
            check("with a Retry on States.TaskFailed the Task is called again and succeeds",
                  d["status"] == "SUCCEEDED" and
                  json.loads(d["output"]).get("r") == {"sent": True}, d)
            t = [e["type"] for e in history_whole(sfn, ex_r, "retried")]
            check("retried: TaskScheduled twice (before and after), TaskFailed once",
                  t.count("TaskScheduled") == 2 and t.count("TaskFailed") == 1 and
                  t.count("TaskSucceeded") == 1 and t.count("TaskStateEntered") == 1, t)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        # the handler of the killed server's binary runs to its end
        time.sleep(max(0.0, killed + HANDLER_S + 1 - time.time()))
        with open(log) as f:
            calls = [l.strip() for l in f if l.strip()]
        check("the handler's calls: once for the caught Task, twice with the Retry",
              sum('"catch-me"' in c for c in calls) == 1 and
              sum('"retry-me"' in c for c in calls) == 2, calls)
        fake.stdin.close()
        fake.wait(timeout=10)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
