#!/usr/bin/env python3
"""check_conformance_defs.py — `aslc check` accepts every definition AWS accepted.

Every case of ../shared/conformance/cases holds a definition that AWS Step
Functions accepted (it ran it).  For each one this runs `aslc check`:

  - a JSONPath definition, with or without variables (Assign), must be
    accepted: exit status 0 and no error line (warnings are allowed but listed);
  - a JSONata or mixed definition must be refused with exit status 1 and an
    error saying "not implemented yet", until aslc implements JSONata
    (case.json says which is which).

It also checks that `--format=json` gives a JSON array for each refused one.
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
    if kind == "jsonpath":
        if p.returncode != 0 or errors:
            return kind, "refused (exit %d):\n      %s" % (p.returncode, "\n      ".join(errors or lines)), warnings
        return kind, None, warnings
    if p.returncode != 1:
        return kind, "a %s definition was accepted (exit %d)" % (kind, p.returncode), warnings
    if not any("not implemented yet" in l for l in errors):
        return kind, "refused without saying \"not implemented yet\":\n      %s" % "\n      ".join(errors or lines), warnings
    j = subprocess.run([aslc, "check", "--format=json", defn], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    try:
        diags = json.loads(j.stdout)
        assert isinstance(diags, list) and diags and all("message" in d for d in diags)
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
        verdict = "accepted" if kind == "jsonpath" else "refused as not implemented yet"
        print("%-10s %4d %s%s" % (kind, ok, verdict, (", %d WRONG" % bad) if bad else ""))
    if warned:
        print("warnings on accepted definitions (%d):" % len(warned))
        for w in warned:
            print("  " + w)
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
