#!/usr/bin/env python3
"""check_big_workflow.py — compiles a large generated workflow and checks its output.

    check_big_workflow.py --aslc build/aslc [--backend c|llvm] [--states N]

Generates a chain of N states (default 2,000): mostly Pass states with
Parameters (paths, constants, an array with a computed item), and every so
often a counter incremented with States.MathAdd, a Choice on it, a loop of a
million transitions (which must leave the stack where it was), Pass states
with InputPath, Result, OutputPath and null paths, a mocked Task that fails
once and is retried (with ResultSelector, TimeoutSecondsPath and a Catch), one
that fails until it is caught, a Map with an ItemSelector and MaxConcurrencyPath, and a Parallel;
variables (Assign) in the counters, the Choices, the Result states, the Tasks and their
catchers and the Map, read by the ItemSelector and the last state.  The expected output is computed here.
The case is then compiled and run like a golden case (run_case.py), and
the generated code is checked to be split into parts: a workflow this large
is compiled in parts in parallel, at the cheaper optimisation level
(aslc_layout_of in compiler/lower.c), which this test exercises; with the C
back end each part is one function whose blocks are the states.  No
timing is asserted: bench/ measures compile times.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_case  # noqa: E402

ARN = "arn:aws:lambda:us-east-1:123456789012:function:work"
SPINS = 500000
INPUT = {"i": 7, "name": "peer", "n": 0, "items": [1, 2, 3], "timeout": 60, "mc": 2}


def kind(k, n):
    """What state k of n is."""
    if k == n:
        return "pass"           # the last one ends the chain
    if k % 100 == 50:
        return "count"          # the counter, through an intrinsic
    if k % 100 == 51:
        return "choice"         # a Choice on it
    if k % 500 == 300:
        return "task"           # a mocked Task that fails once and is retried
    if k % 500 == 400:
        return "caught"         # one that fails until its retries run out, then is caught
    if k - n // 4 in (59, 60, 61):
        return ("spin0", "spin", "spinchoice")[k - n // 4 - 59]  # a loop of a million transitions
    if k == n // 2:
        return "map"
    if k == n * 3 // 4:
        return "parallel"
    if 70 <= k % 100 <= 74:
        return "flow%d" % (k % 100 - 70)  # InputPath, Result, OutputPath, null paths
    if k % 10 == 5:
        return "array"          # Parameters with an array holding a computed item
    return "pass"               # bench/measure.py's pass_chain


def generate(n):
    """The definition, input, mocks and expected output of an n-state chain."""
    states, mocks = {}, {}
    p = dict(INPUT)
    var = {}   # the variables, as the chain has set them
    names = ["S%d" % k for k in range(1, n + 1)]
    for k, name in enumerate(names, 1):
        nxt = names[k] if k < n else None
        what = kind(k, n)
        if what == "count":
            s = {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)", "i.$": "$.i",
                                                "name.$": "$.name", "items.$": "$.items",
                                                "timeout.$": "$.timeout", "mc.$": "$.mc"}}
            p = {"n": p["n"] + 1, "i": p["i"], "name": p["name"], "items": p["items"],
                 "timeout": p["timeout"], "mc": p["mc"]}
            s["Assign"] = {"count.$": "$.n"}   # $: the Pass state's result
            var["count"] = p["n"]
        elif what == "choice":
            s = {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 0, "Next": nxt,
                                                "Assign": {"seen.$": "$count"}}],
                 "Default": "Bad"}
            var["seen"] = var["count"]
        elif what == "spin0":
            s = {"Type": "Pass", "Result": {"v": 0}, "ResultPath": "$.spin"}
        elif what == "spin":
            s = {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($.spin.v, 1)"}, "ResultPath": "$.spin"}
        elif what == "spinchoice":
            # Back to "spin" 500,000 times: transitions must not grow the stack.
            s = {"Type": "Choice", "Default": nxt,
                 "Choices": [{"Variable": "$.spin.v", "NumericLessThan": SPINS, "Next": names[k - 2]}]}
            p["spin"] = {"v": SPINS}
        elif what == "task":
            s = {"Type": "Task", "Resource": ARN, "ResultSelector": {"got.$": "$.v", "at": k},
                 "ResultPath": "$.task", "TimeoutSecondsPath": "$.timeout",
                 "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 2, "IntervalSeconds": 1}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": nxt}],
                 "Assign": {"taskRaw.$": "$.v"}}   # $: the result before ResultSelector
            mocks[name] = [{"Error": "Boom", "Cause": "once"}, {"v": k}]
            var["taskRaw"] = k
            p["task"] = {"got": k, "at": k}
        elif what == "caught":
            s = {"Type": "Task", "Resource": ARN, "ResultPath": "$.task",
                 "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": nxt,
                            "Assign": {"caught.$": "$.Cause"}}]}
            mocks[name] = [{"Error": "Boom", "Cause": "first"}, {"Error": "Boom", "Cause": "again %d" % k}]
            var["caught"] = "again %d" % k
            p["error"] = {"Error": "Boom", "Cause": "again %d" % k}
        elif what == "map":
            s = {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrencyPath": "$.mc",
                 "ItemSelector": {"x.$": "$$.Map.Item.Value", "k": k, "c.$": "$count"},
                 "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
                 "ResultPath": "$.mapped", "Assign": {"mappedN.$": "States.ArrayLength($)"}}
            p["mapped"] = [{"x": v, "k": k, "c": var["count"]} for v in p["items"]]
            var["mappedN"] = len(p["items"])
        elif what == "parallel":
            s = {"Type": "Parallel", "ResultPath": "$.par",
                 "Branches": [{"StartAt": "B%d" % b,
                               "States": {"B%d" % b: {"Type": "Pass", "Result": {"b": b}, "End": True}}}
                              for b in (1, 2)]
                 + [{"StartAt": "B3", "States": {"B3": {"Type": "Pass", "OutputPath": None, "End": True}}}]}
            p["par"] = [{"b": 1}, {"b": 2}, {}]
        elif what == "flow0":
            s = {"Type": "Pass", "InputPath": "$.i", "Parameters": {"v.$": "$"}, "ResultPath": "$.inout"}
            p["inout"] = {"v": p["i"]}
        elif what == "flow1":
            s = {"Type": "Pass", "Result": {"r": k}, "ResultPath": "$.res", "Assign": {"lastRes.$": "$.r"}}
            p["res"] = {"r": k}
            var["lastRes"] = k
        elif what == "flow2":
            s = {"Type": "Pass", "Parameters": {"lost": k}, "ResultPath": None}
        elif what == "flow3":
            s = {"Type": "Pass", "InputPath": None, "Parameters": {"k": k}, "ResultPath": "$.nul"}
            p["nul"] = {"k": k}
        elif what == "flow4":
            s = {"Type": "Pass", "Parameters": {"keep.$": "$"}, "OutputPath": "$.keep"}
        elif what == "array":
            s = {"Type": "Pass", "Parameters": {"i.$": "$.i", "step": k,
                                                "list": [1, {"who.$": "$.name"}, "x"]},
                 "ResultPath": "$.last"}
            p["last"] = {"i": p["i"], "step": k, "list": [1, {"who": p["name"]}, "x"]}
        else:
            s = {"Type": "Pass", "Parameters": {"i.$": "$.i", "name.$": "$.name", "step": k},
                 "ResultPath": "$.last"}
            p["last"] = {"i": p["i"], "name": p["name"], "step": k}
            if k == n:
                names_ = [v for v in ("count", "seen", "lastRes", "taskRaw", "caught", "mappedN") if v in var]
                s["Parameters"]["vars.$"] = "States.Array(%s)" % ", ".join("$" + v for v in names_)
                p["last"]["vars"] = [var[v] for v in names_]
        if s["Type"] != "Choice":
            s.update({"Next": nxt} if nxt else {"End": True})
        states[name] = s
    states["Bad"] = {"Type": "Fail", "Error": "Bad"}
    definition = {"Comment": "%d generated states (tests/check_big_workflow.py)" % n,
                  "StartAt": names[0], "States": states}
    return definition, INPUT, mocks, p


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--backend", default="c")
    ap.add_argument("--states", type=int, default=2000)
    args = ap.parse_args()

    definition, inp, mocks, expected = generate(args.states)
    work = tempfile.mkdtemp(prefix="aslbig.")
    try:
        case = os.path.join(work, "big_workflow")
        os.mkdir(case)
        for name, v in (("definition", definition), ("input", inp), ("mocks", mocks),
                        ("expected_output", expected)):
            with open(os.path.join(case, name + ".json"), "w") as f:
                json.dump(v, f)
        res = run_case.run_case(case, args.aslc, args.backend, compile_timeout=600)
        if not res.ok:
            print("FAIL: %d states, %s back end: %s\n%s" % (args.states, args.backend, res.status,
                                                           res.message))
            return 1
        # The generated code is in parts.
        defn = os.path.join(case, "definition.json")
        if args.backend == "c":
            out = os.path.join(work, "big.c")
            cmd = [args.aslc, defn, "--mocks", os.path.join(case, "mocks.json"), "--emit-c", out]
            marker = r"^#if ASL_IN_PART\((\d+)\)$"
        else:
            out = os.path.join(work, "big.ll")
            cmd = [args.aslc, defn, "--mocks", os.path.join(case, "mocks.json"), "--emit-llvm", out]
            marker = r'"aslc-part"="(\d+)"'
        subprocess.run(cmd, check=True)
        with open(out) as f:
            text = f.read()
        parts = set(re.findall(marker, text, re.M))
        if len(parts) < 2:
            print("FAIL: %d states, %s back end: the generated code is not in parts (%s)"
                  % (args.states, args.backend, sorted(parts)))
            return 1
        if args.backend == "c" and args.states > 1000:
            # Each part's states are blocks of one function (part_<k>); only
            # the states entered from elsewhere keep a function of their own
            # (over 1,000 states: aslc_layout_of).
            fns = re.findall(r"^ASL_SHARED asl_value \*st_\w+\(asl_exec \*x, asl_value \*in\)$", text, re.M)
            part_fns = set(re.findall(r"^static asl_value \*part_(\d+)\(", text, re.M))
            if part_fns != parts or len(fns) * 10 > args.states:
                print("FAIL: %d states, c back end: %d part functions for %d parts, %d state functions"
                      % (args.states, len(part_fns), len(parts), len(fns)))
                return 1
        print("ok: %d states, %s back end, %d parts" % (args.states, args.backend, len(parts)))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
