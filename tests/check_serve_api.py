#!/usr/bin/env python3
"""check_serve_api.py — the rest of the API surface of `aslc serve`
(issue #23), driven by boto3 (TestState, newer than Debian's botocore, by
plain AWS JSON 1.0 requests):

  - tags: create_state_machine's tags, tag_resource (a key again replaces
    its value), untag_resource, list_tags_for_resource; tags survive
    update_state_machine and go with delete; ResourceNotFound, InvalidArn,
    TooManyTags (51), a key of 129 characters (ValidationException);
  - TestState, in AWS's shapes: a Pass state at DEBUG (output, nextState,
    inspectionData's afterInputPath, afterParameters, result,
    afterResultPath), End (no nextState), a Choice (its nextState), a Fail
    (FAILED with error and cause), a Task that fails with a matching Retry
    (RETRIABLE) and one with a Catch (CAUGHT_ERROR, the catcher's
    nextState, error and cause), variables given with the request, a Task
    at DEBUG (mocked: afterParameters, result, afterResultSelector,
    afterResultPath),
    an invalid state (InvalidDefinition);
  - --mock-config, Step Functions Local's MockConfigFile: start_execution
    of "ARN#HappyPath" and "ARN#RetryPath" (Throw twice, then Return, over
    a Retry) give the test cases' outputs, under the machine's own
    execution ARNs; an unknown test case is a ValidationException.

Exit 0 when every check holds, 1 otherwise, 77 (skipped) without boto3.

    tests/check_serve_api.py --aslc build/aslc
"""

import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import begin, start_server  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/r"
MOCK_CONFIG = {
    "StateMachines": {
        "orders": {"TestCases": {
            "HappyPath": {"Charge": "ChargeOk", "Ship": "ShipOk"},
            "RetryPath": {"Charge": "ChargeFlaky", "Ship": "ShipOk"}}}},
    "MockedResponses": {
        "ChargeOk": {"0": {"Return": {"charged": 10}}},
        "ChargeFlaky": {"0-1": {"Throw": {"Error": "Payment.Busy", "Cause": "try later"}},
                        "2": {"Return": {"charged": 12}}},
        "ShipOk": {"0": {"Return": {"shipped": True}}}}}
ORDERS = {"StartAt": "Charge", "States": {
    "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
               "Retry": [{"ErrorEquals": ["Payment.Busy"], "MaxAttempts": 3}],
               "ResultPath": "$.charge", "Next": "Ship"},
    "Ship": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:ship",
             "ResultPath": "$.ship", "End": True}}}


