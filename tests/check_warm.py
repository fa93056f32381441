#!/usr/bin/env python3
"""check_warm.py — the processes of warm python and node handlers (issue #24, docs/tasks.md).

Sections (each one ctest per back end):

  signals  SIGTERM, SIGINT and SIGHUP to a binary in the middle of a Map over a slow
           python handler (and SIGTERM over a node one): it exits 128 + the signal, and
           no worker, nor a process a handler started, nor python's fork server is left
           (every process of a worker's group or of the fork server's group is gone)
  exit     after a normal run and after --bench, every worker and what it started is
           gone; a binary killed with SIGKILL leaves an idle worker and python's fork
           server that exit on their own (end of file on their pipe and socket)
  logs     what a handler prints (print, os.write(1, ...), console.log) never reaches the
           result; ASL_TASK_LOGS=1 copies it to the binary's stderr, =0 does not
  idle     ASL_WARM_IDLE_SECONDS: a worker idle for longer is reaped, the next call
           gets a fresh one (its module state starts again)
  crash    a worker that exits or is killed: Runtime.ExitError with Lambda's message and the
           exit status or signal (python's told by the fork server, node's by waitpid)

Golden cases cover the results (tests/golden/warm_*).  Exit status 0 when every
check passes.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

problems = []
ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


def fail(msg):
    problems.append(msg)
    print("FAIL " + msg)


def ok(msg):
    print("ok   " + msg)


def compile_wf(aslc, backend, work, name, definition, resources):
    src = os.path.join(work, name + ".json")
    with open(src, "w") as f:
        json.dump(definition, f)
    res = os.path.join(work, name + ".resources.json")
    with open(res, "w") as f:
        json.dump(resources, f)
    out = os.path.join(work, name)
    p = subprocess.run([aslc, src, "--backend=" + backend, "--resources", res, "-o", out],
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise SystemExit("aslc could not compile %s:\n%s" % (name, p.stderr))
    return out


def proc_stat(pid):
    """(state, ppid, pgid) of pid, or None when there is no such process."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return rest[0], int(rest[1]), int(rest[2])
    except (OSError, ValueError, IndexError):
        return None


def in_groups(groups):
    """Processes, not zombies, whose process group is one of groups."""
    found = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = proc_stat(int(d))
            if st and st[2] in groups and st[0] not in ("Z", "X"):
                found.append(int(d))
    return found


def wait_no_group(groups, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not in_groups(groups):
            return []
        time.sleep(0.05)
    return in_groups(groups)


def read_pids(piddir):
    """{worker pid: [pids it started, its parent]} from the files the handlers write (a
    python worker's parent is the fork server, which leads a group of its own)."""
    pids = {}
    for name in os.listdir(piddir):
        try:
            with open(os.path.join(piddir, name)) as f:
                nums = [int(x) for x in f.read().split()]
        except (OSError, ValueError):
            continue
        if nums:
            pids.setdefault(nums[0], []).extend(nums[1:])
    return pids


def kill_groups(groups):
    for g in groups:
        try:
            os.killpg(g, signal.SIGKILL)
        except OSError:
            pass


SLOW_PY = """import os, subprocess, time
def lambda_handler(event, context):
    child = subprocess.Popen(["sleep", "60"])
    with open(os.path.join(os.environ["PIDDIR"], "%d.%d" % (os.getpid(), child.pid)), "w") as f:
        f.write("%d %d %d" % (os.getpid(), child.pid, os.getppid()))
    time.sleep(float(os.environ.get("SLOW", "30")))
    return event
"""

SLOW_MJS = """import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
export const handler = async (event) => {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  writeFileSync(process.env.PIDDIR + "/" + process.pid + "." + child.pid, process.pid + " " + child.pid + " " + process.ppid);
  await new Promise((r) => setTimeout(r, Number(process.env.SLOW || "30") * 1000));
  return event;
};
"""


def map_def(fn, concurrency=4, suffix=""):
    return {"StartAt": "M" + suffix, "States": {"M" + suffix: {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": concurrency, "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "T" + suffix, "States": {
            "T" + suffix: {"Type": "Task", "Resource": ARN + fn, "End": True}}}}}}


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


