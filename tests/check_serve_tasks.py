#!/usr/bin/env python3
"""check_serve_tasks.py — callback Tasks and activities in `aslc serve`
(docs/serve.md), driven by boto3 as a worker drives Step Functions:

  - activities: CreateActivity (the same name again: the same ARN),
    DescribeActivity, ListActivities, DeleteActivity (then
    ActivityDoesNotExist); a Task whose Resource is the activity's ARN is
    handed to one worker by GetActivityTask (with the Task's input), takes a
    SendTaskHeartbeat, and ends with the worker's SendTaskSuccess output;
    its history has ActivityScheduled, ActivityStarted (the workerName) and
    ActivitySucceeded;
    the token used again is TaskTimedOut; GetActivityTask of no task left
    waits and answers no token;
  - .waitForTaskToken: the token ($$.Task.Token in the Task's parameters,
    read from the TaskScheduled event) fails the execution with
    SendTaskFailure's error and cause;
  - HeartbeatSeconds: a worker that sends no heartbeat fails the Task with
    States.HeartbeatTimeout; TimeoutSeconds: States.Timeout; a late
    SendTaskSuccess is TaskTimedOut;
  - a malformed token is InvalidToken, an unknown one TaskDoesNotExist,
    output that is not JSON InvalidOutput;
  - a .waitForTaskToken Task waiting when the server is killed (-9) waits
    again after the restart, for the same token, and its history has each
    event once.

Exit 0 when every check holds, 1 otherwise, 77 (skipped) without boto3.

    tests/check_serve_tasks.py --aslc build/aslc
"""

import json
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import (aws_calls, begin, fake_aws, wait_end,  # noqa: E402
                          start_server as common_start_server)


