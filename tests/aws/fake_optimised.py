#!/usr/bin/env python3
"""fake_optimised.py — a loopback stand-in for the services behind the
optimised integrations that tests/check_aws_optimised.py calls, each on its
own protocol as botocore's model has it: SQS SendMessage (query: a form POST
answered in XML), EMR AddJobFlowSteps, RunJobFlow and DescribeCluster,
SageMaker CreateTrainingJob and DescribeTrainingJob, Athena GetQueryResults
(json: X-Amz-Target), EMR Serverless StartJobRun and GetJobRun and Bedrock
InvokeModel (rest-json: the path names the call), and an API Gateway
stage /prod/ (apigateway:invoke; signed as execute-api when signed at all).  Every request must be signed for its service
(Signature V4 recomputed with botocore; AKIDTEST / "fake-secret-key") and
carry the members the service needs (else its ValidationException); an EMR
cluster "j-missing" is EMR's InvalidRequestException.  A job runs for two
polls, then ends.  Prints its port; stops when stdin closes; --log appends
each request as a JSON line {"service", "call", "body"}.
"""
import json
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import loopback
from loopback import QuietHandler, need, poll, validation_exception
from sigv4check import verify_sigv4

SIGNING = {"ElasticMapReduce": "elasticmapreduce", "SageMaker": "sagemaker",
           "AmazonAthena": "athena"}


def log(service, call, body):
    loopback.log({"service": service, "call": call, "body": body})


class Invalid(Exception):
    pass


def json_call(op, body):
    if op == "AddJobFlowSteps":
        need(body, "JobFlowId", "Steps")
        if body["JobFlowId"] == "j-missing":
            raise Invalid("Cluster id 'j-missing' is not valid.")
        return {"StepIds": ["s-%d" % (i + 1) for i in range(len(body["Steps"]))]}
    if op == "RunJobFlow":
        need(body, "Name", "Instances")
        return {"JobFlowId": "j-NEW", "ClusterArn":
                "arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-NEW"}
    if op == "DescribeCluster":
        need(body, "ClusterId")
        n = poll(body["ClusterId"])
        return {"Cluster": {"Id": body["ClusterId"], "Name": "c",
                            "Status": {"State": "STARTING" if n < 3 else "WAITING"}}}
    if op == "CreateTrainingJob":
        need(body, "TrainingJobName", "RoleArn", "OutputDataConfig", "ResourceConfig",
             "StoppingCondition", "AlgorithmSpecification")
        return {"TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/"
                + body["TrainingJobName"]}
    if op == "DescribeTrainingJob":
        need(body, "TrainingJobName")
        n = poll(body["TrainingJobName"])
        return {"TrainingJobName": body["TrainingJobName"],
                "TrainingJobStatus": "InProgress" if n < 3 else "Completed",
                "SecondaryStatus": "Training" if n < 3 else "Completed",
                "ModelArtifacts": {"S3ModelArtifacts": "s3://out/model.tar.gz"}}
    if op == "GetQueryResults":
        need(body, "QueryExecutionId")
        return {"ResultSet": {"Rows": [{"Data": [{"VarCharValue": "n"}]},
                                       {"Data": [{"VarCharValue": "42"}]}]}, "UpdateCount": 0}
    raise LookupError(op)


def rest_call(method, path, body):
    m = re.fullmatch(r"/applications/([^/]+)/jobruns(?:/([^/]+))?", path)
    if not m:
        raise LookupError(path)
    app, run = m.groups()
    if method == "POST" and not run:
        need(body, "clientToken", "executionRoleArn", "jobDriver")
        uuid.UUID(body["clientToken"])
        return {"applicationId": app, "jobRunId": "jr-1",
                "arn": "arn:aws:emr-serverless:us-east-1:123456789012:/applications/%s/jobruns/jr-1"
                % app}
    if method == "GET" and run:
        n = poll(app + "/" + run)
        return {"jobRun": {"applicationId": app, "jobRunId": run,
                           "state": "RUNNING" if n < 3 else "SUCCESS",
                           "stateDetails": "", "releaseLabel": "emr-7.0.0"}}
    raise LookupError(path)


