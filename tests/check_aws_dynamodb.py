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

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws"))
from harness import (Checks, arguments, aws_env, compile_workflow, free_port, last_error,  # noqa: E402
                     npm_tool, wait_port)

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


def main():
    args = arguments()
    dynalite = npm_tool(args.aslc, "dynalite", "ASLC_DYNALITE")
    if not dynalite:
        print("skipped: dynalite is not installed (tests/run-all.sh puts it in build/npm)")
        return 77
    check = Checks()

    port = free_port()
    server = subprocess.Popen([dynalite, "--port", str(port), "--createTableMs", "0",
                               "--deleteTableMs", "0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        with tempfile.TemporaryDirectory() as tmp:
            env = aws_env(tmp, AWS_ENDPOINT_URL="http://127.0.0.1:%d" % port,
                          AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="fake-secret-key",
                          AWS_REGION="us-east-1")

            def build(name, definition):
                return compile_workflow(args, tmp, name, definition)

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
                e = last_error(r.stderr)
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
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
