#!/usr/bin/env python3
"""check_s3_buckets.py — a Distributed Map's ItemReader and ResultWriter on S3 itself.

    tests/check_s3_buckets.py --aslc build/aslc [--backend c|llvm]

A workflow whose buckets the resources file does not bind reads and writes
them on S3 (runtime/bucket_s3.c), here s3rver (npm) on loopback, path-style
through AWS_ENDPOINT_URL_S3: a JSON array, a CSV file and a listing are read
as items, and a ResultWriter writes its results; the manifest and the result
file are read back from s3rver and checked; a listing of 1,010 keys takes
two pages.  A missing key fails the Map with States.ItemReaderFailed, a
missing bucket a ResultWriter with States.ResultWriterFailed, S3's code in
the Cause and no secret.
Exit 0 when all hold, 1 otherwise, 77 when s3rver is not installed.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws"))
from harness import (Checks, arguments, aws_env, compile_workflow, free_port, last_error,  # noqa: E402
                     npm_tool, wait_port)

SECRET = "s3-secret-never-shown"


def proc(name):
    return {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": name, "States": {name: {"Type": "Pass", "End": True}}}


FLOW = {"StartAt": "Json", "States": {
    "Json": {"Type": "Map", "ItemProcessor": proc("J"), "ResultPath": "$.json", "Next": "Csv",
             "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                            "ReaderConfig": {"InputType": "JSON"},
                            "Parameters": {"Bucket.$": "$.in", "Key.$": "$.key"}},
             "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                              "WriterConfig": {"Transformation": "COMPACT"},
                              "Parameters": {"Bucket": "aslc-out", "Prefix": "runs"}}},
    "Csv": {"Type": "Map", "ItemProcessor": proc("C"), "ResultPath": "$.csv", "Next": "List",
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                           "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                           "Parameters": {"Bucket": "aslc-in", "Key": "rows.csv"}}},
    "List": {"Type": "Map", "ItemProcessor": proc("L"), "ResultPath": "$.list", "Next": "Many",
             "ItemSelector": {"key.$": "$$.Map.Item.Value.Key",
                              "size.$": "$$.Map.Item.Value.Size",
                              "etag.$": "$$.Map.Item.Value.Etag"},
             "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                            "Parameters": {"Bucket": "aslc-in", "Prefix": "list/"}}},
    "Many": {"Type": "Map", "ItemProcessor": proc("M"), "ResultPath": "$.many", "Next": "Athena",
             "ItemSelector": {"k.$": "$$.Map.Item.Value.Key"},
             "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                            "Parameters": {"Bucket": "aslc-in", "Prefix": "many/"}}},
    # an Athena manifest naming Parquet files, and a zstd JSON Lines object, read from S3
    "Athena": {"Type": "Map", "ItemProcessor": proc("A"), "ResultPath": "$.athena", "Next": "Zstd",
               "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                              "ReaderConfig": {"ManifestType": "ATHENA_DATA", "InputType": "PARQUET"},
                              "Parameters": {"Bucket": "aslc-in", "Key": "athena/q-manifest.csv"}}},
    "Zstd": {"Type": "Map", "ItemProcessor": proc("Z"), "ResultPath": "$.zstd", "End": True,
             "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                            "ReaderConfig": {"InputType": "JSONL"},
                            "Parameters": {"Bucket": "aslc-in", "Key": "lines.jsonl.zst"}}}}}
# a Parquet file of the golden cases (tests/parquet/make_fixtures.js): 3 rows
PARQUET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", "map_reader_athena_parquet",
                       "buckets", "data", "unload", "20250101_000000_00001_abcde_0.parquet")
# '{"z":1}\n{"z":2}\n' compressed by zstd 1.5 (zstd -c)
ZSTD_LINES = bytes.fromhex("28b52ffd04588100007b227a223a317d0a7b227a223a327d0a46eb7ca1")
# a ResultWriter into a bucket S3 does not have
NOWHERE = {"StartAt": "W", "States": {
    "W": {"Type": "Map", "ItemProcessor": proc("P"), "End": True,
          "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                           "Parameters": {"Bucket": "aslc-nowhere", "Prefix": "p"}}}}}
MANY = 1010   # more than one page of ListObjectsV2 (1,000 keys): continuation tokens


def s3(port, method, path, body=None):
    rq = urllib.request.Request("http://127.0.0.1:%d/%s" % (port, urllib.parse.quote(path)), data=body, method=method)
    with urllib.request.urlopen(rq, timeout=10) as r:
        return r.read()


def node_env():
    """s3rver's environment: its continuation tokens use a cipher that OpenSSL 3
    keeps in its legacy provider (a Node on OpenSSL 1.1 refuses the option)."""
    env = dict(os.environ)
    try:
        if subprocess.run(["node", "--openssl-legacy-provider", "-e", "0"], capture_output=True,
                          timeout=30).returncode == 0:
            env["NODE_OPTIONS"] = "--openssl-legacy-provider"
    except (OSError, subprocess.TimeoutExpired):
        pass
    return env


def main():
    args = arguments()
    s3rver = npm_tool(args.aslc, "s3rver", "ASLC_S3RVER")
    if not s3rver:
        print("skipped: s3rver is not installed (tests/run-all.sh puts it in build/npm)")
        return 77
    check = Checks()
    with tempfile.TemporaryDirectory() as tmp:
        b, err = compile_workflow(args, tmp, "s3_map", FLOW)
        nowhere, err2 = compile_workflow(args, tmp, "s3_nowhere", NOWHERE)
        check("compiles a writer to an unbound bucket", nowhere is not None, err2)
        check("compiles with unbound buckets (warned about)", b is not None and "has no binding" in err, err)
        port = free_port()
        data = os.path.join(tmp, "s3data")
        os.makedirs(data)
        server = subprocess.Popen([s3rver, "-d", data, "-a", "127.0.0.1", "-p", str(port), "-s",
                                   "--configure-bucket", "aslc-in", "--configure-bucket", "aslc-out"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  # s3rver's continuation tokens use a cipher OpenSSL 3 keeps
                                  # in its legacy provider
                                  env=node_env())
        try:
            check("s3rver started", wait_port(port))
            items = [{"n": 1}, {"n": 2, "s": "ü & <x>"}, [3]]
            s3(port, "PUT", "aslc-in/dir one/items.json", json.dumps(items).encode())
            s3(port, "PUT", "aslc-in/rows.csv", b"a,b\n1,x\n2,\"y,z\"\n")
            s3(port, "PUT", "aslc-in/list/a.json", b"[1]")
            s3(port, "PUT", "aslc-in/list/b c.json", b"[22]")
            s3(port, "PUT", "aslc-in/other.json", b"[]")
            for i in range(MANY):
                s3(port, "PUT", "aslc-in/many/%04d" % i, b"")
            with open(PARQUET, "rb") as f:
                pq = f.read()
            s3(port, "PUT", "aslc-in/athena/data/p0.parquet", pq)
            s3(port, "PUT", "aslc-in/athena/data/p1.parquet", pq)
            s3(port, "PUT", "aslc-in/athena/q-manifest.csv",
               b"s3://aslc-in/athena/data/p0.parquet\ns3://aslc-in/athena/data/p1.parquet\n")
            s3(port, "PUT", "aslc-in/lines.jsonl.zst", ZSTD_LINES)
            env = aws_env(tmp, AWS_REGION="us-east-1",
                          AWS_ENDPOINT_URL_S3="http://127.0.0.1:%d" % port,
                          AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY=SECRET)
            if b:
                r = subprocess.run([b, "--input", json.dumps({"in": "aslc-in", "key": "dir one/items.json"})],
                                   capture_output=True, text=True, env=env, timeout=120)
                out = json.loads(r.stdout) if r.returncode == 0 else {}
                check("runs", r.returncode == 0, r.stdout + r.stderr)
                check("CSV rows as items", out.get("csv") == [{"a": "1", "b": "x"}, {"a": "2", "b": "y,z"}],
                      json.dumps(out.get("csv")))
                lst = out.get("list") or []
                check("listing under the prefix, in key order",
                      [(o.get("key"), o.get("size")) for o in lst] == [("list/a.json", 3), ("list/b c.json", 4)]
                      and [o.get("etag") for o in lst] ==
                      ['"%s"' % hashlib.md5(t).hexdigest() for t in (b"[1]", b"[22]")], json.dumps(lst))
                many = [o.get("k") for o in out.get("many") or []]
                check("a listing of more than one page", many == ["many/%04d" % i for i in range(MANY)],
                      "%d keys" % len(many))
                rows3 = [{"id": 0, "city": "Oslo", "score": None}, {"id": 1, "city": "Lima", "score": 1.5},
                         {"id": 2, "city": "Pune", "score": 3}]
                check("an Athena manifest's Parquet files, read from S3", out.get("athena") == rows3 * 2,
                      json.dumps(out.get("athena")))
                check("a zstd object, read from S3", out.get("zstd") == [{"z": 1}, {"z": 2}],
                      json.dumps(out.get("zstd")))
                det = (out.get("json") or {}).get("ResultWriterDetails") or {}
                check("ResultWriterDetails names the manifest",
                      det.get("Bucket") == "aslc-out" and det.get("Key", "").startswith("runs/")
                      and det.get("Key", "").endswith("/manifest.json"), json.dumps(out.get("json")))
                try:
                    man = json.loads(s3(port, "GET", "aslc-out/" + det.get("Key", "")))
                    files = man.get("ResultFiles", {}).get("SUCCEEDED", [])
                    check("manifest lists the succeeded file", man.get("DestinationBucket") == "aslc-out"
                          and len(files) == 1 and files[0]["Key"].endswith("/SUCCEEDED_0.json"), json.dumps(man))
                    body = s3(port, "GET", "aslc-out/" + files[0]["Key"])
                    check("result file holds the items' outputs, size as listed",
                          json.loads(body) == items and len(body) == files[0]["Size"], body.decode())
                except Exception as e:  # noqa: BLE001
                    check("manifest and results read back", False, repr(e))
                r = subprocess.run([b, "--input", json.dumps({"in": "aslc-in", "key": "missing.json"})],
                                   capture_output=True, text=True, env=env, timeout=60)
                e = last_error(r.stderr)
                check("missing key: States.ItemReaderFailed with S3's code",
                      e.get("Error") == "States.ItemReaderFailed" and "NoSuchKey" in e.get("Cause", ""),
                      r.stderr)
                print("  Cause: " + e.get("Cause", ""))
                check("no secret in any output", SECRET not in r.stdout + r.stderr)
            if nowhere:
                r = subprocess.run([nowhere, "--input", "[1, 2]"], capture_output=True, text=True,
                                   env=env, timeout=60)
                e = last_error(r.stderr)
                check("missing bucket: States.ResultWriterFailed with S3's code",
                      e.get("Error") == "States.ResultWriterFailed" and "NoSuchBucket" in e.get("Cause", "")
                      and SECRET not in r.stderr, r.stderr)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
