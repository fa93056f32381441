#!/usr/bin/env python3
"""check_aws_role.py — a Task's `Credentials` (RoleArn): the binary assumes the
role through STS AssumeRole and calls Lambda with the role's temporary keys,
against tests/aws/fake_lambda.py on loopback, which is STS as well and checks
every signature with botocore.  For the back end given:

  - a static "RoleArn": one AssumeRole (signed with the caller's own keys),
    then three Lambda calls signed with the role's keys and session token;
    a Task without Credentials in the same workflow uses the caller's keys;
  - "RoleArn.$" read from the state's input, with an intrinsic call too, and
    a JSONata state's "RoleArn": "{% ... %}";
  - credentials that expire within the refresh margin are asked again for
    each call (the cache keeps them only until shortly before expiry);
  - a role STS refuses: States.TaskFailed naming the role and AccessDenied,
    caught by a Catch; no secret key or session token in any output;
  - a RoleArn.$ that selects a number: States.Runtime;
  - a mocked or bound Task with Credentials calls nothing.

Exit status 0 when every check holds, 1 otherwise, 77 when botocore is missing.

    tests/check_aws_role.py --aslc build/aslc --backend c
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws"))
from harness import aws_env, begin, builder, endpoint, last_error, read_log, stop  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FN = "arn:aws:lambda:us-east-1:123456789012:function:"
ROLE = "arn:aws:iam::111122223333:role/CrossAccount"
DENIED = "arn:aws:iam::111122223333:role/NotTrusted"
SECRET = "fake-secret-key"
SECRETS = (SECRET, "role-secret-key", "role-session-token")


def task(resource, creds=None, nxt=None, **extra):
    t = {"Type": "Task", "Resource": resource}
    if creds is not None:
        t["Credentials"] = creds
    t.update(extra)
    if nxt:
        t["Next"] = nxt
    else:
        t["End"] = True
    return t


WORKFLOWS = {
    "static": {"StartAt": "A", "States": {
        "A": task(FN + "echo", {"RoleArn": ROLE}, "B", ResultPath="$.a"),
        "B": task("arn:aws:states:::lambda:invoke", {"RoleArn": ROLE}, "C",
                  Parameters={"FunctionName": FN + "echo", "Payload": {"n": 2}},
                  ResultSelector={"p.$": "$.Payload.echo"}, ResultPath="$.b"),
        "C": task(FN + "echo", {"RoleArn": ROLE}, "D", ResultPath="$.c"),
        "D": task(FN + "echo", None, None, ResultPath="$.d", OutputPath="$.b")}},
    "dynamic": {"StartAt": "A", "States": {
        "A": task(FN + "echo", {"RoleArn.$": "$.role"}, "B", ResultPath="$.a"),
        "B": task(FN + "echo", {"RoleArn.$": "States.Format('arn:aws:iam::{}:role/CrossAccount', $.account)"},
                  None, ResultPath="$.b", OutputPath="$.b.echo.role")}},
    "jsonata": {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": task(FN + "echo", {"RoleArn": "{% $states.input.role %}"}, None,
                  Output="{% $states.result.echo.role %}")}},
    "denied": {"StartAt": "A", "States": {
        "A": task(FN + "echo", {"RoleArn": DENIED}, None,
                  Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}]),
        "Caught": {"Type": "Pass", "End": True}}},
    "notstring": {"StartAt": "A", "States": {
        "A": task(FN + "echo", {"RoleArn.$": "$.n"})}},
    "mocked": {"StartAt": "A", "States": {
        "A": task(FN + "echo", {"RoleArn": DENIED})}},
}


def main():
    args, check = begin()
    with tempfile.TemporaryDirectory() as tmp:
        procs = []

        def sts_lambda(name, ttl):
            log = os.path.join(tmp, name + ".jsonl")
            p, port = endpoint("fake_lambda.py", "--log", log, "--function",
                               "echo=%s:echo" % os.path.join(HERE, "aws", "functions.py"),
                               "--role", ROLE, "--role-ttl", str(ttl))
            procs.append(p)
            return "http://127.0.0.1:%d" % port, log

        compile_checked = builder(check, args, tmp)

        def build(name, extra=()):
            return compile_checked(name, WORKFLOWS[name], extra)

        url, log = sts_lambda("long", 3600)
        env = aws_env(tmp, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="AKIDTEST",
                      AWS_SECRET_ACCESS_KEY=SECRET)

        def run(binary, inp, e=env, extra=()):
            return subprocess.run([binary, "--input", json.dumps(inp), *extra],
                                  capture_output=True, text=True, env=e, timeout=60)

        try:
            b = build("static")
            if b:
                r = run(b, {"x": 1})
                calls = read_log(log)
                sts = [c for c in calls if c.get("action")]
                fns = [c for c in calls if c["function"]]
                check("static RoleArn: the workflow succeeds",
                      r.returncode == 0 and json.loads(r.stdout or "null") == {"p": {"n": 2}},
                      r.stdout + r.stderr)
                check("one AssumeRole of the role, signed with the caller's keys",
                      len(sts) == 1 and sts[0]["role"] == ROLE and sts[0]["key"] == "AKIDTEST"
                      and sts[0]["status"] == 200, str(sts))
                check("the role's calls signed with its temporary keys, the others not",
                      [c["key"] for c in fns] == ["ASIAROLETEST"] * 3 + ["AKIDTEST"] and
                      all(c["status"] == 200 for c in fns), str(fns))

            b = build("dynamic")
            if b:
                before = len(read_log(log))
                r = run(b, {"role": ROLE, "account": "111122223333"})
                calls = read_log(log)[before:]
                check("RoleArn.$ from the input and from an intrinsic",
                      r.returncode == 0 and json.loads(r.stdout or "null") == ROLE and
                      [c["key"] for c in calls if c["function"]] == ["ASIAROLETEST"] * 2,
                      r.stdout + r.stderr + str(calls))

            b = build("jsonata")
            if b:
                before = len(read_log(log))
                r = run(b, {"role": ROLE})
                calls = read_log(log)[before:]
                check("JSONata RoleArn: {% $states.input.role %}",
                      r.returncode == 0 and json.loads(r.stdout or "null") == ROLE and
                      [c["key"] for c in calls if c["function"]] == ["ASIAROLETEST"],
                      r.stdout + r.stderr + str(calls))

            b = build("denied")
            if b:
                r = run(b, {})
                out = json.loads(r.stdout or "null") if r.returncode == 0 else None
                check("a refused role: States.TaskFailed, caught",
                      isinstance(out, dict) and out.get("Error") == "States.TaskFailed" and
                      DENIED in out.get("Cause", "") and "AccessDenied" in out.get("Cause", ""),
                      r.stdout + r.stderr)
                r2 = run(b, {}, extra=("--history",))
                text = r.stdout + r.stderr + r2.stdout + r2.stderr
                check("no secret or session token in any output",
                      not any(s in text for s in SECRETS), text)

            b = build("notstring")
            if b:
                r = run(b, {"n": 5})
                err = last_error(r.stderr)
                check("RoleArn.$ selecting a number: States.Runtime",
                      r.returncode == 1 and err.get("Error") == "States.Runtime", r.stderr)

            mocks = os.path.join(tmp, "mocks.json")
            with open(mocks, "w") as f:
                json.dump({"A": [{"mocked": True}]}, f)
            b = build("mocked")
            if b:
                before = len(read_log(log))
                r = run(b, {}, extra=("--mocks", mocks))
                check("a mocked Task with Credentials calls nothing",
                      r.returncode == 0 and json.loads(r.stdout or "null") == {"mocked": True} and
                      len(read_log(log)) == before, r.stdout + r.stderr)

            # Credentials valid for 60 s: inside the refresh margin, so each call
            # assumes the role again rather than use keys about to expire.
            url2, log2 = sts_lambda("short", 60)
            b = build("static")
            if b:
                r = run(b, {"x": 1}, dict(env, AWS_ENDPOINT_URL=url2))
                sts = [c for c in read_log(log2) if c.get("action")]
                check("credentials near expiry are asked again",
                      r.returncode == 0 and len(sts) == 3, r.stderr + str(sts))
        finally:
            for p in procs:
                stop(p)
        return check.summary()


if __name__ == "__main__":
    sys.exit(main())
