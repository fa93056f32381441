#!/usr/bin/env python3
"""serve_durable.py — what durability costs an `aslc serve` execution: the
same workflow (the shared pass_chain_100: 100 Pass states, 202 history
events) run N times as an EXPRESS machine (StartSyncExecution: no records
but the call) and as a STANDARD one (every event written to SQLite and
acknowledged before the binary goes on, runtime/served.c), timed by the
server's own startDate/stopDate of each execution (milliseconds).

    bench/serve_durable.py --aslc build/aslc [-n 20] [--workflow pass_chain_100]

Prints the median and the best time per execution of each kind, the
difference per event, and the events per second a Standard execution
records.  Needs boto3.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("ASLC_BENCH_SHARED",
                        os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared", "bench"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--workflow", default="pass_chain_100")
    a = ap.parse_args()
    definition = open(os.path.join(SHARED, "workflows", a.workflow + ".json")).read()
    inp = open(os.path.join(SHARED, "inputs", a.workflow + ".json")).read()
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen([a.aslc, "serve", "--listen", "127.0.0.1:0", "--db",
                                   os.path.join(tmp, "b.db")],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        port = int(server.stdout.readline())
        sfn = boto3.client("stepfunctions", endpoint_url="http://127.0.0.1:%d" % port,
                           region_name="us-east-1", aws_access_key_id="x",
                           aws_secret_access_key="x", config=Config(inject_host_prefix=False))
        try:
            role = "arn:aws:iam::123456789012:role/r"
            ex = sfn.create_state_machine(name="ex", definition=definition, roleArn=role,
                                          type="EXPRESS")["stateMachineArn"]
            st = sfn.create_state_machine(name="st", definition=definition,
                                          roleArn=role)["stateMachineArn"]
            express, standard, events = [], [], 0
            for _ in range(a.n + 1):          # the first of each is a warm-up
                r = sfn.start_sync_execution(stateMachineArn=ex, input=inp)
                express.append((r["stopDate"] - r["startDate"]).total_seconds())
                arn = sfn.start_execution(stateMachineArn=st, input=inp)["executionArn"]
                while True:
                    d = sfn.describe_execution(executionArn=arn)
                    if d["status"] != "RUNNING":
                        break
                    time.sleep(0.01)
                assert d["status"] == "SUCCEEDED", d
                standard.append((d["stopDate"] - d["startDate"]).total_seconds())
                h = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
                events = len(h)
            express, standard = express[1:], standard[1:]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    me, ms = statistics.median(express), statistics.median(standard)
    print(json.dumps({
        "workflow": a.workflow, "n": a.n, "events": events,
        "express_median_ms": round(me * 1000, 1), "express_best_ms": round(min(express) * 1000, 1),
        "standard_median_ms": round(ms * 1000, 1),
        "standard_best_ms": round(min(standard) * 1000, 1),
        "durable_us_per_event": round((ms - me) / events * 1e6, 1) if events else None,
        "standard_events_per_s": round(events / ms) if ms > 0 else None,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
