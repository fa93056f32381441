#!/usr/bin/env python3
"""serve_fanout.py — what recording a fan-out's units costs a Standard
execution under `aslc serve`: a Map of N iterations of one Pass state,
inline and DISTRIBUTED (child executions, whose events a durable server
records apart so that a restart replays them: docs/serve.md), each run R
times, timed by the server's own startDate/stopDate (seconds).

    bench/serve_fanout.py --aslc build/aslc [-n 500] [-r 9]

Prints the median and the best of each kind.  Needs boto3.
"""

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests"))
from serve_common import start_server, wait_end  # noqa: E402


def definition(distributed):
    proc = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    if distributed:
        proc["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    return json.dumps({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemProcessor": proc}}})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    ap.add_argument("-n", type=int, default=500)
    ap.add_argument("-r", type=int, default=9)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, sfn, _ = start_server(a.aslc, os.path.join(tmp, "b.db"))
        try:
            for label, dist in (("inline", False), ("distributed", True)):
                arn = sfn.create_state_machine(name=label, definition=definition(dist),
                                               roleArn="arn:aws:iam::123456789012:role/r")[
                    "stateMachineArn"]
                times = []
                for _ in range(a.r + 1):       # the first is a warm-up
                    e = sfn.start_execution(stateMachineArn=arn,
                                            input=json.dumps(list(range(a.n))))["executionArn"]
                    d = wait_end(sfn, e, 300)
                    assert d["status"] == "SUCCEEDED", d
                    times.append((d["stopDate"] - d["startDate"]).total_seconds())
                times = times[1:]
                print("%-11s Map of %d Pass iterations: median %.3f s, best %.3f s" %
                      (label, a.n, statistics.median(times), min(times)))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
