#!/usr/bin/env python3
"""check_big_jsonata.py — a JSONata workflow past the size where aslc lays a
program out as one function whose blocks are the states (ASLC_BIG_STATES,
compiler/lower.c), with JSONata keeping it in one part.

    check_big_jsonata.py --aslc build/aslc [--backend c|llvm] [--states N]

A chain of N JSONata Pass states, each adding 1 to the input, every tenth a
Choice on it; the output must be N plus the Choices' own count.  The C back
end once named the parts' shared storage class (ASL_SHARED) in a program of
one part, where it is not defined, and the C compiler refused the file.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def definition(n):
    states = {}
    for k in range(n):
        name, nxt = f"S{k}", (f"S{k + 1}" if k + 1 < n else None)
        if k % 10 == 9 and nxt:
            states[name] = {"Type": "Choice", "Output": "{% $states.input + 1 %}",
                            "Choices": [{"Condition": "{% $states.input < 0 %}", "Next": "Bad"}],
                            "Default": nxt}
        else:
            s = {"Type": "Pass", "Output": "{% $states.input + 1 %}"}
            s.update({"Next": nxt} if nxt else {"End": True})
            states[name] = s
    states["Bad"] = {"Type": "Fail", "Error": "Bad"}
    return {"QueryLanguage": "JSONata", "StartAt": "S0", "States": states}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--backend", default="c")
    ap.add_argument("--states", type=int, default=1100)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        src, out = os.path.join(d, "big.json"), os.path.join(d, "big")
        with open(src, "w") as f:
            json.dump(definition(a.states), f)
        r = subprocess.run([a.aslc, src, f"--backend={a.backend}", "-o", out],
                           capture_output=True, text=True, timeout=800)
        if r.returncode:
            print(f"FAIL: aslc exited {r.returncode}: {r.stderr[-2000:]}")
            return 1
        r = subprocess.run([out, "--input", "0"], capture_output=True, text=True, timeout=60)
        want = a.states   # every state adds 1 (the last is a Pass)
        if r.returncode or json.loads(r.stdout) != want:
            print(f"FAIL: exit {r.returncode}, output {r.stdout.strip()!r}, want {want}; {r.stderr[-500:]}")
            return 1
    print(f"ok: {a.states} JSONata states, {a.backend}: {want}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
