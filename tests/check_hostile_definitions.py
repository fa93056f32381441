#!/usr/bin/env python3
"""check_hostile_definitions.py — `aslc check` survives hostile definitions.

Generates definitions too big to commit and runs `aslc check` (text and
--format=json) on each: it must finish within the time limit, never crash,
and give the expected exit status and, for invalid ones, the expected error.

  - Parameters nested 990 levels deep, Not rules 490 deep, Parallel states
    240 deep (recursion in the front end stays within the stack);
  - nesting of 1001 levels (over the 1000 aslc reads: a clear error);
  - 20,000 states on one line (positions of nodes used to be found by
    scanning from the start of the text: quadratic);
  - 5,000 transitions to missing states on one line (5,000 diagnostics,
    each with its excerpt: also quadratic before);
  - 20,000 unknown fields (suggestions are bounded);
  - a 5 MB string constant (over AWS's 1,048,576 characters: refused, and
    accepted with --definition-limit=off), and numbers like 1e999999 in every
    numeric field;
  - /dev/zero (an endless definition: refused after the bound, not read into
    memory until it runs out), a directory, a FIFO with an endless writer,
    an unreadable file (when not root).

Exit status 0 when all hold, 1 otherwise.

    tests/check_hostile_definitions.py --aslc build/aslc
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile


def definitions():
    """(name, text, expected exit status, a string the errors must contain or None)."""
    p = '{"x.$":"$.a"}'
    for _ in range(990):
        p = '{"k":%s}' % p
    yield ("deep_parameters", '{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":%s,"End":true}}}' % p,
           0, None)

    r = '{"Variable":"$.x","IsPresent":true}'
    for _ in range(490):
        r = '{"Not":%s}' % r
    yield ("deep_not", '{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[%s],"Default":"D"},'
           '"D":{"Type":"Succeed"}}}' % (r[:-1] + ',"Next":"D"}'), 0, None)

    m = '{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}'
    for i in range(240):
        m = '{"StartAt":"P%d","States":{"P%d":{"Type":"Parallel","Branches":[%s],"End":true}}}' % (i, i, m)
    yield "deep_parallel", m, 0, None

    yield ("too_deep", '{"StartAt":"A","States":{"A":{"Type":"Pass","Result":%s1%s,"End":true}}}'
           % ("[" * 1001, "]" * 1001), 1, "nested more than 1000 levels")

    st = {"S%d" % i: {"Type": "Pass", "Next": "S%d" % (i + 1)} for i in range(20000)}
    st["S20000"] = {"Type": "Succeed"}
    yield "many_states", json.dumps({"StartAt": "S0", "States": st}), 0, None

    st = {"S%d" % i: {"Type": "Pass", "Next": "X%d" % i} for i in range(5000)}
    yield "many_unresolved", json.dumps({"StartAt": "S0", "States": st}), 1, 'no state named "X4999"'

    state = {"Type": "Pass", "End": True}
    state.update({"Field%d" % i: i for i in range(20000)})
    yield "many_unknown_fields", json.dumps({"StartAt": "A", "States": {"A": state}}), 1, 'unknown field "Field19999"'

    big = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "x" * (5 << 20), "End": True}}})
    yield "big_string", big, 1, "more than 1048576 characters"
    yield "big_string_allowed", big, 0, None, ["--definition-limit=off"]
    # characters, not bytes: 1,000,000 three-byte characters are within the bound
    yield ("wide_string", json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "\u20ac" * 1000000,
                                                                      "End": True}}}, ensure_ascii=False), 0, None)
    yield "dev_zero", "/dev/zero", 1, "more than 1048576 characters"
    yield "directory", "<dir>", 1, "is a directory"
    yield "fifo", "<fifo>", 1, "more than 1048576 characters"
    if os.geteuid() != 0:
        yield "unreadable", "<unreadable>", 1, "Permission denied"

    yield ("huge_numbers", '{"TimeoutSeconds":1e999999,"StartAt":"W","States":{"W":{"Type":"Wait",'
           '"Seconds":123456789012345678901234567890,"Next":"T"},"T":{"Type":"Task","Resource":'
           '"arn:aws:states:::lambda:invoke","TimeoutSeconds":-1e999999,"Retry":[{"ErrorEquals":'
           '["States.ALL"],"MaxAttempts":1e999999,"BackoffRate":1e999999}],"End":true}}}', 1,
           "got 1e999999")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args(argv)
    aslc = os.path.abspath(args.aslc)
    work = tempfile.mkdtemp(prefix="aslhostiledef.")
    problems = []
    try:
        for name, text, want, needle, *extra in definitions():
            path = os.path.join(work, name + ".json")
            if text == "/dev/zero":
                path = text
            elif text == "<dir>":
                os.makedirs(path, exist_ok=True)
            elif text == "<unreadable>":
                with open(path, "w") as f:
                    f.write("{}")
                os.chmod(path, 0)
            elif text != "<fifo>":
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
            for fmt in ([], ["--format=json"]):
                writer = None
                if text == "<fifo>":
                    if not os.path.exists(path):
                        os.mkfifo(path)
                    writer = subprocess.Popen(["sh", "-c", "exec cat /dev/zero > '%s'" % path],
                                              stderr=subprocess.DEVNULL)
                label = "%s%s" % (name, " (json)" if fmt else "")
                try:
                    p = subprocess.run([aslc, "check"] + fmt + (extra[0] if extra else []) + [path],
                                       capture_output=True, timeout=args.timeout)
                except subprocess.TimeoutExpired:
                    problems.append("%s: aslc check did not finish within %gs" % (label, args.timeout))
                    continue
                finally:
                    if writer:
                        writer.kill()
                        writer.wait()
                err = p.stderr.decode("utf-8", "replace")
                out = p.stdout.decode("utf-8", "replace")
                if p.returncode < 0 or "Sanitizer" in err or "runtime error:" in err:
                    problems.append("%s: crashed (status %d): %s" % (label, p.returncode, err[-400:]))
                    continue
                if p.returncode != want:
                    problems.append("%s: exit status %d, expected %d: %s" % (label, p.returncode, want,
                                                                             err[:300]))
                    continue
                if fmt:
                    try:
                        diags = json.loads(out)
                        assert isinstance(diags, list)
                    except (ValueError, AssertionError):
                        problems.append("%s: --format=json did not print a JSON array" % label)
                        continue
                    # a file that cannot be read is said on stderr
                    text_of = "\n".join(d.get("message", "") for d in diags) + err
                else:
                    text_of = err
                if needle and needle not in text_of:
                    problems.append("%s: no diagnostic contains %r" % (label, needle))
                    continue
                print("ok   %s" % label)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for pr in problems:
        print("FAIL " + pr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
