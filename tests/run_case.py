#!/usr/bin/env python3
"""run_case.py — compile one ASL test case with aslc, run it, compare the result.

A case is a directory (the layout of /work/shared/conformance/cases/*/*):

    definition.json        the state machine
    input.json             the execution input
    expected_output.json   the output of a successful execution, or
    expected_error.json    {"Error": ..., "Cause": ... or null} of a failed one
    mocks.json             optional: results of Task states, by state name
    resources.json         optional: task bindings (command / python / native)
    handlers.c             optional: native task handlers (aslc --handlers)
    case.json              optional: flags (volatile, cause_dropped, cause_is_json, ...) and
                           env, variables set for the run; link, {ARN: FILE} state
                           machines compiled in (aslc --link ARN=FILE)
    buckets/               optional: S3 buckets as directories (a Distributed Map's ItemReader
                           and ResultWriter); copied with resources.json into the work
                           directory, so resources.json binds them as {"s3://b": {"directory":
                           "buckets/b"}} and what the workflow writes stays out of the tree
    expected_files.json    optional: {"path in the work directory": JSON value}: files the run
                           must have written, compared as JSON values (JSON Lines as an array)

In expected values (output and files) and in expected_files.json's paths, the
placeholders <uuid>, <hex8> and <timestamp> match any UUID, eight hex digits
and ISO 8601 time: the names and dates of Map Runs cannot be predicted.

or, in place of input.json and expected_*.json, many cases of one definition
(one compile serves them all, in the manner of jq's tests/jq.test):

    cases.test             per case: an input JSON line, then its output JSON line
                           or "! " and the expected error; cases apart by blank
                           lines; lines starting with # are comments

The workflow is compiled into a temporary directory (removed afterwards), run
with ASL_TIME_SCALE=0 so that Wait and Retry never sleep (and ASL_ENGAGE_US=0,
so that Map and Parallel use worker threads however short their units), and
its result is compared as a JSON value: key order and spacing are irrelevant,
numbers compare by value.  A failed execution must exit 1 and print exactly one line
{"Error": ..., "Cause": ...} on stderr (no "Cause" member when there is none);
Error must match exactly and Cause too, unless the case says the recorded
Cause was dropped (cause_dropped) or re-serialised (cause_is_json,
mock_cause_is_json: JSON texts are then compared as JSON values).  A volatile
case only has to succeed or fail the same way, with the same Error.

Exit status: 0 when the case passes, 1 when it fails (a precise diff is
printed), 2 on a usage error.  run_conformance.py imports run_case() from here.
"""

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

COMPILE_TIMEOUT = 180.0     # seconds for one aslc + cc run
RUN_TIMEOUT = 30.0          # seconds for one execution


class CaseResult:
    """The outcome of one case.  status is one of:
    pass, fail (wrong result), compile (aslc failed), timeout, crash, error (bad case)."""

    def __init__(self, status, message="", note=""):
        self.status = status
        self.message = message      # why it failed (multi-line), empty on pass
        self.note = note            # extra information on a pass (volatile cases)

    @property
    def ok(self):
        return self.status == "pass"

    def summary(self):
        """The first line of the message: for tables and the known-failures file."""
        lines = [l.strip() for l in self.message.strip().splitlines() if l.strip()]
        first = lines[0] if lines else ""
        if first.endswith(":") and len(lines) > 1:      # "output differs:" + its first diff
            first = "%s %s" % (first, lines[1])
        return "%s: %s" % (self.status, first) if first else self.status


# ---- JSON comparison ---------------------------------------------------------