class Handler(QuietHandler):
    def reply(self, status, data, ctype):
        self.answer(status, data, ctype, [("x-amzn-RequestId", "req-1")])

    def reply_json(self, status, doc):
        self.reply(status, json.dumps(doc).encode(), "application/x-amz-json-1.1")

    def handle_any(self, method):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = urlsplit(self.path)
        target = self.headers.get("X-Amz-Target", "")
        form = self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded")
        if parts.path.startswith("/prod/"):
            return self.api(method, parts, raw)
        service = ("sqs" if form else SIGNING.get(target.split(".")[0]) if target
                   else "bedrock" if parts.path.startswith("/model/") else "emr-serverless")
        bad = verify_sigv4(method, parts.path, parts.query, self.headers, raw, service or "?",
                           "us-east-1", "AKIDTEST", "fake-secret-key")
        if bad or not service:
            return self.reply_json(403, {"__type": "InvalidSignatureException",
                                         "message": bad or "unknown service"})
        if form:
            return self.sqs({k: v[0] for k, v in parse_qs(raw.decode()).items()})
        if service == "bedrock":
            return self.bedrock(parts.path, raw)
        body = json.loads(raw or b"{}")
        call = target.split(".", 1)[1] if target else method + " " + parts.path
        log(service, call, body)
        try:
            doc = json_call(call, body) if target else rest_call(method, parts.path, body)
            self.reply_json(200, doc)
        except KeyError as e:
            self.reply_json(400, validation_exception(e.args[0]))
        except Invalid as e:
            self.reply_json(400, {"__type": "InvalidRequestException", "message": str(e)})
        except (LookupError, ValueError) as e:
            self.reply_json(400, {"__type": "UnknownOperationException", "message": str(e)})

    def api(self, method, parts, raw):
        """An API Gateway stage "prod": a signed request (execute-api) must be
        signed right; /prod/missing is a 404; anything else is echoed."""
        signed = "Authorization" in self.headers
        if signed:
            bad = verify_sigv4(method, parts.path, parts.query, self.headers, raw, "execute-api",
                               "eu-west-1", "AKIDTEST", "fake-secret-key")
            if bad:
                return self.reply_json(403, {"message": bad})
        log("execute-api", method + " " + parts.path, {
            "query": parts.query, "signed": signed, "body": raw.decode(),
            "x-trace": self.headers.get_all("X-Trace")})
        if parts.path == "/prod/missing":
            return self.reply(404, b'{"message":"Not Found"}', "application/json")
        self.reply_json(200, {"echo": json.loads(raw) if raw else None})

    def bedrock(self, path, raw):
        """InvokeModel: the body is the model's own request, answered with
        the model's own JSON; the headers say its types."""
        log("bedrock", "POST " + path, {"body": json.loads(raw), "headers": {
            k: self.headers.get(k) for k in ("Content-Type", "Accept")}})
        text = json.loads(raw).get("inputText", "")
        self.reply(200, json.dumps({"results": [{"outputText": text.upper()}]}).encode(),
                   "application/json")

    def sqs(self, form):
        log("sqs", form.get("Action"), form)
        if form.get("Action") != "SendMessage" or "QueueUrl" not in form or \
                "MessageBody" not in form:
            return self.reply(400, b"<ErrorResponse><Error><Type>Sender</Type><Code>"
                              b"InvalidParameterValue</Code><Message>bad</Message></Error>"
                              b"</ErrorResponse>", "text/xml")
        xml = ('<?xml version="1.0"?><SendMessageResponse xmlns="http://queue.amazonaws.com/doc/'
               '2012-11-05/"><SendMessageResult><MessageId>msg-1</MessageId><MD5OfMessageBody>'
               'd41d8cd98f00b204e9800998ecf8427e</MD5OfMessageBody></SendMessageResult>'
               '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>'
               '</SendMessageResponse>')
        self.reply(200, xml.encode(), "text/xml")

    def do_POST(self):
        self.handle_any("POST")

    def do_GET(self):
        self.handle_any("GET")


if __name__ == "__main__":
    loopback.main(Handler)
