"""harness.py — what the scripts that test Tasks calling AWS share
(tests/check_aws_*.py): their arguments, the skip when botocore is missing,
the ok/FAIL lines and the closing count, compiling a workflow, the
environment a binary runs in, the endpoints of tests/aws started and
stopped, loopback ports, the servers installed from npm into build/npm, and
the {"Error", "Cause"} line a failed binary prints."""
import argparse
import json
import os
import socket
import subprocess
import sys
import time

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def arguments():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--backend", default="c")
    return ap.parse_args()


class Checks:
    """check(label, ok, detail) prints one line; summary() the closing count."""

    def __init__(self):
        self.passed, self.failures = 0, []

    def __call__(self, label, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + label + ("" if ok else ": " + str(detail)))
        self.passed += bool(ok)
        if not ok:
            self.failures.append(label)

    def summary(self):
        print("%d passed, %d failed" % (self.passed, len(self.failures)))
        return 1 if self.failures else 0


def begin():
    """A script's arguments and its Checks; the script exits 77 (skipped)
    when botocore, which the endpoints check signatures with, is missing."""
    args = arguments()
    try:
        import botocore  # noqa: F401
    except ImportError:
        print("skipped: botocore is not installed (Debian: python3-botocore)")
        sys.exit(77)
    return args, Checks()


def compile_workflow(args, tmp, name, definition, extra=()):
    """Writes definition to tmp and compiles it: (binary or None, aslc's stderr)."""
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump(definition, f, indent=1)
    out = os.path.join(tmp, name + "-" + args.backend)
    r = subprocess.run([args.aslc, path, "-o", out, "--backend=" + args.backend, *extra],
                       capture_output=True, text=True)
    return (out if r.returncode == 0 else None), r.stderr


def builder(check, args, tmp):
    """build(name, definition, extra=()): compile_workflow, its outcome a
    check ("NAME compiles"), giving the binary or None."""
    def build(name, definition, extra=()):
        out, err = compile_workflow(args, tmp, name, definition, extra)
        check("%s compiles" % name, out is not None, err)
        return out
    return build


def aws_env(home, **more):
    """The environment a binary runs in: none of the caller's AWS_* (keys,
    profile, region), HOME=home (no ~/.aws), Wait and Retry delays instant,
    and more."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=home, ASL_TIME_SCALE="0", **more)
    return env


def endpoint(script, *args):
    """Starts tests/aws/SCRIPT (fake_lambda.py, fake_sns.py, ...) on a loopback
    port with its own args (--log FILE, ...): (process, port); stop(process)
    stops it."""
    cmd = [sys.executable, os.path.join(TESTS, "aws", script), *args]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return proc, int(proc.stdout.readline())


def stop(proc):
    """An endpoint serves until its stdin closes."""
    proc.stdin.close()
    proc.wait(timeout=10)


def read_log(log):
    """The requests an endpoint logged (one JSON object a line), oldest first."""
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return [json.loads(line) for line in f]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=15):
    for _ in range(int(seconds * 10)):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def npm_tool(aslc, name, env):
    """A server from npm: $env, or build/npm (tests/run-all.sh installs it there)."""
    if os.environ.get(env):
        return os.environ[env]
    for d in (os.path.dirname(os.path.abspath(aslc)), os.path.join(os.path.dirname(TESTS), "build")):
        p = os.path.join(d, "npm", "node_modules", ".bin", name)
        if os.path.exists(p):
            return p
    return None


def last_error(stderr):
    """The {"Error", "Cause"} line a failed execution ends its stderr with."""
    lines = stderr.strip().splitlines()
    try:
        return json.loads(lines[-1]) if lines else {}
    except ValueError:
        return {}
