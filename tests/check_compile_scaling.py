#!/usr/bin/env python3
"""check_compile_scaling.py — a chain of 20,000 Choice states compiles in
linear time and bounded memory with the C back end (issue #18).

The generated program is compiled in parts, each one C function whose blocks
are its states; the C compiler's time on a function grows faster than its
size, so the parts must stay small however large the program: with at most
64 parts, this chain had parts of 313 states and took 44 s and 458 MB.

  1. --emit-c: no part has more than 200 states, at 20,000 and 40,000 states
     (quick, exact: the structure that keeps the time linear);
  2. the whole compilation, with generous bounds that still catch the old
     behaviour: at most 150 s of CPU time for aslc and the C compiler
     together (about 35 s on the 2-core machine of docs/benchmarks.md), at
     most 350 MB for the largest process (475 MB before: one run of the C
     compiler held half of the parts), and the binary runs the chain.

    tests/check_compile_scaling.py --aslc build/aslc [--states 20000]
Exit status 0 when all hold, 1 otherwise.
"""

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

PART_STATES = 200
CPU_BOUND = 150.0      # seconds, user + system, aslc and its children
RSS_BOUND = 350 << 10  # KiB, the largest process


def chain(n):
    st = {}
    for i in range(n):
        st["C%d" % i] = {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": i,
                                                        "Next": "C%d" % (i + 1)}], "Default": "C%d" % (i + 1)}
    st["C%d" % n] = {"Type": "Pass", "Result": "end", "ResultPath": "$.r", "End": True}
    return {"StartAt": "C0", "States": st}


def part_sizes(c_text):
    """States (block labels) in each part function, in order."""
    sizes, cur = [], None
    for line in c_text.splitlines():
        if re.match(r"^static asl_value \*part_\d+\(", line):
            cur = 0
            sizes.append(0)
        elif cur is not None and re.match(r"^st_\w+: __attribute__", line):
            sizes[-1] += 1
    return sizes


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--states", type=int, default=20000)
    ap.add_argument("--sanitized", action="store_true",
                    help="aslc is built with the sanitizers: twice the bounds (ASan's shadow "
                         "memory and quarantine, the checks' time)")
    args = ap.parse_args(argv)
    cpu_bound = CPU_BOUND * (2 if args.sanitized else 1)
    rss_bound = RSS_BOUND * (2 if args.sanitized else 1)
    aslc = os.path.abspath(args.aslc)
    work = tempfile.mkdtemp(prefix="aslcscale.")
    problems = []
    try:
        # First, while no larger child has run: ru_maxrss of the children is
        # the largest so far, which the 40,000-state run below would be.
        n = args.states
        defn = os.path.join(work, "chain%d.json" % n)
        with open(defn, "w") as f:
            json.dump(chain(n), f, separators=(",", ":"))
        exe = os.path.join(work, "chain")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run([aslc, "--definition-limit=off", defn, "-o", exe], capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rss = after.ru_maxrss   # KiB: the largest child (and grandchild) of this process so far
        if p.returncode != 0:
            problems.append("%d states: compilation failed: %s" % (n, p.stderr.decode()[-600:]))
        else:
            r = subprocess.run([exe, "--input", '{"x":-1}'], capture_output=True)
            if r.returncode != 0 or json.loads(r.stdout) != {"x": -1, "r": "end"}:
                problems.append("%d states: the chain ran wrong: %r %r" % (n, r.stdout, r.stderr))
            label = "%d states: compiled in %.1f s of CPU (bound %.0f), largest process %d MB (bound %d)" % (
                n, cpu, cpu_bound, rss >> 10, rss_bound >> 10)
            if cpu > cpu_bound or rss > rss_bound:
                problems.append(label)
            else:
                print("ok   " + label)

        for n in (args.states, 2 * args.states):
            defn = os.path.join(work, "chain%d.json" % n)
            with open(defn, "w") as f:
                json.dump(chain(n), f, separators=(",", ":"))
            out = os.path.join(work, "chain%d.c" % n)
            p = subprocess.run([aslc, "--definition-limit=off", defn, "--emit-c", out], capture_output=True)
            if p.returncode != 0:
                problems.append("%d states: --emit-c failed: %s" % (n, p.stderr.decode()[-400:]))
                continue
            sizes = part_sizes(open(out).read())
            if not sizes or max(sizes) > PART_STATES or sum(sizes) != n + 1:
                problems.append("%d states: parts of %s states (at most %d each, %d in all expected)"
                                % (n, sorted(set(sizes)), PART_STATES, n + 1))
            else:
                print("ok   %d states: %d parts of at most %d states" % (n, len(sizes), max(sizes)))

    finally:
        shutil.rmtree(work, ignore_errors=True)
    for pr in problems:
        print("FAIL " + pr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
