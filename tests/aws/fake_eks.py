#!/usr/bin/env python3
"""fake_eks.py — loopback stand-ins for what tests/check_aws_eks.py calls:

  - on plain HTTP, three AWS APIs, every request's Signature V4 recomputed
    with botocore (AKIDTEST / "fake-secret-key"): EKS's deletions and
    describes (rest-json; a deleted resource is described twice as DELETING,
    then is ResourceNotFoundException; "c-fail" ends DELETE_FAILED/FAILED),
    EMR's ListInstanceFleets (two pages), ListInstanceGroups,
    ModifyInstanceFleet and ModifyInstanceGroups (json), and Bedrock's
    CreateModelCustomizationJob / GetModelCustomizationJob (rest-json; a job
    is InProgress for two reads, then Completed, or Failed for a job named
    "fail-...");
  - on HTTPS (--cert, --key: made by the test), a Kubernetes API server that
    takes only EKS's bearer token: "k8s-aws-v1." + base64url of a presigned
    STS GetCallerIdentity URL for the cluster "demo", whose signature is
    recomputed with botocore's SigV4QueryAuth (else 401, as a cluster
    answers).  Jobs run for two reads, then complete (or fail: "fail-...");
    their pods' logs are one JSON line (container "main") and plain text
    ("side").

Prints the HTTP port, then the HTTPS port; stops when stdin closes; --log
appends each request as a JSON line {"service", "call", "body"}.
"""
import argparse
import base64
import json
import re
import ssl
import sys
import threading
import uuid
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from loopback import QuietHandler
from sigv4check import verify_sigv4

from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

LOCK = threading.Lock()
LOG = None
POLLS = {}
KEY, SECRET, REGION, CLUSTER = "AKIDTEST", "fake-secret-key", "us-east-1", "demo"


def poll(key):
    with LOCK:
        POLLS[key] = POLLS.get(key, 0) + 1
        return POLLS[key]


def log(service, call, body):
    if LOG:
        with LOCK, open(LOG, "a") as f:
            f.write(json.dumps({"service": service, "call": call, "body": body}) + "\n")


class Reply(Exception):
    def __init__(self, status, doc, error_type=None):
        super().__init__(status)
        self.status, self.doc, self.error_type = status, doc, error_type


def not_found(what):
    return Reply(404, {"message": "No %s found." % what}, "ResourceNotFoundException")


def eks_call(method, path):
    """DELETE answers DELETING; GET: DELETING twice, then gone (or failed)."""
    m = re.fullmatch(r"/clusters/([^/]+)(?:/(node-groups|fargate-profiles)/([^/]+))?", path)
    if not m:
        raise Reply(404, {"message": "no route " + path})
    cluster, kind, name = m.groups()
    key = "/".join(filter(None, m.groups()))
    if kind is None:
        field, doc = "cluster", {"name": cluster}
    elif kind == "node-groups":
        field, doc = "nodegroup", {"clusterName": cluster, "nodegroupName": name}
    else:
        field, doc = "fargateProfile", {"clusterName": cluster, "fargateProfileName": name}
    failing = (name or cluster).startswith("c-fail")
    if method == "DELETE":
        return {field: dict(doc, status="DELETING")}
    n = poll(key)
    if n < 3:
        return {field: dict(doc, status="DELETING")}
    if failing:
        return {field: dict(doc, status="FAILED" if kind is None else "DELETE_FAILED")}
    raise not_found(field)


FLEETS = [[{"Id": "if-1", "Name": "master"}], [{"Id": "if-2", "Name": "core"}]]


def emr_call(op, body):
    if "ClusterId" not in body:
        raise Reply(400, {"__type": "ValidationException", "message": "ClusterId missing"})
    if op == "ListInstanceFleets":
        page = 1 if body.get("Marker") == "p2" else 0
        out = {"InstanceFleets": FLEETS[page]}
        if page == 0:
            out["Marker"] = "p2"
        return out
    if op == "ListInstanceGroups":
        return {"InstanceGroups": [{"Id": "ig-1", "Name": "task"}, {"Id": "ig-2", "Name": "x"}]}
    if op in ("ModifyInstanceFleet", "ModifyInstanceGroups"):
        return {}
    raise Reply(400, {"__type": "UnknownOperationException", "message": op})


