#!/usr/bin/env python3
"""smoke_test.py — checks that a generated binary's --bench mode works; no timing.

    smoke_test.py --aslc build/aslc [--backend c|llvm]

Compiles a small workflow (a native Task from bench/handlers.c, a mocked Task,
a Choice loop) and checks that:
- `--bench 10` exits 0 and prints one JSON object with the documented keys,
  sane figures (p50 <= p90 <= p99 <= max), the right transition count and, as
  `output`, what a plain run prints;
- every --bench execution starts its mock list afresh (the mock has one
  entry, so a second execution would fail if the counters carried over);
- --bench refuses a count < 1, invalid input (exit 2), and reports a
  failing execution like a plain run does (exit 1, {"Error","Cause"} on stderr).
Run by ctest as bench/smoke; bench/run.sh does the measuring.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ["exec_per_s", "p50_us", "p90_us", "p99_us", "max_us", "transitions_per_s", "output"]

WORKFLOW = {
    "StartAt": "Song",
    "States": {
        "Song": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:song",
                 "ResultPath": "$.song", "Next": "Mocked"},
        "Mocked": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:other",
                   "ResultPath": "$.mocked", "Next": "Count"},
        "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)", "song.$": "$.song",
                                                 "mocked.$": "$.mocked", "name.$": "$.name"},
                  "Next": "Loop"},
        "Loop": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Count"}],
                 "Default": "Check"},
        "Check": {"Type": "Choice",
                  "Choices": [{"Variable": "$.name", "StringEquals": "fail", "Next": "Boom"}],
                  "Default": "Done"},
        "Boom": {"Type": "Fail", "Error": "Smoke.Failed", "Cause": "asked to fail"},
        "Done": {"Type": "Succeed"},
    },
}
# Song, Mocked, then Count+Loop three times (n = 1, 2, 3), Check, Done.
TRANSITIONS = 2 + 3 * 2 + 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--backend", default="c")
    a = ap.parse_args()
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
        return cond

    with tempfile.TemporaryDirectory() as d:
        wf, mocks, binary = (os.path.join(d, n) for n in ("wf.json", "mocks.json", "wf"))
        with open(wf, "w") as f:
            json.dump(WORKFLOW, f)
        with open(mocks, "w") as f:
            json.dump({"Mocked": [{"ok": True}]}, f)
        cmd = [a.aslc, wf, "--resources", os.path.join(HERE, "resources.json"), "--handlers",
               os.path.join(HERE, "handlers.c"), "--mocks", mocks, "-o", binary]
        if a.backend != "c":
            cmd.append("--backend=" + a.backend)
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            print("aslc failed:\n" + p.stderr)
            return 1

        good = '{"name":"PSY","n":0}'
        plain = subprocess.run([binary, "--input", good], capture_output=True, text=True)
        check(plain.returncode == 0, f"plain run: exit {plain.returncode}: {plain.stderr}")
        bench = subprocess.run([binary, "--bench", "10", "--input", good], capture_output=True, text=True)
        if check(bench.returncode == 0, f"--bench 10: exit {bench.returncode}: {bench.stderr}"):
            lines = bench.stdout.strip().splitlines()
            check(len(lines) == 1, f"--bench prints one line, got {len(lines)}")
            try:
                r = json.loads(lines[-1])
            except (ValueError, IndexError):
                r = None
            if check(isinstance(r, dict), f"--bench output is not a JSON object: {bench.stdout!r}"):
                for k in KEYS:
                    check(k in r, f"--bench output lacks {k}")
                if all(k in r for k in KEYS):
                    check(r["exec_per_s"] > 0, "exec_per_s > 0")
                    check(0 < r["p50_us"] <= r["p90_us"] <= r["p99_us"] <= r["max_us"],
                          f"p50 <= p90 <= p99 <= max: {r}")
                    check(r.get("executions") == 10, f"executions == 10: {r.get('executions')}")
                    check(r.get("transitions_per_exec") == TRANSITIONS,
                          f"transitions_per_exec {r.get('transitions_per_exec')} != {TRANSITIONS}")
                    check(r["transitions_per_s"] > r["exec_per_s"], "transitions_per_s > exec_per_s")
                    if plain.returncode == 0:
                        check(r["output"] == json.loads(plain.stdout),
                              f"--bench output {r['output']} != plain run's {plain.stdout.strip()}")
                    check(r["output"].get("mocked") == {"ok": True}, f"mocked result: {r['output']}")

        for args, want, what in (
            (["--bench", "0", "--input", good], 2, "--bench 0"),
            (["--bench", "x", "--input", good], 2, "--bench x"),
            (["--bench", "5", "--input", "{"], 2, "--bench with invalid input"),
            (["--bench", "5", "--input", '{"name":"fail","n":0}'], 1, "--bench with a failing execution"),
        ):
            p = subprocess.run([binary] + args, capture_output=True, text=True)
            check(p.returncode == want, f"{what}: exit {p.returncode}, expected {want}: {p.stderr.strip()}")
            if want == 1 and p.returncode == 1:
                err = json.loads(p.stderr.strip().splitlines()[-1])
                check(err == {"Error": "Smoke.Failed", "Cause": "asked to fail"}, f"{what}: stderr {err}")
                check(p.stdout == "", f"{what}: nothing on stdout, got {p.stdout!r}")

    for f in failures:
        print("FAIL: " + f)
    print(f"bench smoke test: {'ok' if not failures else str(len(failures)) + ' problem(s)'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
