#!/usr/bin/env python3
"""check_runtime_limits.py — what a generated binary does at the limits (issue #18).

Each section compiles small workflows with aslc and runs them in children
under resource limits (setrlimit), timeouts and signals; docs/runtime-limits.md
states the behaviour checked here:

  io        endless input (/dev/zero) is refused at the 256 KiB limit, under a
            memory limit too (exit 2, not an abort); a directory as input is
            named as one; an output that cannot be written (/dev/full, closed
            stdout) exits 3 with a message; bad --time-scale / ASL_TIME_SCALE
            values (nan, inf, -1, 1e300, abc) exit 2;
  timescale TimeoutSeconds still holds under --time-scale 0: a retry loop
            without delays ends with States.Timeout, and a Wait longer than
            TimeoutSeconds times out at once instead of being skipped;
  orphans   a command or python handler that exits leaving a background
            process holding its stdout/stderr: the Task ends with the
            handler, and the background process is killed with its group;
  fds       under `ulimit -n 64`, a Map of 60 command Tasks all succeed;
  signals   SIGTERM, SIGINT, SIGHUP, SIGQUIT during a command Task: the binary
            exits 128+N promptly, prints nothing on stdout, and the handler
            and its background child are gone;
  stacks    under `ulimit -v 4000000` a Map of 200 one-second Waits takes
            about a second; under 1 GB it still completes, and says on
            stderr that concurrency was reduced.  Skipped under the
            sanitizers (--sanitized), whose shadow memory needs the address
            space.

    tests/check_runtime_limits.py --aslc build/aslc SECTION...

Exit status 0 when every check holds, 1 otherwise.
"""

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}

problems = []


def fail(msg):
    problems.append(msg)
    print("FAIL " + msg)


def ok(msg):
    print("ok   " + msg)


def compile_wf(aslc, work, name, definition, resources=None):
    src = os.path.join(work, name + ".json")
    with open(src, "w") as f:
        json.dump(definition, f)
    argv = [aslc, src, "-o", os.path.join(work, name)]
    if resources is not None:
        res = os.path.join(work, name + ".resources.json")
        with open(res, "w") as f:
            json.dump(resources, f)
        argv += ["--resources", res]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise SystemExit("aslc could not compile %s:\n%s" % (name, p.stderr))
    return os.path.join(work, name)


def limits(**kw):
    """A preexec_fn setting the given rlimits (soft and hard) and no core files."""
    def apply():
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        for name, value in kw.items():
            resource.setrlimit(getattr(resource, name), (value, value))
    return apply


