#!/usr/bin/env python3
"""fake_jobs.py — a loopback stand-in for the JSON APIs behind Step Functions'
".sync" integrations: Glue (StartJobRun, GetJobRun), ECS (RunTask,
DescribeTasks) and Step Functions (StartExecution, DescribeExecution).  Each
request must be signed for its service (Signature V4 recomputed with
botocore; AKIDTEST / "fake-secret-key") and carry the member names of the
service's own model (ECS and Step Functions write "cluster",
"stateMachineArn": camelCase on the wire); a missing member is the
service's ValidationException.  A job runs for two polls, then ends:
SUCCEEDED, or FAILED for a Glue job named "failing-job" and an ECS task of
the task definition "failing" (its container exits with 1).  Prints its port;
stops when stdin closes; --log appends each request as a JSON line
{"target", "body"}.
"""
import json
from urllib.parse import urlsplit

import loopback
from loopback import QuietHandler, need, poll, validation_exception
from sigv4check import verify_sigv4

INPUTS = {}   # an execution's input, by its ARN
SIGNING = {"AWSGlue": "glue", "AmazonEC2ContainerServiceV20141113": "ecs",
           "AWSStepFunctions": "states"}


def handle(target, body):
    op = target.split(".", 1)[1]
    if op == "StartJobRun":
        need(body, "JobName")
        return {"JobRunId": "jr_" + body["JobName"]}
    if op == "GetJobRun":
        need(body, "JobName", "RunId")
        n = poll(body["RunId"])
        state = "RUNNING" if n < 3 else ("FAILED" if body["JobName"] == "failing-job"
                                         else "SUCCEEDED")
        return {"JobRun": {"Id": body["RunId"], "JobName": body["JobName"], "Attempt": 0,
                           "JobRunState": state, "Arguments": {"--day": "1"}}}
    if op == "RunTask":
        need(body, "cluster", "taskDefinition")
        arn = "arn:aws:ecs:us-east-1:123456789012:task/%s/%s" % (body["cluster"],
                                                                 body["taskDefinition"])
        return {"tasks": [{"taskArn": arn, "lastStatus": "PROVISIONING"}], "failures": []}
    if op == "DescribeTasks":
        need(body, "cluster", "tasks")
        arn = body["tasks"][0]
        n = poll(arn)
        failing = arn.endswith("/failing")
        return {"tasks": [{"taskArn": arn, "lastStatus": "RUNNING" if n < 3 else "STOPPED",
                           "containers": [{"name": "app", "exitCode": 1 if failing else 0}]}],
                "failures": []}
    if op == "StartExecution":
        need(body, "stateMachineArn")
        name = body.get("name", "child")
        arn = body["stateMachineArn"].replace(":stateMachine:", ":execution:") + ":" + name
        INPUTS[arn] = body.get("input", "{}")
        return {"executionArn": arn, "startDate": 1.7e9}
    if op == "DescribeExecution":
        need(body, "executionArn")
        arn = body["executionArn"]
        n = poll(arn)
        doc = {"executionArn": arn, "status": "RUNNING" if n < 3 else "SUCCEEDED",
               "input": INPUTS.get(arn, "{}"), "startDate": 1.7e9}
        if n >= 3:
            doc["output"] = json.dumps({"child": json.loads(doc["input"])})
        return doc
    raise LookupError(op)


class Handler(QuietHandler):
    def reply(self, status, doc):
        self.answer(status, json.dumps(doc), "application/x-amz-json-1.1",
                    [("x-amzn-RequestId", "req-1")])

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        target = self.headers.get("X-Amz-Target", "")
        service = SIGNING.get(target.split(".")[0])
        if not service:
            return self.reply(400, {"__type": "UnknownOperationException"})
        parts = urlsplit(self.path)
        bad = verify_sigv4("POST", parts.path, parts.query, self.headers, raw, service,
                           "us-east-1", "AKIDTEST", "fake-secret-key")
        if bad:
            return self.reply(403, {"__type": "InvalidSignatureException", "message": bad})
        body = json.loads(raw or b"{}")
        loopback.log({"target": target, "body": body})
        try:
            self.reply(200, handle(target, body))
        except KeyError as e:
            self.reply(400, validation_exception(e.args[0]))
        except LookupError as e:
            self.reply(400, {"__type": "UnknownOperationException", "message": str(e)})


if __name__ == "__main__":
    loopback.main(Handler)
