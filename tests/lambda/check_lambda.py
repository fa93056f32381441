#!/usr/bin/env python3
"""check_lambda.py — `aslc --target lambda` against a loopback Lambda
(tests/lambda/fake_runtime.py, started and stopped here), for the back end given.

  contract   the package (a zip with bootstrap 0755 and its libraries under
             lib/); an invocation per execution: the event as input, the
             output as response; a failed execution as an invocation error
             whose errorType/errorMessage are its Error/Cause (and the
             Lambda-Runtime-Function-Error-Type header); the deadline as the
             execution's timeout (States.Timeout before Lambda's own); the trace
             id in _X_AMZN_TRACE_ID of a bound command; mocks compiled in; a
             Lambda Task signed with the credentials Lambda sets; an
             unusable binding as an init error; an output over 6 MB (413) as an
             invocation error; no breach of the Runtime API
             contract; bootstrap without AWS_LAMBDA_RUNTIME_API is the plain
             binary; the SAM template parses as YAML and names the actions.
  fanout     a Distributed Map over 10,000 items (batches of 50) fans out as
             invocations of the function over several instances, results in
             order; one item each with tolerated failures; throttled invokes
             retried, and the invocations in flight adapted to throttles; an instance killed mid-run and the Map still completes;
             the plain binary runs the same Map on threads with the same output.

    tests/lambda/check_lambda.py --aslc build/aslc --backend c [contract|fanout]
"""

import argparse
import json
import os
import stat
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fake_runtime import FakeLambda  # noqa: E402

FAILS = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def compile_lambda(args, tmp, name, definition, extra=(), bundle=False):
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump(definition, f)
    out = os.path.join(tmp, name + ".zip")
    env = dict(os.environ)
    if not bundle:
        env["ASLC_LAMBDA_BUNDLE"] = "0"
    subprocess.run([args.aslc, path, "--target", "lambda", "--backend=" + args.backend, "-o", out,
                    *extra], check=True, env=env)
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    with zipfile.ZipFile(out) as z:
        z.extractall(d)
        for info in z.infolist():   # extractall drops the modes
            os.chmod(os.path.join(d, info.filename), (info.external_attr >> 16) & 0o777)
    return out, os.path.join(d, "bootstrap")


def body(resp):
    return json.loads(resp[2])


# ---- contract ----------------------------------------------------------------------------

SIMPLE = {"StartAt": "P", "States": {
    "P": {"Type": "Pass", "Parameters": {"got.$": "$.name", "n": 1}, "Next": "C"},
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.got", "StringEquals": "bad", "Next": "F"}],
          "Default": "D"},
    "F": {"Type": "Fail", "Error": "Bad.Input", "Cause": "it was bad"},
    "D": {"Type": "Succeed"}}}

SLOW = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}}

TASKS = {"StartAt": "Trace", "States": {
    "Trace": {"Type": "Task", "Resource": "trace", "ResultPath": "$.trace", "Next": "Mocked"},
    "Mocked": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:other",
               "ResultPath": "$.mocked", "End": True}}}

# A Lambda Task calling this same function (the one function the loopback
# Lambda serves): the AWS client signs with the credentials Lambda sets.
INTEGRATION = {"StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.inner", "IsPresent": True, "Next": "Inner"}],
          "Default": "Call"},
    "Inner": {"Type": "Pass", "Parameters": {"from": "inner", "v.$": "$.v"}, "End": True},
    "Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:integ",
             "Parameters": {"inner": True, "v.$": "$.v"}, "ResultPath": "$.called", "End": True}}}

TEMPLATE_WF = {"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:score", "Next": "B"},
    "B": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
          "Parameters": {"TableName": "t", "Item": {"k": {"S": "v"}}}, "Next": "C"},
    "C": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
          "Parameters": {"Bucket": "b", "Key": "k"}, "Next": "M"},
    "M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
        "StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}}, "End": True}}}