def _type_name(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def _num_equal(a, b):
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    try:
        fa, fb = float(a), float(b)
    except OverflowError:
        return False
    if math.isnan(fa) or math.isnan(fb):
        return False
    return fa == fb


def _show(v, limit=200):
    s = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return s if len(s) <= limit else s[:limit] + "..."


def _key_path(path, key):
    if isinstance(key, int):
        return "%s[%d]" % (path, key)
    if key.isidentifier():
        return "%s.%s" % (path, key)
    return "%s[%s]" % (path, json.dumps(key, ensure_ascii=False))


def json_diff(expected, actual, path="$", out=None, wildcard=None, limit=40):
    """Lists the differences between two JSON values as 'path: ...' lines.
    wildcard(expected_value, actual_value) -> True makes a leaf match anyway
    (used for the volatile placeholders of conformance cases)."""
    if out is None:
        out = []
    if len(out) >= limit:
        return out
    if wildcard is not None and wildcard(expected, actual):
        return out
    te, ta = _type_name(expected), _type_name(actual)
    if te != ta:
        out.append("%s: expected %s %s, got %s %s" % (path, te, _show(expected), ta, _show(actual)))
    elif te == "number":
        if not _num_equal(expected, actual):
            out.append("%s: expected %s, got %s" % (path, _show(expected), _show(actual)))
    elif te == "object":
        for k in expected:
            if k not in actual:
                out.append("%s: missing (expected %s)" % (_key_path(path, k), _show(expected[k])))
            else:
                json_diff(expected[k], actual[k], _key_path(path, k), out, wildcard, limit)
        for k in actual:
            if k not in expected:
                out.append("%s: unexpected member %s" % (_key_path(path, k), _show(actual[k])))
    elif te == "array":
        if len(expected) != len(actual):
            out.append("%s: expected %d items, got %d" % (path, len(expected), len(actual)))
        for i in range(min(len(expected), len(actual))):
            json_diff(expected[i], actual[i], _key_path(path, i), out, wildcard, limit)
        for i in range(len(expected), len(actual)):
            out.append("%s: unexpected item %s" % (_key_path(path, i), _show(actual[i])))
        for i in range(len(actual), len(expected)):
            out.append("%s: missing item (expected %s)" % (_key_path(path, i), _show(expected[i])))
    elif expected != actual:
        out.append("%s: expected %s, got %s" % (path, _show(expected), _show(actual)))
    return out


def volatile_wildcard(tokens):
    """A wildcard for json_diff: an expected string holding one of the volatile
    tokens matches any scalar (the token may stand for a number) when it is the
    whole string, else any string."""
    tokens = [t for t in (tokens or []) if t]

    def match(exp, act):
        if not isinstance(exp, str) or not any(t in exp for t in tokens):
            return False
        if exp in tokens:
            return not isinstance(act, (list, dict))
        return isinstance(act, str)
    return match


_PLACEHOLDERS = {
    "<uuid>": "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "<hex8>": "[0-9a-f]{8}",
    "<timestamp>": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z",
}


def placeholder_regex(text):
    """A regex for text in which the placeholders stand for what they match."""
    parts = re.split("(%s)" % "|".join(re.escape(k) for k in _PLACEHOLDERS), text)
    return re.compile("".join(_PLACEHOLDERS.get(p, re.escape(p)) for p in parts))


def placeholder_wildcard(exp, act):
    """For json_diff: an expected string holding a placeholder matches a string
    of that form."""
    if not isinstance(exp, str) or not isinstance(act, str) or "<" not in exp:
        return False
    if not any(k in exp for k in _PLACEHOLDERS):
        return False
    return placeholder_regex(exp).fullmatch(act) is not None


def check_files(case, workdir):
    """Compares the files the run wrote with expected_files.json."""
    expected = _read_json(case["expected_files.json"])
    written = []
    for root, _dirs, files in os.walk(workdir):
        for f in files:
            written.append(os.path.relpath(os.path.join(root, f), workdir))
    problems = []
    for pattern, want in sorted(expected.items()):
        rx = placeholder_regex(pattern)
        found = [w for w in written if rx.fullmatch(w)]
        if len(found) != 1:
            problems.append("%s: expected one file, found %d %s" % (pattern, len(found), found[:5]))
            continue
        with open(os.path.join(workdir, found[0]), "rb") as fh:
            text = fh.read().decode("utf-8")
        try:
            got = json.loads(text)
        except ValueError:
            try:
                got = [json.loads(l) for l in text.splitlines() if l.strip()]
            except ValueError as e:
                problems.append("%s: not JSON nor JSON Lines (%s)" % (found[0], e))
                continue
        d = json_diff(want, got, found[0], wildcard=placeholder_wildcard)
        problems.extend(d)
    if problems:
        return CaseResult("fail", "written files differ:\n%s" % "\n".join("    " + p for p in problems))
    return CaseResult("pass")


def json_text_wildcard(exp, act):
    """For cases whose recorded Causes were re-serialised (cause_is_json,
    mock_cause_is_json): two strings that both hold a JSON object or array
    match when they are equal as JSON values, whatever their spacing."""
    if not (isinstance(exp, str) and isinstance(act, str)) or exp == act:
        return False
    if not exp.lstrip().startswith(("{", "[")):
        return False
    try:
        return not json_diff(json.loads(exp), json.loads(act))
    except ValueError:
        return False


# ---- running -------------------------------------------------------------------

def _read_json(path):
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def load_case(case_dir):
    """Reads a case directory; raises ValueError when it is malformed."""
    case = {"dir": os.path.abspath(case_dir)}
    d = case["dir"]
    multi = os.path.join(d, "cases.test")
    if os.path.isfile(multi):
        case["multi"] = load_multi(multi)
    for name in ("definition.json",) + (() if "multi" in case else ("input.json",)):
        if not os.path.isfile(os.path.join(d, name)):
            raise ValueError("%s: missing %s" % (d, name))
    meta_path = os.path.join(d, "case.json")
    case["meta"] = _read_json(meta_path) if os.path.isfile(meta_path) else {}
    out_path = os.path.join(d, "expected_output.json")
    err_path = os.path.join(d, "expected_error.json")
    if "multi" in case:
        pass
    elif os.path.isfile(out_path) == os.path.isfile(err_path):
        raise ValueError("%s: needs exactly one of expected_output.json and expected_error.json" % d)
    elif os.path.isfile(out_path):
        case["expect_error"] = False
        case["expected"] = _read_json(out_path)
    else:
        case["expect_error"] = True
        case["expected"] = _read_json(err_path)
        if not isinstance(case["expected"], dict) or "Error" not in case["expected"]:
            raise ValueError("%s: expected_error.json must be an object with \"Error\"" % d)
    for opt in ("mocks.json", "resources.json", "handlers.c", "expected_files.json"):
        p = os.path.join(d, opt)
        case[opt] = p if os.path.isfile(p) else None
    case["buckets"] = os.path.join(d, "buckets") if os.path.isdir(os.path.join(d, "buckets")) else None
    return case


def load_multi(path):
    """The cases of a cases.test file: [(line, input, expect_error, expected)]."""
    cases, cur = [], []
    with open(path, encoding="utf-8") as f:
        lines = list(enumerate(f.read().splitlines(), 1)) + [(0, "")]
    for lineno, line in lines:
        if line.startswith("#"):
            continue
        if line.strip():
            cur.append((lineno, line))
            continue
        if not cur:
            continue
        if len(cur) != 2:
            raise ValueError("%s:%d: a case is two lines, its input and its output (or ! error)" % (path, cur[0][0]))
        (at, inp), (_, out) = cur
        err = out.startswith("!")
        try:
            expected = json.loads(out[1:] if err else out)
            json.loads(inp)
        except ValueError as e:
            raise ValueError("%s:%d: %s" % (path, at, e))
        if err and (not isinstance(expected, dict) or "Error" not in expected):
            raise ValueError("%s:%d: an expected error is an object with \"Error\"" % (path, at))
        cases.append((at, inp, err, expected))
        cur = []
    if not cases:
        raise ValueError("%s: no cases" % path)
    return cases


def _tail(text, n=40):
    lines = text.rstrip().splitlines()
    if len(lines) > n:
        lines = ["... (%d lines omitted)" % (len(lines) - n)] + lines[-n:]
    return "\n".join("    " + l for l in lines)


def _decode(b):
    return b.decode("utf-8", errors="replace")


def _has_unmocked_task(case):
    """True when some Task state (at any depth) has no entry in mocks.json and
    the case gives no resources file: the only cases that need --allow-unbound."""
    if case["resources.json"]:
        return False
    names = []

    def walk(v):
        if isinstance(v, dict):
            states = v.get("States")
            if isinstance(states, dict):
                names.extend(n for n, st in states.items()
                             if isinstance(st, dict) and st.get("Type") == "Task")
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    try:
        walk(_read_json(os.path.join(case["dir"], "definition.json")))
        mocks = _read_json(case["mocks.json"]) if case["mocks.json"] else {}
    except (ValueError, OSError):
        return True
    return any(n not in mocks for n in names)


def compile_case(case, aslc, backend, workdir, timeout=COMPILE_TIMEOUT, allow_unbound=False):
    """Runs aslc; returns (exe_path, None) or (None, CaseResult)."""
    exe = os.path.join(workdir, "workflow")
    cmd = [aslc, os.path.join(case["dir"], "definition.json"), "-o", exe, "--backend=" + backend]
    if allow_unbound and _has_unmocked_task(case):
        cmd.append("--allow-unbound")
    if case["mocks.json"]:
        cmd += ["--mocks", case["mocks.json"]]
    if case["resources.json"]:
        cmd += ["--resources", case["resources.json"]]
    if case["handlers.c"]:
        cmd += ["--handlers", case["handlers.c"]]
    # case.json {"link": {"ARN": "child.json"}}: state machines compiled in
    # with the definition (aslc --link ARN=FILE), files in the case directory
    for arn, f in sorted(case["meta"].get("link", {}).items()):
        cmd += ["--link", "%s=%s" % (arn, os.path.join(case["dir"], f))]
    # aslc's temporary directory inside the case's, and SIGTERM at the time
    # limit, not subprocess.run's SIGKILL: aslc then stops its C compilers
    # and removes its directory (SIGKILL left both, in /tmp).
    env = dict(os.environ, TMPDIR=workdir)
    try:
        with subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=workdir, env=env) as p:
            try:
                _, err = p.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.terminate()
                try:
                    p.communicate(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.communicate()
                return None, CaseResult("timeout", "aslc did not finish within %gs\n  command: %s"
                                        % (timeout, " ".join(cmd)))
    except OSError as e:
        return None, CaseResult("error", "cannot run aslc: %s" % e)
    left = sorted(n for n in os.listdir(workdir) if n.startswith(("aslc-", ".aslc-")))
    if left:
        return None, CaseResult("compile", "aslc (exit %d) left temporary files: %s\n  command: %s"
                                % (p.returncode, " ".join(left), " ".join(cmd)))
    if p.returncode != 0 or not os.path.isfile(exe):
        return None, CaseResult("compile", "aslc failed (exit %d)\n  command: %s\n  stderr:\n%s"
                                % (p.returncode, " ".join(cmd), _tail(_decode(err))))
    return exe, None


def execute(case, exe, timeout=RUN_TIMEOUT, use_stdin=False):
    """Runs the compiled workflow; returns (returncode, stdout, stderr) or a CaseResult."""
    input_path = case.get("input_path") or os.path.join(case["dir"], "input.json")
    env = dict(os.environ)
    env["ASL_TIME_SCALE"] = "0"
    # Call in worker threads even for fan-outs of tiny units (by default
    # they stay on one thread), so that the threaded paths of Map and
    # Parallel run in every case, under the sanitizers too.
    env.setdefault("ASL_ENGAGE_US", "0")
    env.update(case["meta"].get("env", {}))   # case.json: {"env": {"NAME": "value"}}
    if use_stdin:
        cmd = [exe]
        stdin = open(input_path, "rb")
    else:
        cmd = [exe, "--input-file", input_path]
        stdin = subprocess.DEVNULL
    try:
        p = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=env, cwd=os.path.dirname(exe))
    except subprocess.TimeoutExpired:
        return CaseResult("timeout", "the execution did not finish within %gs (ASL_TIME_SCALE=0)" % timeout)
    finally:
        if use_stdin:
            stdin.close()
    return p.returncode, _decode(p.stdout), _decode(p.stderr)