def pid_gone(pid):
    """Not running: no such process, or a zombie waiting for its reaper."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return True


def wait_gone(pids, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if all(pid_gone(p) for p in pids):
            return True
        time.sleep(0.05)
    return all(pid_gone(p) for p in pids)


# ---- io ----------------------------------------------------------------------------------

def section_io(aslc, work, sanitized):
    wf = compile_wf(aslc, work, "pass", PASS)
    env = dict(os.environ)
    env.pop("ASL_PAYLOAD_LIMIT", None)
    env.pop("ASL_TIME_SCALE", None)

    def run(label, argv, want_rc, want_err, **kw):
        kw.setdefault("env", env)
        try:
            p = subprocess.run(argv, capture_output=True, timeout=20, **kw)
        except subprocess.TimeoutExpired:
            fail("%s: no result within 20 s" % label)
            return
        if p.returncode != want_rc or want_err.encode() not in p.stderr:
            fail("%s: expected exit %d and %r on stderr, got %d: %r"
                 % (label, want_rc, want_err, p.returncode, p.stderr[-300:]))
        else:
            ok(label)

    mem = {} if sanitized else {"RLIMIT_AS": 1 << 30}
    with open("/dev/zero", "rb") as z:
        run("endless input under a 1 GB memory limit", [wf], 2, "more than the 262144 bytes",
            stdin=z, preexec_fn=limits(**mem))
    run("--input-file of a directory", [wf, "--input-file", work], 2, "it is a directory")
    d = os.open(work, os.O_RDONLY)
    try:
        run("a directory on stdin", [wf], 2, "it is a directory", stdin=d)
    finally:
        os.close(d)
    with open("/dev/full", "wb") as full:
        p = subprocess.run([wf, "--input", "{}"], stdout=full, stderr=subprocess.PIPE, env=env,
                           timeout=20)
        if p.returncode != 3 or b"cannot write the output" not in p.stderr:
            fail("output to /dev/full: expected exit 3, got %d: %r" % (p.returncode, p.stderr))
        else:
            ok("output to /dev/full")
    p = subprocess.run(["sh", "-c", '"$0" --input "{}" >&-', wf], capture_output=True, env=env,
                       timeout=20)
    if p.returncode != 3 or b"standard output is closed" not in p.stderr:
        fail("closed stdout: expected exit 3, got %d: %r" % (p.returncode, p.stderr))
    else:
        ok("closed stdout")
    for bad in ("nan", "inf", "-1", "1e300", "abc", "", "1e-400x"):
        run("--time-scale %r" % bad, [wf, "--input", "{}", "--time-scale", bad], 2,
            "--time-scale needs a number")
    for bad in ("abc", "nan", "-0.5"):
        e = dict(env, ASL_TIME_SCALE=bad)
        run("ASL_TIME_SCALE=%s" % bad, [wf, "--input", "{}"], 2, "ASL_TIME_SCALE needs a number",
            env=e)
    for good in ("0", "0.5", "1", "1e6"):
        p = subprocess.run([wf, "--input", "{}", "--time-scale", good], capture_output=True,
                           env=env, timeout=20)
        if p.returncode != 0 or p.stdout.strip() != b"{}":
            fail("--time-scale %s: expected success, got %d %r" % (good, p.returncode, p.stderr))
        else:
            ok("--time-scale %s accepted" % good)


# ---- time scale ----------------------------------------------------------------------------

def section_timescale(aslc, work, sanitized):
    # A Parallel whose branch always fails, retried without end, 1 s apart:
    # at time scale 0 nothing but TimeoutSeconds can stop it.
    spin = {"TimeoutSeconds": 2, "StartAt": "Loop", "States": {"Loop": {
        "Type": "Parallel", "End": True,
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 99999999, "IntervalSeconds": 1,
                   "BackoffRate": 1}],
        "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}]}}}
    wait = {"TimeoutSeconds": 5, "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 10, "End": True}}}
    # No delay at all: only the clock can end it.
    loop = {"TimeoutSeconds": 1, "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "D"}],
              "Default": "A"},
        "D": {"Type": "Succeed"}}}
    env = dict(os.environ)
    env.pop("ASL_TIME_SCALE", None)
    for name, d, limit in (("retry loop", spin, 30), ("wait", wait, 5), ("choice loop", loop, 30)):
        wf = compile_wf(aslc, work, "ts_" + name.replace(" ", "_"), d)
        t0 = time.monotonic()
        try:
            p = subprocess.run([wf, "--input", "{}", "--time-scale", "0"], capture_output=True,
                               env=env, timeout=limit)
        except subprocess.TimeoutExpired:
            fail("%s under --time-scale 0: still running after %d s (TimeoutSeconds ignored)"
                 % (name, limit))
            continue
        took = time.monotonic() - t0
        if p.returncode != 1 or b'"Error":"States.Timeout"' not in p.stderr:
            fail("%s under --time-scale 0: expected States.Timeout, got %d %r"
                 % (name, p.returncode, p.stderr[-300:]))
        else:
            ok("%s under --time-scale 0 times out (%.2f s)" % (name, took))


# ---- orphans ---------------------------------------------------------------------------------

def section_orphans(aslc, work, sanitized):
    pidfile = os.path.join(work, "bg.pid")
    script = os.path.join(work, "bg.sh")
    with open(script, "w") as f:
        # Reads its input, starts a process that keeps stdout open for 30 s,
        # prints its result and exits.
        f.write('#!/bin/sh\ncat >/dev/null\n(sleep 30; echo late) &\necho $! > "%s"\n'
                'echo \'{"ok": 1}\'\n' % pidfile)
    os.chmod(script, 0o755)
    py = os.path.join(work, "bg.py")
    with open(py, "w") as f:
        f.write("import subprocess\n"
                "def lambda_handler(event, context):\n"
                "    p = subprocess.Popen(['sleep', '30'])\n"
                "    open(%r, 'w').write(str(p.pid))\n"
                "    return {'ok': 2}\n" % (pidfile + ".py"))
    for kind, res, want, pf in (("command", {"command": [script]}, {"ok": 1}, pidfile),
                                ("python", {"python": "bg.py"}, {"ok": 2}, pidfile + ".py")):
        d = {"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:bg",
            "TimeoutSeconds": 10, "End": True}}}
        wf = compile_wf(aslc, work, "orphan_" + kind, d, {"bg": res})
        t0 = time.monotonic()
        try:
            p = subprocess.run([wf, "--input", "{}"], capture_output=True, timeout=25)
        except subprocess.TimeoutExpired:
            fail("%s handler with a background process: no result in 25 s" % kind)
            continue
        took = time.monotonic() - t0
        out = p.stdout.strip()
        if p.returncode != 0 or json.loads(out or b"null") != want:
            fail("%s handler with a background process: expected %s, got %d %r %r"
                 % (kind, want, p.returncode, out, p.stderr[-300:]))
        elif took > 5:
            fail("%s handler with a background process: took %.1f s (waited for it)" % (kind, took))
        else:
            ok("%s handler with a background process ends with the handler (%.2f s)"
               % (kind, took))
        try:
            bg = int(open(pf).read())
        except (OSError, ValueError):
            fail("%s handler: no pid file" % kind)
            continue
        if not wait_gone([bg], 3):
            fail("%s handler: its background process %d outlived the call" % (kind, bg))
            os.kill(bg, signal.SIGKILL)
        else:
            ok("%s handler: the background process was killed with its group" % kind)


# ---- fds ----------------------------------------------------------------------------------------

def section_fds(aslc, work, sanitized):
    script = os.path.join(work, "echo.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\nsleep 0.2\ncat\n")
    os.chmod(script, 0o755)
    n = 60
    d = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemsPath": "$.items",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:echo",
            "End": True}}}}}}
    wf = compile_wf(aslc, work, "fds", d, {"echo": {"command": [script]}})
    items = [{"i": i} for i in range(n)]
    try:
        p = subprocess.run([wf, "--input", json.dumps({"items": items})], capture_output=True,
                           timeout=120, preexec_fn=limits(RLIMIT_NOFILE=64))
    except subprocess.TimeoutExpired:
        fail("Map of %d command Tasks under ulimit -n 64: no result in 120 s" % n)
        return
    if p.returncode != 0 or json.loads(p.stdout or b"null") != items:
        fail("Map of %d command Tasks under ulimit -n 64: got %d %r"
             % (n, p.returncode, p.stderr[-300:]))
    else:
        ok("Map of %d command Tasks under ulimit -n 64" % n)


# ---- signals ------------------------------------------------------------------------------------

def section_signals(aslc, work, sanitized):
    script = os.path.join(work, "hang.sh")
    with open(script, "w") as f:
        # Records its pid and its background child's, then waits for it.
        f.write('#!/bin/sh\necho $$ > "$PIDFILE"\nsleep 60 &\necho $! >> "$PIDFILE"\nwait\n')
    os.chmod(script, 0o755)
    d = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:hang",
        "End": True}}}
    wf = compile_wf(aslc, work, "signals", d, {"hang": {"command": [script]}})
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
        pidfile = os.path.join(work, "hang.%d" % sig)
        env = dict(os.environ, PIDFILE=pidfile)
        # A session of its own: the binary is not in the test's process group,
        # and SIGINT/SIGQUIT are not ignored in it as in a background job.
        p = subprocess.Popen([wf, "--input", "{}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, start_new_session=True, preexec_fn=limits())
        pids = []
        end = time.monotonic() + 20
        while time.monotonic() < end:
            try:
                pids = [int(x) for x in open(pidfile).read().split()]
            except (OSError, ValueError):
                pids = []
            if len(pids) == 2:
                break
            time.sleep(0.05)
        if len(pids) != 2:
            fail("%s: the handler did not start" % sig.name)
            p.kill()
            p.communicate()
            continue
        t0 = time.monotonic()
        p.send_signal(sig)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            fail("%s: the binary did not exit within 10 s" % sig.name)
            continue
        took = time.monotonic() - t0
        if p.returncode != 128 + sig or out:
            fail("%s: expected exit %d and no output, got %d %r %r"
                 % (sig.name, 128 + sig, p.returncode, out, err[-300:]))
        elif not wait_gone(pids, 3):
            fail("%s: handler processes %s outlived the binary" % (sig.name, pids))
            for q in pids:
                try:
                    os.kill(q, signal.SIGKILL)
                except OSError:
                    pass
        else:
            ok("%s: exit %d in %.2f s, handler and its child gone" % (sig.name, p.returncode, took))


# ---- stacks --------------------------------------------------------------------------------------

def section_stacks(aslc, work, sanitized):
    if sanitized:
        print("skip stacks: the sanitizers' shadow memory needs an unlimited address space")
        return
    n = 200
    d = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemsPath": "$.items",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 1, "End": True}}}}}}
    wf = compile_wf(aslc, work, "stacks", d)
    items = list(range(n))
    env = dict(os.environ)
    env.pop("ASL_TIME_SCALE", None)
    for limit, most, note in ((4000000 * 1024, 6.0, False), (1 << 30, 30.0, True)):
        t0 = time.monotonic()
        try:
            p = subprocess.run([wf, "--input", json.dumps({"items": items})], capture_output=True,
                               timeout=90, env=env, preexec_fn=limits(RLIMIT_AS=limit))
        except subprocess.TimeoutExpired:
            fail("%d Waits under ulimit -v %d: no result in 90 s" % (n, limit // 1024))
            continue
        took = time.monotonic() - t0
        label = "%d one-second Waits under ulimit -v %d" % (n, limit // 1024)
        if p.returncode != 0 or json.loads(p.stdout or b"null") != items:
            fail("%s: got %d %r" % (label, p.returncode, p.stderr[-300:]))
        elif took > most:
            fail("%s: took %.1f s (more than %.0f)" % (label, took, most))
        elif note and b"less concurrency" not in p.stderr:
            fail("%s: took %.1f s without saying concurrency was reduced: %r"
                 % (label, took, p.stderr[-300:]))
        else:
            ok("%s: %.2f s%s" % (label, took, ", said so on stderr" if note else ""))


SECTIONS = {"io": section_io, "timescale": section_timescale, "orphans": section_orphans,
            "fds": section_fds, "signals": section_signals, "stacks": section_stacks}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--sanitized", action="store_true",
                    help="the binaries are built with a sanitizer: skip address-space limits")
    ap.add_argument("sections", nargs="*", default=list(SECTIONS))
    args = ap.parse_args(argv)
    aslc = os.path.abspath(args.aslc)
    work = tempfile.mkdtemp(prefix="asllimits.")
    try:
        for name in args.sections:
            SECTIONS[name](aslc, work, args.sanitized)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