def main():
    started = begin()
    if not started:
        return 77
    args, check, code_of = started

    def scheduled(sfn, arn, limit=20):
        deadline = time.time() + limit
        while time.time() < deadline:
            for e in sfn.get_execution_history(executionArn=arn)["events"]:
                if e["type"] == "TaskScheduled":
                    return e["taskScheduledEventDetails"]
            time.sleep(0.05)
        return None

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "serve.db")

        # the SQS behind sqs:sendMessage.waitForTaskToken, which aslc serve calls
        fake, fake_env, calls = fake_aws(tmp)

        def start_server():
            return common_start_server(args.aslc, db, env=fake_env, read_timeout=90)[:2]

        server, sfn = start_server()
        role = "arn:aws:iam::123456789012:role/StepFunctionsRole"

        def machine(name, states):
            return sfn.create_state_machine(
                name=name, roleArn=role,
                definition=json.dumps({"StartAt": "T", "States": states}))["stateMachineArn"]

        try:
            # ---- activities
            act = sfn.create_activity(name="work")["activityArn"]
            check("create_activity", act == "arn:aws:states:us-east-1:123456789012:activity:work",
                  act)
            check("create_activity again: the same ARN",
                  sfn.create_activity(name="work")["activityArn"] == act)
            d = sfn.describe_activity(activityArn=act)
            check("describe_activity", d["name"] == "work" and d["activityArn"] == act, d)
            other = sfn.create_activity(name="gone")["activityArn"]
            names = [a["name"] for a in sfn.list_activities()["activities"]]
            check("list_activities", names == ["work", "gone"], names)
            sfn.delete_activity(activityArn=other)
            check("delete_activity, then describe_activity: ActivityDoesNotExist",
                  code_of(sfn.describe_activity, activityArn=other) == "ActivityDoesNotExist")
            check("get_activity_task of no activity: ActivityDoesNotExist",
                  code_of(sfn.get_activity_task, activityArn=other) == "ActivityDoesNotExist")

            sm = machine("worked", {"T": {"Type": "Task", "Resource": act, "HeartbeatSeconds": 5,
                                          "TimeoutSeconds": 60, "ResultPath": "$.done",
                                          "End": True}})
            ex = sfn.start_execution(stateMachineArn=sm, input='{"job": 7}')["executionArn"]
            t = sfn.get_activity_task(activityArn=act, workerName="w1")
            check("get_activity_task hands out the Task's input with a token",
                  json.loads(t.get("input", "null")) == {"job": 7} and t.get("taskToken"), t)
            sfn.send_task_heartbeat(taskToken=t["taskToken"])
            check("send_task_heartbeat: the execution still runs",
                  sfn.describe_execution(executionArn=ex)["status"] == "RUNNING")
            sfn.send_task_success(taskToken=t["taskToken"], output='{"ok": true}')
            d = wait_end(sfn, ex)
            check("send_task_success: the Task's result is the output",
                  d["status"] == "SUCCEEDED" and
                  json.loads(d["output"]) == {"job": 7, "done": {"ok": True}}, d)
            check("the same token again: TaskTimedOut",
                  code_of(sfn.send_task_success, taskToken=t["taskToken"], output="{}") ==
                  "TaskTimedOut")
            h = sfn.get_execution_history(executionArn=ex)["events"]
            types = [e["type"] for e in h]
            check("its history: ActivityScheduled, ActivityStarted, ActivitySucceeded",
                  types[2:5] == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"],
                  types)
            check("ActivityScheduled has the resource, input and heartbeat",
                  h[2]["activityScheduledEventDetails"]["resource"] == act and
                  json.loads(h[2]["activityScheduledEventDetails"]["input"]) == {"job": 7} and
                  h[2]["activityScheduledEventDetails"]["heartbeatInSeconds"] == 5, h[2])
            check("ActivityStarted names the worker",
                  h[3].get("activityStartedEventDetails", {}).get("workerName") == "w1", h[3])
            began = time.time()
            empty = sfn.get_activity_task(activityArn=act)
            check("get_activity_task with no task waits, then answers no token",
                  "taskToken" not in empty and time.time() - began >= 50, empty)

            # ---- HeartbeatSeconds
            hb = machine("hearts", {"T": {"Type": "Task", "Resource": act, "HeartbeatSeconds": 1,
                                          "End": True}})
            ex = sfn.start_execution(stateMachineArn=hb)["executionArn"]
            t = sfn.get_activity_task(activityArn=act)
            d = wait_end(sfn, ex)
            check("no heartbeat within HeartbeatSeconds: States.HeartbeatTimeout",
                  d["status"] == "FAILED" and d.get("error") == "States.HeartbeatTimeout", d)
            check("a late send_task_success: TaskTimedOut",
                  code_of(sfn.send_task_success, taskToken=t["taskToken"], output="{}") ==
                  "TaskTimedOut")

            # ---- .waitForTaskToken
            queue = "https://sqs.us-east-1.amazonaws.com/123456789012/q"
            cb = machine("callback", {"T": {
                "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}},
                "End": True}})
            ex = sfn.start_execution(stateMachineArn=cb)["executionArn"]
            det = scheduled(sfn, ex)
            token = json.loads(det["parameters"])["MessageBody"]["token"] if det else None
            check("the token is in the TaskScheduled parameters", bool(token), det)
            sent = aws_calls(calls, "sqs")
            check("the Task sent its SQS message, the token in it, before it waited",
                  len(sent) == 1 and sent[0]["call"] == "SendMessage" and
                  json.loads(sent[0]["body"]["MessageBody"]) == {"token": token}, sent)
            sfn.send_task_failure(taskToken=token, error="Oops", cause="the worker gave up")
            d = wait_end(sfn, ex)
            check("send_task_failure: the execution fails with its error and cause",
                  d["status"] == "FAILED" and d.get("error") == "Oops" and
                  d.get("cause") == "the worker gave up", d)

            late = machine("late", {"T": {
                "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "TimeoutSeconds": 1,
                "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}},
                "End": True}})
            ex = sfn.start_execution(stateMachineArn=late)["executionArn"]
            det = scheduled(sfn, ex)
            token = json.loads(det["parameters"])["MessageBody"]["token"]
            d = wait_end(sfn, ex)
            check("no callback within TimeoutSeconds: States.Timeout",
                  d["status"] == "FAILED" and d.get("error") == "States.Timeout", d)
            check("then send_task_success: TaskTimedOut",
                  code_of(sfn.send_task_success, taskToken=token, output="{}") == "TaskTimedOut")

            # ---- a call SQS refuses is the Task's failure (no wait)
            refused = machine("refused", {"T": {
                "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue, "DelaySeconds": 0}, "End": True}})
            ex = sfn.start_execution(stateMachineArn=refused)["executionArn"]
            d = wait_end(sfn, ex)
            check("a SendMessage SQS refuses fails the Task at once with SQS's error",
                  d["status"] == "FAILED" and d.get("error", "").startswith("SQS."), d)

            # ---- the errors of the token
            check("a malformed token: InvalidToken",
                  code_of(sfn.send_task_success, taskToken="not a token", output="{}") ==
                  "InvalidToken")
            check("an unknown token: TaskDoesNotExist",
                  code_of(sfn.send_task_heartbeat, taskToken="AAAA") == "TaskDoesNotExist")
            ex = sfn.start_execution(stateMachineArn=cb)["executionArn"]
            token = json.loads(scheduled(sfn, ex)["parameters"])["MessageBody"]["token"]
            check("output that is not JSON: InvalidOutput",
                  code_of(sfn.send_task_success, taskToken=token, output="{oops") ==
                  "InvalidOutput")
            sfn.send_task_success(taskToken=token, output='{"fine": 1}')
            d = wait_end(sfn, ex)
            check("send_task_success of a .waitForTaskToken Task",
                  d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"fine": 1}, d)

            # ---- a callback Task across kill -9 of the server
            ex = sfn.start_execution(stateMachineArn=cb, name="across")["executionArn"]
            token = json.loads(scheduled(sfn, ex)["parameters"])["MessageBody"]["token"]
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=30)
        server, sfn = start_server()
        try:
            # the resumed Task registers the same token again (it is made of the
            # execution's name and the Task's StateEntered id, both kept)
            code, deadline = "TaskDoesNotExist", time.time() + 20
            while code == "TaskDoesNotExist" and time.time() < deadline:
                code = code_of(sfn.send_task_success, taskToken=token, output='{"later": 2}')
                if code == "TaskDoesNotExist":
                    time.sleep(0.1)
            d = wait_end(sfn, ex)
            check("after kill -9 and a restart the token still reaches its Task",
                  code is None and d["status"] == "SUCCEEDED" and
                  json.loads(d["output"]) == {"later": 2}, (code, d))
            check("the resumed Task waits without sending its message again",
                  sum(token in c["body"].get("MessageBody", "") for c in aws_calls(calls, "sqs"))
                  == 1, aws_calls(calls, "sqs"))
            h = sfn.get_execution_history(executionArn=ex)["events"]
            types = [e["type"] for e in h]
            check("its history: each event once (TaskScheduled once), ids 1..n",
                  types.count("TaskScheduled") == 1 and types.count("TaskStateEntered") == 1 and
                  [e["id"] for e in h] == list(range(1, len(h) + 1)), types)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            fake.stdin.close()
            fake.wait(timeout=10)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
