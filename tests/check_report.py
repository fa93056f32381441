#!/usr/bin/env python3
"""check_report.py — ./wf --report FILE.html and the progress line (docs/history.md).

  --page      the page: examples/order_flow run with --report and --history;
              the page is one file (nothing to fetch) holding the picture with
              every state marked data-state, and exactly the events --history
              writes; a payload holding "</script>" cannot end its script;
              --no-report-graph leaves the picture out; an unwritable report
              exits 3.
  --progress  the progress line, through a pseudo-terminal (Python's pty): it
              names the state and a Map's items done/failed of the total, is
              erased at the end, before the error line of a failed run; a pipe
              and --quiet get nothing.
  --chromium  headless Chromium (Debian's, driven by playwright-core from npm,
              which tests/run-all.sh installs in build/npm): the report and the
              graph's SVG render to screenshots that are not blank, the states
              are coloured by what happened, a click on a state shows its input,
              a Map run is summarised.  Exits 77 when Chromium is missing.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ORDER_FLOW = os.path.join(ROOT, "examples", "order_flow")
sys.path.insert(0, HERE)
from check_graph import png_pixels  # noqa: E402

failures = []


def check(label, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + label + ("" if ok else ": " + str(detail)[:1500]))
    if not ok:
        failures.append(label)


# A Task that fails once and is retried (mocked), then a Map of 10 items, 2 at
# a time, each waiting 1 s (0.1 s at --time-scale 0.1); item 7 fails, within
# the tolerated failures.
MAP_FLOW = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": None,
                    "Parameters": {"FunctionName": "prepare"}, "Next": "ProcessAll",
                    "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2}]},
        "ProcessAll": {
            "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ToleratedFailureCount": 5,
            "ItemProcessor": {"StartAt": "Check", "States": {
                "Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 7, "Next": "Bad"}],
                          "Default": "Sleep"},
                "Bad": {"Type": "Fail", "Error": "Item.Bad", "Cause": "seven"},
                "Sleep": {"Type": "Wait", "Seconds": 1, "End": True}}},
            "Next": "Done"},
        "Done": {"Type": "Succeed"}}}
MAP_MOCKS = {"Prepare": [{"Error": "Flaky", "Cause": "once"}, {"ok": True}]}
MAP_INPUT = '{"items":[1,2,3,4,5,6,7,8,9,10]}'
FAILING = {"StartAt": "Slow", "States": {
    "Slow": {"Type": "Wait", "Seconds": 3, "Next": "Boom"},
    "Boom": {"Type": "Fail", "Error": "Demo.Failed", "Cause": "on purpose"}}}


def compile_flow(a, tmp, name, definition=None, extra=()):
    if definition is None:
        src = os.path.join(ORDER_FLOW, "workflow.json")
        extra = ("--resources", os.path.join(ORDER_FLOW, "resources.json"), *extra)
    else:
        src = os.path.join(tmp, name + ".json")
        with open(src, "w") as f:
            json.dump(definition, f)
    if definition is MAP_FLOW:
        mocks = os.path.join(tmp, name + "-mocks.json")
        with open(mocks, "w") as f:
            json.dump(MAP_MOCKS, f)
        extra = ("--mocks", mocks, *extra)
    out = os.path.join(tmp, name)
    r = subprocess.run([a.aslc, src, "-o", out, "--name", name, "--backend=" + a.backend, *extra],
                       capture_output=True, text=True, timeout=300)
    check(f"compile {name}", r.returncode == 0, r.stderr)
    return out


def run_order_flow(exe, *args):
    return subprocess.run([exe, "--input-file", os.path.join(ORDER_FLOW, "input.json"), *args],
                          capture_output=True, text=True, cwd=ORDER_FLOW, timeout=120)


def history_json(page):
    m = re.search(r'<script type="application/json" id="history">(.*?)</script>', page, re.S)
    return json.loads(m.group(1)) if m else None


def check_page(a):
    with tempfile.TemporaryDirectory() as tmp:
        exe = compile_flow(a, tmp, "order_flow")
        rep, hist = os.path.join(tmp, "r.html"), os.path.join(tmp, "h.jsonl")
        r = run_order_flow(exe, "--report", rep, "--history", hist)
        check("order_flow runs with --report and --history", r.returncode == 0, r.stderr)
        page = open(rep, encoding="utf-8").read() if os.path.exists(rep) else ""
        check("one HTML page", page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>"))
        check("nothing to fetch", not re.search(r'\s(src|href)=', page) and "http://" not in
              page.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
                  'xmlns:xlink="http://www.w3.org/1999/xlink"', ""))
        names = set(re.findall(r'<g id="node\d+" class="node" data-state="([^"]*)"', page))
        want = set(json.load(open(os.path.join(ORDER_FLOW, "workflow.json")))["States"])
        check("the picture marks every state", names == want, f"{names} != {want}")
        events = [json.loads(line) for line in open(hist)] if os.path.exists(hist) else []
        check("the page holds the events --history writes", history_json(page) == events and events,
              f"{len(events)} events")
        # The report alone is built from the same events (its own run).
        r = run_order_flow(exe, "--report", rep)
        alone = history_json(open(rep).read())
        check("--report alone", r.returncode == 0 and alone and
              [e["type"] for e in alone] == [e["type"] for e in events], r.stderr)
        # A payload cannot end the script that holds it.
        exe2 = compile_flow(a, tmp, "pass", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        evil = '{"x":"</script><script>alert(1)</script><!--"}'
        r = subprocess.run([exe2, "--input", evil, "--report", rep], capture_output=True, text=True)
        page = open(rep).read()
        check("a payload with </script> stays in its string",
              r.returncode == 0 and page.count("</script>") == 2 and
              json.loads(history_json(page)[0]["executionStartedEventDetails"]["input"]) == json.loads(evil),
              page[-3000:])
        # --no-report-graph: no picture, still a page.
        exe3 = compile_flow(a, tmp, "nograph", extra=("--no-report-graph",))
        r = run_order_flow(exe3, "--report", rep)
        page = open(rep).read()
        check("--no-report-graph: no picture, the events still", r.returncode == 0 and "<svg" not in page
              and "No picture" in page and history_json(page), r.stderr)
        size = os.path.getsize(exe) - os.path.getsize(exe3)
        print(f"     the picture adds {size} bytes to order_flow's binary")
        # A report that cannot be written: exit 3, the output still printed.
        r = run_order_flow(exe, "--report", os.path.join(tmp, "no", "such", "dir", "r.html"))
        check("an unwritable report exits 3", r.returncode == 3 and "cannot write the report" in r.stderr
              and r.stdout.strip(), f"exit {r.returncode}: {r.stderr}")


def pty_run(argv, timeout=60):
    """argv with stderr on a pseudo-terminal: (status, stdout bytes, what the terminal got)."""
    import pty  # noqa: F401 (Linux only, as the rest)
    master, slave = os.openpty()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    got = b""
    end = time.time() + timeout
    while time.time() < end:
        try:
            d = os.read(master, 4096)
        except OSError:  # EIO: the last writer closed it
            break
        if not d:
            break
        got += d
    os.close(master)
    out = p.stdout.read()
    p.wait(timeout=timeout)
    return p.returncode, out, got


def check_progress(a):
    with tempfile.TemporaryDirectory() as tmp:
        exe = compile_flow(a, tmp, "map_flow", MAP_FLOW)
        argv = [exe, "--input", MAP_INPUT, "--time-scale", "0.1"]
        started = time.monotonic()
        rc, out, tty = pty_run(argv)
        took = time.monotonic() - started
        text = tty.decode("utf-8", "replace")
        draws = text.split("\r\x1b[K")
        check("a terminal gets the progress line", rc == 0 and len(draws) >= 3 and "map_flow  " in text, repr(text))
        check("it counts the Map's items", re.search(r"Map ProcessAll: \d+/10 done", text) is not None, repr(text))
        check("and the failed one", ", 1 failed" in text, repr(text))
        check("it is erased at the end", text.endswith("\r\x1b[K"), repr(text[-200:]))
        check("the output is untouched", json.loads(out)[6] == {"Error": "Item.Bad", "Cause": "seven"}, out)
        ticks = len(draws) - 2   # the text before the first draw, and the erase
        check("redrawn at most ~10 times a second", 0 < ticks <= took * 10 + 1, f"{ticks} draws in {took:.2f} s")
        r = subprocess.run(argv, capture_output=True)
        check("a pipe gets nothing", r.returncode == 0 and r.stderr == b"", r.stderr)
        rc, out, tty = pty_run(argv + ["--quiet"])
        check("--quiet: nothing on the terminal", rc == 0 and tty == b"", repr(tty))
        exe = compile_flow(a, tmp, "failing", FAILING)
        rc, out, tty = pty_run([exe, "--input", "{}", "--time-scale", "0.1"])
        text = tty.decode("utf-8", "replace")
        check("a failed run: the line names the state, then is erased before the error line",
              rc == 1 and "failing  Slow" in text and
              text.endswith('\r\x1b[K{"Error":"Demo.Failed","Cause":"on purpose"}\r\n'), repr(text))
        r = subprocess.run([exe, "--input", "{}", "--time-scale", "0.1"], capture_output=True, text=True)
        check("a pipe gets only the error line", r.stderr == '{"Error":"Demo.Failed","Cause":"on purpose"}\n',
              repr(r.stderr))


def not_blank(path, what):
    w, h, rows = png_pixels(open(path, "rb").read())
    bg = rows[0][0]
    ink = sum(1 for row in rows for px in row if sum(abs(p - q) for p, q in zip(px, bg)) > 60)
    colours = {px for row in rows[::4] for px in row[::4]}
    share = ink / float(w * len(rows))
    check(f"{what} is not blank ({w}x{h}, {share:.1%} drawn, {len(colours)} colours)",
          share > 0.005 and len(colours) >= 8)


def find_playwright(aslc):
    for d in (os.path.dirname(os.path.abspath(aslc)), os.path.join(ROOT, "build")):
        p = os.path.join(d, "npm", "node_modules")
        if os.path.isdir(os.path.join(p, "playwright-core")):
            return p
    return None


def check_chromium(a):
    browser = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
    if not browser:
        print("SKIP: no Chromium (Debian package chromium; tests/run-all.sh installs it)")
        return 77
    modules, node = find_playwright(a.aslc), shutil.which("node")
    if not modules or not node:
        check("playwright-core and node are installed (tests/run-all.sh puts playwright-core in build/npm)",
              False, f"node: {node}, playwright-core: {modules}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        exe = compile_flow(a, tmp, "order_flow")
        rep, svg = os.path.join(tmp, "r.html"), os.path.join(tmp, "g.svg")
        run_order_flow(exe, "--report", rep)
        r = subprocess.run([a.aslc, "graph", os.path.join(ORDER_FLOW, "workflow.json"), "-o", svg],
                           capture_output=True, text=True)
        if "without Graphviz" in r.stderr:
            print("SKIP: aslc was built without Graphviz: no picture to click")
            return 77
        mapexe = compile_flow(a, tmp, "map_flow", MAP_FLOW)
        maprep = os.path.join(tmp, "map.html")
        subprocess.run([mapexe, "--input", MAP_INPUT, "--time-scale", "0", "--report", maprep], capture_output=True)
        r = subprocess.run([node, os.path.join(HERE, "report", "browser.js"), modules, browser, rep, svg, tmp,
                            "ChargePayment", maprep], capture_output=True, text=True, timeout=240)
        try:
            got = json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            check("the browser script ran", False, r.stdout[-1500:] + r.stderr[-1500:])
            return 1
        check("no script errors, nothing fetched", not got["errors"], got["errors"])
        want = {"ValidateOrder": "succeeded", "ChargePayment": "caught", "NotifyCustomer": "succeeded",
                "OrderCancelled": "succeeded", "ShipOrder": "notreached", "OrderShipped": "notreached"}
        seen = {k: re.sub(r".*\bst-(\w+).*", r"\1", v or "") for k, v in got.get("states", {}).items()}
        check("each state coloured by what happened", seen == want, seen)
        panel = got.get("panel") or ""
        check("a click on ChargePayment shows its input", '"card": "4000-0000-0000-0002"' in panel and
              "PaymentDeclined" in panel and "caught" in panel, panel)
        check("the event table", got.get("rows", 0) == 20, got.get("rows"))
        maps = got.get("maps") or ""
        check("the Map run summarised", "10 items: 9 succeeded, 1 failed" in maps and
              "item #6: failed in Bad" in maps and "slowest:" in maps, maps)
        want = {"Prepare": "retried", "ProcessAll": "succeeded", "Check": "succeeded", "Bad": "failed",
                "Sleep": "succeeded", "Done": "succeeded"}
        seen = {k: re.sub(r".*\bst-(\w+).*", r"\1", v or "") for k, v in got.get("map_states", {}).items()}
        check("a retried Task, a failed item's state", seen == want, seen)
        for shot in got["shots"]:
            if os.path.exists(shot):
                not_blank(shot, os.path.basename(shot))
            else:
                check(f"screenshot {shot}", False)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--backend", default="c")
    ap.add_argument("--page", action="store_true")
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--chromium", action="store_true")
    a = ap.parse_args()
    status = 0
    if a.page:
        check_page(a)
    if a.progress:
        check_progress(a)
    if a.chromium:
        status = check_chromium(a)
    print(f"{len(failures)} failed")
    return 1 if failures else status


if __name__ == "__main__":
    sys.exit(main())