def bedrock_call(method, path, body):
    if method == "POST" and path == "/model-customization-jobs":
        for k in ("jobName", "customModelName", "roleArn", "baseModelIdentifier",
                  "trainingDataConfig", "outputDataConfig", "clientRequestToken"):
            if k not in body:
                raise Reply(400, {"message": "%s must not be null" % k},
                            "ValidationException")
        uuid.UUID(body["clientRequestToken"])
        return {"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/"
                          "amazon.titan-text-express-v1:0:8k/" + body["jobName"]}
    m = re.fullmatch(r"/model-customization-jobs/([^/]+)", path)
    if method == "GET" and m:
        arn = unquote(m.group(1))
        name = arn.rsplit("/", 1)[1]
        n = poll(arn)
        status = "InProgress" if n < 3 else "Failed" if name.startswith("fail-") else "Completed"
        return {"jobArn": arn, "jobName": name, "status": status,
                "outputModelName": "custom-1", "creationTime": "2026-12-07T12:00:00Z",
                "trainingMetrics": {"trainingLoss": 0.25},
                "hyperParameters": {"epochCount": "1"}}
    raise Reply(404, {"message": "no route " + path})


class AnyMethod(QuietHandler):
    """Every method the fakes take goes to handle_any(method)."""

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def do_PATCH(self):
        self.handle_any("PATCH")


class AwsHandler(AnyMethod):
    def reply(self, status, doc, error_type=None):
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "req-1")
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type + ":http://internal.amazon.com/")
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = urlsplit(self.path)
        target = self.headers.get("X-Amz-Target", "")
        service = ("elasticmapreduce" if target.startswith("ElasticMapReduce.") else
                   "eks" if parts.path.startswith("/clusters/") else
                   "bedrock" if parts.path.startswith("/model-customization-jobs") else None)
        bad = verify_sigv4(method, parts.path, parts.query, self.headers, raw, service or "?",
                           REGION, KEY, SECRET)
        if bad or not service:
            return self.reply(403, {"message": bad or "unknown service"},
                              "InvalidSignatureException")
        body = json.loads(raw or b"{}")
        call = target.split(".", 1)[1] if target else method + " " + parts.path
        log(service, call, body)
        try:
            if service == "eks":
                doc = eks_call(method, parts.path)
            elif service == "elasticmapreduce":
                doc = emr_call(call, body)
            else:
                doc = bedrock_call(method, parts.path, body)
            self.reply(200, doc)
        except Reply as e:
            self.reply(e.status, e.doc, e.error_type)