# ---- signals ----------------------------------------------------------------------------------

def section_signals(aslc, backend, work):
    write(os.path.join(work, "slow.py"), SLOW_PY)
    write(os.path.join(work, "slow.mjs"), SLOW_MJS)
    py = compile_wf(aslc, backend, work, "sig_py", map_def("slow"), {"slow": {"python": "slow.py"}})
    nd = compile_wf(aslc, backend, work, "sig_node", map_def("slow"), {"slow": {"node": "slow.mjs"}})
    items = json.dumps({"items": list(range(12))})
    runs = [(py, "python", signal.SIGTERM), (py, "python", signal.SIGINT),
            (py, "python", signal.SIGHUP)]
    if shutil.which("node") or shutil.which("nodejs"):
        runs.append((nd, "node", signal.SIGTERM))
    else:
        print("skip node: no node interpreter")
    for wf, kind, sig in runs:
        what = "%s during a Map over a slow %s handler" % (sig.name, kind)
        piddir = tempfile.mkdtemp(dir=work)
        # A session of its own: SIGINT is not ignored as in a background job.
        p = subprocess.Popen([wf, "--input", items], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=dict(os.environ, PIDDIR=piddir),
                             start_new_session=True)
        end = time.monotonic() + 30
        while time.monotonic() < end and len(read_pids(piddir)) < 4:
            time.sleep(0.05)
        pids = read_pids(piddir)
        if len(pids) < 4:
            fail("%s: 4 workers did not start (%d)" % (what, len(pids)))
            p.kill()
            p.communicate()
            kill_groups(pids)
            continue
        p.send_signal(sig)
        try:
            out, err = p.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            fail("%s: the binary did not exit within 15 s" % what)
            kill_groups(pids)
            continue
        left = wait_no_group(set(pids) | {cs[-1] for cs in pids.values()}, 5)
        children = [c for cs in pids.values() for c in cs[:-1]]
        if p.returncode != 128 + sig or out:
            fail("%s: expected exit %d and no output, got %d %r %r"
                 % (what, 128 + sig, p.returncode, out, err[-300:]))
        elif left:
            fail("%s: processes %s of the workers' groups outlived the binary" % (what, left))
            kill_groups(pids)
        else:
            ok("%s: exit %d, %d workers and the %d processes they started gone"
               % (what, p.returncode, len(pids), len(children)))


# ---- exit -------------------------------------------------------------------------------------

