#!/usr/bin/env python3
"""check_aws_optimised.py — optimised integrations that a binary calls with no
binding and no mock, against tests/aws/fake_optimised.py (started here on
loopback, stopped at the end), each checked by the request the service got
and by the Task's output:

  - sqs:sendMessage.waitForTaskToken: the message is sent with $$.Task.Token
    in its body, and (a binary has no endpoint for SendTaskSuccess) the
    call's own answer completes the task;
  - athena:getQueryResults: an optimised request-response action found in
    botocore's model by its name, answered with SdkHttpMetadata;
  - elasticmapreduce:addStep: EMR's renamed API, sent as AddJobFlowSteps
    {JobFlowId, Steps: [Step]} and answered {StepId};
  - sagemaker:createTrainingJob.sync and emr-serverless:startJobRun.sync
    (rest-json, clientToken filled with a UUID as the SDKs do) followed to
    the job's end; elasticmapreduce:createCluster.sync (RunJobFlow, then
    DescribeCluster until WAITING) answered {ClusterId, ClusterArn};
  - bedrock:invokeModel (POST /model/ID/invoke, the Body sent as the
    model's JSON and answered parsed; the model's ARN in the path signed
    as AWS signs an escaped path, right and wrong secret) and apigateway:invoke (stage, path,
    multi-valued query and headers, a JSON body, signed as execute-api for
    IAM_ROLE; a 404 caught as ApiGateway.404);
  - an EMR error caught as EMR.InvalidRequestException;
  - what AWS refuses stays refused: dynamodb:query, a .waitForTaskToken
    Glue call, a parameter addStep does not take.

    tests/check_aws_optimised.py --aslc build/aslc --backend c
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws"))
from harness import (aws_env, begin, builder, compile_workflow, endpoint, last_error,  # noqa: E402
                     read_log, stop)

S = "arn:aws:states:::"

# a URI label with ':' and '/': signed by runtime/aws_sign.c (escaped twice)
MODEL_ARN = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"
MODEL_PATH = ("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2F"
              "amazon.titan-text-express-v1/invoke")

FLOW = {"StartAt": "Queue", "States": {
    "Queue": {"Type": "Task", "Resource": S + "sqs:sendMessage.waitForTaskToken",
              "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
                             "MessageBody": {"order.$": "$.order", "token.$": "$$.Task.Token"}},
              "ResultPath": "$.queued", "Next": "Query"},
    "Query": {"Type": "Task", "Resource": S + "athena:getQueryResults",
              "Parameters": {"QueryExecutionId": "q-1", "MaxResults": 10},
              "ResultSelector": {"rows.$": "$.ResultSet.Rows[*].Data[0].VarCharValue",
                                 "status.$": "$.SdkHttpMetadata.HttpStatusCode"},
              "ResultPath": "$.query", "Next": "AddStep"},
    "AddStep": {"Type": "Task", "Resource": S + "elasticmapreduce:addStep",
                "Parameters": {"ClusterId": "j-1", "Step": {
                    "Name": "spark", "ActionOnFailure": "CONTINUE",
                    "HadoopJarStep": {"Jar": "command-runner.jar",
                                      "Args.$": "States.Array('spark-submit', $.script)"}}},
                "ResultPath": "$.step", "Next": "Train"},
    "Train": {"Type": "Task", "Resource": S + "sagemaker:createTrainingJob.sync",
              "Parameters": {
                  "TrainingJobName": "train-1",
                  "RoleArn": "arn:aws:iam::123456789012:role/sm",
                  "AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File"},
                  "OutputDataConfig": {"S3OutputPath": "s3://out"},
                  "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                     "VolumeSizeInGB": 10},
                  "StoppingCondition": {"MaxRuntimeInSeconds": 3600}},
              "ResultSelector": {"status.$": "$.TrainingJobStatus",
                                 "model.$": "$.ModelArtifacts.S3ModelArtifacts"},
              "ResultPath": "$.train", "Next": "Spark"},
    "Spark": {"Type": "Task", "Resource": S + "emr-serverless:startJobRun.sync",
              "Parameters": {"ApplicationId": "app-1",
                             "ExecutionRoleArn": "arn:aws:iam::123456789012:role/emr",
                             "JobDriver": {"SparkSubmit": {"EntryPoint": "s3://code/job.py"}}},
              "ResultSelector": {"state.$": "$.State", "id.$": "$.JobRunId"},
              "ResultPath": "$.spark", "Next": "Cluster"},
    "Cluster": {"Type": "Task", "Resource": S + "elasticmapreduce:createCluster.sync",
                "Parameters": {"Name": "c", "ReleaseLabel": "emr-7.0.0",
                               "Instances": {"KeepJobFlowAliveWhenNoSteps": True,
                                             "InstanceCount": 1}},
                "ResultPath": "$.cluster", "Next": "Model"},
    "Model": {"Type": "Task", "Resource": S + "bedrock:invokeModel",
              "Parameters": {"ModelId": MODEL_ARN,
                             "Body": {"inputText.$": "$.script"},
                             "ContentType": "application/json", "Accept": "application/json"},
              "ResultPath": "$.model", "Next": "Api"},
    "Api": {"Type": "Task", "Resource": S + "apigateway:invoke",
            "Parameters": {"ApiEndpoint": "abc123.execute-api.eu-west-1.amazonaws.com",
                           "Method": "POST", "Stage": "prod", "Path": "/orders/7",
                           "Headers": {"X-Trace": ["t1", "t2"]},
                           "QueryParameters": {"tag": ["a b", "c"]},
                           "RequestBody": {"id.$": "$.order.id"}, "AuthType": "IAM_ROLE"},
            "ResultSelector": {"status.$": "$.StatusCode", "body.$": "$.ResponseBody"},
            "ResultPath": "$.api", "Next": "ApiMissing"},
    "ApiMissing": {"Type": "Task", "Resource": S + "apigateway:invoke",
                   "Parameters": {"ApiEndpoint": "abc123.execute-api.eu-west-1.amazonaws.com",
                                  "Method": "GET", "Stage": "prod", "Path": "missing"},
                   "Catch": [{"ErrorEquals": ["ApiGateway.404"], "ResultPath": "$.apierr",
                              "Next": "BadStep"}], "Next": "BadStep"},
    "BadStep": {"Type": "Task", "Resource": S + "elasticmapreduce:addStep",
                "Parameters": {"ClusterId": "j-missing",
                               "Step": {"Name": "x", "HadoopJarStep": {"Jar": "a.jar"}}},
                "Catch": [{"ErrorEquals": ["EMR.InvalidRequestException"],
                           "ResultPath": "$.err", "Next": "Done"}], "Next": "Done"},
    "Done": {"Type": "Pass", "End": True}}}


def one_task(resource, params=None):
    t = {"Type": "Task", "Resource": S + resource, "End": True}
    if params is not None:
        t["Parameters"] = params
    return {"StartAt": "T", "States": {"T": t}}


def main():
    args, check = begin()
    with tempfile.TemporaryDirectory() as tmp:
        env = aws_env(tmp, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="AKIDTEST",
                      AWS_SECRET_ACCESS_KEY="fake-secret-key")
        for name, flow, want in (
                ("dynamodb_query", one_task("dynamodb:query"), "no binding for resource"),
                ("glue_callback", one_task("glue:startJobRun.waitForTaskToken"),
                 "no binding for resource"),
                ("addstep_param", one_task("elasticmapreduce:addStep",
                                           {"ClusterId": "j-1", "Steps": []}),
                 'has no parameter "Steps"; it has: ClusterId Step')):
            out, err = compile_workflow(args, tmp, name, flow)
            check("%s refused" % name, out is None and want in err, err)

        log = os.path.join(tmp, "calls.jsonl")
        build = builder(check, args, tmp)
        fake, port = endpoint("fake_optimised.py", "--log", log)
        try:
            b = build("flow", FLOW)
            if not b:
                return check.summary()
            url = "http://127.0.0.1:%d" % port
            r = subprocess.run([b, "--input", '{"order": {"id": 7}, "script": "s3://code/a.py"}'],
                               capture_output=True, text=True, timeout=120,
                               env=dict(env, AWS_ENDPOINT_URL=url,
                                        AWS_ENDPOINT_URL_EXECUTE_API=url))
            out = json.loads(r.stdout) if r.returncode == 0 else {}
            calls = read_log(log)
            check("the flow ran", r.returncode == 0, r.stdout + r.stderr)

            sent = [c for c in calls if c["service"] == "sqs"]
            body = json.loads(sent[0]["body"].get("MessageBody", "{}")) if sent else {}
            check("sqs:sendMessage.waitForTaskToken sends the token",
                  len(sent) == 1 and body.get("order") == {"id": 7} and
                  len(body.get("token", "")) > 20 and
                  sent[0]["body"].get("QueueUrl", "").endswith("/jobs"), json.dumps(sent))
            check("the call's answer completes the callback task",
                  (out.get("queued") or {}).get("MessageId") == "msg-1",
                  json.dumps(out.get("queued")))

            q = [c for c in calls if c["call"] == "GetQueryResults"]
            check("athena:getQueryResults sent as AmazonAthena.GetQueryResults",
                  len(q) == 1 and q[0]["body"] == {"QueryExecutionId": "q-1", "MaxResults": 10},
                  json.dumps(q))
            check("its answer, with SdkHttpMetadata",
                  out.get("query") == {"rows": ["n", "42"], "status": 200},
                  json.dumps(out.get("query")))

            steps = [c for c in calls if c["call"] == "AddJobFlowSteps"]
            check("elasticmapreduce:addStep sent as AddJobFlowSteps {JobFlowId, Steps: [Step]}",
                  steps and steps[0]["body"] == {"JobFlowId": "j-1", "Steps": [{
                      "Name": "spark", "ActionOnFailure": "CONTINUE",
                      "HadoopJarStep": {"Jar": "command-runner.jar",
                                        "Args": ["spark-submit", "s3://code/a.py"]}}]},
                  json.dumps(steps))
            check("answered {StepId}", out.get("step") == {"StepId": "s-1"},
                  json.dumps(out.get("step")))

            polls = [c for c in calls if c["call"] == "DescribeTrainingJob"]
            check("sagemaker:createTrainingJob.sync followed to Completed",
                  out.get("train") == {"status": "Completed", "model": "s3://out/model.tar.gz"}
                  and len(polls) == 3 and polls[0]["body"] == {"TrainingJobName": "train-1"},
                  json.dumps([out.get("train"), polls]))

            runs = [c for c in calls if c["service"] == "emr-serverless"]
            start = runs[0]["body"] if runs else {}
            check("emr-serverless:startJobRun.sync: POST then GET of the job run, clientToken "
                  "filled", [c["call"] for c in runs] ==
                  ["POST /applications/app-1/jobruns"] +
                  ["GET /applications/app-1/jobruns/jr-1"] * 3 and
                  len(start.get("clientToken", "")) == 36 and
                  start.get("jobDriver") == {"sparkSubmit": {"entryPoint": "s3://code/job.py"}},
                  json.dumps(runs))
            check("its job run as the result", out.get("spark") == {"state": "SUCCESS",
                                                                    "id": "jr-1"},
                  json.dumps(out.get("spark")))

            made = [c["call"] for c in calls if c["service"] == "elasticmapreduce" and
                    c["call"] in ("RunJobFlow", "DescribeCluster")]
            check("elasticmapreduce:createCluster.sync: RunJobFlow, then DescribeCluster until "
                  "WAITING", made == ["RunJobFlow"] + ["DescribeCluster"] * 3 and
                  out.get("cluster") == {"ClusterId": "j-NEW", "ClusterArn":
                                         "arn:aws:elasticmapreduce:us-east-1:123456789012:"
                                         "cluster/j-NEW"},
                  json.dumps([made, out.get("cluster")]))

            models = [c for c in calls if c["service"] == "bedrock"]
            check("bedrock:invokeModel: POST /model/ID/invoke with the Body as JSON",
                  len(models) == 1 and
                  models[0]["call"] == "POST " + MODEL_PATH and
                  models[0]["body"] == {"body": {"inputText": "s3://code/a.py"}, "headers": {
                      "Content-Type": "application/json", "Accept": "application/json"}},
                  json.dumps(models))
            check("answered {Body (parsed), ContentType}", out.get("model") == {
                "Body": {"results": [{"outputText": "S3://CODE/A.PY"}]},
                "ContentType": "application/json"}, json.dumps(out.get("model")))

            apis = [c for c in calls if c["service"] == "execute-api"]
            check("apigateway:invoke: stage, path, query, headers, body, signed (IAM_ROLE)",
                  len(apis) == 2 and apis[0]["call"] == "POST /prod/orders/7" and
                  apis[0]["body"] == {"query": "tag=a%20b&tag=c", "signed": True,
                                      "body": '{"id":7}', "x-trace": ["t1,t2"]} and
                  apis[1]["body"]["signed"] is False, json.dumps(apis))
            check("answered {StatusCode, ResponseBody, ...}",
                  out.get("api") == {"status": 200, "body": {"echo": {"id": 7}}},
                  json.dumps(out.get("api")))
            check("a 404 caught as ApiGateway.404", (out.get("apierr") or {}) == {
                "Error": "ApiGateway.404", "Cause": '{"message":"Not Found"}'},
                json.dumps(out.get("apierr")))

            m = build("model", one_task("bedrock:invokeModel", {
                "ModelId": MODEL_ARN, "Body": {"inputText": "x"}}))
            for secret, ok in (("fake-secret-key", True), ("wrong", False)):
                rm = subprocess.run([m, "--input", "{}"], capture_output=True, text=True,
                                    timeout=60, env=dict(env, AWS_ENDPOINT_URL=url,
                                                         AWS_SECRET_ACCESS_KEY=secret,
                                                         AWS_SESSION_TOKEN="fake-session"))
                check("an escaped path label signed as AWS signs it (%s secret, session token)"
                      % ("right" if ok else "wrong"),
                      rm.returncode == 0 if ok else
                      last_error(rm.stderr).get("Error") == "Bedrock.InvalidSignatureException",
                      rm.stdout + rm.stderr)

            err = out.get("err") or {}
            check("an EMR error caught as EMR.InvalidRequestException",
                  err.get("Error") == "EMR.InvalidRequestException" and
                  "j-missing" in err.get("Cause", ""), json.dumps(err))
        finally:
            stop(fake)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
