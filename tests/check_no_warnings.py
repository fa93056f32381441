#!/usr/bin/env python3
"""check_no_warnings.py — definitions aslc must accept without any diagnostic.

    tests/check_no_warnings.py --aslc build/aslc DEFINITION.json...

Runs `aslc check` on each and fails if one exits non-zero or prints anything:
for definitions where a warning would be wrong (an error name with the
reserved "States." prefix that a Fail state does raise, ...).
"""
import argparse
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    ap.add_argument("definitions", nargs="+")
    args = ap.parse_args()
    bad = 0
    for d in args.definitions:
        p = subprocess.run([args.aslc, "check", d], capture_output=True, text=True, timeout=60)
        if p.returncode != 0 or p.stderr.strip() or p.stdout.strip():
            print("FAIL %s: exit %d\n%s%s" % (d, p.returncode, p.stdout, p.stderr))
            bad += 1
        else:
            print("PASS %s" % d)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