def contract(args, tmp):
    zpath, boot = compile_lambda(args, tmp, "simple", SIMPLE, bundle=True)
    with zipfile.ZipFile(zpath) as z:
        names = z.namelist()
        info = z.getinfo("bootstrap")
        check(z.testzip() is None, "the package is a valid zip")
        check((info.external_attr >> 16) & 0o777 == 0o755, "bootstrap has mode 0755")
        check(any(n.startswith("lib/libcurl.so") for n in names),
              "libcurl is bundled under lib/ (%d libraries)" % sum(n.startswith("lib/") for n in names))
        check(not any("libc.so" in n or "ld-linux" in n for n in names), "the C library is not bundled")

    svc = FakeLambda(boot, tmp, name="simple", max_instances=1)
    try:
        t0 = time.monotonic()
        r = svc.invoke({"name": "PSY"})
        check(r[0] == 200 and "X-Amz-Function-Error" not in r[1] and body(r) == {"got": "PSY", "n": 1},
              "the event is the input, the output the response: %r" % (r,))
        first = time.monotonic() - t0
        r = svc.invoke({"name": "bad"})
        check(r[1].get("X-Amz-Function-Error") == "Unhandled" and
              body(r).get("errorType") == "Bad.Input" and body(r).get("errorMessage") == "it was bad",
              "a failed execution is an invocation error with its Error and Cause: %r" % (r,))
        for k in range(20):
            r = svc.invoke({"name": "n%d" % k})
        check(body(r) == {"got": "n19", "n": 1} and svc.stats["instances_started"] == 1,
              "22 invocations, one instance (warm)")
        r = svc.invoke(b"[1, 2")
        check(r[1].get("X-Amz-Function-Error") == "Unhandled", "an event that is not JSON fails")
        r = svc.invoke({"aslc-map-child": {"build": "0" * 40, "state": "401000", "map": "/States/M",
                                           "input": {}}})
        check(body(r).get("errorType") == "States.Runtime" and "another build" in body(r).get("errorMessage"),
              "a child event of another build is refused: %r" % (r[2],))
        cs = svc.cold_starts()
        print("      cold start: %.1f ms to /next, %.1f ms to the first answer (invoke %.1f ms)"
              % (cs[0][0] * 1e3, cs[0][1] * 1e3, first * 1e3))
    finally:
        svc.stop()
    check(not svc.violations, "no breach of the Runtime API contract: %r" % svc.violations)

    # an output over Lambda's 6 MB response limit: 413, then an invocation error
    _, boot_big = compile_lambda(args, tmp, "big", {"StartAt": "Twice", "States": {"Twice": {
        "Type": "Pass", "Parameters": {"a.$": "$.s", "b.$": "$.s"}, "End": True}}})
    svc = FakeLambda(boot_big, tmp, name="big", max_instances=1, env={"ASL_PAYLOAD_LIMIT": "off"})
    try:
        r = svc.invoke({"s": "x" * (4 << 20)})
        check(body(r).get("errorType") == "States.DataLimitExceeded",
              "an 8 MB output: 413 from the Runtime API, then States.DataLimitExceeded: %r" % (r[2][:200],))
    finally:
        svc.stop()
    check(not svc.violations, "no breach of the contract (413): %r" % svc.violations)

    # the deadline is the execution's timeout
    _, boot = compile_lambda(args, tmp, "slow", SLOW)
    svc = FakeLambda(boot, tmp, name="slow", max_instances=1, timeout=1.0)
    try:
        t0 = time.monotonic()
        r = svc.invoke({})
        took = time.monotonic() - t0
        check(body(r).get("errorType") == "States.Timeout" and took < 1.5,
              "the invocation's deadline stops the execution: States.Timeout in %.2f s" % took)
    finally:
        svc.stop()
    check(not svc.violations, "no breach of the contract (deadline): %r" % svc.violations)

    # bindings and mocks, and the trace id
    res = os.path.join(tmp, "res.json")
    script = os.path.join(tmp, "trace.sh")
    with open(script, "w") as f:
        f.write('#!/bin/sh\ncat >/dev/null\nprintf \'"%s"\' "$_X_AMZN_TRACE_ID"\n')
    os.chmod(script, 0o755)
    with open(res, "w") as f:
        json.dump({"trace": {"command": [script]}}, f)
    mocks = os.path.join(tmp, "mocks.json")
    with open(mocks, "w") as f:
        json.dump({"Mocked": [{"from": "mock"}]}, f)
    _, boot = compile_lambda(args, tmp, "tasks", TASKS, ["--resources", res, "--mocks", mocks])
    svc = FakeLambda(boot, tmp, name="tasks", max_instances=1)
    try:
        r = svc.invoke({"a": 1})
        out = body(r)
        check(out.get("mocked") == {"from": "mock"} and out.get("trace", "").startswith("Root=1-"),
              "a bound command sees _X_AMZN_TRACE_ID, a mock answers: %r" % (out,))
    finally:
        svc.stop()
    check(not svc.violations, "no breach of the contract (tasks): %r" % svc.violations)

    # an integration: Lambda Invoke, signed with the environment's credentials
    _, boot_i = compile_lambda(args, tmp, "integ", INTEGRATION)
    svc = FakeLambda(boot_i, tmp, name="integ", max_instances=2)
    try:
        r = svc.invoke({"v": 7})
        check(body(r) == {"v": 7, "called": {"from": "inner", "v": 7}},
              "a Lambda Task inside bootstrap calls Invoke, signed: %r" % (r[2],))
    finally:
        svc.stop()
    check(not svc.violations, "no breach of the contract (integration): %r" % svc.violations)

    # an unusable binding: an init error
    os.unlink(script)
    svc = FakeLambda(boot, tmp, name="tasks", max_instances=1, queue_wait=3)
    try:
        r = svc.invoke({"a": 1})
        time.sleep(0.2)
        check(len(svc.init_errors) == 1 and svc.init_errors[0].get("errorType") == "Runtime.AslcInitError"
              and "trace" in svc.init_errors[0].get("errorMessage", ""),
              "a binding whose program is gone: an init error naming it: %r" % svc.init_errors)
        check(r[1].get("X-Amz-Function-Error") == "Unhandled" and
              body(r).get("errorType") == "Runtime.AslcInitError",
              "the invocation fails with the init error: %r" % (r,))
    finally:
        svc.stop()
    check(not svc.violations, "no breach of the contract (init error): %r" % svc.violations)

    # outside Lambda: the plain binary
    _, boot = compile_lambda(args, tmp, "simple2", SIMPLE)
    env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_RUNTIME_API"}
    p = subprocess.run([boot], input=b'{"name":"x"}', capture_output=True, env=env)
    check(p.returncode == 0 and json.loads(p.stdout) == {"got": "x", "n": 1},
          "bootstrap outside Lambda runs one execution from stdin")

    # the SAM template
    tpl = os.path.join(tmp, "template.yaml")
    compile_lambda(args, tmp, "tpl", TEMPLATE_WF, ["--emit-template", tpl, "--allow-unbound"])
    try:
        import yaml

        class L(yaml.SafeLoader):
            pass
        for tag in ("!Ref", "!Sub", "!GetAtt"):
            L.add_constructor(tag, lambda loader, node: {"tag": loader.construct_scalar(node)})
        with open(tpl) as f:
            doc = yaml.load(f, Loader=L)
        fn = doc["Resources"]["Function"]["Properties"]
        stmts = fn["Policies"][0]["Statement"]
        actions = {}
        for st in stmts:
            for a in st["Action"]:
                actions.setdefault(a, []).extend(st["Resource"])
        check(fn["Runtime"] == "provided.al2023" and fn["Handler"] == "bootstrap" and
              fn["CodeUri"] == "tpl.zip", "the template deploys the zip beside it on provided.al2023")
        check(set(actions) == {"lambda:InvokeFunction", "dynamodb:PutItem", "s3:GetObject"},
              "the role allows what the Tasks call: %r" % sorted(actions))
        check("arn:aws:lambda:us-east-1:123456789012:function:score" in actions["lambda:InvokeFunction"]
              and any(isinstance(r, dict) for r in actions["lambda:InvokeFunction"]),
              "lambda:InvokeFunction on the Task's function and on itself (Distributed Map)")
    except ImportError:
        print("skip  the template (python3-yaml is missing)")


