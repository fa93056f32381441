#!/usr/bin/env python3
"""run_lower.py — lowering tests: the LIR a small definition lowers to.

    run_lower.py --aslc build/aslc tests/lower/FILE.test

In the manner of Lua's testes/code.lua: each case is a small definition and
the ops `aslc --emit-lir` must show for it, so that a changed lowering
decision (a fast path, a helper, a jump) is seen here and not in a profile.
A .test file holds many cases:

    == what the case is about
    {"StartAt": ..., "States": {...}}        the definition (any number of lines)
    --
    %1 = path.param_path %in $.a             a line the output must contain,
    leave %1                                 each after the previous one's line
    !fast=key2                               a text no line may contain

A definition `@chain N` is N Pass states in a row, each with Parameters
{"x.$": "$.a", "k": 1}, for the decisions that depend on a program's size.
A definition `@jsonata EXPR` is a JSONata expression, lowered into the jn_
functions of a one-state program (aslc's hidden --jn-exprs).
Matching is by substring, so a case states only the part of a line it means.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def chain(n):
    states = {}
    for k in range(1, n + 1):
        s = {"Type": "Pass", "Parameters": {"x.$": "$.a", "k": 1}}
        if k < n:
            s["Next"] = "S%d" % (k + 1)
        else:
            s["End"] = True
        states["S%d" % k] = s
    return json.dumps({"StartAt": "S1", "States": states})


def parse(path):
    cases, cur, part = [], None, None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("=="):
                cur = {"name": line[2:].strip(), "line": lineno, "defn": [], "want": []}
                cases.append(cur)
                part = "defn"
            elif cur is None or (not line.strip() and part == "want"):
                continue
            elif line.strip() == "--" and part == "defn":
                part = "want"
            else:
                cur[part].append(line)
    return cases


def check(aslc, case, tmp):
    text = "\n".join(case["defn"]).strip()
    extra = []
    if text.startswith("@chain"):
        text = chain(int(text.split()[1]))
    elif text.startswith("@jsonata "):
        exprs = os.path.join(tmp, "exprs.txt")
        with open(exprs, "w", encoding="utf-8") as f:
            f.write(json.dumps(text[len("@jsonata "):]) + "\n")
        text = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'
        extra = ["--jn-exprs", exprs]
    defn = os.path.join(tmp, "case.json")
    lir = os.path.join(tmp, "case.lir")
    with open(defn, "w", encoding="utf-8") as f:
        f.write(text)
    r = subprocess.run([aslc, defn, "--allow-unbound", "--emit-lir", lir] + extra, capture_output=True, text=True)
    if r.returncode != 0:
        return "aslc failed (%d): %s" % (r.returncode, r.stderr.strip())
    with open(lir, encoding="utf-8") as f:
        out = f.read().splitlines()
    at = 0
    for want in case["want"]:
        want = want.strip()
        if want.startswith("!"):
            bad = [l for l in out if want[1:] in l]
            if bad:
                return "found %r in: %s" % (want[1:], bad[0])
            continue
        while at < len(out) and want not in out[at]:
            at += 1
        if at == len(out):
            return "missing (in order): %r" % want
        at += 1
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--show", action="store_true", help="print the LIR of a failing case")
    ap.add_argument("file")
    a = ap.parse_args()
    cases = parse(a.file)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            err = check(a.aslc, case, tmp)
            if err:
                failed += 1
                print("FAIL %s:%d: %s\n    %s" % (a.file, case["line"], case["name"], err))
                if a.show:
                    with open(os.path.join(tmp, "case.lir"), encoding="utf-8") as f:
                        print(f.read())
    print("%d of %d cases passed" % (len(cases) - failed, len(cases)))
    return 1 if failed or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
