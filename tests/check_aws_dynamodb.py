#!/usr/bin/env python3
"""check_aws_dynamodb.py — a workflow binary calls DynamoDB through the AWS SDK
integration and the optimised integration, against dynalite (an
implementation of DynamoDB's API, from npm) that this test starts on loopback
and stops.  No binding and no mock: the calls are made from the service's API
model when compiling.  For the back end given:

  - an order flow: aws-sdk:dynamodb:createTable, dynamodb:putItem with a
    condition, aws-sdk:dynamodb:getItem reading it back, then the same
    conditional put again, which DynamoDB refuses: the Catch on
    DynamoDB.ConditionalCheckFailedException (the optimised integration's
    name) takes it, with DynamoDB's message in the Cause;
  - aws-sdk:dynamodb:getItem on a table that does not exist fails with
    DynamoDb.ResourceNotFoundException (the SDK integration's name);
  - a misspelt parameter is a compile-time diagnostic that lists the
    action's parameters.

dynalite is found through ASLC_DYNALITE, or in build/npm (tests/run-all.sh
installs it there).  Exit 0 when every check holds, 1 otherwise, 77 (skipped)
when dynalite cannot be found.

    tests/check_aws_dynamodb.py --aslc build/aslc --backend c
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

ORDER_FLOW = {
    "Comment": "Create the table, record an order once, read it back, refuse a duplicate.",
    "StartAt": "CreateTable",
    "States": {
        "CreateTable": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:createTable",
            "Parameters": {
                "TableName": "orders",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST"},
            "ResultSelector": {"status.$": "$.TableDescription.TableStatus"},
            "ResultPath": "$.table", "Next": "WaitForTable"},
        "WaitForTable": {"Type": "Wait", "Seconds": 1, "Next": "Record"},
        "Record": {
            "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {
                "TableName": "orders",
                "Item": {"id": {"S.$": "$.id"}, "total": {"N.$": "States.Format('{}', $.total)"}},
                "ConditionExpression": "attribute_not_exists(id)"},
            "ResultPath": None, "Next": "ReadBack"},
        "ReadBack": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
            "Parameters": {"TableName": "orders", "Key": {"id": {"S.$": "$.id"}},
                           "ConsistentRead": True},
            "ResultSelector": {"total.$": "$.Item.total.N"},
            "ResultPath": "$.stored", "Next": "RecordAgain"},
        "RecordAgain": {
            "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}},
                           "ConditionExpression": "attribute_not_exists(id)"},
            "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                       "ResultPath": "$.duplicate", "Next": "Duplicate"}],
            "Next": "Unexpected"},
        "Unexpected": {"Type": "Fail", "Error": "Unexpected"},
        "Duplicate": {"Type": "Pass", "End": True},
    },
}

MISSING_TABLE = {"StartAt": "Get", "States": {"Get": {
    "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
    "Parameters": {"TableName": "no_such_table", "Key": {"id": {"S": "1"}}}, "End": True}}}

MISSPELT = {"StartAt": "Get", "States": {"Get": {
    "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
    "Parameters": {"TableName": "orders", "Kee": {"id": {"S": "1"}}}, "End": True}}}


def find_dynalite(build):
    env = os.environ.get("ASLC_DYNALITE")
    if env:
        return env
    for d in (os.path.join(build, "npm"), os.path.join(os.path.dirname(HERE), "build", "npm")):
        p = os.path.join(d, "node_modules", ".bin", "dynalite")
        if os.path.exists(p):
            return p
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--backend", default="c")
    args = ap.parse_args()
    dynalite = find_dynalite(os.path.dirname(os.path.abspath(args.aslc)))
    if not dynalite:
        print("skipped: dynalite is not installed (tests/run-all.sh puts it in build/npm)")
        return 77
    failures, passed = [], 0

    def check(label, ok, detail=""):
        nonlocal passed
        print(("ok   " if ok else "FAIL ") + label + ("" if ok else ": " + detail))
        passed += bool(ok)
        if not ok:
            failures.append(label)

    port = free_port()
    server = subprocess.Popen([dynalite, "--port", str(port), "--createTableMs", "0",
                               "--deleteTableMs", "0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as tmp:
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(HOME=tmp, AWS_ENDPOINT_URL="http://127.0.0.1:%d" % port,
                       AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="fake-secret-key",
                       AWS_REGION="us-east-1", ASL_TIME_SCALE="0")

            def build(name, definition):
                path = os.path.join(tmp, name + ".json")
                with open(path, "w") as f:
                    json.dump(definition, f, indent=1)
                out = os.path.join(tmp, name)
                r = subprocess.run([args.aslc, path, "-o", out, "--backend=" + args.backend],
                                   capture_output=True, text=True)
                return out if r.returncode == 0 else None, r.stderr

            binary, err = build("order_flow", ORDER_FLOW)
            check("order flow compiles without bindings", binary is not None, err)
            if binary:
                r = subprocess.run([binary, "--input", '{"id": "A-1", "total": 42}'],
                                   capture_output=True, text=True, env=env, timeout=60)
                out = json.loads(r.stdout) if r.returncode == 0 else {}
                check("order recorded and read back", out.get("stored") == {"total": "42"} and
                      out.get("table") == {"status": "CREATING"}, r.stdout + r.stderr)
                dup = out.get("duplicate") or {}
                check("duplicate caught as DynamoDB.ConditionalCheckFailedException",
                      dup.get("Error") == "DynamoDB.ConditionalCheckFailedException" and
                      "conditional request failed" in (dup.get("Cause") or ""), json.dumps(dup))

            binary, err = build("missing_table", MISSING_TABLE)
            if binary:
                r = subprocess.run([binary, "--input", "{}"], capture_output=True, text=True,
                                   env=env, timeout=60)
                last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "{}"
                e = json.loads(last)
                check("missing table: DynamoDb.ResourceNotFoundException",
                      r.returncode == 1 and e.get("Error") == "DynamoDb.ResourceNotFoundException",
                      r.stderr)
            else:
                check("missing_table compiles", False, err)

            binary, err = build("misspelt", MISSPELT)
            check("misspelt parameter refused when compiling, with the list",
                  binary is None and 'no parameter "Kee"' in err and "ConsistentRead" in err, err)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("%d passed, %d failed" % (passed, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
