#!/usr/bin/env python3
"""run_history.py — compares aslc's execution history with AWS's.

For every conformance case that has an expected_history.json (the events
AWS recorded, GetExecutionHistory), compiles the case, runs it with
`--history FILE` and compares the events.  JSONata, mixed and variables
cases that aslc does not compile yet are skipped (--languages narrows the
set).

  - a case whose history has no Parallel or Map iterations is compared event
    by event, in order, ids and previousEventIds included;
  - a case with them is compared per thread of control ("lane"): the
    execution's own events in order, and each Map iteration's or Parallel
    branch's events in order, wherever they fall in the whole history (their
    interleaving, and so ids, differ from run to run on AWS too).  Lanes are
    found from previousEventId, the same way in both histories.

Only what the corpus placeholders is normalised (its README): the
timestamps, ARNs (<region>, <partition>, the account 111111111111,
<ArnPart...>), the role (snf_role_arn), uuids and request ids.  JSON
payloads (input, output, parameters, cause, ...) are JSON text in aslc's
events, as the API sends them, and compared as JSON values with the corpus'
parsed ones.

Known differences are listed in tests/history_known_failures.txt ('case  #
reason'); any other difference fails.  The last line is "N passed, M failed".
Exit status: 0, 1 on unexpected failures, 77 without the cases directory.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_case  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CASES = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "conformance", "cases"))
DEFAULT_KNOWN = os.path.join(HERE, "history_known_failures.txt")
SKIP = 77

# Fields whose value is a JSON text in the API (parsed in the corpus).
PAYLOADS = {"input", "output", "parameters", "result", "cause"}
FANOUT = {"MapIterationStarted", "ParallelStateStarted"}


# ---- comparing values ------------------------------------------------------------

_TOKEN = re.compile(r"<[A-Za-z0-9_:\-]+>|111111111111|snf_role_arn|map_run_arn|lambda_function_name")
_TOKEN_RX = {"111111111111": r"\d{12}", "snf_role_arn": "arn:.*", "map_run_arn": "arn:.*",
             "lambda_function_name": "[^:]+"}


def placeholder_match(exp, act):
    """exp, a corpus string with placeholders, against act."""
    if not isinstance(exp, str) or not isinstance(act, str) or not _TOKEN.search(exp):
        return False
    parts = _TOKEN.split(exp)
    toks = _TOKEN.findall(exp)
    rx = ""
    for i, p in enumerate(parts):
        rx += re.escape(p)
        if i < len(toks):
            t = toks[i]
            rx += _TOKEN_RX.get(t, ".+?")
    return re.fullmatch(rx, act, re.S) is not None


def wildcard(volatile_tokens):
    """json_diff's wildcard for a case: the corpus' placeholders, and the
    case's volatile tokens (case.json)."""
    vol = run_case.volatile_wildcard(volatile_tokens) if volatile_tokens else None

    def wild(exp, act):
        return (placeholder_match(exp, act) or run_case.placeholder_wildcard(exp, act)
                or bool(vol and vol(exp, act)))
    return wild


def _parsed(v):
    if isinstance(v, str):
        try:
            return json.loads(v), True
        except ValueError:
            return v, False
    return v, True


def value_diff(key, exp, act, path, wild):
    """Differences of one details field (a list of strings)."""
    if key == "assignedVariables" and isinstance(act, dict) and isinstance(exp, dict):
        # each value is JSON text, as a payload is (the recorder parsed them)
        act = {k: _parsed(v)[0] for k, v in act.items()}
        exp = {k: _parsed(v)[0] for k, v in exp.items()}
        return run_case.json_diff(exp, act, path, wildcard=wild)
    if key in PAYLOADS and isinstance(act, str):
        if isinstance(exp, str) and (exp == act or wild(exp, act)):
            return []
        a, _ = _parsed(act)
        e, _ = _parsed(exp)
        return run_case.json_diff(e, a, path, wildcard=wild)
    return run_case.json_diff(exp, act, path, wildcard=wild)


def event_diff(exp, act, with_ids, wild):
    """Differences between two events (timestamps aside)."""
    out = []
    for k in ("type",) + (("id", "previousEventId") if with_ids else ()):
        if exp.get(k) != act.get(k):
            out.append("%s: expected %r, got %r" % (k, exp.get(k), act.get(k)))
    if out and "type" in out[0]:
        return out
    dk = sorted(set(k for k in list(exp) + list(act) if k.endswith("EventDetails")))
    for k in dk:
        e, a = exp.get(k), act.get(k)
        if e is None or a is None:
            out.append("%s: expected %s, got %s" % (k, "absent" if e is None else "present",
                                                   "absent" if a is None else "present"))
            continue
        for f in sorted(set(e) | set(a)):
            if f not in e:
                out.append("%s.%s: unexpected (%s)" % (k, f, run_case._show(a[f], 80)))
            elif f not in a:
                out.append("%s.%s: missing (expected %s)" % (k, f, run_case._show(e[f], 80)))
            else:
                out.extend(value_diff(f, e[f], a[f], "%s.%s" % (k, f), wild))
    return out


