"""serve_common.py — what the tests of `aslc serve` share (tests/check_serve*.py,
check_served_binary.py): boto3 or the skip, the `ok`/`FAIL` lines with their
count, and the AWS error code a call answers.
"""

import os
import sys


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


def error_code(client_error, fn, **kw):
    """The code of the AWS error fn(**kw) raises (a client_error), or None."""
    try:
        fn(**kw)
        return None
    except client_error as e:
        return e.response["Error"]["Code"]
