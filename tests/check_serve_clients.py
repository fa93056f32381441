#!/usr/bin/env python3
"""check_serve_clients.py — `aslc serve` driven by the AWS CLI (Debian:
awscli) or by the AWS SDK for JavaScript v3 (@aws-sdk/client-sfn, from npm
into build/npm by tests/run-all.sh), as users drive Step Functions: each
creates a state machine, starts an execution, describes it until it
SUCCEEDED with its output, and reads its history (ExecutionStarted first,
ExecutionSucceeded last); the SDK also runs an EXPRESS machine with
StartSyncExecution and reads an error code.

    tests/check_serve_clients.py --aslc build/aslc --client cli|js

Exit 0 when every check holds, 1 otherwise, 77 (skipped) without the client.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import Checks, start_server  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

DEFINITION = {"StartAt": "Greet", "States": {
    "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)"},
              "Next": "Done"},
    "Done": {"Type": "Succeed"}}}

JS = r"""
const { SFNClient, CreateStateMachineCommand, StartExecutionCommand, DescribeExecutionCommand,
        GetExecutionHistoryCommand, StartSyncExecutionCommand,
        DescribeStateMachineCommand } = require("@aws-sdk/client-sfn");
const [endpoint, definition] = process.argv.slice(2);
const client = new SFNClient({ endpoint, region: "us-east-1", disableHostPrefix: true,
  credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  const out = {};
  const roleArn = "arn:aws:iam::123456789012:role/r";
  const sm = await client.send(new CreateStateMachineCommand({ name: "js", definition, roleArn }));
  out.arn = sm.stateMachineArn;
  const ex = await client.send(new StartExecutionCommand({ stateMachineArn: sm.stateMachineArn,
    input: JSON.stringify({ who: "sdk" }) }));
  let d;
  for (let i = 0; i < 300; i++) {
    d = await client.send(new DescribeExecutionCommand({ executionArn: ex.executionArn }));
    if (d.status !== "RUNNING") break;
    await sleep(100);
  }
  out.status = d.status;
  out.output = d.output;
  out.startDateIsDate = d.startDate instanceof Date;
  const h = await client.send(new GetExecutionHistoryCommand({ executionArn: ex.executionArn }));
  out.events = h.events.map((e) => e.type);
  const xp = await client.send(new CreateStateMachineCommand({ name: "jsx", definition, roleArn,
    type: "EXPRESS" }));
  const s = await client.send(new StartSyncExecutionCommand({ stateMachineArn: xp.stateMachineArn,
    input: JSON.stringify({ who: "sync" }) }));
  out.sync = { status: s.status, output: s.output };
  try {
    await client.send(new DescribeStateMachineCommand({ stateMachineArn: out.arn + "-missing" }));
    out.missing = "no error";
  } catch (e) {
    out.missing = e.name;
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--client", choices=("cli", "js"), required=True)
    args = ap.parse_args()

    if args.client == "cli":
        # Debian's awscli first: a user's own aws on PATH may be another version
        aws = "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else shutil.which("aws")
        if not aws or subprocess.run([aws, "--version"], capture_output=True).returncode != 0:
            print("skipped: the AWS CLI is not installed (Debian: awscli)")
            return 77
    else:
        node = shutil.which("node")
        mods = None
        for d in (os.path.dirname(os.path.abspath(args.aslc)), os.path.join(ROOT, "build")):
            p = os.path.join(d, "npm", "node_modules")
            if os.path.isdir(os.path.join(p, "@aws-sdk", "client-sfn")):
                mods = p
                break
        if not node or not mods:
            print("skipped: node or @aws-sdk/client-sfn is not installed (tests/run-all.sh "
                  "puts it in build/npm)")
            return 77

    check = Checks()

    with tempfile.TemporaryDirectory() as tmp:
        server, _, endpoint = start_server(args.aslc, os.path.join(tmp, "serve.db"))
        try:
            # the clients' own configuration stays out of it
            env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="secret",
                       AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="",
                       AWS_CONFIG_FILE=os.path.join(tmp, "none"),
                       AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "none"))
            env.pop("AWS_PROFILE", None)
            env.pop("AWS_ENDPOINT_URL", None)
            if args.client == "cli":
                def cli(*a):
                    r = subprocess.run([aws, "--endpoint-url", endpoint, "--output", "json",
                                        "stepfunctions", *a], capture_output=True, text=True,
                                       env=env, timeout=60)
                    return r.returncode, (json.loads(r.stdout) if r.stdout.strip() else None), r.stderr

                rc, sm, err = cli("create-state-machine", "--name", "cli", "--definition",
                                  json.dumps(DEFINITION), "--role-arn",
                                  "arn:aws:iam::123456789012:role/r")
                check("aws stepfunctions create-state-machine", rc == 0 and sm["stateMachineArn"]
                      == "arn:aws:states:us-east-1:123456789012:stateMachine:cli", (rc, sm, err))
                arn = sm["stateMachineArn"] if sm else ""
                rc, ex, err = cli("start-execution", "--state-machine-arn", arn, "--input",
                                  '{"who": "cli"}')
                check("aws stepfunctions start-execution", rc == 0 and "executionArn" in ex,
                      (rc, ex, err))
                d = None
                for _ in range(300):
                    rc, d, err = cli("describe-execution", "--execution-arn", ex["executionArn"])
                    if rc != 0 or d["status"] != "RUNNING":
                        break
                    time.sleep(0.1)
                check("aws stepfunctions describe-execution: SUCCEEDED with the output",
                      rc == 0 and d["status"] == "SUCCEEDED" and
                      json.loads(d["output"]) == {"greeting": "hello cli"}, (rc, d, err))
                rc, h, err = cli("get-execution-history", "--execution-arn", ex["executionArn"])
                types = [e["type"] for e in h["events"]] if h else []
                check("aws stepfunctions get-execution-history", rc == 0 and types and
                      types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded",
                      (rc, types, err))
                rc, _, err = cli("describe-state-machine", "--state-machine-arn", arn + "x")
                check("an error reaches the CLI with its code", rc != 0 and
                      "StateMachineDoesNotExist" in err, (rc, err))
            else:
                script = os.path.join(tmp, "round.cjs")
                with open(script, "w") as f:
                    f.write(JS)
                env["NODE_PATH"] = mods
                r = subprocess.run([node, script, endpoint, json.dumps(DEFINITION)],
                                   capture_output=True, text=True, env=env, timeout=120)
                out = json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else {}
                check("@aws-sdk/client-sfn: the round ran", r.returncode == 0,
                      r.stderr[-2000:])
                check("create, start and describe: SUCCEEDED with the output",
                      out.get("status") == "SUCCEEDED" and out.get("startDateIsDate") and
                      json.loads(out.get("output") or "null") == {"greeting": "hello sdk"}, out)
                ev = out.get("events") or []
                check("the history", ev[:1] == ["ExecutionStarted"] and
                      ev[-1:] == ["ExecutionSucceeded"], ev)
                check("StartSyncExecution of an EXPRESS machine", out.get("sync", {}).get(
                    "status") == "SUCCEEDED" and json.loads(out["sync"]["output"]) ==
                    {"greeting": "hello sync"}, out)
                check("an error reaches the SDK as its exception",
                      out.get("missing") == "StateMachineDoesNotExist", out)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