# ---- lanes ------------------------------------------------------------------------

# A fan-out's own events: in the lane of the thread that runs the Map or
# Parallel state, although their previousEventId may point into a unit.
FANOUT_OWN = {"MapStateStarted", "MapStateSucceeded", "MapStateFailed", "MapStateAborted",
              "MapStateExited", "MapRunStarted", "MapRunSucceeded", "MapRunFailed",
              "ParallelStateStarted", "ParallelStateSucceeded", "ParallelStateFailed",
              "ParallelStateAborted", "ParallelStateExited"}


def lanes(events):
    """{lane key: [event, ...]}: the events of each thread of control, in order.
    A lane key is a tuple: () for the execution; a Map iteration adds
    ("map", name, index, attempt), a Parallel branch ("branch", its first
    state's name, attempt).  An event is in the lane of its previousEventId,
    except a MapIterationStarted (a new lane, under the lane of the Map:
    the iterations after the first point at the one before), the first event
    of a Parallel branch (it points at ParallelStateStarted: a new lane), and
    a fan-out's own events that point into one of its units (after the
    units' last events: they go up to the fan-out's lane)."""
    by_id = {e.get("id"): e for e in events}
    lane_of = {}
    seen = {}
    out = {}
    for e in events:
        t = e["type"]
        p = e.get("previousEventId", 0)
        base = lane_of.get(p, ())
        pt = by_id.get(p, {}).get("type")
        if t == "MapIterationStarted":
            d = e.get("mapIterationStartedEventDetails", {})
            parent = base[:-1] if base and base[-1][:2] == ("map", d.get("name")) else base
            k = (parent, d.get("name"), d.get("index"))
            seen[k] = seen.get(k, 0) + 1
            lane = parent + (("map", d.get("name"), d.get("index"), seen[k]),)
        elif pt == "ParallelStateStarted" and t not in FANOUT_OWN:
            name = next((v.get("name") for k, v in e.items() if k.endswith("EventDetails")
                         and isinstance(v, dict)), t)
            k = (base, name)
            seen[k] = seen.get(k, 0) + 1
            lane = base + (("branch", name, seen[k]),)
        elif t in FANOUT_OWN and base and pt not in FANOUT_OWN and \
                pt not in ("MapStateEntered", "ParallelStateEntered"):
            lane = base[:-1]
        else:
            lane = base
        lane_of[e.get("id")] = lane
        out.setdefault(lane, []).append(e)
    return out


def compare(expected, actual, wild):
    """A list of differences between the two histories."""
    fixed = not any(e["type"] in FANOUT for e in expected + actual)
    out = []
    if fixed:
        for i in range(max(len(expected), len(actual))):
            if i >= len(expected):
                out.append("event %d: unexpected %s" % (i + 1, actual[i]["type"]))
            elif i >= len(actual):
                out.append("event %d: missing %s" % (i + 1, expected[i]["type"]))
            else:
                d = event_diff(expected[i], actual[i], True, wild)
                out.extend("event %d (%s): %s" % (i + 1, expected[i]["type"], x) for x in d)
            if len(out) > 12:
                break
        return out
    el, al = lanes(expected), lanes(actual)
    for k in sorted(set(el) | set(al), key=repr):
        ee, aa = el.get(k, []), al.get(k, [])
        name = "/".join("%s[%s]" % (x[1], x[2]) for x in k) or "execution"
        for i in range(max(len(ee), len(aa))):
            if i >= len(ee):
                out.append("%s event %d: unexpected %s" % (name, i + 1, aa[i]["type"]))
            elif i >= len(aa):
                out.append("%s event %d: missing %s" % (name, i + 1, ee[i]["type"]))
            else:
                d = event_diff(ee[i], aa[i], False, wild)
                out.extend("%s event %d (%s): %s" % (name, i + 1, ee[i]["type"], x) for x in d)
            if len(out) > 12:
                return out
    return out


# ---- running ----------------------------------------------------------------------

def select(cases_dir, languages, pattern):
    out = []
    for area in sorted(os.listdir(cases_dir)):
        adir = os.path.join(cases_dir, area)
        if not os.path.isdir(adir):
            continue
        for name in sorted(os.listdir(adir)):
            cdir = os.path.join(adir, name)
            if not os.path.isfile(os.path.join(cdir, "expected_history.json")):
                continue
            with open(os.path.join(cdir, "case.json"), encoding="utf-8") as f:
                meta = json.load(f)
            lang = meta.get("query_language")
            if lang not in languages or (lang == "JSONPath" and meta.get("uses_variables")
                                         and "variables" not in languages):
                continue
            cid = "%s/%s" % (area, name)
            if pattern and not re.search(pattern, cid):
                continue
            out.append((cid, cdir))
    return out


