#!/usr/bin/env python3
"""check_aws_services.py — a workflow binary calls S3 (rest-xml) and SNS
(query) with no binding and no mock, the requests written from the services'
API models, against servers this test starts on loopback and stops:

  - s3rver (npm), which checks S3's signatures: aws-sdk:s3:createBucket,
    putObject with a JSON Body (sent as its text), getObject (Body and the
    ContentType header member), listObjectsV2 (a flattened XML list read as
    Contents[*].Key), and a missing key caught as S3.NoSuchKeyException;
  - tests/aws/fake_s3_signature.py, which checks S3's signature with botocore
    (s3rver does not check secrets): a key with spaces, '+', '=' and UTF-8 and
    a query parameter, signed right and signed with a wrong secret;
  - tests/aws/fake_sns.py, which checks every signature with botocore and the
    form as SNS reads it: the optimised sns:publish (a JSON Message sent as
    its text, message attributes flattened as SNS wants them, the answer with
    MessageId and SdkHttpMetadata) and aws-sdk:sns:publish to a missing topic
    caught as Sns.NotFoundException;
  - tests/aws/fake_jobs.py (Glue, ECS and Step Functions' JSON APIs, checking
    signatures and the services' own member names): the ".sync" integrations
    glue:startJobRun.sync, ecs:runTask.sync (PascalCase parameters sent as
    ECS's camelCase, the result read back in PascalCase) and
    states:startExecution.sync:2 (a JSON Input sent as text, the child's
    Output parsed) followed until the job ends, and a failed Glue job caught
    as States.TaskFailed with the job run as its Cause;
  - tests/aws/echo_http.py for the HTTP Task (http:invoke): method, query,
    headers and a URL-encoded body as the parameters and the Transform say,
    a connection's API key and invocation parameters from the resources file,
    Basic and OAuth client-credentials connections, the response's Headers,
    ResponseBody, StatusCode and StatusText, and a 429 caught as
    States.Http.StatusCode.429 with the body as its Cause.

s3rver is found through ASLC_S3RVER or in build/npm (tests/run-all.sh
installs it there); without it the S3 checks are skipped, not failed, and the
test exits 77 when nothing could run.

    tests/check_aws_services.py --aslc build/aslc --backend c
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws"))
from harness import (aws_env, begin, builder, endpoint, free_port, last_error, npm_tool,  # noqa: E402
                     stop, wait_port)

S3_FLOW = {"StartAt": "Create", "States": {
    "Create": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:createBucket",
               "Parameters": {"Bucket": "orders"}, "ResultPath": None, "Next": "Put"},
    "Put": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
            "Parameters": {"Bucket": "orders", "Key.$": "States.Format('in/{}.json', $.order.id)",
                           "Body.$": "$.order", "ContentType": "application/json"},
            "ResultSelector": {"etag.$": "$.ETag"}, "ResultPath": "$.put", "Next": "Get"},
    "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Parameters": {"Bucket": "orders", "Key.$": "States.Format('in/{}.json', $.order.id)"},
            "ResultSelector": {"body.$": "States.StringToJson($.Body)", "type.$": "$.ContentType"},
            "ResultPath": "$.got", "Next": "List"},
    "List": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listObjectsV2",
             "Parameters": {"Bucket": "orders", "Prefix": "in/"},
             "ResultSelector": {"keys.$": "$.Contents[*].Key", "count.$": "$.KeyCount"},
             "ResultPath": "$.list", "Next": "Missing"},
    "Missing": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": "orders", "Key": "no/such/key"},
                "Catch": [{"ErrorEquals": ["S3.NoSuchKeyException"], "ResultPath": "$.missing",
                           "Next": "Done"}], "Next": "Done"},
    "Done": {"Type": "Pass", "End": True}}}

S3_GET = {"StartAt": "Get", "States": {"Get": {
    "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
    "Parameters": {"Bucket": "orders", "Key": "dir/a b+c=\u00fc.json", "VersionId": "v 1"},
    "End": True}}}

SYNC_FLOW = {"StartAt": "Glue", "States": {
    "Glue": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
             "Parameters": {"JobName": "nightly", "Arguments": {"--day": "1"}},
             "ResultSelector": {"state.$": "$.JobRunState", "id.$": "$.Id"},
             "ResultPath": "$.glue", "Next": "Ecs"},
    "Ecs": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync",
            "Parameters": {"Cluster": "c1", "TaskDefinition": "app", "LaunchType": "FARGATE"},
            "ResultSelector": {"status.$": "$.LastStatus", "exit.$": "$.Containers[0].ExitCode"},
            "ResultPath": "$.ecs", "Next": "Child"},
    "Child": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
              "Parameters": {"StateMachineArn":
                             "arn:aws:states:us-east-1:123456789012:stateMachine:child",
                             "Input": {"a.$": "$.a"}},
              "ResultSelector": {"status.$": "$.Status", "out.$": "$.Output"},
              "ResultPath": "$.child", "Next": "FailingGlue"},
    "FailingGlue": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                    "Parameters": {"JobName": "failing-job"},
                    "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.failed",
                               "Next": "Done"}], "Next": "Done"},
    "Done": {"Type": "Pass", "End": True}}}

SNS_FLOW = {"StartAt": "Notify", "States": {
    "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
               "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:orders",
                              "Message.$": "$.order", "Subject": "New order",
                              "MessageAttributes": {"kind": {"DataType": "String",
                                                             "StringValue": "order"}}},
               "ResultSelector": {"id.$": "$.MessageId",
                                  "status.$": "$.SdkHttpMetadata.HttpStatusCode"},
               "ResultPath": "$.sent", "Next": "Sdk"},
    "Sdk": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sns:publish",
            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:missing",
                           "Message": "x"},
            "Catch": [{"ErrorEquals": ["Sns.NotFoundException"], "ResultPath": "$.err",
                       "Next": "Done"}], "Next": "Done"},
    "Done": {"Type": "Pass", "End": True}}}


def main():
    args, check = begin()

    with tempfile.TemporaryDirectory() as tmp:
        base_env = aws_env(tmp, AWS_REGION="us-east-1")
        build = builder(check, args, tmp)

        s3rver = npm_tool(args.aslc, "s3rver", "ASLC_S3RVER")
        if not s3rver:
            print("skipped: s3rver is not installed (tests/run-all.sh puts it in build/npm)")
        else:
            port = free_port()
            data = os.path.join(tmp, "s3data")
            os.makedirs(data)
            server = subprocess.Popen([s3rver, "-d", data, "-a", "127.0.0.1", "-p", str(port),
                                       "-s"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                check("s3rver started", wait_port(port))
                b = build("s3_flow", S3_FLOW)
                if b:
                    env = dict(base_env, AWS_ENDPOINT_URL="http://127.0.0.1:%d" % port,
                               AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER")
                    order = {"id": 7, "items": ["a", "b"], "note": "ü & <ok>"}
                    r = subprocess.run([b, "--input", json.dumps({"order": order})],
                                       capture_output=True, text=True, env=env, timeout=60)
                    out = json.loads(r.stdout) if r.returncode == 0 else {}
                    check("S3 put, get and list", out.get("got") ==
                          {"body": order, "type": "application/json"} and
                          out.get("list") == {"keys": ["in/7.json"], "count": 1} and
                          out.get("put", {}).get("etag", "").startswith('"'),
                          r.stdout + r.stderr)
                    check("missing key caught as S3.NoSuchKeyException",
                          (out.get("missing") or {}).get("Error") == "S3.NoSuchKeyException",
                          json.dumps(out.get("missing")))
            finally:
                server.terminate()
                server.wait(timeout=10)

        # s3rver does not check secrets: S3's signing is checked with botocore's.
        sig, port = endpoint("fake_s3_signature.py")
        try:
            b = build("s3_get", S3_GET)
            if b:
                env = dict(base_env, AWS_ENDPOINT_URL_S3="http://127.0.0.1:%d" % port,
                           AWS_ACCESS_KEY_ID="AKIDTEST")
                for secret, want in (("fake-secret-key", "S3.NoSuchKeyException"),
                                     ("wrong", "S3.SignatureDoesNotMatchException")):
                    r = subprocess.run([b, "--input", "{}"], capture_output=True, text=True,
                                       env=dict(env, AWS_SECRET_ACCESS_KEY=secret), timeout=60)
                    check("S3 signature with %s secret, key with spaces and UTF-8"
                          % ("the right" if secret != "wrong" else "a wrong"),
                          r.returncode == 1 and last_error(r.stderr).get("Error") == want,
                          r.stderr)
        finally:
            stop(sig)

        log = os.path.join(tmp, "sns.jsonl")
        sns, port = endpoint("fake_sns.py", "--topic", "orders", "--log", log)
        try:
            b = build("sns_flow", SNS_FLOW)
            if b:
                env = dict(base_env, AWS_ENDPOINT_URL_SNS="http://127.0.0.1:%d" % port,
                           AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="fake-secret-key")
                r = subprocess.run([b, "--input", '{"order": {"id": 7}}'], capture_output=True,
                                   text=True, env=env, timeout=60)
                out = json.loads(r.stdout) if r.returncode == 0 else {}
                sent = out.get("sent") or {}
                check("sns:publish answered with MessageId and SdkHttpMetadata",
                      len(sent.get("id", "")) == 36 and sent.get("status") == 200,
                      r.stdout + r.stderr)
                with open(log) as f:
                    published = [json.loads(line) for line in f]
                check("the message as SNS received it", published == [{
                    "topic": "arn:aws:sns:us-east-1:123456789012:orders",
                    "message": '{"id":7}', "subject": "New order",
                    "attributes": {"kind": {"DataType": "String", "StringValue": "order"}}}],
                    json.dumps(published))
                check("missing topic caught as Sns.NotFoundException",
                      (out.get("err") or {}).get("Error") == "Sns.NotFoundException",
                      json.dumps(out.get("err")))
        finally:
            stop(sns)
        jobs, port = endpoint("fake_jobs.py")
        try:
            b = build("sync_flow", SYNC_FLOW)
            if b:
                env = dict(base_env, AWS_ENDPOINT_URL="http://127.0.0.1:%d" % port,
                           AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="fake-secret-key")
                r = subprocess.run([b, "--input", '{"a": 1}'], capture_output=True, text=True,
                                   env=env, timeout=60)
                out = json.loads(r.stdout) if r.returncode == 0 else {}
                check(".sync jobs followed to their end",
                      out.get("glue") == {"state": "SUCCEEDED", "id": "jr_nightly"} and
                      out.get("ecs") == {"status": "STOPPED", "exit": 0} and
                      out.get("child") == {"status": "SUCCEEDED", "out": {"child": {"a": 1}}},
                      r.stdout + r.stderr)
                failed = out.get("failed") or {}
                cause = json.loads(failed.get("Cause") or "{}")
                check("a failed job is States.TaskFailed with the job run as Cause",
                      failed.get("Error") == "States.TaskFailed" and
                      cause.get("JobRunState") == "FAILED", json.dumps(failed))
        finally:
            stop(jobs)
        echo, port = endpoint("echo_http.py")
        try:
            base = "http://127.0.0.1:%d" % port
            conn = "arn:aws:events:us-east-1:123456789012:connection/%s/abc"
            flow = {"StartAt": "Call", "States": {
                "Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                         "Parameters": {
                             "ApiEndpoint": base + "/v1/customers", "Method": "POST",
                             "Authentication": {"ConnectionArn": conn % "Key"},
                             "Headers": {"X-Trace": "t1"}, "QueryParameters": {"limit": "10"},
                             "RequestBody": {"name.$": "$.name", "tags": ["a", "b"]},
                             "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                                           "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}}},
                         "ResultSelector": {"status.$": "$.StatusCode", "text.$": "$.StatusText",
                                            "echo.$": "$.ResponseBody",
                                            "xecho.$": "$.Headers.x-echo"},
                         "ResultPath": "$.call", "Next": "Basic"},
                "Basic": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                          "Parameters": {"ApiEndpoint": base + "/basic", "Method": "GET",
                                         "Authentication": {"ConnectionArn": conn % "Basic"}},
                          "ResultSelector": {"auth.$": "$.ResponseBody.headers.authorization"},
                          "ResultPath": "$.basic", "Next": "OAuth"},
                "OAuth": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                          "Parameters": {"ApiEndpoint": base + "/oauth", "Method": "PUT",
                                         "RequestBody": {"k": 1},
                                         "Authentication": {"ConnectionArn": conn % "OAuth"}},
                          "ResultSelector": {"auth.$": "$.ResponseBody.headers.authorization",
                                             "body.$": "$.ResponseBody.body"},
                          "ResultPath": "$.oauth", "Next": "Text"},
                "Text": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                         "Parameters": {"ApiEndpoint": base + "/text", "Method": "GET"},
                         "ResultSelector": {"body.$": "$.ResponseBody"},
                         "ResultPath": "$.text", "Next": "Fail"},
                "Fail": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                         "Parameters": {"ApiEndpoint": base + "/fail", "Method": "GET"},
                         "Catch": [{"ErrorEquals": ["States.Http.StatusCode.429"],
                                    "ResultPath": "$.err", "Next": "Done"}],
                         "ResultPath": "$.f", "Next": "Done"},
                "Done": {"Type": "Pass", "End": True}}}
            res = os.path.join(tmp, "connections.json")
            with open(res, "w") as f:
                json.dump({
                    conn % "Key": {"connection": {
                        "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k1"},
                        "InvocationHttpParameters": {
                            "HeaderParameters": [{"Key": "X-Tenant", "Value": "t9"}],
                            "QueryStringParameters": [{"Key": "env", "Value": "test"}]}}},
                    conn % "Basic": {"connection": {
                        "BasicAuthParameters": {"Username": "ann", "Password": "pw"}}},
                    conn % "OAuth": {"connection": {"OAuthParameters": {
                        "AuthorizationEndpoint": base + "/oauth/token", "HttpMethod": "POST",
                        "ClientParameters": {"ClientID": "client-1",
                                             "ClientSecret": "client-secret"}}}}}, f)
            b = build("http_flow", flow)
            if b:
                r = subprocess.run([b, "--resources", res, "--input", '{"name": "Ann Lee"}'],
                                   capture_output=True, text=True, env=base_env, timeout=60)
                out = json.loads(r.stdout) if r.returncode == 0 else {}
                call = out.get("call") or {}
                echo_doc = call.get("echo") or {}
                hdrs = echo_doc.get("headers") or {}
                check("HTTP Task request as the parameters say",
                      call.get("status") == 200 and call.get("text") == "OK" and
                      echo_doc.get("method") == "POST" and
                      echo_doc.get("query") == "limit=10&env=test" and
                      hdrs.get("x-trace") == "t1" and hdrs.get("x-tenant") == "t9" and
                      hdrs.get("x-api-key") == "k1" and
                      echo_doc.get("body") == "name=Ann%20Lee&tags%5B%5D=a&tags%5B%5D=b" and
                      call.get("xecho") == ["yes"], r.stdout + r.stderr)
                check("Basic and OAuth connections",
                      out.get("basic") == {"auth": "Basic YW5uOnB3"} and
                      out.get("oauth") == {"auth": "Bearer tok-42", "body": '{"k":1}'},
                      json.dumps([out.get("basic"), out.get("oauth")]))
                check("a text response stays text", out.get("text") == {"body": "plain words"},
                      json.dumps(out.get("text")))
                check("429 caught as States.Http.StatusCode.429",
                      out.get("err") == {"Error": "States.Http.StatusCode.429",
                                         "Cause": "slow down"}, json.dumps(out.get("err")))
        finally:
            stop(echo)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
