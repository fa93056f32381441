#!/usr/bin/env python3
"""check_resources.py — what `aslc --resources FILE` does with the file at compile time.

    tests/check_resources.py --aslc build/aslc

Checks that:
- a "python" binding with an absolute path compiles in and runs (it used to be
  refused at compile time while the binary took it at run time);
- a Resource AWS rejects (not an ARN: the seeds' "Lambda:ReceiveOrder") that the
  resources file binds by that exact name compiles with a warning naming
  file:line:col and the JSON pointer, while `aslc check` keeps it an error.
Exit 0 when all hold, 1 otherwise.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

DEFN = {"StartAt": "ReceiveOrder", "States": {"ReceiveOrder": {
    "Type": "Task", "Resource": "Lambda:ReceiveOrder", "End": True}}}
HANDLER = "def lambda_handler(event, context):\n    return {'got': event['n'] + 1}\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    args = ap.parse_args()
    aslc = os.path.abspath(args.aslc)
    work = tempfile.mkdtemp(prefix="aslres.")
    problems = []
    try:
        hdir = os.path.join(work, "handlers")
        os.mkdir(hdir)
        handler = os.path.join(hdir, "receive.py")
        with open(handler, "w") as f:
            f.write(HANDLER)
        defn = os.path.join(work, "order.json")
        with open(defn, "w") as f:
            json.dump(DEFN, f, indent=2)
        res = os.path.join(work, "res.json")
        with open(res, "w") as f:
            json.dump({"Lambda:ReceiveOrder": {"python": handler}}, f)   # absolute
        exe = os.path.join(work, "wf")
        # compiled from another directory: nothing may depend on the cwd
        p = subprocess.run([aslc, defn, "--resources", res, "-o", exe], cwd="/",
                           capture_output=True, text=True, timeout=180)
        if p.returncode != 0 or not os.path.isfile(exe):
            problems.append("compile with an absolute python path failed (exit %d):\n%s"
                            % (p.returncode, p.stderr))
        else:
            want = "%s:6:19: /States/ReceiveOrder/Resource: warning: AWS would reject this Resource" % defn
            if want not in p.stderr:
                problems.append("expected the warning\n  %s\ngot:\n%s" % (want, p.stderr))
            if " error:" in p.stderr:
                problems.append("unexpected error:\n%s" % p.stderr)
            r = subprocess.run([exe, "--input", '{"n": 41}'], capture_output=True, text=True,
                               timeout=60, cwd="/")
            if r.returncode != 0 or json.loads(r.stdout or "null") != {"got": 42}:
                problems.append("run: exit %d, stdout %r, stderr %r" % (r.returncode, r.stdout, r.stderr))
        c = subprocess.run([aslc, "check", defn], capture_output=True, text=True, timeout=60)
        want = "%s:6:19: /States/ReceiveOrder/Resource: error: \"Resource\" must be an ARN" % defn
        if c.returncode != 1 or want not in c.stderr:
            problems.append("aslc check: expected exit 1 and\n  %s\ngot exit %d:\n%s"
                            % (want, c.returncode, c.stderr))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for pr in problems:
        print("FAIL: " + pr)
    if not problems:
        print("PASS check_resources (absolute python path, bound non-ARN Resource)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
