#!/usr/bin/env python3
"""check_aws_eks.py — the last optimised integrations, called with no binding
and no mock, against tests/aws/fake_eks.py (started here on loopback with a
self-signed certificate made here with openssl, stopped at the end):

  - eks:deleteNodegroup.sync / deleteFargateProfile.sync / deleteCluster.sync:
    the deletion, then the describe call until ResourceNotFoundException
    (the result: the deletion's answer); a deletion that fails is
    States.TaskFailed;
  - elasticmapreduce:modifyInstanceFleetByName (ListInstanceFleets page after
    page, then ModifyInstanceFleet with the Id of that Name) and
    modifyInstanceGroupByName (ModifyInstanceGroups); a name the cluster does
    not have is States.TaskFailed;
  - bedrock:createModelCustomizationJob[.sync] (POST, clientRequestToken
    filled; GET of the job's escaped ARN until Completed; Failed is
    States.TaskFailed);
  - eks:runJob.sync (POST of the Job, reads until Complete, the pods' logs
    with LogParameters, parsed unless plain text), eks:runJob (a Job given as
    text), eks:call (GET with QueryParameters, DELETE, a 404 as EKS.404): the
    Kubernetes API over HTTPS, its server checked against
    CertificateAuthority (another CA is refused), with EKS's bearer token
    (a presigned STS GetCallerIdentity, its signature recomputed with
    botocore; a wrong secret is EKS.401);
  - a parameter eks:call does not take is refused when compiling.

    tests/check_aws_eks.py --aslc build/aslc --backend c
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws"))
from harness import Checks, arguments, aws_env, compile_workflow, last_error, read_log  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
S = "arn:aws:states:::"
JOB_ARN = ("arn:aws:bedrock:us-east-1:123456789012:model-customization-job/"
           "amazon.titan-text-express-v1:0:8k/")


def cluster(extra):
    return dict({"ClusterName": "demo", "CertificateAuthority.$": "$.ca",
                 "Endpoint.$": "$.endpoint"}, **extra)


def job(name):
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"backoffLimit": 0, "template": {"spec": {
                "containers": [{"name": "main", "image": "perl"}, {"name": "side",
                                                                 "image": "busybox"}],
                "restartPolicy": "Never"}}}}


def customization(name):
    return {"JobName": name, "CustomModelName": "custom-1",
            "RoleArn": "arn:aws:iam::123456789012:role/bedrock",
            "BaseModelIdentifier": "amazon.titan-text-express-v1",
            "TrainingDataConfig": {"S3Uri": "s3://data/train.jsonl"},
            "OutputDataConfig": {"S3Uri": "s3://data/out/"},
            "HyperParameters": {"epochCount": "1"}}


def task(resource, params, path, nxt, catch=None):
    t = {"Type": "Task", "Resource": S + resource, "Parameters": params, "ResultPath": path,
         "Next": nxt}
    if catch:
        t["Catch"] = [{"ErrorEquals": [catch], "ResultPath": path, "Next": nxt}]
    return t


STEPS = [
    ("DeleteNg", "eks:deleteNodegroup.sync", {"ClusterName": "demo", "NodegroupName": "ng"},
     "$.ng", None),
    ("DeleteFp", "eks:deleteFargateProfile.sync",
     {"ClusterName": "demo", "FargateProfileName": "fp"}, "$.fp", None),
    ("DeleteCluster", "eks:deleteCluster.sync", {"Name": "demo"}, "$.cl", None),
    ("DeleteFails", "eks:deleteCluster.sync", {"Name": "c-fail"}, "$.clfail",
     "States.TaskFailed"),
    ("Fleet", "elasticmapreduce:modifyInstanceFleetByName",
     {"ClusterId": "j-1", "InstanceFleetName": "core",
      "InstanceFleet": {"TargetOnDemandCapacity": 2, "TargetSpotCapacity": 0}}, "$.fleet", None),
    ("Group", "elasticmapreduce:modifyInstanceGroupByName",
     {"ClusterId": "j-1", "InstanceGroupName": "task", "InstanceGroup": {"InstanceCount": 3}},
     "$.group", None),
    ("GroupMissing", "elasticmapreduce:modifyInstanceGroupByName",
     {"ClusterId": "j-1", "InstanceGroupName": "nope", "InstanceGroup": {"InstanceCount": 1}},
     "$.nogroup", "States.TaskFailed"),
    ("Customize", "bedrock:createModelCustomizationJob.sync", customization("tune-1"),
     "$.custom", None),
    ("CustomizeStart", "bedrock:createModelCustomizationJob", customization("tune-2"),
     "$.custom_start", None),
    ("CustomizeFails", "bedrock:createModelCustomizationJob.sync", customization("fail-3"),
     "$.custom_fail", "States.TaskFailed"),
    ("RunJob", "eks:runJob.sync", cluster({
        "Namespace": "batch", "Job": job("pi"),
        "LogOptions": {"RetrieveLogs": True, "LogParameters": {"tailLines": ["5"]}}}),
     "$.run", None),
    ("RunJobRaw", "eks:runJob.sync", cluster({
        "Job": job("raw"), "LogOptions": {"RetrieveLogs": True, "RawLogs": True}}),
     "$.raw", None),
    ("RunJobAsync", "eks:runJob", cluster({
        "Job": json.dumps({"apiVersion": "batch/v1", "kind": "Job",
                           "metadata": {"generateName": "gen-"}, "spec": {}})}),
     "$.async", None),
    ("RunJobFails", "eks:runJob.sync", cluster({"Job": job("fail-job")}), "$.jobfail",
     "States.TaskFailed"),
    ("Pods", "eks:call", cluster({"Method": "GET", "Path": "/api/v1/namespaces/default/pods",
                                  "QueryParameters": {"labelSelector": ["job-name=pi"]}}),
     "$.pods", None),
    ("DeleteJob", "eks:call", cluster({
        "Method": "DELETE", "Path": "/apis/batch/v1/namespaces/default/jobs/pi",
        "QueryParameters": {"propagationPolicy": ["Foreground"]}}), "$.deljob", None),
    ("NotThere", "eks:call", cluster({"Method": "GET", "Path": "/api/v1/nothing"}), "$.missing",
     "EKS.404"),
]


def flow():
    states = {}
    for i, (name, res, params, path, catch) in enumerate(STEPS):
        nxt = STEPS[i + 1][0] if i + 1 < len(STEPS) else "Done"
        states[name] = task(res, params, path, nxt, catch)
    states["Done"] = {"Type": "Pass", "End": True}
    return {"StartAt": STEPS[0][0], "States": states}


def self_signed(tmp, name):
    key, cert = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    with open(cert, "rb") as f:
        return key, cert, base64.b64encode(f.read()).decode()


def main():
    args = arguments()
    try:
        import botocore  # noqa: F401
    except ImportError:
        print("skipped: botocore is not installed (Debian: python3-botocore)")
        return 77
    if not shutil.which("openssl"):
        print("skipped: the openssl command is not installed (Debian: openssl)")
        return 77
    check = Checks()
    with tempfile.TemporaryDirectory() as tmp:
        env = aws_env(tmp, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="AKIDTEST",
                      AWS_SECRET_ACCESS_KEY="fake-secret-key")
        out, err = compile_workflow(args, tmp, "bad", {"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": S + "eks:call", "Parameters": cluster({"Bogus": 1}),
            "End": True}}})
        check("a parameter eks:call does not take is refused",
              out is None and 'eks:call has no parameter "Bogus"' in err, err)

        key, cert, ca = self_signed(tmp, "server")
        _, _, other_ca = self_signed(tmp, "other")
        log = os.path.join(tmp, "calls.jsonl")
        fake = subprocess.Popen([sys.executable, os.path.join(HERE, "aws", "fake_eks.py"),
                                 "--log", log, "--cert", cert, "--key", key],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            aws_port, k8s_port = int(fake.stdout.readline()), int(fake.stdout.readline())
            b, err = compile_workflow(args, tmp, "flow", flow())
            check("the flow compiles without bindings", b is not None, err)
            if not b:
                return check.summary()
            url = "http://127.0.0.1:%d" % aws_port
            # per service, so that STS (the token's URL) keeps its real host
            env.update(AWS_ENDPOINT_URL_EKS=url, AWS_ENDPOINT_URL_EMR=url,
                       AWS_ENDPOINT_URL_BEDROCK=url)
            endpoint = "https://127.0.0.1:%d" % k8s_port
            doc = json.dumps({"ca": ca, "endpoint": endpoint})
            r = subprocess.run([b, "--input", doc], capture_output=True, text=True, timeout=120,
                               env=env)
            out = json.loads(r.stdout) if r.returncode == 0 else {}
            calls = read_log(log)
            check("the flow ran", r.returncode == 0, r.stdout + r.stderr)

            eks = [c["call"] for c in calls if c["service"] == "eks"]
            check("deleteNodegroup.sync: DELETE, then DescribeNodegroup until "
                  "ResourceNotFoundException",
                  eks[:4] == ["DELETE /clusters/demo/node-groups/ng"] +
                  ["GET /clusters/demo/node-groups/ng"] * 3 and
                  (out.get("ng") or {}).get("Nodegroup", {}).get("Status") == "DELETING",
                  json.dumps([eks, out.get("ng")]))
            check("deleteFargateProfile.sync followed the same way",
                  eks[4:8] == ["DELETE /clusters/demo/fargate-profiles/fp"] +
                  ["GET /clusters/demo/fargate-profiles/fp"] * 3 and
                  (out.get("fp") or {}).get("FargateProfile", {}).get("FargateProfileName")
                  == "fp", json.dumps([eks, out.get("fp")]))
            check("deleteCluster.sync answered with the deletion's answer",
                  eks[8:12] == ["DELETE /clusters/demo"] + ["GET /clusters/demo"] * 3 and
                  out.get("cl") == {"Cluster": {"Name": "demo", "Status": "DELETING"}},
                  json.dumps([eks, out.get("cl")]))
            fail = out.get("clfail") or {}
            check("a deletion that fails is States.TaskFailed",
                  fail.get("Error") == "States.TaskFailed" and
                  json.loads(fail.get("Cause", "{}")).get("Cluster", {}).get("Status") == "FAILED",
                  json.dumps(fail))

            emr = [(c["call"], c["body"]) for c in calls if c["service"] == "elasticmapreduce"]
            check("modifyInstanceFleetByName: ListInstanceFleets page after page, then "
                  "ModifyInstanceFleet with the Id of that Name", emr[:3] == [
                      ("ListInstanceFleets", {"ClusterId": "j-1"}),
                      ("ListInstanceFleets", {"ClusterId": "j-1", "Marker": "p2"}),
                      ("ModifyInstanceFleet", {"ClusterId": "j-1", "InstanceFleet": {
                          "TargetOnDemandCapacity": 2, "TargetSpotCapacity": 0,
                          "InstanceFleetId": "if-2"}})] and out.get("fleet") == {},
                  json.dumps([emr, out.get("fleet")]))
            check("modifyInstanceGroupByName: ModifyInstanceGroups [{InstanceGroupId, ...}]",
                  emr[3:5] == [("ListInstanceGroups", {"ClusterId": "j-1"}),
                               ("ModifyInstanceGroups", {"ClusterId": "j-1", "InstanceGroups": [
                                   {"InstanceCount": 3, "InstanceGroupId": "ig-1"}]})] and
                  out.get("group") == {}, json.dumps([emr, out.get("group")]))
            nog = out.get("nogroup") or {}
            check("a name the cluster does not have is States.TaskFailed, modifying nothing",
                  nog.get("Error") == "States.TaskFailed" and '"nope"' in nog.get("Cause", "")
                  and len(emr) == 6, json.dumps([nog, emr]))

            bed = [c for c in calls if c["service"] == "bedrock"]
            made = [c for c in bed if c["call"] == "POST /model-customization-jobs"]
            first = made[0]["body"] if made else {}
            check("createModelCustomizationJob: POST with the API's names, clientRequestToken "
                  "filled", len(made) == 3 and first.get("jobName") == "tune-1" and
                  first.get("trainingDataConfig") == {"s3Uri": "s3://data/train.jsonl"} and
                  first.get("hyperParameters") == {"epochCount": "1"} and
                  len(first.get("clientRequestToken", "")) == 36, json.dumps(made))
            reads = [c["call"] for c in bed if c["call"].startswith("GET")]
            check(".sync: GET of the job's escaped ARN until Completed",
                  reads[:3] == ["GET /model-customization-jobs/" +
                                JOB_ARN.replace(":", "%3A").replace("/", "%2F") + "tune-1"] * 3
                  and (out.get("custom") or {}).get("Status") == "Completed" and
                  (out.get("custom") or {}).get("TrainingMetrics") == {"TrainingLoss": 0.25},
                  json.dumps([reads, out.get("custom")]))
            check("without .sync: {JobArn}",
                  (out.get("custom_start") or {}).get("JobArn") == JOB_ARN + "tune-2",
                  json.dumps(out.get("custom_start")))
            cf = out.get("custom_fail") or {}
            check("a Failed customization is States.TaskFailed",
                  cf.get("Error") == "States.TaskFailed" and '"Failed"' in cf.get("Cause", ""),
                  json.dumps(cf))

            k8s = [c for c in calls if c["service"] == "k8s"]
            check("every Kubernetes request carried EKS's token, presigned right",
                  k8s and not [c for c in k8s if c["call"] == "401"], json.dumps(k8s[:3]))
            seq = [c["call"] for c in k8s]
            check("runJob.sync: POST of the Job in its Namespace, reads until Complete, then "
                  "the pods and each container's log", seq[:7] == [
                      "POST /apis/batch/v1/namespaces/batch/jobs"] +
                  ["GET /apis/batch/v1/namespaces/batch/jobs/pi"] * 3 + [
                      "GET /api/v1/namespaces/batch/pods",
                      "GET /api/v1/namespaces/batch/pods/pi-abcde/log",
                      "GET /api/v1/namespaces/batch/pods/pi-abcde/log"] and
                  k8s[0]["body"]["body"] == job("pi") and
                  k8s[0]["body"]["type"] == "application/json" and
                  k8s[4]["body"]["query"] == "labelSelector=job-name%3Dpi" and
                  k8s[5]["body"]["query"] == "tailLines=5&container=main",
                  json.dumps(k8s[:7]))
            run = out.get("run") or {}
            check("its result: the Job read last, with the logs (JSON parsed, text kept)",
                  run.get("status") == {"succeeded": 1, "conditions": [
                      {"type": "Complete", "status": "True"}]} and
                  run.get("logs") == {"pods": {"pi-abcde": {"containers": {
                      "main": {"log": {"pi": 3.14159265358979323846}},
                      "side": {"log": "plain text\n"}}}}}, json.dumps(run))
            raw = out.get("raw") or {}
            check("RawLogs: each log as its text, in namespace default",
                  ((raw.get("logs") or {}).get("pods") or {}).get("raw-abcde") == {
                      "containers": {"main": {"log": '{ "pi": 3.14159265358979323846 }\n'},
                                     "side": {"log": "plain text\n"}}} and
                  "POST /apis/batch/v1/namespaces/default/jobs" in seq, json.dumps(raw))
            check("runJob: the Job given as text, answered as the API made it",
                  ((out.get("async") or {}).get("metadata") or {}).get("name") == "gen-x7k2p",
                  json.dumps(out.get("async")))
            jf = out.get("jobfail") or {}
            check("a failed Job is States.TaskFailed with the Job as the Cause",
                  jf.get("Error") == "States.TaskFailed" and
                  json.loads(jf.get("Cause", "{}")).get("status", {}).get("failed") == 1,
                  json.dumps(jf))
            pods = out.get("pods") or {}
            check("eks:call GET with QueryParameters: {ResponseBody, StatusCode, StatusText}",
                  pods.get("StatusCode") == 200 and pods.get("StatusText") == "OK" and
                  pods.get("ResponseBody", {}).get("items", [{}])[0].get("metadata") ==
                  {"name": "pi-abcde"} and
                  [c for c in k8s if c["call"] == "GET /api/v1/namespaces/default/pods" and
                   c["body"]["query"] == "labelSelector=job-name%3Dpi"], json.dumps(pods))
            check("eks:call DELETE with propagationPolicy",
                  (out.get("deljob") or {}).get("ResponseBody", {}).get("status") == "Success"
                  and [c for c in k8s if c["call"] ==
                       "DELETE /apis/batch/v1/namespaces/default/jobs/pi" and
                       c["body"]["query"] == "propagationPolicy=Foreground"],
                  json.dumps(out.get("deljob")))
            miss = out.get("missing") or {}
            cause = json.loads(miss.get("Cause", "{}") or "{}")
            check("a 404 is EKS.404, the Cause {ResponseBody, StatusCode, StatusText}",
                  miss.get("Error") == "EKS.404" and cause.get("StatusCode") == 404 and
                  cause.get("StatusText") == "Not Found" and
                  cause.get("ResponseBody", {}).get("reason") == "NotFound", json.dumps(miss))

            one, oerr = compile_workflow(args, tmp, "one", {"StartAt": "T", "States": {"T": {
                "Type": "Task", "Resource": S + "eks:call", "Parameters": cluster({
                    "Method": "GET", "Path": "/api/v1/namespaces/default/pods"}),
                "End": True}}})
            check("one call compiles", one is not None, oerr)
            r = subprocess.run([one, "--input", doc], capture_output=True, text=True, timeout=60,
                               env=dict(env, AWS_SECRET_ACCESS_KEY="wrong"))
            e = last_error(r.stderr)
            check("a token signed with a wrong secret is EKS.401 (as AWS documents it)",
                  e.get("Error") == "EKS.401" and json.loads(e.get("Cause", "{}")) == {
                      "ResponseBody": {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                       "status": "Failure", "message": "Unauthorized",
                                       "reason": "Unauthorized", "code": 401},
                      "StatusCode": 401, "StatusText": "Unauthorized"}, r.stdout + r.stderr)
            r = subprocess.run([one, "--input", json.dumps({"ca": other_ca, "endpoint": endpoint})],
                               capture_output=True, text=True, timeout=60, env=env)
            e = last_error(r.stderr)
            check("a server the CertificateAuthority did not sign is refused",
                  r.returncode != 0 and e.get("Error") == "EKS.SdkClientException",
                  r.stdout + r.stderr)
            r = subprocess.run([one, "--input", doc], capture_output=True, text=True, timeout=60,
                               env=dict(env, AWS_SESSION_TOKEN="fake-session"))
            check("with a session token (in the presigned query, signed)", r.returncode == 0 and
                  json.loads(r.stdout).get("StatusCode") == 200, r.stdout + r.stderr)
        finally:
            fake.stdin.close()
            fake.wait(timeout=10)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