def section_exit(aslc, backend, work):
    write(os.path.join(work, "quick.py"), SLOW_PY)
    write(os.path.join(work, "quick.mjs"), SLOW_MJS)
    bindings = {"quick": {"python": "quick.py"}}
    have_node = shutil.which("node") or shutil.which("nodejs")
    d = map_def("quick")
    if have_node:
        bindings["nquick"] = {"node": "quick.mjs"}
        d = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
            map_def("quick"), map_def("nquick", suffix="n")]}}}
    wf = compile_wf(aslc, backend, work, "exit", d, bindings)
    items = json.dumps({"items": list(range(8))})
    for args, what in (([], "a run"), (["--bench", "3"], "a --bench run")):
        piddir = tempfile.mkdtemp(dir=work)
        p = subprocess.run([wf, "--input", items] + args, capture_output=True, timeout=60,
                           env=dict(os.environ, PIDDIR=piddir, SLOW="0.05"))
        pids = read_pids(piddir)
        if p.returncode != 0:
            fail("%s: exit %d %r" % (what, p.returncode, p.stderr[-300:]))
            kill_groups(pids)
            continue
        left = wait_no_group(set(pids) | {cs[-1] for cs in pids.values()}, 3)
        zombies = [w for w in pids if (proc_stat(w) or ("", 0, 0))[0] == "Z"]
        if left:
            fail("%s: processes %s of the workers' groups outlived it" % (what, left))
            kill_groups(pids)
        elif not pids:
            fail("%s: no worker recorded its pid" % what)
        else:
            ok("%s: its %d workers and what they started are gone%s"
               % (what, len(pids), " (zombies: %s)" % zombies if zombies else ""))

    # SIGKILL: no handler of ours runs; idle workers read end of file and exit.
    d = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": ARN + "quick", "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    wf = compile_wf(aslc, backend, work, "killed", d, bindings)
    piddir = tempfile.mkdtemp(dir=work)
    p = subprocess.Popen([wf, "--input", "{}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=dict(os.environ, PIDDIR=piddir, SLOW="0"), start_new_session=True)
    end = time.monotonic() + 20
    while time.monotonic() < end and not read_pids(piddir):
        time.sleep(0.05)
    time.sleep(0.3)
    pids = read_pids(piddir)
    p.kill()
    p.communicate()
    workers = list(pids) + [cs[-1] for cs in pids.values()]  # and the fork server
    end = time.monotonic() + 5
    while time.monotonic() < end and any(proc_stat(w) and proc_stat(w)[0] not in "ZX"
                                         for w in workers):
        time.sleep(0.05)
    alive = [w for w in workers if proc_stat(w) and proc_stat(w)[0] not in "ZX"]
    if not workers:
        fail("SIGKILL: the handler did not run")
    elif alive:
        fail("SIGKILL: idle workers %s did not exit" % alive)
        kill_groups(pids)
    else:
        ok("SIGKILL of the binary: its idle worker and the fork server exited on their own")
        kill_groups(pids)  # the handler's own `sleep 60`, which nobody else kills


# ---- logs -------------------------------------------------------------------------------------

LOUD_PY = """import os, sys
def lambda_handler(event, context):
    print("printed by print")
    os.write(1, b"written on fd 1\\n")
    sys.stderr.write("written on stderr\\n")
    return {"ok": 1}
"""

LOUD_MJS = """export const handler = async () => {
  console.log("printed by console.log");
  process.stdout.write("written on process.stdout\\n");
  return { ok: 2 };
};
"""


def section_logs(aslc, backend, work):
    write(os.path.join(work, "loud.py"), LOUD_PY)
    write(os.path.join(work, "loud.mjs"), LOUD_MJS)
    bindings = {"loud": {"python": "loud.py"}}
    d = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ARN + "loud",
                                          "ResultPath": "$.py", "End": True}}}
    want = {"py": {"ok": 1}}
    texts = ["printed by print", "written on fd 1", "written on stderr"]
    if shutil.which("node") or shutil.which("nodejs"):
        bindings["nloud"] = {"node": "loud.mjs"}
        d["States"]["T"]["End"] = False
        d["States"]["T"]["Next"] = "N"
        d["States"]["N"] = {"Type": "Task", "Resource": ARN + "nloud", "ResultPath": "$.node",
                            "End": True}
        want["node"] = {"ok": 2}
        texts += ["printed by console.log", "written on process.stdout"]
    wf = compile_wf(aslc, backend, work, "logs", d, bindings)
    for logs in ("1", "0"):
        p = subprocess.run([wf, "--input", "{}"], capture_output=True, timeout=60,
                           env=dict(os.environ, ASL_TASK_LOGS=logs))
        try:
            got = json.loads(p.stdout)
        except ValueError:
            got = p.stdout
        err = p.stderr.decode(errors="replace")
        if p.returncode != 0 or got != want:
            fail("ASL_TASK_LOGS=%s: expected %s on stdout, got %d %r %r"
                 % (logs, want, p.returncode, p.stdout[-300:], err[-300:]))
            continue
        shown = [t for t in texts if t in err]
        if logs == "1" and shown != texts:
            fail("ASL_TASK_LOGS=1: stderr lacks %s: %r" % (sorted(set(texts) - set(shown)), err))
        elif logs == "0" and shown:
            fail("ASL_TASK_LOGS=0: stderr has %s" % shown)
        else:
            ok("ASL_TASK_LOGS=%s: the result is clean, the handlers' prints %s"
               % (logs, "on stderr" if logs == "1" else "dropped"))


