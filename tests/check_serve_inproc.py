#!/usr/bin/env python3
"""check_serve_inproc.py — StartSyncExecution run in process (issue #23):
`aslc serve` loads each EXPRESS machine as a shared object (aslc --target
shared) and runs its executions on its own threads.  Checked with boto3:

  - `aslc --target shared` makes an object that exports asl_embed alone;
  - an EXPRESS execution sees its own $$.Execution.Id/Name and
    $$.StateMachine.Id, and answers exactly what `--isolate on` (a process
    per execution) answers for the same requests, failures included;
  - 200 executions from 8 threads at once each get their own output;
  - a native handler's getpid() is the server's with --isolate off (and
    not with --isolate on), for StartSyncExecution and for StartExecution of an EXPRESS machine;
  - input that is not JSON: InvalidExecutionInput; a Task failing in a
    native handler: FAILED with its Error and Cause; billingDetails;
  - update_state_machine takes effect at the next execution, and a deleted
    machine answers StateMachineDoesNotExist;
  - after a restart, a machine from the database is loaded again;
  - with --handlers and no --isolate, executions are processes: a native
    handler that segfaults FAILS its execution (States.Runtime, a cause
    naming the signal) and the server goes on answering.

Exit 0 when every check holds, 1 otherwise, 77 (skipped) without boto3.

    tests/check_serve_inproc.py --aslc build/aslc
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import (begin,  # noqa: E402
                          start_server as common_start_server)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

HANDLERS = r"""
#include "asl.h"
#include <stdio.h>
#include <signal.h>
#include <unistd.h>
/* a handler with a bug: the process it runs in dies */
asl_value *crash(asl_task_ctx *t, asl_value *in) {
    (void)t;
    (void)in;
    raise(SIGSEGV);
    return NULL;
}
/* the process the execution runs in: {"pid": N}, also written to input.path if given */
asl_value *whoami(asl_task_ctx *t, asl_value *in) {
    asl_arena *a = asl_task_arena(t);
    asl_value *p = in->type == ASL_OBJECT ? asl_object_get(in, "path", 4) : NULL;
    if (p && p->type == ASL_STRING) {
        FILE *f = fopen(p->u.str, "w");
        if (f) { fprintf(f, "%ld", (long)getpid()); fclose(f); }
    }
    asl_value *o = asl_object(a, 1);
    asl_object_append_lit(a, o, "pid", 3, asl_number(a, (double)getpid()));
    return o;
}
asl_value *twice(asl_task_ctx *t, asl_value *in) {
    asl_value *v = in->type == ASL_OBJECT ? asl_object_get(in, "n", 1) : NULL;
    if (!v || v->type != ASL_NUMBER) return asl_task_fail(t, "NoNumber", "n is not a number");
    asl_arena *a = asl_task_arena(t);
    asl_value *o = asl_object(a, 1);
    asl_object_append_lit(a, o, "n", 1, asl_number(a, v->u.n.num * 2));
    return o;
}
"""

CONTEXT = {"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:twice",
          "ResultPath": "$.r", "Next": "P"},
    "P": {"Type": "Pass", "End": True, "Parameters": {
        "n.$": "$.r.n", "id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name",
        "sm.$": "$$.StateMachine.Id", "sum.$": "States.MathAdd($.r.n, 1)"}}}}


def main():
    started = begin()
    if not started:
        return 77
    args, check, code_of = started

    with tempfile.TemporaryDirectory() as tmp:
        handlers = os.path.join(tmp, "handlers.c")
        with open(handlers, "w") as f:
            f.write(HANDLERS)
        resources = os.path.join(tmp, "resources.json")
        with open(resources, "w") as f:
            json.dump({"twice": {"native": "twice"}, "whoami": {"native": "whoami"},
                       "crash": {"native": "crash"}}, f)
        wf = os.path.join(tmp, "wf.json")
        with open(wf, "w") as f:
            json.dump(CONTEXT, f)

        so = os.path.join(tmp, "wf.so")
        r = subprocess.run([args.aslc, wf, "--target", "shared", "-o", so, "--resources",
                            resources, "--handlers", handlers], capture_output=True, text=True)
        nm = subprocess.run(["nm", "-D", "--defined-only", so], capture_output=True, text=True)
        exported = [l.split()[-1] for l in nm.stdout.splitlines() if l.strip()]
        check("aslc --target shared exports asl_embed alone", r.returncode == 0 and
              exported == ["asl_embed"], (r.stderr, exported))

        servers = []

        def start_server(db, isolate="off", env=None):
            # --handlers alone isolates (a native handler could crash the
            # server): in process is what --isolate off asks for
            p, client, _ = common_start_server(
                args.aslc, db, "--resources", resources, "--handlers", handlers,
                *(("--isolate", isolate) if isolate else ()), env=env, max_pool_connections=16)
            servers.append(p)
            return client

        def stop(p):
            p.terminate()
            p.wait(timeout=30)
            servers.remove(p)

        role = "arn:aws:iam::123456789012:role/r"
        try:
            db = os.path.join(tmp, "a.db")
            sfn = start_server(db)
            iso = start_server(os.path.join(tmp, "i.db"), "on")
            arns = {}
            for name, c in (("in", sfn), ("iso", iso)):
                arns[name] = c.create_state_machine(name="ctx", type="EXPRESS", roleArn=role,
                                                    definition=json.dumps(CONTEXT))["stateMachineArn"]
            arn = arns["in"]

            who = json.dumps({"StartAt": "W", "States": {"W": {
                "Type": "Task", "End": True,
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:whoami"}}})
            pids = {}
            for name, c in (("in", sfn), ("iso", iso)):
                w = c.create_state_machine(name="who", type="EXPRESS", roleArn=role,
                                           definition=who)["stateMachineArn"]
                pids[name] = json.loads(c.start_sync_execution(stateMachineArn=w)["output"])["pid"]
            check("StartSyncExecution runs in the server's process, --isolate on in another",
                  pids["in"] == servers[0].pid and pids["iso"] not in (0, servers[1].pid), pids)
            mark = os.path.join(tmp, "mark")
            w = arns["in"].replace(":ctx", ":who")
            ex = sfn.start_execution(stateMachineArn=w, input=json.dumps({"path": mark}))
            for _ in range(100):
                if os.path.exists(mark) and open(mark).read():
                    break
                time.sleep(0.05)
            got = open(mark).read() if os.path.exists(mark) else ""
            check("StartExecution of an EXPRESS machine runs in process too",
                  ":express:who:" in ex["executionArn"] and got == str(servers[0].pid), got)

            out = sfn.start_sync_execution(stateMachineArn=arn, name="run-1", input='{"n": 21}')
            check("in process: the output and the context object", out["status"] == "SUCCEEDED" and
                  json.loads(out["output"]) == {
                      "n": 42, "sum": 43, "name": "run-1", "sm": arn,
                      "id": "arn:aws:states:us-east-1:123456789012:express:ctx:run-1"}, out)
            check("billingDetails", out.get("billingDetails", {}).get(
                "billedDurationInMilliseconds") == 100 and
                out["billingDetails"].get("billedMemoryUsedInMB") == 64, out)

            keys = ("status", "output", "error", "cause", "name", "executionArn",
                    "stateMachineArn", "input")
            for label, inp in (("success", '{"n": 5}'), ("a failing handler", '{"m": 1}')):
                a = sfn.start_sync_execution(stateMachineArn=arn, name="same", input=inp)
                b = iso.start_sync_execution(stateMachineArn=arns["iso"], name="same", input=inp)
                check("in process and --isolate on answer alike: " + label,
                      {k: a.get(k) for k in keys} == {k: b.get(k) for k in keys}, (a, b))
            a = sfn.start_sync_execution(stateMachineArn=arn, input='{"m": 1}')
            check("a failing native handler: FAILED with its Error and Cause",
                  a["status"] == "FAILED" and a.get("error") == "NoNumber" and
                  a.get("cause") == "n is not a number", a)
            check("input that is not JSON: InvalidExecutionInput",
                  code_of(sfn.start_sync_execution, stateMachineArn=arn, input='{"n": ') ==
                  "InvalidExecutionInput")

            results, errors = {}, []

            def worker(k):
                try:
                    for i in range(25):
                        name = "t%d-%d" % (k, i)
                        o = sfn.start_sync_execution(stateMachineArn=arn, name=name,
                                                     input=json.dumps({"n": k * 100 + i}))
                        results[name] = o
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(repr(e))

            ts = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            good = sum(1 for name, o in results.items()
                       if o["status"] == "SUCCEEDED" and json.loads(o["output"])["name"] == name
                       and json.loads(o["output"])["n"] == 2 * json.loads(o["input"])["n"])
            check("200 executions from 8 threads at once, each its own", good == 200 and
                  not errors, (good, errors[:3]))

            sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(
                {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "v2", "End": True}}}))
            out = sfn.start_sync_execution(stateMachineArn=arn)
            check("update_state_machine takes effect at the next execution",
                  out["status"] == "SUCCEEDED" and json.loads(out["output"]) == "v2", out)

            gone = sfn.create_state_machine(name="gone", type="EXPRESS", roleArn=role,
                                            definition=json.dumps(CONTEXT))["stateMachineArn"]
            sfn.start_sync_execution(stateMachineArn=gone, input='{"n": 1}')
            sfn.delete_state_machine(stateMachineArn=gone)
            check("a deleted machine: StateMachineDoesNotExist",
                  code_of(sfn.start_sync_execution, stateMachineArn=gone) ==
                  "StateMachineDoesNotExist")

            # --handlers without --isolate: processes, so a crashing handler
            # fails its execution and nothing else
            # (under AddressSanitizer or ThreadSanitizer the segfault must
            # stay a signal, not the sanitizer's report and exit)
            env = dict(os.environ)
            for k in ("ASAN_OPTIONS", "TSAN_OPTIONS"):
                env[k] = (env[k] + ":" if env.get(k) else "") + "handle_segv=0"
            dflt = start_server(os.path.join(tmp, "d.db"), None, env=env)
            crash = dflt.create_state_machine(name="crash", type="EXPRESS", roleArn=role,
                                              definition=json.dumps({"StartAt": "C", "States": {
                                                  "C": {"Type": "Task", "End": True,
                                                        "Resource": "arn:aws:lambda:us-east-1:"
                                                        "123456789012:function:crash"}}}))
            a = dflt.start_sync_execution(stateMachineArn=crash["stateMachineArn"])
            check("--handlers, no --isolate: a handler that segfaults FAILS its execution "
                  "(States.Runtime, the signal)",
                  a["status"] == "FAILED" and a.get("error") == "States.Runtime" and
                  "signal 11" in a.get("cause", ""), a)
            w = dflt.create_state_machine(name="who", type="EXPRESS", roleArn=role,
                                          definition=who)["stateMachineArn"]
            pid = json.loads(dflt.start_sync_execution(stateMachineArn=w)["output"])["pid"]
            check("... and the server still answers, its executions in processes of their own",
                  servers[-1].poll() is None and pid != servers[-1].pid and
                  len(dflt.list_state_machines()["stateMachines"]) == 2, pid)

            stop(servers[0])
            sfn = start_server(db)
            out = sfn.start_sync_execution(stateMachineArn=arn)
            check("after a restart the machine is loaded from the database",
                  out["status"] == "SUCCEEDED" and json.loads(out["output"]) == "v2", out)
        finally:
            for p in list(servers):
                stop(p)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