def token_problem(auth):
    """None when auth is EKS's token for CLUSTER, presigned right; else why."""
    if not auth.startswith("Bearer k8s-aws-v1."):
        return "no EKS bearer token"
    b64 = auth[len("Bearer k8s-aws-v1."):]
    if "=" in b64 or "+" in b64 or "/" in b64:
        return "not base64url without padding"
    url = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)).decode()
    parts = urlsplit(url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if parts.scheme != "https" or parts.netloc != "sts.%s.amazonaws.com" % REGION or \
            parts.path != "/":
        return "not STS's regional endpoint: " + url
    if q.get("Action") != "GetCallerIdentity" or q.get("Version") != "2011-06-15" or \
            q.get("X-Amz-Expires") != "60" or \
            q.get("X-Amz-SignedHeaders") != "host;x-k8s-aws-id":
        return "not a presigned GetCallerIdentity for x-k8s-aws-id: " + url
    if q.get("X-Amz-Credential", "").split("/")[0] != KEY:
        return "unknown access key"
    # the same request presigned by botocore at the same time, for CLUSTER
    req = AWSRequest(method="GET", url="https://%s/?Action=GetCallerIdentity&Version=2011-06-15"
                     % parts.netloc, headers={"x-k8s-aws-id": CLUSTER})
    req.context["timestamp"] = q.get("X-Amz-Date", "")
    token = q.get("X-Amz-Security-Token")
    signer = SigV4QueryAuth(Credentials(KEY, SECRET, token), "sts", REGION, expires=60)
    signer._modify_request_before_signing(req)   # add_auth, without taking the time anew
    want = signer.signature(signer.string_to_sign(req, signer.canonical_request(req)), req)
    if want != q.get("X-Amz-Signature"):
        return "signature mismatch"
    return None


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class K8sHandler(AnyMethod):
    def reply(self, code, doc, ctype="application/json"):
        data = doc.encode() if isinstance(doc, str) else json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = urlsplit(self.path)
        bad = token_problem(self.headers.get("Authorization", ""))
        if bad:
            log("k8s", "401", {"why": bad})
            return self.reply(401, status(401, "Unauthorized", "Unauthorized"))
        body = json.loads(raw) if raw else None
        log("k8s", method + " " + parts.path, {"query": parts.query, "body": body,
                                               "type": self.headers.get("Content-Type")})
        path = parts.path
        m = re.fullmatch(r"/apis/batch/v1/namespaces/([^/]+)/jobs(?:/([^/]+))?", path)
        if m and method == "POST" and not m.group(2):
            job = dict(body)
            meta = dict(job.get("metadata", {}))
            meta.setdefault("name", meta.get("generateName", "job-") + "x7k2p")
            meta["namespace"] = m.group(1)
            meta["uid"] = "uid-" + meta["name"]
            job.update(metadata=meta, status={})
            return self.reply(201, job)
        if m and method == "GET" and m.group(2):
            name = m.group(2)
            n = poll("job/" + name)
            job = {"apiVersion": "batch/v1", "kind": "Job",
                   "metadata": {"name": name, "namespace": m.group(1)}, "status": {"active": 1}}
            if n >= 3:
                failed = name.startswith("fail-")
                job["status"] = {"failed" if failed else "succeeded": 1, "conditions": [
                    {"type": "Failed" if failed else "Complete", "status": "True"}]}
            return self.reply(200, job)
        if m and method == "DELETE" and m.group(2):
            return self.reply(200, {"kind": "Status", "apiVersion": "v1", "status": "Success",
                                    "details": {"name": m.group(2), "kind": "jobs"}})
        m = re.fullmatch(r"/api/v1/namespaces/([^/]+)/pods", path)
        if m and method == "GET":
            sel = parse_qs(parts.query).get("labelSelector", [""])[0]
            job = sel[len("job-name="):] if sel.startswith("job-name=") else None
            items = [] if not job else [{"metadata": {"name": job + "-abcde"}, "spec": {
                "containers": [{"name": "main"}, {"name": "side"}]}}]
            return self.reply(200, {"kind": "PodList", "apiVersion": "v1", "items": items})
        m = re.fullmatch(r"/api/v1/namespaces/([^/]+)/pods/([^/]+)/log", path)
        if m and method == "GET":
            c = parse_qs(parts.query).get("container", [""])[0]
            text = ('{ "pi": 3.14159265358979323846 }\n' if c == "main" else "plain text\n")
            return self.reply(200, text, "text/plain")
        self.reply(404, status(404, "NotFound", "the server could not find the requested "
                                                "resource"))



def main():
    global LOG
    ap = argparse.ArgumentParser()
    ap.add_argument("--log")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    args = ap.parse_args()
    LOG = args.log
    aws = ThreadingHTTPServer(("127.0.0.1", 0), AwsHandler)
    k8s = ThreadingHTTPServer(("127.0.0.1", 0), K8sHandler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    k8s.socket = ctx.wrap_socket(k8s.socket, server_side=True)
    for s in (aws, k8s):
        s.daemon_threads = True
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(aws.server_address[1], flush=True)
    print(k8s.server_address[1], flush=True)
    sys.stdin.read()
    aws.shutdown()
    k8s.shutdown()


if __name__ == "__main__":
    main()
