#!/usr/bin/env python3
"""bench/lambda.py — figures of `aslc --target lambda` on the loopback Lambda of
the tests (tests/lambda/fake_runtime.py), for docs/benchmarks.md:

  cold start   from starting bootstrap to its first /next, and to its first
               response posted (a Pass workflow), over fresh instances;
  warm         the round trip of one invocation of a warm instance, through the
               loopback Lambda (1,000 invocations one after another);
  fan-out      items/s of a Distributed Map of 10,000 items with 1, 2 and 4
               instances serving the child invocations (MaxConcurrency = the
               instances; the parent's invocation holds one more), one item per
               invocation, in ItemBatcher batches of 100, and in batches of 100 that
               each wait 1 s (a Wait state: work bound by I/O, as a batch calling a
               service would be; 2,000 items there).

Not a test: it prints one JSON object.

    bench/lambda.py --aslc build/aslc [--backend c] [--items 10000] [--rounds 3]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "lambda"))
from fake_runtime import FakeLambda  # noqa: E402
from check_lambda import compile_lambda  # noqa: E402

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"got.$": "$.x"}, "End": True}}}


def fan(batch, concurrency, wait=0):
    sq = {"Type": "Pass", "End": True,
          "Parameters": {"n.$": "States.ArrayLength($.Items)"} if batch else {"sq.$": "States.MathAdd($, $)"}}
    states = {"Sq": sq}
    if wait:   # the work of a batch: waiting on I/O for `wait` seconds
        states["Io"] = {"Type": "Wait", "Seconds": wait, "Next": "Sq"}
    m = {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": concurrency, "End": True,
         "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                           "StartAt": "Io" if wait else "Sq", "States": states}}
    if batch:
        m["ItemBatcher"] = {"MaxItemsPerBatch": batch}
    return {"StartAt": "Fan", "States": {"Fan": m}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", default=os.path.join(ROOT, "build", "aslc"))
    ap.add_argument("--backend", default="c")
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cold", type=int, default=20)
    args = ap.parse_args()
    out = {"items": args.items}
    with tempfile.TemporaryDirectory(prefix="aslc-lambda-bench-") as tmp:
        _, boot = compile_lambda(args, tmp, "pass", PASS)
        to_next, to_answer = [], []
        for _ in range(args.cold):
            svc = FakeLambda(boot, tmp, name="pass", max_instances=1)
            try:
                svc.invoke({"x": 1})
                (a, b), = svc.cold_starts()
                to_next.append(a * 1e3)
                to_answer.append(b * 1e3)
            finally:
                svc.stop()
        out["cold_start_ms"] = {"to_next_p50": round(statistics.median(to_next), 2),
                                "to_first_response_p50": round(statistics.median(to_answer), 2),
                                "to_first_response_min": round(min(to_answer), 2), "n": args.cold}
        # warm: one instance, invocations one after the other
        svc = FakeLambda(boot, tmp, name="pass", max_instances=1)
        try:
            svc.invoke({"x": 0})
            lat = []
            for k in range(1000):
                t0 = time.monotonic()
                svc.invoke({"x": k})
                lat.append((time.monotonic() - t0) * 1e6)
            lat.sort()
            out["warm_invocation_us"] = {"p50": round(lat[500]), "p90": round(lat[900]),
                                         "p99": round(lat[990]), "n": 1000}
        finally:
            svc.stop()
        items = list(range(args.items))
        out["fanout_items_per_s"] = {}
        for batch, wait in ((0, 0), (100, 0), (100, 1)):
            for n in (1, 2, 4):
                name = "fan%d_%d_%d" % (batch, wait, n)
                _, boot = compile_lambda(args, tmp, name, fan(batch, n, wait))
                rates = []
                its = items[:2000] if wait else items   # 20 batches of 1 s
                for _ in range(args.rounds):
                    svc = FakeLambda(boot, tmp, name=name, max_instances=n + 1, queue_wait=10, timeout=120)
                    try:
                        t0 = time.monotonic()
                        r = svc.invoke({"items": its})
                        took = time.monotonic() - t0
                        res = json.loads(r[2])
                        assert "X-Amz-Function-Error" not in r[1] and isinstance(res, list), r[2][:300]
                        rates.append(len(its) / took)
                    finally:
                        svc.stop()
                key = "%s%s, %d instance%s" % ("batches of %d" % batch if batch else "one item each",
                                              " waiting %d s each" % wait if wait else "", n,
                                              "s" if n > 1 else "")
                out["fanout_items_per_s"][key] = round(max(rates))
                print(key, [round(r) for r in rates], file=sys.stderr, flush=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
