#!/usr/bin/env python3
"""check_serve_auth.py — `aslc serve --auth FILE` checks the SigV4 signature
of every request, as AWS does: boto3 with the configured credentials is
served (a state machine created and an EXPRESS execution run); the right
key with a wrong secret is InvalidSignatureException, an unknown key
UnrecognizedClientException, an unsigned request (botocore's UNSIGNED, and
a plain HTTP POST) MissingAuthenticationToken with status 403, a signed
request whose body was changed after signing, or signed with a date more
than 5 minutes away, InvalidSignatureException.
Without --auth the same unsigned request is served.

Exit 0 when every check holds, 1 otherwise, 77 (skipped) without boto3.

    tests/check_serve_auth.py --aslc build/aslc
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import Checks, start_server  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    args = ap.parse_args()
    try:
        import boto3
        from botocore import UNSIGNED
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.config import Config
        from botocore.credentials import Credentials
        from botocore.exceptions import ClientError
    except ImportError:
        if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
            os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
        print("skipped: boto3 is not installed (Debian: python3-boto3)")
        return 77

    check = Checks()

    def error_of(fn, **kw):
        try:
            fn(**kw)
            return None, None
        except ClientError as e:
            return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]

    def post(endpoint, action, body, headers=()):
        req = urllib.request.Request(endpoint + "/", data=body.encode(), method="POST", headers={
            "X-Amz-Target": "AWSStepFunctions." + action,
            "Content-Type": "application/x-amz-json-1.0", **dict(headers)})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with tempfile.TemporaryDirectory() as tmp:
        creds = os.path.join(tmp, "creds.json")
        with open(creds, "w") as f:
            json.dump({"AKIDSERVE": "the-right-secret", "AKIDOTHER": "another"}, f)
        servers = []

        def start(*extra):
            p, _, endpoint = start_server(args.aslc, os.path.join(tmp, "s%d.db" % len(servers)),
                                          *extra)
            servers.append(p)
            return endpoint

        def client(endpoint, key, secret, **cfg):
            return boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                                aws_access_key_id=key, aws_secret_access_key=secret,
                                config=Config(inject_host_prefix=False, retries={"max_attempts": 1},
                                              **cfg))

        try:
            endpoint = start("--auth", creds)
            good = client(endpoint, "AKIDSERVE", "the-right-secret")
            arn = good.create_state_machine(name="p", definition=definition, type="EXPRESS",
                                            roleArn="arn:aws:iam::123456789012:role/r")[
                                                "stateMachineArn"]
            out = good.start_sync_execution(stateMachineArn=arn, input='{"a": 1}')
            check("the configured credentials are served", out["status"] == "SUCCEEDED" and
                  json.loads(out["output"]) == {"a": 1}, out)
            other = client(endpoint, "AKIDOTHER", "another")
            check("every key of the file is served",
                  len(other.list_state_machines()["stateMachines"]) == 1)
            check("a wrong secret: InvalidSignatureException (400)",
                  error_of(client(endpoint, "AKIDSERVE", "wrong").list_state_machines) ==
                  ("InvalidSignatureException", 400))
            check("an unknown access key: UnrecognizedClientException (400)",
                  error_of(client(endpoint, "AKIDNOBODY", "x").list_state_machines) ==
                  ("UnrecognizedClientException", 400))
            check("an unsigned request: MissingAuthenticationToken (403)",
                  error_of(client(endpoint, "x", "y", signature_version=UNSIGNED)
                           .list_state_machines) == ("MissingAuthenticationToken", 403))
            status, body = post(endpoint, "ListStateMachines", "{}")
            check("a plain POST: MissingAuthenticationToken",
                  status == 403 and body.get("__type") == "MissingAuthenticationToken",
                  (status, body))
            # signed right, then the body changed: the payload hash no longer matches
            host = endpoint[len("http://"):]
            req = AWSRequest(method="POST", url=endpoint + "/", data=b"{}", headers={
                "X-Amz-Target": "AWSStepFunctions.ListStateMachines",
                "Content-Type": "application/x-amz-json-1.0", "Host": host})
            SigV4Auth(Credentials("AKIDSERVE", "the-right-secret"), "states",
                      "us-east-1").add_auth(req)
            signed = dict(req.headers.items())
            status, body = post(endpoint, "ListStateMachines", "{}", signed.items())
            check("a request signed by hand (botocore's SigV4Auth) is served",
                  status == 200 and "stateMachines" in body, (status, body))
            status, body = post(endpoint, "ListStateMachines", '{"maxResults": 1}',
                                signed.items())
            check("a body changed after signing: InvalidSignatureException",
                  status == 400 and body.get("__type") == "InvalidSignatureException",
                  (status, body))

            old = AWSRequest(method="POST", url=endpoint + "/", data=b"{}", headers={
                "X-Amz-Target": "AWSStepFunctions.ListStateMachines",
                "Content-Type": "application/x-amz-json-1.0", "Host": host})
            signer = SigV4Auth(Credentials("AKIDSERVE", "the-right-secret"), "states",
                               "us-east-1")
            # signed right, but in 2020 (what add_auth does, at a given time)
            old.context["timestamp"] = "20200101T000000Z"
            signer._modify_request_before_signing(old)
            signer._inject_signature_to_request(old, signer.signature(
                signer.string_to_sign(old, signer.canonical_request(old)), old))
            status, body = post(endpoint, "ListStateMachines", "{}", dict(old.headers.items()).items())
            check("a signature made in 2020: InvalidSignatureException (Signature expired)",
                  status == 400 and body.get("__type") == "InvalidSignatureException" and
                  "expired" in body.get("message", ""), (status, body))

            open_endpoint = start()
            status, body = post(open_endpoint, "ListStateMachines", "{}")
            check("without --auth an unsigned request is served", status == 200, (status, body))
            bad = subprocess.run([args.aslc, "serve", "--listen", "127.0.0.1:0", "--db",
                                  os.path.join(tmp, "x.db"), "--auth", definition and
                                  os.path.join(tmp, "missing.json")],
                                 capture_output=True, text=True, timeout=30)
            check("an unreadable --auth file is refused at start", bad.returncode == 2 and
                  "--auth" in bad.stderr, (bad.returncode, bad.stderr))
        finally:
            for p in servers:
                p.terminate()
                p.wait(timeout=30)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