_VOLATILE_RX = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                          rb"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def _unvolatile(b):
    """An output with its run's uuids and times blanked."""
    return _VOLATILE_RX.sub(b"*", b)


def run_one(cid, cdir, aslc, backend, tmp_root, threads):
    """("pass"|"fail"|"skip", message)."""
    case = run_case.load_case(cdir)
    workdir = tempfile.mkdtemp(prefix="aslhist.", dir=tmp_root)
    try:
        if case["buckets"]:
            shutil.copytree(case["buckets"], os.path.join(workdir, "buckets"))
        exe, failure = run_case.compile_case(case, aslc, backend, workdir, allow_unbound=True)
        if failure:
            if case["meta"].get("query_language") != "JSONPath" or case["meta"].get("uses_variables"):
                return "skip", "does not compile yet"
            return "fail", failure.message.splitlines()[0] if failure.message else "compile failed"
        hist = os.path.join(workdir, "history.jsonl")
        env = dict(os.environ, ASL_TIME_SCALE="0")
        if threads:
            env["ASL_ENGAGE_US"] = "0"   # fan-outs on worker threads, however short their units
        env.update(case["meta"].get("env", {}))
        cmd = [exe, "--input-file", os.path.join(cdir, "input.json")]
        p = subprocess.run(cmd + ["--history", hist], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120, env=env, cwd=workdir)
        if p.returncode not in (0, 1):
            return "fail", "exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[:300])
        if not threads and not case["meta"].get("volatile"):
            # Recording changes nothing: the same output or error, event ids
            # in causes ("entered at the event id #N") included.
            q = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=120, env=env, cwd=workdir)
            if (q.returncode, _unvolatile(q.stdout), _unvolatile(q.stderr)) != \
                    (p.returncode, _unvolatile(p.stdout), _unvolatile(p.stderr)):
                return "fail", ("    without --history the execution ends otherwise: exit %d %s%s, "
                                "with it exit %d %s%s" % (q.returncode, q.stdout[:200], q.stderr[:300],
                                                          p.returncode, p.stdout[:200], p.stderr[:300]))
        actual = []
        with open(hist, encoding="utf-8") as f:
            for line in f:
                actual.append(json.loads(line))
        with open(os.path.join(cdir, "expected_history.json"), encoding="utf-8") as f:
            expected = json.load(f)
        d = compare(expected, actual, wildcard(case["meta"].get("volatile_tokens")))
        if d:
            return "fail", "\n".join("    " + x for x in d)
        return "pass", ""
    except subprocess.TimeoutExpired:
        return "fail", "timed out"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def read_known(path):
    known = {}
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                s = line.strip()
                if s and not s.startswith("#"):
                    cid, _, why = s.partition("#")
                    known[cid.strip()] = why.strip()
    return known


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--cases", default=DEFAULT_CASES)
    ap.add_argument("--backend", default="c")
    ap.add_argument("--known-failures", default=DEFAULT_KNOWN)
    ap.add_argument("--languages", default="JSONPath,JSONata,mixed,variables",
                    help="comma-separated: JSONPath, JSONata, mixed, variables")
    ap.add_argument("--filter", help="regex on area/case")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--threads", action="store_true",
                    help="run Map and Parallel units on worker threads (ASL_ENGAGE_US=0), so that "
                         "their events interleave")
    ap.add_argument("-v", "--verbose", action="store_true", help="print known failures' differences too")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.cases):
        print("cases directory %s not found: skipped" % args.cases)
        return SKIP
    cases = select(args.cases, set(args.languages.split(",")), args.filter)
    known = read_known(args.known_failures)
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = {ex.submit(run_one, cid, cdir, os.path.abspath(args.aslc), args.backend, None,
                          args.threads): cid
                for cid, cdir in cases}
        for fu in concurrent.futures.as_completed(futs):
            cid = futs[fu]
            try:
                results[cid] = fu.result()
            except Exception as e:  # noqa: BLE001 - a broken case is a failure, not a crash
                results[cid] = ("fail", "runner error: %r" % e)
    passed = failed = skipped = 0
    unexpected = 0
    for cid in sorted(results):
        st, msg = results[cid]
        if st == "pass":
            passed += 1
            if cid in known:
                print("now passing: %s (remove it from %s)" % (cid, os.path.basename(args.known_failures)))
                unexpected += 1
        elif st == "skip":
            skipped += 1
        else:
            failed += 1
            if cid in known:
                print("known: %s: %s" % (cid, known[cid]))
                if args.verbose:
                    print(msg)
            else:
                unexpected += 1
                print("FAIL %s\n%s" % (cid, msg))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
