#!/usr/bin/env python3
"""check_hostile_input.py — generated binaries survive hostile execution input.

Compiles two small workflows with aslc (a bare Pass state, and one that runs
the input through Parameters, intrinsic functions, a Choice and ResultPath)
and feeds each input below to both.  Every run must end within the time
limit with a clear outcome, never a crash (no signal, no sanitizer report):

  - nesting 100,000 levels deep (arrays, objects): exit 2, "nesting too deep";
  - a 10 MB string: exit 1 with States.DataLimitExceeded (AWS's payload limit
    is 256 KiB), or the exact string back;
  - invalid UTF-8, a lone surrogate escape, a NUL byte, an empty input:
    exit 2 naming the problem and its position;
  - 1e999999, 123456789012345678901234567890, -0, 1.0E+2, 1e-999999: exit 0
    and the very same digits in the output (numbers print as written);
  - nesting 9,999 levels deep (the limit is 10,000): exit 0, the input back;
  - more than 256 KiB of input text: exit 2 naming the limit, as StartExecution
    refuses it; exactly 256 KiB: run as usual.

The other inputs run with ASL_PAYLOAD_LIMIT=off, so that the parser, not the
limit, meets them.  Each input goes in through a pipe, through a regular file
on stdin and through --input-file (main.c reads files and pipes apart).  The
inputs are generated here rather than committed (10 MB).  Exit status 0 when
every check holds, 1 otherwise.

    tests/check_hostile_input.py --aslc build/aslc
"""

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile

PASS = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}'

# Touches every runtime path the input can take: Parameters with paths and
# intrinsics, a Choice on numbers, ResultPath, OutputPath.
FLOW = '''{"StartAt":"W","States":{
 "W":{"Type":"Pass","Parameters":{"in.$":"$"},"Next":"A"},
 "A":{"Type":"Pass","Parameters":{"all.$":"$.in","j.$":"States.JsonToString($.in)","len.$":"States.ArrayLength(States.Array($.in, $.in))"},"ResultPath":"$.r","Next":"C"},
 "C":{"Type":"Choice","Choices":[{"Variable":"$.r.len","NumericEquals":2,"Next":"N"}],"Default":"D"},
 "N":{"Type":"Pass","Parameters":{"arr.$":"States.Array($.in, $.in)","u.$":"States.ArrayUnique(States.Array($.in, $.in))"},"ResultPath":"$.more","Next":"D"},
 "D":{"Type":"Pass","OutputPath":"$.r.all","End":true}}}'''

NUMBERS = b'{"n":%s}'
EXACT_NUMBERS = [b"1e999999", b"123456789012345678901234567890", b"-0", b"1.0E+2", b"1e-999999",
                 b"-123456789012345678901234567890.000000000000000000001"]


LIMIT = 256 * 1024


