#!/usr/bin/env python3
"""check_serve.py — `aslc serve` driven by boto3, as a user drives Step
Functions: the server is started on a free loopback port with its own
database, and

  - the seed's hello workflow (two Python Lambdas, bound by the resources
    file given to the server) is created as a STANDARD state machine,
    started with start_execution as the AWS documentation shows, and
    described until it SUCCEEDED with the seed's output; its history has the
    execution's start, the Tasks' events and its end;
  - an EXPRESS state machine answers start_sync_execution with the output,
    and a failing one with its Error and Cause;
  - describe/list state machines and executions, list paging, creating the
    same machine twice (idempotent) and a different one under the same name
    (StateMachineAlreadyExists), an invalid definition (InvalidDefinition,
    and ValidateStateMachineDefinition's FAIL with aslc's diagnostic), an
    unknown ARN (StateMachineDoesNotExist), an unknown action;
  - stop_execution of a running Wait: ABORTED;
  - after kill -9 and a restart on the same database: the state machines
    are still there, and the execution that was running goes on in its Wait
    (tests/check_serve_durable.py checks resumption in detail).

Exit 0 when every check holds, 1 otherwise, 77 (skipped) without boto3.

    tests/check_serve.py --aslc build/aslc
"""

import json
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import (begin,  # noqa: E402
                          start_server as common_start_server)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    started = begin()
    if not started:
        return 77
    args, check, code_of = started

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "serve.db")
        hello = os.path.join(ROOT, "examples", "hello_lambda")

        def start_server():
            # StartSyncExecution's endpoint is "sync-" + the host on AWS: with a
            # local endpoint the SDK must not add that prefix (docs/serve.md).
            p, client, _ = common_start_server(args.aslc, db, "--resources",
                                               os.path.join(hello, "resources.json"))
            return p, client

        server, sfn = start_server()
        try:
            with open(os.path.join(hello, "workflow.json")) as f:
                definition = f.read()
            role = "arn:aws:iam::123456789012:role/StepFunctionsRole"
            sm = sfn.create_state_machine(name="hello", definition=definition, roleArn=role)
            arn = sm["stateMachineArn"]
            check("create_state_machine", arn ==
                  "arn:aws:states:us-east-1:123456789012:stateMachine:hello", sm)
            again = sfn.create_state_machine(name="hello", definition=definition, roleArn=role)
            check("creating the same machine again answers the same ARN",
                  again["stateMachineArn"] == arn)
            check("a different definition under the same name: StateMachineAlreadyExists",
                  code_of(sfn.create_state_machine, name="hello", roleArn=role,
                          definition='{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}')
                  == "StateMachineAlreadyExists")

            # The documentation's way: start, then describe until it ends.
            ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"name": "PSY"}))
            d = None
            for _ in range(300):
                d = sfn.describe_execution(executionArn=ex["executionArn"])
                if d["status"] != "RUNNING":
                    break
                time.sleep(0.1)
            check("the seed's workflow SUCCEEDED with its output",
                  d["status"] == "SUCCEEDED" and json.loads(d["output"]) ==
                  {"lyrics": "oh oh oh oh oh pan gangnam style"}, d)
            h = sfn.get_execution_history(executionArn=ex["executionArn"])["events"]
            types = [e["type"] for e in h]
            check("history: ExecutionStarted, the states' events, ExecutionSucceeded",
                  types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded" and
                  types.count("LambdaFunctionSucceeded") == 2 and
                  json.loads(h[0]["executionStartedEventDetails"]["input"]) == {"name": "PSY"},
                  h)
            named = sfn.start_execution(stateMachineArn=arn, name="second",
                                        input='{"name": "x"}')
            check("a named execution's ARN", named["executionArn"] ==
                  "arn:aws:states:us-east-1:123456789012:execution:hello:second")
            check("the same name again: ExecutionAlreadyExists",
                  code_of(sfn.start_execution, stateMachineArn=arn, name="second") ==
                  "ExecutionAlreadyExists")
            page = sfn.list_executions(stateMachineArn=arn, maxResults=1)
            rest = sfn.list_executions(stateMachineArn=arn, maxResults=1,
                                       nextToken=page.get("nextToken", ""))
            check("list_executions pages newest first",
                  [e["name"] for e in page["executions"]] == ["second"] and
                  len(rest["executions"]) == 1 and rest["executions"][0]["executionArn"] ==
                  ex["executionArn"], (page, rest))
            desc = sfn.describe_state_machine(stateMachineArn=arn)
            check("describe_state_machine", desc["definition"] == definition and
                  desc["roleArn"] == role and desc["type"] == "STANDARD")
            names = [m["name"] for m in sfn.list_state_machines()["stateMachines"]]
            check("list_state_machines", names == ["hello"], names)

            express = sfn.create_state_machine(
                name="quick", roleArn=role, type="EXPRESS",
                definition=json.dumps({"StartAt": "P", "States": {"P": {
                    "Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)",
                                                   "name.$": "$$.Execution.Name"},
                    "End": True}}}))["stateMachineArn"]
            out = sfn.start_sync_execution(stateMachineArn=express, name="run1",
                                           input='{"a": 2, "b": 3}')
            check("start_sync_execution of an EXPRESS machine",
                  out["status"] == "SUCCEEDED" and json.loads(out["output"]) ==
                  {"sum": 5, "name": "run1"}, out)
            check("start_sync_execution of a STANDARD machine: StateMachineTypeNotSupported",
                  code_of(sfn.start_sync_execution, stateMachineArn=arn) ==
                  "StateMachineTypeNotSupported")
            failing = sfn.create_state_machine(
                name="failing", roleArn=role, type="EXPRESS",
                definition='{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Bad",'
                           '"Cause":"it went wrong"}}}')["stateMachineArn"]
            out = sfn.start_sync_execution(stateMachineArn=failing)
            check("a failed sync execution's Error and Cause", out["status"] == "FAILED" and
                  out.get("error") == "Bad" and out.get("cause") == "it went wrong", out)

            bad = '{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}'
            check("an invalid definition: InvalidDefinition",
                  code_of(sfn.create_state_machine, name="bad", definition=bad, roleArn=role)
                  == "InvalidDefinition")
            v = sfn.validate_state_machine_definition(definition=bad)
            check("ValidateStateMachineDefinition: FAIL with aslc's diagnostic",
                  v["result"] == "FAIL" and any("Nowhere" in x["message"]
                                                for x in v["diagnostics"]), v)
            check("an unknown ARN: StateMachineDoesNotExist",
                  code_of(sfn.describe_state_machine, stateMachineArn=arn + "x") ==
                  "StateMachineDoesNotExist")
            check("an unknown action: UnknownOperationException",
                  code_of(sfn.list_state_machine_versions, stateMachineArn=arn)
                  == "UnknownOperationException")

            waits = sfn.create_state_machine(
                name="waits", roleArn=role,
                definition='{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,'
                           '"End":true}}}')["stateMachineArn"]
            w = sfn.start_execution(stateMachineArn=waits, name="stopped")
            time.sleep(0.5)
            sfn.stop_execution(executionArn=w["executionArn"], error="Manual", cause="test")
            d = sfn.describe_execution(executionArn=w["executionArn"])
            check("stop_execution: ABORTED", d["status"] == "ABORTED" and
                  d.get("error") == "Manual", d)
            lost = sfn.start_execution(stateMachineArn=waits, name="lost")
            time.sleep(0.5)
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)

        server, sfn = start_server()
        try:
            names = sorted(m["name"] for m in sfn.list_state_machines()["stateMachines"])
            check("after kill -9 and a restart the state machines are there",
                  names == ["failing", "hello", "quick", "waits"], names)
            d = sfn.describe_execution(executionArn=lost["executionArn"])
            check("an execution the crash interrupted goes on (its Wait resumed)",
                  d["status"] == "RUNNING", d)
            sfn.stop_execution(executionArn=lost["executionArn"], error="Done")
            time.sleep(0.3)
            h = sfn.get_execution_history(executionArn=lost["executionArn"])["events"]
            check("stopped after the restart: ABORTED, its history ends with ExecutionAborted",
                  [e["type"] for e in h] == ["ExecutionStarted", "WaitStateEntered",
                                             "ExecutionAborted"], h)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