def check_result(case, rc, stdout, stderr):
    """Compares one execution's outcome with the case's expectation."""
    meta = case["meta"]
    expected = case["expected"]
    volatile = bool(meta.get("volatile"))
    if rc < 0 or rc not in (0, 1):
        return CaseResult("crash", "the workflow exited with status %d\n  stdout:\n%s\n  stderr:\n%s"
                          % (rc, _tail(stdout), _tail(stderr)))

    if not case["expect_error"]:
        if rc != 0:
            return CaseResult("fail", "expected success, but the execution failed\n"
                              "  expected output: %s\n  stderr:\n%s" % (_show(expected, 2000), _tail(stderr)))
        try:
            actual = json.loads(stdout)
        except ValueError as e:
            return CaseResult("fail", "stdout is not JSON (%s)\n  stdout:\n%s" % (e, _tail(stdout)))
        if volatile:
            diffs = json_diff(expected, actual, wildcard=volatile_wildcard(meta.get("volatile_tokens")))
            note = ("volatile: compared outcome only; other differences:\n" + "\n".join("    " + d for d in diffs)) if diffs else ""
            return CaseResult("pass", note=note)
        lenient = meta.get("cause_is_json") or meta.get("mock_cause_is_json")
        diffs = json_diff(expected, actual, wildcard=json_text_wildcard if lenient else placeholder_wildcard)
        if diffs:
            return CaseResult("fail", "output differs:\n%s\n  expected: %s\n  actual:   %s"
                              % ("\n".join("    " + d for d in diffs),
                                 _show(expected, 2000), _show(actual, 2000)))
        return CaseResult("pass")

    # An error is expected.
    exp_error, exp_cause = expected.get("Error"), expected.get("Cause")
    if rc == 0:
        return CaseResult("fail", "expected the execution to fail with %s, but it succeeded\n  output: %s"
                          % (_show(expected), stdout.strip()[:2000]))
    lines = [l for l in stderr.splitlines() if l.strip()]
    if len(lines) != 1:
        return CaseResult("fail", "a failed execution must print exactly one line on stderr, got %d:\n%s"
                          % (len(lines), _tail(stderr)))
    try:
        actual = json.loads(lines[0])
    except ValueError as e:
        return CaseResult("fail", "stderr is not a JSON error object (%s): %s" % (e, lines[0][:2000]))
    if not isinstance(actual, dict):
        return CaseResult("fail", "stderr is not a JSON object: %s" % lines[0][:2000])
    extra = sorted(set(actual) - {"Error", "Cause"})
    problems = []
    if extra:
        problems.append("unexpected members in the error object: %s" % ", ".join(extra))
    if "Cause" in actual and actual["Cause"] is None:
        problems.append("\"Cause\": null must be omitted")
    act_error, act_cause = actual.get("Error"), actual.get("Cause")
    if act_error != exp_error:
        problems.append("Error: expected %s, got %s" % (_show(exp_error), _show(act_error)))
    cause_dropped = bool(meta.get("cause_dropped")) and exp_cause is None
    if volatile or cause_dropped:
        pass                                    # only Error is comparable
    elif act_cause == exp_cause:
        pass
    elif (meta.get("cause_is_json") or meta.get("mock_cause_is_json")) and isinstance(exp_cause, str):
        # The recorder re-serialised a JSON Cause: compare it as a JSON value.
        try:
            exp_v = json.loads(exp_cause)
        except ValueError:
            exp_v = None
        try:
            act_v = json.loads(act_cause) if isinstance(act_cause, str) else None
        except ValueError:
            act_v = None
        if exp_v is None or act_v is None:
            problems.append("Cause: expected %s\n         got      %s" % (_show(exp_cause, 2000), _show(act_cause, 2000)))
        else:
            d = json_diff(exp_v, act_v, "Cause")
            if d:
                problems.append("Cause (compared as JSON) differs:\n" + "\n".join("    " + x for x in d))
    else:
        problems.append("Cause: expected %s\n         got      %s" % (_show(exp_cause, 2000), _show(act_cause, 2000)))
    if problems:
        return CaseResult("fail", "error differs:\n%s\n  stderr: %s"
                          % ("\n".join("  " + p for p in problems), lines[0][:2000]))
    return CaseResult("pass")


