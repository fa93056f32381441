#!/usr/bin/env python3
"""check_aws_lambda.py — a workflow binary calls AWS Lambda over the real wire
protocol, against tests/aws/fake_lambda.py on loopback (nothing leaves the
machine).  The endpoint recomputes every request's Signature V4 with botocore
and serves Python handlers, as Lambda would.  For the back end given:

  - the seed's PSY workflow (examples/hello_lambda, two bare Lambda ARNs)
    compiled with NO bindings runs against the endpoint and gives the
    expected output, both calls over one connection;
  - lambda:invoke with Payload and ResultSelector: the integration's response
    shape (StatusCode 200, ExecutedVersion, Payload) and the Qualifier sent;
  - a function that raises ValueError: Catch ["ValueError"] gets Error
    ValueError and Cause the Python runtime's error payload;
  - an unknown function: Lambda.ResourceNotFoundException, uncaught, exit 1;
  - a throttled first call is retried by Retry ["Lambda.TooManyRequestsException"];
  - a wrong secret key: Lambda.AWSLambdaException (InvalidSignatureException),
    and the secret appears in no output;
  - credentials from a shared credentials file and AWS_PROFILE, from a
    container's credentials service and from an instance's (IMDSv2); a
    missing profile and missing credentials fail with
    Lambda.SdkClientException;
  - AWS_ENDPOINT_URL_LAMBDA wins over AWS_ENDPOINT_URL;
  - a Map of 30 calls opens at most one connection per worker thread;
  - precedence: a mock, then a resources-file binding, win over the service.

Exit status 0 when every check holds, 1 otherwise, 77 (skipped) when botocore
is missing.

    tests/check_aws_lambda.py --aslc build/aslc --backend c
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws"))
from harness import aws_env, begin, builder, endpoint, last_error, read_log, stop  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
SECRET = "fake-secret-key"

WORKFLOWS = {
    "invoke": {"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": ARN + "echo", "Qualifier": "$LATEST",
                       "Payload": {"x.$": "$.x"}},
        "ResultSelector": {"code.$": "$.StatusCode", "version.$": "$.ExecutedVersion",
                           "payload.$": "$.Payload"},
        "End": True}}},
    "caught": {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": ARN + "fail",
                 "Catch": [{"ErrorEquals": ["ValueError"], "Next": "Handled"}], "End": True},
        "Handled": {"Type": "Pass", "End": True}}},
    "missing": {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": ARN + "nosuchfunction", "End": True}}},
    "throttled": {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": ARN + "count",
                 "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"],
                            "IntervalSeconds": 1, "MaxAttempts": 2}],
                 "End": True}}},
    "map": {"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 2, "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "E", "States": {
            "E": {"Type": "Task", "Resource": ARN + "echo", "OutputPath": "$.echo", "End": True}}},
        "End": True}}},
    "bound": {"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": ARN + "echo", "Next": "B"},
        "B": {"Type": "Task", "Resource": ARN + "echo", "End": True}}},
}


def start_endpoint(tmp, throttle):
    log = os.path.join(tmp, "requests.jsonl")
    fns = os.path.join(HERE, "aws", "functions.py")
    hello = os.path.join(ROOT, "examples", "hello_lambda", "handlers")
    opts = ["--function", "stepTest1=" + os.path.join(hello, "song.py"),
            "--function", "stepTest2=" + os.path.join(hello, "lyrics.py")]
    for fn in ("echo", "fail", "count"):
        opts += ["--function", "%s=%s:%s" % (fn, fns, fn)]
    for fn in throttle:
        opts += ["--throttle-first", fn]
    proc, port = endpoint("fake_lambda.py", "--log", log, *opts)
    return proc, port, log


def main():
    args, check = begin()
    with tempfile.TemporaryDirectory() as tmp:

        build = builder(check, args, tmp)

        proc, port, log = start_endpoint(tmp, ["count"])
        url = "http://127.0.0.1:%d" % port
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        base_env = aws_env(home)
        env = dict(base_env, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="AKIDTEST",
                   AWS_SECRET_ACCESS_KEY=SECRET)

        def run(binary, inp, e=env):
            return subprocess.run([binary, "--input", json.dumps(inp)], capture_output=True,
                                  text=True, env=e, timeout=60)

        try:
            # The seed's own workflow, compiled with no bindings at all.
            with open(os.path.join(ROOT, "examples", "hello_lambda", "workflow.json")) as f:
                psy_def = json.load(f)
            psy = build("psy", psy_def)
            if psy:
                before = len(read_log(log))
                r = run(psy, {"name": "PSY"})
                check("PSY workflow against the Lambda endpoint",
                        r.returncode == 0 and json.loads(r.stdout or "null") ==
                        {"lyrics": "oh oh oh oh oh pan gangnam style"}, r.stdout + r.stderr)
                calls = read_log(log)[before:]
                check("both calls over one connection",
                        len(calls) == 2 and len({x["port"] for x in calls}) == 1, str(calls))

            b = build("invoke", WORKFLOWS["invoke"])
            if b:
                r = run(b, {"x": 42})
                want = {"code": 200, "version": "$LATEST",
                        "payload": {"echo": {"x": 42}, "function": "echo"}}
                check("lambda:invoke response shape", r.returncode == 0 and
                        json.loads(r.stdout or "null") == want, r.stdout + r.stderr)
                check("Qualifier sent", read_log(log)[-1].get("qualifier") == "$LATEST",
                        str(read_log(log)[-1:]))

            b = build("caught", WORKFLOWS["caught"])
            if b:
                r = run(b, {"why": "testing"})
                out = json.loads(r.stdout or "null") if r.returncode == 0 else None
                ok = bool(out) and out.get("Error") == "ValueError"
                cause = json.loads(out["Cause"]) if ok else {}
                check("function error caught by its errorType",
                        ok and cause.get("errorMessage") == "boom: testing" and
                        cause.get("errorType") == "ValueError" and "stackTrace" in cause,
                        r.stdout + r.stderr)

            b = build("missing", WORKFLOWS["missing"])
            if b:
                r = run(b, {})
                err = last_error(r.stderr)
                check("unknown function: Lambda.ResourceNotFoundException",
                        r.returncode == 1 and err.get("Error") ==
                        "Lambda.ResourceNotFoundException" and
                        "Function not found" in (err.get("Cause") or ""), r.stderr)

            b = build("throttled", WORKFLOWS["throttled"])
            if b:
                r = run(b, {})
                statuses = [x["status"] for x in read_log(log) if x["function"] == "count"]
                check("throttled call retried", r.returncode == 0 and r.stdout.strip() == "1" and
                        statuses[:2] == [429, 200], r.stdout + r.stderr + str(statuses))

            b = build("bound", WORKFLOWS["bound"])
            if b:
                wrong = dict(env, AWS_SECRET_ACCESS_KEY="not-the-" + SECRET)
                r = run(b, {}, wrong)
                err = last_error(r.stderr)
                check("wrong secret: Lambda.AWSLambdaException",
                        r.returncode == 1 and err.get("Error") == "Lambda.AWSLambdaException" and
                        "InvalidSignatureException" in (err.get("Cause") or ""), r.stderr)
                check("no secret in any output", SECRET not in r.stdout + r.stderr)

                creds = os.path.join(tmp, "credentials")
                with open(creds, "w") as f:
                    f.write("[default]\naws_access_key_id = nobody\n"
                            "aws_secret_access_key = nothing\n\n"
                            "[tester]\n# the one the endpoint knows\n"
                            "aws_access_key_id = AKIDTEST\naws_secret_access_key = %s\n" % SECRET)
                prof = dict(base_env, AWS_ENDPOINT_URL=url, AWS_SHARED_CREDENTIALS_FILE=creds,
                            AWS_PROFILE="tester")
                r = run(b, {"p": 1}, prof)
                check("credentials from a profile", r.returncode == 0, r.stderr)
                r = run(b, {}, dict(prof, AWS_PROFILE="nosuchprofile"))
                check("missing profile named", r.returncode == 1 and
                        "Lambda.SdkClientException" in r.stderr and "nosuchprofile" in r.stderr,
                        r.stderr)
                r = run(b, {}, dict(base_env, AWS_ENDPOINT_URL=url,
                                    AWS_CONFIG_FILE=os.path.join(tmp, "none"),
                                    AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "none")))
                check("no credentials: Lambda.SdkClientException",
                        r.returncode == 1 and "Unable to load AWS credentials" in r.stderr,
                        r.stderr)
                r = run(b, {}, dict(base_env, AWS_ENDPOINT_URL=url,
                                    AWS_CONFIG_FILE=os.path.join(tmp, "none"),
                                    AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "none"),
                                    AWS_CONTAINER_CREDENTIALS_FULL_URI=url + "/container-credentials",
                                    AWS_CONTAINER_AUTHORIZATION_TOKEN="container-auth"))
                check("container credentials (with their session token)", r.returncode == 0,
                        r.stderr)
                r = run(b, {}, dict(base_env, AWS_ENDPOINT_URL=url,
                                    AWS_CONFIG_FILE=os.path.join(tmp, "none"),
                                    AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "none"),
                                    AWS_EC2_METADATA_SERVICE_ENDPOINT=url))
                check("instance credentials (IMDSv2)", r.returncode == 0, r.stderr)
                r = run(b, {"e": 1}, dict(env, AWS_ENDPOINT_URL="http://127.0.0.1:9",
                                          AWS_ENDPOINT_URL_LAMBDA=url))
                check("AWS_ENDPOINT_URL_LAMBDA wins", r.returncode == 0, r.stderr)

                mocks = os.path.join(tmp, "mocks.json")
                with open(mocks, "w") as f:
                    json.dump({"A": [{"mocked": True}]}, f)
                res = os.path.join(tmp, "resources.json")
                with open(res, "w") as f:
                    json.dump({"echo": {"command": [sys.executable, "-c",
                                                    "print('{\"bound\": true}')"]}}, f)
                r = subprocess.run([b, "--input", "{}", "--mocks", mocks, "--resources", res],
                                   capture_output=True, text=True, env=env, timeout=60)
                check("mock and binding win over the service", r.returncode == 0 and
                        json.loads(r.stdout or "null") == {"bound": True}, r.stdout + r.stderr)

            b = build("map", WORKFLOWS["map"])
            if b:
                before = len(read_log(log))
                items = [{"i": i} for i in range(30)]
                r = run(b, {"items": items})
                want = [{"i": i} for i in range(30)]
                calls = read_log(log)[before:]
                check("Map of 30 calls in order", r.returncode == 0 and
                        json.loads(r.stdout or "null") == want, r.stdout + r.stderr)
                conns = len({x["port"] for x in calls})
                check("connections reused across the Map (%d for 30 calls)" % conns,
                        len(calls) == 30 and conns <= 3, str(conns))
        finally:
            stop(proc)
        return check.summary()


if __name__ == "__main__":
    sys.exit(main())
