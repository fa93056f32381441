#!/usr/bin/env python3
"""check_conformance_defs.py — `aslc check` accepts every definition AWS accepted.

Every case of ../shared/conformance/cases holds a definition that AWS Step
Functions accepted (it ran it).  For each one this runs `aslc check`:

every definition, JSONPath, JSONata or mixed, with or without variables
(case.json says which), must be accepted: exit status 0 and no error line
(warnings are allowed but listed), and `--format=json` gives a JSON array.
Exits 0 when all cases behave, 1 otherwise, 77 (skipped, for ctest) when the
cases directory does not exist.

    tests/check_conformance_defs.py --aslc build/aslc [--cases DIR] [-j N]
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys


def classify(case_dir):
    with open(os.path.join(case_dir, "case.json"), encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("query_language", "JSONPath") != "JSONPath":
        return "jsonata"
    return "jsonpath"


def check_one(aslc, case_dir):
    """Returns (kind, problem or None, warnings)."""
    kind = classify(case_dir)
    defn = os.path.join(case_dir, "definition.json")
    p = subprocess.run([aslc, "check", defn], stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=60)
    lines = p.stderr.splitlines()
    errors = [l for l in lines if ": error: " in l]
    warnings = [l for l in lines if ": warning: " in l]
    if p.returncode != 0 or errors:
        return kind, "refused (exit %d):\n      %s" % (p.returncode, "\n      ".join(errors or lines)), warnings
    j = subprocess.run([aslc, "check", "--format=json", defn], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    try:
        diags = json.loads(j.stdout)
        assert isinstance(diags, list)
    except (ValueError, AssertionError):
        return kind, "--format=json did not print a JSON array of diagnostics: %r" % j.stdout[:200], warnings
    return kind, None, warnings


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--cases", default=os.path.join(here, "..", "..", "shared", "conformance", "cases"))
    ap.add_argument("-j", type=int, default=2)
    args = ap.parse_args(argv)
    if not os.path.isdir(args.cases):
        print("skipped: no conformance cases at %s" % args.cases)
        return 77
    aslc = os.path.abspath(args.aslc)
    dirs = sorted(os.path.join(args.cases, a, c) for a in os.listdir(args.cases)
                  if os.path.isdir(os.path.join(args.cases, a))
                  for c in os.listdir(os.path.join(args.cases, a))
                  if os.path.isfile(os.path.join(args.cases, a, c, "definition.json")))
    counts, failures, warned = {}, [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as ex:
        for d, (kind, problem, warnings) in zip(dirs, ex.map(lambda d: check_one(aslc, d), dirs)):
            rel = os.path.relpath(d, args.cases)
            ok, bad = counts.get(kind, (0, 0))
            counts[kind] = (ok + (problem is None), bad + (problem is not None))
            if problem:
                failures.append("%s: %s" % (rel, problem))
            if warnings:
                warned.append("%s:\n      %s" % (rel, "\n      ".join(warnings)))
    for kind in sorted(counts):
        ok, bad = counts[kind]
        print("%-10s %4d accepted%s" % (kind, ok, (", %d WRONG" % bad) if bad else ""))
    if warned:
        print("warnings on accepted definitions (%d):" % len(warned))
        for w in warned:
            print("  " + w)
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
