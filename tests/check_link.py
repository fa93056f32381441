#!/usr/bin/env python3
"""check_link.py — what a generated binary carries: libcrypto and zlib only when needed.

    tests/check_link.py --aslc build/aslc --backend c|llvm [--static 0|1]

The runtime archive gives a binary only the members its code refers to, and
libcrypto comes in only with runtime/digest.c (States.Hash, Base64Encode).
Compiles two workflows and checks that:
- one of Pass states and other intrinsics runs, and its symbol table has no
  OpenSSL function (EVP_*, OPENSSL_*): its binary is a few hundred KB, not 4 MB;
- one calling States.Hash and States.Base64Encode runs, with the right digest,
  and does carry EVP_Digest;
- a Map runs without the Distributed Map's I/O (runtime/mapio.c, itemreader.c:
  no asl_map_io, no zlib's inflate, no OpenSSL), while a Map with a
  ResultWriter carries them;
- with --static 1 (aslc links fully statically here), neither binary asks for
  a dynamic loader (no PT_INTERP: `ldd` says "not a dynamic executable").
Exit 0 when all hold, 1 otherwise; 77 (skipped) without nm or readelf.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

PLAIN = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {
    "n.$": "States.MathAdd($.n, 1)", "s.$": "States.Format('n={}', $.n)",
    "d.$": "States.Base64Decode('aGk=')", "j.$": "States.JsonToString($)"}, "End": True}}}
DIGEST = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {
    "h.$": "States.Hash($.s, 'SHA-256')", "b.$": "States.Base64Encode($.s)"}, "End": True}}}
PROC = {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
MAP = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": PROC, "End": True}}}
MAPIO = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": PROC, "End": True,
                                          "ResultWriter": {"WriterConfig": {"Transformation": "FLATTEN"}}}}}
CASES = [
    ("plain", PLAIN, {"n": 1}, {"n": 2, "s": "n=1", "d": "hi", "j": "{\"n\":1}"}, False),
    ("digest", DIGEST, {"s": "hi"},
     {"h": "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4", "b": "aGk="}, True),
    ("map", MAP, [[1], 2], [[1], 2], False),
    ("mapio", MAPIO, [[1], 2], [1, 2], True),
]


def symbols(path):
    out = subprocess.run(["nm", path], capture_output=True, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.split()}


def check(a, work, name, wf, inp, want, crypto):
    """The problems of one case: compiled, run and looked into."""
    src, exe = os.path.join(work, name + ".json"), os.path.join(work, name)
    with open(src, "w") as f:
        json.dump(wf, f)
    p = subprocess.run([a.aslc, src, "-o", exe, "--backend=" + a.backend], capture_output=True, text=True)
    if p.returncode != 0:
        return [f"aslc failed: {p.stderr.strip()[:300]}"]
    problems = []
    if p.stderr.strip():
        problems.append(f"aslc printed warnings: {p.stderr.strip()[:300]}")
    r = subprocess.run([exe, "--input", json.dumps(inp)], capture_output=True, text=True)
    if r.returncode != 0 or json.loads(r.stdout or "null") != want:
        problems.append(f"exit {r.returncode}, output {r.stdout.strip()[:200]!r}")
    syms = symbols(exe)
    ssl = sorted(s for s in syms if s.startswith(("EVP_", "OPENSSL_")))
    if crypto and "EVP_Digest" not in syms:
        problems.append("calls States.Hash but EVP_Digest is not linked in")
    if not crypto and ssl:
        problems.append(f"no Hash/Base64Encode, yet {len(ssl)} OpenSSL symbols are linked in "
                        f"({', '.join(ssl[:3])}, ...)")
    io = "asl_map_io" in syms and "inflate" in syms
    if name == "mapio" and not io:
        problems.append("a Map with a ResultWriter, yet asl_map_io or zlib's inflate is not linked in")
    if name != "mapio" and ("asl_map_io" in syms or "inflate" in syms):
        problems.append("no ItemReader or ResultWriter, yet asl_map_io or zlib's inflate is linked in")
    if a.static == "1":
        hdr = subprocess.run(["readelf", "-l", exe], capture_output=True, text=True).stdout
        if "INTERP" in hdr:
            problems.append("linked statically, yet it asks for a dynamic loader")
    if not problems:
        print(f"ok   {name} ({a.backend}): {os.path.getsize(exe) // 1024} KB, {len(ssl)} OpenSSL symbols")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--backend", default="c")
    ap.add_argument("--static", default="0")
    a = ap.parse_args()
    if not shutil.which("nm") or not shutil.which("readelf"):
        print("skipped: needs nm and readelf (binutils)")
        return 77
    failed = 0
    with tempfile.TemporaryDirectory(prefix="aslclink.") as work:
        for case in CASES:
            for pr in check(a, work, *case):
                print(f"FAIL {case[0]} ({a.backend}): {pr}")
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