def main():
    started = begin()
    if not started:
        return 77
    args, check, code_of = started

    with tempfile.TemporaryDirectory() as tmp:
        mock_path = os.path.join(tmp, "MockConfigFile.json")
        with open(mock_path, "w") as f:
            json.dump(MOCK_CONFIG, f)
        # The Retry's waits skipped (ASL_TIME_SCALE, in the executions); no AWS
        # credentials, so that a Task calling AWS fails at once, offline.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(ASL_TIME_SCALE="0", HOME=tmp)
        server, sfn, endpoint = start_server(args.aslc, os.path.join(tmp, "serve.db"),
                                             "--mock-config", mock_path, env=env)
        try:

            def post(action, body):
                req = urllib.request.Request(endpoint + "/", data=json.dumps(body).encode(),
                                             method="POST", headers={
                                                 "X-Amz-Target": "AWSStepFunctions." + action,
                                                 "Content-Type": "application/x-amz-json-1.0"})
                try:
                    with urllib.request.urlopen(req, timeout=120) as r:
                        return r.status, json.loads(r.read())
                except urllib.error.HTTPError as e:
                    return e.code, json.loads(e.read())

            # ---- tags
            pass_def = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
            arn = sfn.create_state_machine(name="tagged", definition=pass_def, roleArn=ROLE, tags=[
                {"key": "team", "value": "a"}, {"key": "env", "value": "dev"}])["stateMachineArn"]

            def tags():
                return {t["key"]: t["value"]
                        for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]}

            check("create_state_machine's tags", tags() == {"team": "a", "env": "dev"}, tags())
            sfn.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "b"},
                                                    {"key": "cost", "value": "42"}])
            check("tag_resource adds, and replaces a key's value",
                  tags() == {"team": "b", "env": "dev", "cost": "42"}, tags())
            sfn.untag_resource(resourceArn=arn, tagKeys=["env", "nope"])
            check("untag_resource", tags() == {"team": "b", "cost": "42"}, tags())
            sfn.update_state_machine(stateMachineArn=arn, definition=pass_def.replace('"P"', '"Q"'))
            check("tags survive update_state_machine", tags() == {"team": "b", "cost": "42"},
                  tags())
            check("a machine that does not exist: ResourceNotFound",
                  code_of(sfn.list_tags_for_resource, resourceArn=arn + "-gone") ==
                  "ResourceNotFound")
            check("an ARN of no taggable resource: InvalidArn",
                  code_of(sfn.tag_resource, resourceArn="arn:aws:states:us-east-1:1:execution:a:b",
                          tags=[]) == "InvalidArn")
            many = [{"key": "k%d" % i, "value": "v"} for i in range(49)]
            check("more than 50 tags: TooManyTags",
                  code_of(sfn.tag_resource, resourceArn=arn, tags=many) == "TooManyTags")
            check("a key of 129 characters: ValidationException",
                  code_of(sfn.tag_resource, resourceArn=arn,
                          tags=[{"key": "k" * 129, "value": ""}]) == "ValidationException")
            sfn.delete_state_machine(stateMachineArn=arn)
            sfn.create_state_machine(name="tagged", definition=pass_def, roleArn=ROLE)
            check("tags go with delete_state_machine", tags() == {}, tags())

            # ---- TestState
            st, out = post("TestState", {"roleArn": ROLE, "inspectionLevel": "DEBUG",
                                         "input": '{"a": {"b": 7}}', "definition": json.dumps({
                "Type": "Pass", "InputPath": "$.a",
                "Parameters": {"x.$": "$.b", "s.$": "States.Format('n={}', $.b)"},
                "ResultPath": "$.r", "OutputPath": "$.r", "Next": "Later"})})
            insp = out.get("inspectionData", {})
            check("TestState: a Pass state at DEBUG", st == 200 and
                  out.get("status") == "SUCCEEDED" and out.get("nextState") == "Later" and
                  json.loads(out["output"]) == {"x": 7, "s": "n=7"} and
                  json.loads(insp.get("input")) == {"a": {"b": 7}} and
                  json.loads(insp.get("afterInputPath")) == {"b": 7} and
                  json.loads(insp.get("afterParameters")) == {"x": 7, "s": "n=7"} and
                  json.loads(insp.get("result")) == {"x": 7, "s": "n=7"} and
                  json.loads(insp.get("afterResultPath")) == {"a": {"b": 7},
                                                              "r": {"x": 7, "s": "n=7"}}, out)
            st, out = post("TestState", {"definition": json.dumps({"Type": "Pass", "End": True}),
                                         "input": '{"k": 1}'})
            check("TestState: End has no nextState and INFO no inspectionData",
                  st == 200 and out.get("status") == "SUCCEEDED" and "nextState" not in out and
                  "inspectionData" not in out and json.loads(out["output"]) == {"k": 1}, out)
            st, out = post("TestState", {"input": '{"n": 3}', "definition": json.dumps({
                "Type": "Choice", "Default": "Small",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 2, "Next": "Big"}]})})
            check("TestState: a Choice's nextState", out.get("nextState") == "Big" and
                  out.get("status") == "SUCCEEDED", out)
            st, out = post("TestState", {"variables": '{"limit": 5, "who": "me"}',
                                         "input": '{"n": 2}', "definition": json.dumps({
                "Type": "Pass", "End": True,
                "Parameters": {"n.$": "$.n", "limit.$": "$limit", "who.$": "$who"}})})
            check("TestState: the request's variables", out.get("status") == "SUCCEEDED" and
                  json.loads(out.get("output", "null")) == {"n": 2, "limit": 5, "who": "me"},
                  out)
            st, out = post("TestState", {"definition": json.dumps(
                {"Type": "Fail", "Error": "Oops", "Cause": "bad"})})
            check("TestState: a Fail state", out.get("status") == "FAILED" and
                  out.get("error") == "Oops" and out.get("cause") == "bad", out)
            failing = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                       "Parameters": {"FunctionName": "f"}, "End": True,
                       "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]}
            # no credentials and no endpoint: the call fails at once, without the network
            st, out = post("TestState", {"definition": json.dumps(failing)})
            check("TestState: a failing Task with a matching Retry is RETRIABLE",
                  out.get("status") == "RETRIABLE" and out.get("error"), out)
            failing.pop("Retry")
            failing["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err",
                                 "Next": "Recover"}]
            st, out = post("TestState", {"definition": json.dumps(failing), "input": '{"i": 1}',
                                         "inspectionLevel": "DEBUG"})
            o = json.loads(out.get("output", "null")) or {}
            check("TestState: a caught error is CAUGHT_ERROR with the catcher's nextState",
                  out.get("status") == "CAUGHT_ERROR" and out.get("nextState") == "Recover" and
                  out.get("error") and o.get("i") == 1 and
                  o.get("err", {}).get("Error") == out.get("error"), out)
            st, out = post("TestState", {"definition": json.dumps({"Type": "Pass", "Bogus": 1})})
            check("TestState: an invalid state is InvalidDefinition",
                  st == 400 and out.get("__type") == "InvalidDefinition", (st, out))

            # a Task at DEBUG, its call mocked (a server of its own: --mocks by state name)
            mocks = os.path.join(tmp, "mocks.json")
            with open(mocks, "w") as f:
                json.dump({"TestState": [{"Payload": {"v": 1}, "StatusCode": 200}]}, f)
            other, _, oendpoint = start_server(args.aslc, os.path.join(tmp, "other.db"),
                                               "--mocks", mocks, env=env)
            try:
                req = urllib.request.Request(
                    oendpoint + "/", method="POST", headers={
                        "X-Amz-Target": "AWSStepFunctions.TestState",
                        "Content-Type": "application/x-amz-json-1.0"},
                    data=json.dumps({"inspectionLevel": "DEBUG", "input": '{"k": 1}',
                                     "definition": json.dumps({
                                         "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                         "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                                         "ResultSelector": {"v.$": "$.Payload.v"},
                                         "ResultPath": "$.r", "OutputPath": "$.r",
                                         "Next": "After"})}).encode())
                with urllib.request.urlopen(req, timeout=120) as resp:
                    out = json.loads(resp.read())
            finally:
                other.terminate()
                other.wait(timeout=30)
            insp = {k: json.loads(v) for k, v in out.get("inspectionData", {}).items()}
            check("TestState: a Task at DEBUG (afterParameters, result, afterResultSelector, "
                  "afterResultPath; "
                  "its OutputPath applied once)",
                  out.get("status") == "SUCCEEDED" and out.get("nextState") == "After" and
                  json.loads(out["output"]) == {"v": 1} and
                  insp.get("afterInputPath") == {"k": 1} and
                  insp.get("afterParameters") == {"FunctionName": "f", "Payload": {"k": 1}} and
                  insp.get("result") == {"Payload": {"v": 1}, "StatusCode": 200} and
                  insp.get("afterResultSelector") == {"v": 1} and
                  insp.get("afterResultPath") == {"k": 1, "r": {"v": 1}}, out)

            # ---- AWS's payload limits, with AWS's error codes
            big = '{"s": "%s"}' % ("x" * 262144)
            check("an input over 256 KiB: ValidationException",
                  code_of(sfn.start_execution, stateMachineArn=arn, input=big) ==
                  "ValidationException")
            huge = json.dumps({"StartAt": "P", "Comment": "x" * 1048576,
                               "States": {"P": {"Type": "Pass", "End": True}}})
            check("a definition over 1 MiB: ValidationException",
                  code_of(sfn.create_state_machine, name="huge", definition=huge, roleArn=ROLE)
                  == "ValidationException")
            check("maxResults over 1000: ValidationException",
                  code_of(sfn.list_executions, stateMachineArn=arn, maxResults=1001) ==
                  "ValidationException")
            check("a StopExecution error over 256 characters: ValidationException",
                  code_of(sfn.stop_execution, executionArn=arn.replace(
                      "stateMachine", "execution") + ":x", error="e" * 257) ==
                  "ValidationException")
            st, out = post("DescribeStateMachine", {"stateMachineArn": 7})
            check("a string field sent as a number: SerializationException",
                  st == 400 and out.get("__type") == "SerializationException", (st, out))
            st, out = post("ListStateMachines", {"pad": "x" * (3 << 20)})
            check("a request over 2 MiB: 413", st == 413, (st, out))

            # ---- MockConfigFile
            orders = sfn.create_state_machine(name="orders", definition=json.dumps(ORDERS),
                                              roleArn=ROLE)["stateMachineArn"]

            def run(case, name):
                ex = sfn.start_execution(stateMachineArn=orders + "#" + case, name=name,
                                         input='{"id": 1}')
                d = None
                for _ in range(600):
                    d = sfn.describe_execution(executionArn=ex["executionArn"])
                    if d["status"] != "RUNNING":
                        break
                    time.sleep(0.1)
                return ex, d

            ex, d = run("HappyPath", "happy")
            check("MockConfigFile: ARN#HappyPath", d["status"] == "SUCCEEDED" and
                  json.loads(d["output"]) == {"id": 1, "charge": {"charged": 10},
                                               "ship": {"shipped": True}} and
                  ex["executionArn"] == "arn:aws:states:us-east-1:123456789012:execution:orders:happy"
                  and d["stateMachineArn"] == orders, (ex, d))
            ex, d = run("RetryPath", "retry")
            check("MockConfigFile: ARN#RetryPath throws twice, then returns (over the Retry)",
                  d["status"] == "SUCCEEDED" and
                  json.loads(d["output"])["charge"] == {"charged": 12}, d)
            check("MockConfigFile: an unknown test case is a ValidationException",
                  code_of(sfn.start_execution, stateMachineArn=orders + "#Nope") ==
                  "ValidationException")
        finally:
            server.terminate()
            server.wait(timeout=30)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
