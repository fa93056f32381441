"""serve_common.py — what the tests of `aslc serve` share (tests/check_serve*.py,
check_served_binary.py): boto3 or the skip, the `ok`/`FAIL` lines with their
count, the AWS error code a call answers, and a server on a free loopback port.
"""

import argparse
import json
import os
import subprocess
import sys
import time


def boto3_or_skip():
    """(boto3, Config, ClientError); when this python has no boto3, runs the
    test again under Debian's python3 (python3-boto3), or prints the skip and
    gives None (the test then exits 77)."""
    try:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import ClientError
        return boto3, Config, ClientError
    except ImportError:
        if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
            os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
        print("skipped: boto3 is not installed (Debian: python3-boto3)")
        return None


class Checks:
    """check(label, ok, detail): one `ok`/`FAIL` line; summary() prints the
    counts and gives the exit status."""

    def __init__(self):
        self.passed = 0
        self.failures = []

    def __call__(self, label, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + label + ("" if ok else ": " + str(detail)))
        self.passed += bool(ok)
        if not ok:
            self.failures.append(label)

    def summary(self):
        print("%d passed, %d failed" % (self.passed, len(self.failures)))
        return 1 if self.failures else 0


def begin():
    """What each serve test does first: its --aslc argument, boto3 (None when
    it is missing: the test exits 77), its Checks, and code_of(fn, **kw), the
    AWS error code the call answers (or None).  (args, check, code_of)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    args = ap.parse_args()
    aws = boto3_or_skip()
    if not aws:
        return None
    client_error = aws[2]
    return args, Checks(), lambda fn, **kw: error_code(client_error, fn, **kw)


def fake_aws(tmp):
    """tests/aws/fake_optimised.py on a loopback port, logging each request to
    a file in tmp: (its process, the environment that sends a server's AWS
    calls there, signed with the keys it checks, the log's path).  Close the
    process's stdin to stop it."""
    here = os.path.dirname(os.path.abspath(__file__))
    log = os.path.join(tmp, "aws-calls.jsonl")
    p = subprocess.Popen([sys.executable, os.path.join(here, "aws", "fake_optimised.py"),
                          "--log", log], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    url = "http://127.0.0.1:%d" % int(p.stdout.readline())
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="AKIDTEST",
               AWS_SECRET_ACCESS_KEY="fake-secret-key", AWS_REGION="us-east-1")
    return p, env, log


def aws_calls(log, service):
    """The requests fake_aws logged for service, in order."""
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return [c for c in map(json.loads, f) if c["service"] == service]


def error_code(client_error, fn, **kw):
    """The code of the AWS error fn(**kw) raises (a client_error), or None."""
    try:
        fn(**kw)
        return None
    except client_error as e:
        return e.response["Error"]["Code"]


def start_server(aslc, db, *extra, env=None, **config):
    """`aslc serve` on a free loopback port with database db, the options
    extra and the environment env (None: this one's): (the process, a boto3
    client for it or None without boto3, its endpoint).  config: more
    botocore Config settings (read_timeout, max_pool_connections, ...); the
    client never adds StartSyncExecution's "sync-" host prefix."""
    p = subprocess.Popen([aslc, "serve", "--listen", "127.0.0.1:0", "--db", db, *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    endpoint = "http://127.0.0.1:%d" % int(p.stdout.readline())
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        return p, None, endpoint
    client = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="AKIDTEST", aws_secret_access_key="secret",
                          config=Config(inject_host_prefix=False, **config))
    return p, client, endpoint


def wait_end(sfn, arn, limit=30):
    """DescribeExecution of arn once it is no longer RUNNING (or after limit seconds)."""
    d = None
    deadline = time.time() + limit
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            break
        time.sleep(0.05)
    return d
