#!/usr/bin/env python3
"""run_diag.py — checks aslc's diagnostics for one invalid definition.

tests/diag/NAME.json is an invalid state machine and tests/diag/NAME.expected
lists the diagnostics aslc must print for it, one a line:

    NAME.json:LINE:COL: /JSON/POINTER: error: message

Blank lines and lines starting with '#' in the .expected file are ignored.
The definition is compiled twice, with `aslc NAME.json -o OUT` and with
`aslc check NAME.json`; each run must exit with status 1, write no OUT, and
print every expected line on stderr (after the definition's path is replaced
by its basename).  The part of a line up to and including "error:" must match
exactly; the message after it is matched by prefix, so that wording can be
refined without touching the tests.  Other error lines are reported as
warnings (not failures).

An expected line may be a warning instead ("...: warning: message").  When
the file lists warnings only, the definition is valid: both runs must exit
with status 0 and `aslc -o OUT` must write OUT (a warning never stops a
compilation).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

DIAG_RE = re.compile(r"^(?P<head>.+?:\d+:\d+: \S* ?error:)(?P<msg>.*)$")


def split_expected(line):
    for sev in (" error:", " warning:"):
        i = line.find(sev)
        if i >= 0:
            head = line[:i + len(sev)]
            return head, line[i + len(sev):].strip()
    raise ValueError("expected line has no ' error:' or ' warning:': %r" % line)


def read_expected(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.rstrip("\n")
            if not s.strip() or s.lstrip().startswith("#"):
                continue
            out.append(split_expected(s))
    return out


def check_run(label, cmd, defn, out_path, expected, timeout):
    """Returns a list of problems (empty when the run is right)."""
    problems = []
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ["%s: aslc did not finish within %gs" % (label, timeout)]
    stderr = p.stderr.decode("utf-8", errors="replace")
    base = os.path.basename(defn)
    stderr = stderr.replace(os.path.abspath(defn), base).replace(defn, base)
    lines = stderr.splitlines()
    invalid = any(head.endswith(" error:") for head, _ in expected)
    want = 1 if invalid else 0
    if p.returncode != want:
        problems.append("%s: expected exit status %d, got %d" % (label, want, p.returncode))
    if out_path and invalid and os.path.exists(out_path):
        problems.append("%s: the output file was written for an invalid definition" % label)
    if out_path and not invalid and not os.path.exists(out_path):
        problems.append("%s: no output file for a definition with warnings only" % label)
    matched = set()
    for head, msg in expected:
        found = False
        for i, l in enumerate(lines):
            if l.startswith(head) and l[len(head):].strip().startswith(msg):
                found = True
                matched.add(i)
                break
        if not found:
            near = [l for l in lines if l.startswith(head)]
            hint = ("\n      same location, other message: " + "\n      ".join(near)) if near else ""
            problems.append("%s: missing diagnostic:\n      %s %s%s" % (label, head, msg, hint))
    extra = [l for i, l in enumerate(lines) if i not in matched and DIAG_RE.match(l)]
    if problems:
        problems.append("%s: stderr was:\n%s" % (label, "\n".join("      " + l for l in lines) or "      (empty)"))
    elif extra:
        sys.stdout.write("warning: %s: further error lines:\n%s\n" % (label, "\n".join("      " + l for l in extra)))
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description="Check aslc's diagnostics for one invalid definition.")
    ap.add_argument("definition", help="tests/diag/NAME.json (NAME.expected next to it)")
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args(argv)

    defn = os.path.abspath(args.definition)
    exp_path = os.path.splitext(defn)[0] + ".expected"
    if not os.path.isfile(exp_path):
        ap.error("missing %s" % exp_path)
    try:
        expected = read_expected(exp_path)
    except ValueError as e:
        ap.error(str(e))
    if not expected:
        ap.error("%s lists no diagnostics" % exp_path)

    aslc = os.path.abspath(args.aslc)
    work = tempfile.mkdtemp(prefix="asldiag.")
    try:
        out = os.path.join(work, "workflow")
        problems = check_run("aslc FILE -o OUT", [aslc, defn, "-o", out], defn, out, expected, args.timeout)
        problems += check_run("aslc check FILE", [aslc, "check", defn], defn, None, expected, args.timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    name = os.path.basename(defn)
    if problems:
        print("FAIL %s" % name)
        for pr in problems:
            print("  " + pr)
        return 1
    print("PASS %s (%d diagnostic%s)" % (name, len(expected), "" if len(expected) == 1 else "s"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