def run_multi(case, exe, workdir, run_timeout, use_stdin):
    """Every case of cases.test against the one executable."""
    failed = []
    for k, (line, inp, err, expected) in enumerate(case["multi"]):
        sub = dict(case, expect_error=err, expected=expected,
                   input_path=os.path.join(workdir, "input%d.json" % k))
        with open(sub["input_path"], "w", encoding="utf-8") as f:
            f.write(inp)
        res = execute(sub, exe, run_timeout, use_stdin)
        if not isinstance(res, CaseResult):
            res = check_result(sub, *res)
        if not res.ok:
            failed.append("cases.test:%d (%s): %s" % (line, res.status, res.message.strip()))
    n = len(case["multi"])
    if failed:
        return CaseResult("fail", "%d of %d cases failed\n%s" % (len(failed), n, "\n".join(failed)))
    return CaseResult("pass", note="%d cases" % n)


def run_case(case_dir, aslc, backend="c", compile_timeout=COMPILE_TIMEOUT,
             run_timeout=RUN_TIMEOUT, use_stdin=False, keep=False, tmp_root=None,
             allow_unbound=False):
    """Compiles, runs and checks one case; returns a CaseResult.  allow_unbound
    passes --allow-unbound to aslc when a Task state has no mock (recorded
    cases hold Tasks that AWS never reached); calling one fails the run."""
    try:
        case = load_case(case_dir)
    except (ValueError, OSError) as e:
        return CaseResult("error", "bad case: %s" % e)
    workdir = tempfile.mkdtemp(prefix="aslcase.", dir=tmp_root)
    try:
        if case["buckets"]:
            shutil.copytree(case["buckets"], os.path.join(workdir, "buckets"))
        if case["resources.json"] and '"directory"' in open(case["resources.json"]).read():
            # bucket directories resolve against the resources file: in the
            # work directory, so that what the workflow writes stays out of the tree
            shutil.copy(case["resources.json"], os.path.join(workdir, "resources.json"))
            case["resources.json"] = os.path.join(workdir, "resources.json")
        exe, failure = compile_case(case, aslc, backend, workdir, compile_timeout, allow_unbound)
        if failure:
            return failure
        if "multi" in case:
            return run_multi(case, exe, workdir, run_timeout, use_stdin)
        res = execute(case, exe, run_timeout, use_stdin)
        if isinstance(res, CaseResult):
            return res
        r = check_result(case, *res)
        if r.ok and case["expected_files.json"]:
            return check_files(case, workdir)
        return r
    finally:
        if keep:
            sys.stderr.write("run_case: work files kept in %s\n" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Compile and run one aslc test case.")
    ap.add_argument("case_dir", help="the case directory")
    ap.add_argument("--aslc", required=True, help="path of the aslc executable")
    ap.add_argument("--backend", default="c", help="aslc back end (c or llvm)")
    ap.add_argument("--timeout", type=float, default=RUN_TIMEOUT, help="seconds allowed for the execution")
    ap.add_argument("--compile-timeout", type=float, default=COMPILE_TIMEOUT)
    ap.add_argument("--stdin", action="store_true", help="feed the input on stdin instead of --input-file")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--allow-unbound", action="store_true",
                    help="pass --allow-unbound to aslc (Tasks without a binding fail only when called)")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.case_dir):
        ap.error("no such case directory: %s" % args.case_dir)
    r = run_case(args.case_dir, os.path.abspath(args.aslc), args.backend, args.compile_timeout,
                 args.timeout, args.stdin, args.keep, allow_unbound=args.allow_unbound)
    name = os.path.basename(os.path.normpath(args.case_dir))
    if r.ok:
        print("PASS %s [%s]" % (name, args.backend))
        if r.note:
            print(r.note)
        return 0
    print("FAIL %s [%s] (%s)" % (name, args.backend, r.status))
    print(r.message)
    return 1


if __name__ == "__main__":
    sys.exit(main())