# ---- fan-out ------------------------------------------------------------------------------

def fan_definition(batched, tolerated=None, concurrency=4):
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}}
    if batched:
        processor.update({"StartAt": "Sum", "States": {"Sum": {
            "Type": "Pass", "Parameters": {"n.$": "States.ArrayLength($.Items)", "first.$": "$.Items[0]",
                                           "tag.$": "$.BatchInput.tag"}, "End": True}}})
    else:
        processor.update({"StartAt": "Check", "States": {
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.bad", "BooleanEquals": True,
                                                     "Next": "Boom"}], "Default": "Double"},
            "Boom": {"Type": "Fail", "Error": "Item.Bad", "Cause": "a bad item"},
            "Double": {"Type": "Pass", "Parameters": {"v.$": "$.v", "sq.$": "States.MathAdd($.v, $.v)"},
                       "End": True}}})
    m = {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": concurrency,
         "ItemProcessor": processor, "End": True}
    if batched:
        m["ItemBatcher"] = {"MaxItemsPerBatch": batched, "BatchInput": {"tag.$": "$.tag"}}
    if tolerated is not None:
        m["ToleratedFailureCount"] = tolerated
    return {"StartAt": "Fan", "States": {"Fan": m}}


def fanout(args, tmp):
    n = 10000
    items = list(range(n))
    wf = fan_definition(50)
    expected = [{"n": 50, "first": k, "tag": "t"} for k in range(0, n, 50)]
    _, boot = compile_lambda(args, tmp, "fan", wf)

    svc = FakeLambda(boot, tmp, name="fan", max_instances=5)
    try:
        t0 = time.monotonic()
        r = svc.invoke({"items": items, "tag": "t"})
        took = time.monotonic() - t0
        check(r[0] == 200 and "X-Amz-Function-Error" not in r[1] and body(r) == expected,
              "10,000 items in 200 batches across instances, in order (%.2f s, %d instances, %d invocations)"
              % (took, svc.stats["instances_started"], svc.stats["invocations"]))
        check(svc.stats["instances_started"] >= 3, "the fan-out ran on several instances")
    finally:
        svc.stop()
    check(not svc.violations, "no breach of the contract (fan-out): %r" % svc.violations[:3])

    # kill one instance mid-run: its invocation fails with Runtime.ExitError and is retried
    svc = FakeLambda(boot, tmp, name="fan", max_instances=5, kill_after=60)
    try:
        r = svc.invoke({"items": items, "tag": "t"})
        check(r[0] == 200 and "X-Amz-Function-Error" not in r[1] and body(r) == expected,
              "an instance killed mid-run: the Map still completes, in order")
        check(svc.killed and svc.stats["exit_errors"] == 1,
              "one invocation failed with Runtime.ExitError (%r)" % svc.stats)
    finally:
        svc.stop()

    # one item each, tolerated failures, throttled invokes retried
    items2 = [{"v": k, "bad": k % 25 == 0} for k in range(200)]
    _, boot2 = compile_lambda(args, tmp, "fan1", fan_definition(None, tolerated=10))
    svc = FakeLambda(boot2, tmp, name="fan1", max_instances=5, throttle_first=6)
    try:
        r = svc.invoke({"items": items2})
        out = body(r)
        ok = isinstance(out, list) and len(out) == 200 and all(
            out[k] == ({"Error": "Item.Bad", "Cause": "a bad item"} if k % 25 == 0 else {"v": k, "sq": 2 * k})
            for k in range(200))
        check(ok, "one item per invocation, 8 tolerated failures in place, %d throttles retried"
              % svc.stats["throttles"])
    finally:
        svc.stop()
    check(not svc.violations, "no breach of the contract (items): %r" % svc.violations[:3])
    svc = FakeLambda(boot2, tmp, name="fan1", max_instances=5)
    try:
        items3 = [{"v": k, "bad": k % 18 == 0} for k in range(200)]
        r = svc.invoke({"items": items3})
        check(r[1].get("X-Amz-Function-Error") == "Unhandled" and
              body(r).get("errorType") == "States.ExceedToleratedFailureThreshold",
              "12 failures over a tolerance of 10: States.ExceedToleratedFailureThreshold")
    finally:
        svc.stop()

    # no MaxConcurrency, 4 instances for the children: the invocations in
    # flight adapt to the throttles instead of retrying in a storm
    wf = fan_definition(None)
    del wf["States"]["Fan"]["MaxConcurrency"]
    _, boot3 = compile_lambda(args, tmp, "unbounded", wf)
    svc = FakeLambda(boot3, tmp, name="unbounded", max_instances=5, queue_wait=0.5)
    try:
        items4 = [{"v": k, "bad": False} for k in range(1000)]
        r = svc.invoke({"items": items4})
        # (without the adaptive limit: 8 throttles an item; with it, under
        # a loaded machine, at most one or two)
        check(body(r) == [{"v": k, "sq": 2 * k} for k in range(1000)] and svc.stats["throttles"] < 2000,
              "no MaxConcurrency: 1,000 invocations on 4 instances, %d throttled and retried"
              % svc.stats["throttles"])
    finally:
        svc.stop()

    # ToleratedFailurePercentage, and a ResultWriter to a bucket bound to a directory
    wf = fan_definition(None)
    wf["States"]["Fan"]["ToleratedFailurePercentage"] = 5
    wf["States"]["Fan"]["ResultWriter"] = {"Resource": "arn:aws:states:::s3:putObject",
                                           "Parameters": {"Bucket": "results", "Prefix": "run"}}
    os.makedirs(os.path.join(tmp, "results"))
    res = os.path.join(tmp, "buckets.json")
    with open(res, "w") as f:
        json.dump({"s3://results": {"directory": os.path.join(tmp, "results")}}, f)
    _, boot5 = compile_lambda(args, tmp, "writer", wf, ["--resources", res])
    svc = FakeLambda(boot5, tmp, name="writer", max_instances=5)
    try:
        items5 = [{"v": k, "bad": k % 25 == 0} for k in range(100)]   # 4 % fail
        r = svc.invoke({"items": items5})
        details = body(r).get("ResultWriterDetails", {})
        written = {}
        for root, _, files in os.walk(os.path.join(tmp, "results")):
            for name in files:
                with open(os.path.join(root, name)) as f:
                    written[name] = json.load(f)
        ok = [json.loads(e["Output"]) for e in written.get("SUCCEEDED_0.json", [])]
        failed = written.get("FAILED_0.json", [])
        check(details.get("Bucket") == "results" and len(ok) == 96 and len(failed) == 4 and
              ok[0] == {"v": 1, "sq": 2},
              "ToleratedFailurePercentage 5 with 4 %% failing; results written by ResultWriter "
              "(%d succeeded, %d failed)" % (len(ok), len(failed)))
    finally:
        svc.stop()

    # the plain binary: the same Map on local threads
    exe = os.path.join(tmp, "fan-native")
    subprocess.run([args.aslc, os.path.join(tmp, "fan.json"), "--backend=" + args.backend, "-o", exe],
                   check=True)
    p = subprocess.run([exe], input=json.dumps({"items": items, "tag": "t"}).encode(), capture_output=True)
    check(p.returncode == 0 and json.loads(p.stdout) == expected,
          "the plain binary runs the Distributed Map locally, same output")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--backend", default="c")
    ap.add_argument("what", nargs="?", default="contract", choices=["contract", "fanout"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="aslc-lambda-") as tmp:
        (contract if args.what == "contract" else fanout)(args, tmp)
        if FAILS:
            for name in os.listdir(tmp):
                if name.endswith(".log"):
                    with open(os.path.join(tmp, name), "rb") as f:
                        text = f.read().decode(errors="replace").strip()
                    if text:
                        print("--- %s\n%s" % (name, text[-2000:]))
    print("%d failed" % len(FAILS) if FAILS else "all passed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