# ---- idle -------------------------------------------------------------------------------------

COUNT_PY = """calls = 0
def lambda_handler(event, context):
    global calls
    calls += 1
    return calls
"""


def section_idle(aslc, backend, work):
    write(os.path.join(work, "count.py"), COUNT_PY)
    d = {"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": ARN + "count", "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Task", "Resource": ARN + "count", "ResultPath": "$.b", "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 1, "Next": "C"},
        "C": {"Type": "Task", "Resource": ARN + "count", "ResultPath": "$.c", "End": True}}}
    wf = compile_wf(aslc, backend, work, "idle", d, {"count": {"python": "count.py"}})
    for idle, want in (("0.3", {"a": 1, "b": 2, "c": 1}), (None, {"a": 1, "b": 2, "c": 3})):
        env = dict(os.environ, ASL_TIME_SCALE="1")
        env.pop("ASL_WARM_IDLE_SECONDS", None)
        if idle:
            env["ASL_WARM_IDLE_SECONDS"] = idle
        p = subprocess.run([wf, "--input", "{}"], capture_output=True, timeout=60, env=env)
        try:
            got = json.loads(p.stdout)
        except ValueError:
            got = None
        what = "ASL_WARM_IDLE_SECONDS=%s" % idle if idle else "the default idle time"
        if p.returncode != 0 or got != want:
            fail("%s: expected %s, got %d %r %r" % (what, want, p.returncode, p.stdout, p.stderr[-300:]))
        else:
            ok("%s: calls counted %s" % (what, [got["a"], got["b"], got["c"]]))


# ---- crash ------------------------------------------------------------------------------------

CRASH_PY = """import os, signal
def lambda_handler(event, context):
    if event["how"] == "exit":
        os._exit(3)
    os.kill(os.getpid(), signal.SIGKILL)
"""

CRASH_MJS = """export const handler = async () => { process.exit(5); };
"""


def section_crash(aslc, backend, work):
    write(os.path.join(work, "crash.py"), CRASH_PY)
    write(os.path.join(work, "crash.mjs"), CRASH_MJS)
    bindings = {"crash": {"python": "crash.py"}}
    cases = [({"how": "exit"}, "crash", "Runtime exited with error: exit status 3"),
             ({"how": "kill"}, "crash", "Runtime exited with error: signal: killed")]
    if shutil.which("node") or shutil.which("nodejs"):
        bindings["ncrash"] = {"node": "crash.mjs"}
        cases.append(({}, "ncrash", "Runtime exited with error: exit status 5"))
    for event, fn, want in cases:
        d = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ARN + fn,
                                              "Parameters": event, "End": True}}}
        wf = compile_wf(aslc, backend, work, "crash_" + fn + str(len(event)), d, bindings)
        p = subprocess.run([wf, "--input", "{}"], capture_output=True, timeout=60)
        try:
            err = json.loads(p.stderr.decode().strip().splitlines()[-1])
            cause = json.loads(err["Cause"])
        except (ValueError, KeyError, IndexError):
            err, cause = None, None
        what = "%s %s" % (fn, json.dumps(event))
        if (p.returncode != 1 or not err or err.get("Error") != "Runtime.ExitError" or
                cause.get("errorType") != "Runtime.ExitError" or
                not cause.get("errorMessage", "").startswith("RequestId: ") or
                not cause["errorMessage"].endswith(want)):
            fail("%s: expected Runtime.ExitError ending %r, got %d %r" % (what, want, p.returncode, p.stderr[-300:]))
        else:
            ok("%s: %s" % (what, cause["errorMessage"]))


SECTIONS = {"signals": section_signals, "exit": section_exit, "logs": section_logs,
            "idle": section_idle, "crash": section_crash}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--backend", default="c")
    ap.add_argument("sections", nargs="*", default=list(SECTIONS))
    args = ap.parse_args(argv)
    aslc = os.path.abspath(args.aslc)
    work = tempfile.mkdtemp(prefix="aslwarm.")
    try:
        for name in args.sections:
            SECTIONS[name](aslc, args.backend, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