def cases():
    """(label, input bytes, check(returncode, stdout, stderr) -> problem or None, whether
    the 256 KiB input limit applies)."""
    def exit2(word):
        def check(rc, out, err):
            if rc != 2:
                return "expected exit 2, got %d" % rc
            if word.encode() not in err or b"invalid input JSON" not in err:
                return "expected a message about %r, got %r" % (word, err[:200])
            return None
        return check

    def echoed(data):
        def check(rc, out, err):
            if rc != 0:
                return "expected exit 0, got %d: %r" % (rc, err[:200])
            if out.rstrip(b"\n") != data:
                return "the output is not the input, exactly (first bytes %r)" % out[:80]
            return None
        return check

    def big_string(rc, out, err):
        if rc == 1 and b'"Error":"States.DataLimitExceeded"' in err:
            return None
        if rc == 0 and len(out) > 10 * 1024 * 1024:
            return None
        return "expected States.DataLimitExceeded or the string back, got exit %d: %r" % (rc, err[:200])

    def too_big(rc, out, err):
        if rc != 2 or b"more than the 262144" not in err or b"ASL_PAYLOAD_LIMIT=off" not in err:
            return "expected exit 2 naming the 256 KiB input limit, got %d: %r" % (rc, err[:200])
        return None

    yield "100000 nested arrays", b"[" * 100000 + b"]" * 100000, exit2("nesting too deep"), False
    yield ("100000 nested objects", b'{"a":' * 100000 + b"1" + b"}" * 100000,
           exit2("nesting too deep"), False)
    yield "10 MB string", b'"' + b"x" * (10 * 1024 * 1024) + b'"', big_string, False
    yield "invalid UTF-8", b'{"s":"caf\xe9"}', exit2("UTF-8"), False
    yield "overlong UTF-8", b'{"s":"\xc0\xaf"}', exit2("UTF-8"), False
    yield "UTF-8 surrogate", b'{"s":"\xed\xa0\x80"}', exit2("UTF-8"), False
    yield "lone surrogate escape", b'{"s":"\\ud800"}', exit2("surrogate"), False
    yield "NUL byte", b'{"s":1}\x00', exit2("1:8"), False
    yield "empty input", b"", exit2("end of input"), False
    deep = b"[" * 9999 + b"]" * 9999
    yield "9999 nested arrays", deep, echoed(deep), False
    for n in EXACT_NUMBERS:
        yield "number %s" % n.decode(), NUMBERS % n, echoed(NUMBERS % n), False
    # Only the bare Pass state: the other workflow adds to its input, whose
    # states then rightly fail with States.DataLimitExceeded.
    at_limit = b'"' + b"x" * (LIMIT - 2) + b'"'
    whole = echoed(at_limit)
    whole.only = "pass"
    yield "input of 256 KiB", at_limit, whole, True
    yield "input over 256 KiB", b'"' + b"x" * (LIMIT - 1) + b'"', too_big, True


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args(argv)
    work = tempfile.mkdtemp(prefix="aslhostile.")
    problems = []
    try:
        bins = {}
        for name, text in (("pass", PASS), ("flow", FLOW)):
            src = os.path.join(work, name + ".json")
            with open(src, "w") as f:
                f.write(text)
            out = os.path.join(work, name)
            p = subprocess.run([os.path.abspath(args.aslc), src, "-o", out], capture_output=True,
                               text=True, timeout=300)
            if p.returncode != 0:
                print("FAIL: aslc could not compile the %s workflow:\n%s" % (name, p.stderr))
                return 1
            bins[name] = out
        data_file = os.path.join(work, "input.json")
        for label, data, check, limited in cases():
            env = dict(os.environ)
            if limited:
                env.pop("ASL_PAYLOAD_LIMIT", None)
            else:
                env["ASL_PAYLOAD_LIMIT"] = "off"
            with open(data_file, "wb") as f:
                f.write(data)
            for (name, exe), how in itertools.product(bins.items(), ("pipe", "file", "--input-file")):
                if getattr(check, "only", name) != name:
                    continue
                # The flow's output is $.r.all: the input itself, so the same
                # checks apply to both binaries.
                argv = [exe, "--time-scale", "0"]
                try:
                    if how == "pipe":
                        p = subprocess.run(argv, input=data, capture_output=True, env=env,
                                           timeout=args.timeout)
                    elif how == "file":
                        with open(data_file, "rb") as f:
                            p = subprocess.run(argv, stdin=f, capture_output=True, env=env,
                                               timeout=args.timeout)
                    else:
                        p = subprocess.run(argv + ["--input-file", data_file], capture_output=True,
                                           env=env, timeout=args.timeout)
                except subprocess.TimeoutExpired:
                    problems.append("%s (%s, %s): no result within %gs" % (label, name, how,
                                                                          args.timeout))
                    continue
                name = "%s, %s" % (name, how)
                if p.returncode < 0 or b"Sanitizer" in p.stderr or b"runtime error:" in p.stderr:
                    problems.append("%s (%s): crashed (status %d): %r" % (label, name, p.returncode,
                                                                          p.stderr[-400:]))
                    continue
                why = check(p.returncode, p.stdout, p.stderr)
                if why:
                    problems.append("%s (%s): %s" % (label, name, why))
                else:
                    print("ok   %s (%s)" % (label, name))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for pr in problems:
        print("FAIL " + pr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
