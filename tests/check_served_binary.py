#!/usr/bin/env python3
"""check_served_binary.py — the binary's side of `aslc serve`'s channel
(runtime/served.c), without the server, for both back ends: a definition
compiled with --served is run with ASL_SERVE_FD on a socketpair, this script
acknowledging each event as the server does;

  - every event comes as "E <json>" with ids 1..n, each top-level
    StateEntered preceded by a "C <checkpoint>" with the state's name, input,
    variables and previousEventId;
  - the binary waits for each acknowledgement: while one is held back, no
    further event comes and the process has not ended;
  - run again with --resume (the checkpoint of the last state, as the server
    writes it), it continues there: the same output, the events after that
    StateEntered with the same ids and types, none before;
  - a binary whose channel is closed stops at its next event with status 75.

    tests/check_served_binary.py --aslc build/aslc
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import Checks  # noqa: E402

DEFINITION = {
    "StartAt": "Remember",
    "States": {
        "Remember": {"Type": "Pass", "Assign": {"who.$": "$$.Execution.Input.name"}, "Result": {"n": 1},
                     "Next": "Count"},
        "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"},
                  "Assign": {"seen.$": "$.n"}, "Next": "Answer"},
        "Answer": {"Type": "Pass", "Parameters": {"who.$": "$who", "seen.$": "$seen",
                                                  "n.$": "$.n"}, "End": True},
    },
}


def run(binary, inp, args=(), hold=None, close_at=None):
    """Runs binary on a channel; returns (status, output, events, checkpoints).
    hold: an event id whose acknowledgement waits 0.5 s (checked: nothing
    more meanwhile); close_at: the channel is closed at that event."""
    ours, theirs = socket.socketpair()
    env = dict(os.environ, ASL_SERVE_FD=str(theirs.fileno()), ASL_SERVE_DURABLE="1")
    p = subprocess.Popen([binary] + list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, pass_fds=(theirs.fileno(),))
    theirs.close()
    p.stdin.write(inp.encode())
    p.stdin.close()
    events, checkpoints, buf, held_ok = [], [], b"", True
    f = ours.makefile("rb")
    for line in f:
        kind, text = line[:1], line[2:].decode()
        if kind == b"C":
            checkpoints.append((len(events), json.loads(text)))
        elif kind == b"E":
            ev = json.loads(text)
            events.append(ev)
            if close_at == ev["id"]:
                f.close()       # (the file keeps the socket open otherwise)
                ours.close()
                break
            if hold == ev["id"]:
                ours.settimeout(0.5)
                try:
                    more = ours.recv(1, socket.MSG_PEEK)
                    held_ok = False if more else held_ok
                except socket.timeout:
                    pass
                held_ok = held_ok and p.poll() is None
                ours.settimeout(None)
            ours.sendall(b"A\n")
    out, err = p.stdout.read(), p.stderr.read()
    p.wait(timeout=30)
    try:
        ours.close()
    except OSError:
        pass
    return p.returncode, out.decode(), events, checkpoints, held_ok, err.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    args = ap.parse_args()
    check = Checks()

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "wf.json")
        with open(src, "w") as f:
            json.dump(DEFINITION, f)
        for backend in ("c", "llvm"):
            binary = os.path.join(tmp, "wf-" + backend)
            r = subprocess.run([args.aslc, src, "-o", binary, "--served", "--backend=" + backend],
                               capture_output=True, text=True)
            if r.returncode != 0:
                check(backend + ": compiles with --served", False, r.stderr)
                continue
            inp = '{"name": "ann"}'
            status, out, events, cps, held_ok, err = run(binary, inp, hold=4)
            want = {"who": "ann", "seen": 2, "n": 2}
            check(backend + ": served run's output", status == 0 and json.loads(out) == want,
                  (status, out, err))
            check(backend + ": events 1..n in order",
                  [e["id"] for e in events] == list(range(1, len(events) + 1)),
                  [e["id"] for e in events])
            check(backend + ": a checkpoint before each top-level StateEntered",
                  [(events[i]["type"], c["state"]) for i, c in cps] ==
                  [("PassStateEntered", "Remember"), ("PassStateEntered", "Count"),
                   ("PassStateEntered", "Answer")], cps)
            check(backend + ": nothing goes on while an event waits for its acknowledgement",
                  held_ok)
            at, cp = cps[-1]
            check(backend + ": the checkpoint has the state's input and the variables",
                  json.loads(json.dumps(cp["input"])) == {"n": 2} and
                  cp["vars"] == {"who": "ann", "seen": 2} and
                  cp["prev"] == events[at]["previousEventId"], cp)
            # resume at Answer, as the server does after a restart
            resume = dict(cp, entered=events[at]["id"], last=events[at]["id"], waited=0)
            rf = os.path.join(tmp, "resume.json")
            with open(rf, "w") as f:
                json.dump(resume, f)
            status, out2, ev2, cps2, _, err = run(binary, inp, args=("--resume", rf))
            check(backend + ": resumed at Answer: the same output",
                  status == 0 and json.loads(out2) == want, (status, out2, err))
            strip = lambda evs: [(e["id"], e["previousEventId"], e["type"]) for e in evs]
            check(backend + ": resumed: the events after its StateEntered, same ids and types",
                  strip(ev2) == strip(events[at + 1:]) and not cps2, (strip(ev2), cps2))
            status, _, ev3, _, _, _ = run(binary, inp, close_at=3)
            check(backend + ": a closed channel stops the binary at its next event (75)",
                  status == 75 and len(ev3) == 3, (status, len(ev3)))
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
