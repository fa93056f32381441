#!/usr/bin/env python3
"""check_buckets.py — aslc's warning about a Distributed Map bucket nobody binds.

    tests/check_buckets.py --aslc build/aslc

A Map whose ItemReader or ResultWriter names its bucket as a constant is
compiled (aslc FILE -o OUT) three times: without a resources file, and with
one that binds only the reader's bucket, aslc warns about each unbound
bucket (and still compiles); with one that binds both, it says nothing.  A
bucket given by a path ("Bucket.$") is never warned about.  Exit 0 when all
hold, 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

def proc(name):
    return {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": name,
            "States": {name: {"Type": "Pass", "End": True}}}
DEF = {"StartAt": "M", "States": {
    "M": {"Type": "Map", "ItemProcessor": proc("I"), "Next": "N",
          "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                         "ReaderConfig": {"InputType": "JSON"},
                         "Parameters": {"Bucket": "in-bucket", "Key": "items.json"}},
          "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                           "Parameters": {"Bucket": "out-bucket", "Prefix": "p"}}},
    "N": {"Type": "Map", "ItemProcessor": proc("J"), "End": True,
          "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                         "Parameters": {"Bucket.$": "$.bucket"}}}}}
WARN = 'bucket "%s" of its %s has no binding'


def run(aslc, work, resources):
    src, exe = os.path.join(work, "wf.json"), os.path.join(work, "wf")
    with open(src, "w") as f:
        json.dump(DEF, f)
    cmd = [aslc, src, "-o", exe]
    if resources is not None:
        res = os.path.join(work, "res.json")
        with open(res, "w") as f:
            json.dump(resources, f)
        cmd += ["--resources", res]
    if os.path.exists(exe):
        os.unlink(exe)
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, os.path.exists(exe), p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aslc", required=True)
    a = ap.parse_args()
    problems = []
    with tempfile.TemporaryDirectory(prefix="aslcbuckets.") as work:
        d = {"directory": work}
        for label, res, want in [
                ("no resources file", None, [("in-bucket", "ItemReader"), ("out-bucket", "ResultWriter")]),
                ("the reader's bound", {"s3://in-bucket": d}, [("out-bucket", "ResultWriter")]),
                ("both bound", {"s3://in-bucket": d, "s3://out-bucket": d}, [])]:
            rc, built, err = run(a.aslc, work, res)
            if rc != 0 or not built:
                problems.append("%s: aslc failed (exit %d): %s" % (label, rc, err.strip()[:300]))
                continue
            for b, field in want:
                if WARN % (b, field) not in err:
                    problems.append("%s: no warning about %s's bucket %s:\n%s" % (label, field, b, err))
            warned = err.count("has no binding")
            if warned != len(want):
                problems.append("%s: %d bucket warnings, expected %d:\n%s" % (label, warned, len(want), err))
    for pr in problems:
        print("FAIL " + pr)
    if not problems:
        print("ok   bucket warnings")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
