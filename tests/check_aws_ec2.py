#!/usr/bin/env python3
"""check_aws_ec2.py — aws-sdk:ec2:* Tasks on the ec2 protocol, against
tests/aws/fake_ec2.py on loopback (started and stopped here), which checks
every signature with botocore:

  - describeInstances with InstanceIds, Filters (a list of structures holding
    a list) and scalars: the form the binary sends must be, field for field,
    what botocore's EC2 serializer writes for the same parameters (InstanceId.N,
    Filter.N.Name, Filter.N.Value.M, DryRun, MaxResults: locationNames
    capitalised, lists flattened, no "member.");
  - the XML answer read without a Result wrapper, <item> lists and nested
    structures, in PascalCase (Reservations[0].Instances[0].State.Name);
  - createTags (ResourceId.N, Tag.N.Key / Tag.N.Value), an answer with no
    output shape: {};
  - an unknown instance: EC2's <Response><Errors><Error> read as
    Ec2.InvalidInstanceID.NotFoundException with EC2's message, caught;
  - a wrong secret: Ec2.AuthFailureException.

    tests/check_aws_ec2.py --aslc build/aslc --backend c
Exit 0 when all hold, 1 otherwise, 77 without botocore or its ec2 model.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws"))
from harness import (Checks, arguments, aws_env, builder, endpoint, last_error, read_log,  # noqa: E402
                     stop)


DESCRIBE = {"InstanceIds": ["i-1", "i-2"], "DryRun": False, "MaxResults": 5,
            "Filters": [{"Name": "tag:env", "Values": ["prod", "dev"]},
                        {"Name": "instance-state-name", "Values": ["running"]}]}
TAGS = {"Resources": ["i-1", "i-2"], "Tags": [{"Key": "team", "Value": "orders"},
                                               {"Key": "env", "Value": "prod"}]}
FLOW = {"StartAt": "Describe", "States": {
    "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ec2:describeInstances",
                 "Parameters": DESCRIBE, "ResultPath": "$.described", "Next": "Tag"},
    "Tag": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ec2:createTags",
            "Parameters": TAGS, "ResultPath": "$.tagged", "Next": "Missing"},
    "Missing": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ec2:describeInstances",
                "Parameters": {"InstanceIds.$": "$.missing"},
                "Catch": [{"ErrorEquals": ["Ec2.InvalidInstanceID.NotFoundException"],
                           "ResultPath": "$.err", "Next": "Done"}], "Next": "Done"},
    "Done": {"Type": "Pass", "End": True}}}


def botocore_form(operation, params):
    """What botocore's EC2 serializer puts in the body for params."""
    import botocore.session
    from botocore.serialize import create_serializer
    model = botocore.session.get_session().get_service_model("ec2")
    req = create_serializer("ec2").serialize_to_request(params, model.operation_model(operation))
    return {k: str(v) for k, v in req["body"].items()}


def main():
    args = arguments()
    try:
        botocore_form("CreateTags", {"Resources": ["i-1"], "Tags": []})
    except Exception as e:  # noqa: BLE001 (no botocore, or no ec2 model)
        print("skipped: botocore's ec2 model is not available (%s)" % e)
        return 77
    check = Checks()
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "ec2.jsonl")
        ec2, port = endpoint("fake_ec2.py", "--log", log)
        try:
            b = builder(check, args, tmp)("ec2_flow", FLOW)
            if b:
                env = aws_env(tmp, AWS_ENDPOINT_URL_EC2="http://127.0.0.1:%d" % port,
                              AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="AKIDTEST",
                              AWS_SECRET_ACCESS_KEY="fake-secret-key")
                r = subprocess.run([b, "--input", '{"missing": ["i-9"]}'], capture_output=True,
                                   text=True, env=env, timeout=60)
                out = json.loads(r.stdout) if r.returncode == 0 else {}
                forms = read_log(log)
                want = [dict(botocore_form("DescribeInstances", DESCRIBE)),
                        dict(botocore_form("CreateTags", TAGS)),
                        dict(botocore_form("DescribeInstances", {"InstanceIds": ["i-9"]}))]
                check("the forms are botocore's EC2 serialisation", forms == want,
                      "\n  sent: %s\n  want: %s" % (json.dumps(forms), json.dumps(want)))
                res = (out.get("described") or {}).get("Reservations") or [{}]
                inst = (res[0].get("Instances") or [{}])[0]
                check("the XML answer in PascalCase, <item> lists read",
                      len(res) == 2 and res[0].get("ReservationId") == "r-1" and
                      res[0].get("OwnerId") == "123456789012" and
                      inst == {"InstanceId": "i-1", "InstanceType": "t3.micro",
                               "State": {"Code": 16, "Name": "running"},
                               "Tags": [{"Key": "env", "Value": "prod"}]},
                      r.stdout + r.stderr)
                check("createTags answers {}", out.get("tagged") == {}, json.dumps(out.get("tagged")))
                e = out.get("err") or {}
                check("an unknown instance caught as Ec2.InvalidInstanceID.NotFoundException",
                      e.get("Error") == "Ec2.InvalidInstanceID.NotFoundException" and
                      "The instance ID 'i-9' does not exist" in e.get("Cause", "") and
                      "Status Code: 400" in e.get("Cause", ""), json.dumps(e))
                r = subprocess.run([b, "--input", '{"missing": []}'], capture_output=True, text=True,
                                   env=dict(env, AWS_SECRET_ACCESS_KEY="wrong"), timeout=60)
                check("a wrong secret: Ec2.AuthFailureException",
                      r.returncode == 1 and last_error(r.stderr).get("Error") == "Ec2.AuthFailureException"
                      and "wrong" not in r.stderr, r.stderr)
        finally:
            stop(ec2)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
