#!/usr/bin/env python3
"""check_graph.py — tests of `aslc graph` (compiler/graph.c, docs/graph.md).

  --dot       every tests/graph/NAME.dot is the golden DOT of a definition
              (tests/graph/NAME.json, or the example CASES names); the DOT
              aslc writes must be the same bytes.  --update rewrites them.
  --render    SVG (valid XML naming every state), PNG (the magic, a picture
              of some size, not all one colour), HTML (one page, the SVG
              inline, nothing fetched); and the errors: bad definitions get
              aslc check's diagnostics and no file, an unknown extension, a
              target that is a directory or the definition itself.
  --chromium  headless Chromium renders the .html and the .svg to
              screenshots that must not be blank; exits 77 (skipped) when
              there is no Chromium, saying so.
Exits 77 too when aslc was built without Graphviz (for --render, --chromium).
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GRAPH = os.path.join(HERE, "graph")
# Golden DOT files whose definition lives elsewhere.
CASES = {"order_flow": os.path.join(ROOT, "examples", "order_flow", "workflow.json")}
SVG_NS = "{http://www.w3.org/2000/svg}"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def definition_of(name):
    return CASES.get(name, os.path.join(GRAPH, name + ".json"))


def run(aslc, *args):
    return subprocess.run([aslc, *args], capture_output=True, text=True, timeout=120)


def check_dot(aslc, update):
    names = sorted(n[:-4] for n in os.listdir(GRAPH) if n.endswith(".dot"))
    if not names:
        fail("no golden .dot files in tests/graph")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            out = os.path.join(tmp, name + ".dot")
            r = run(aslc, "graph", definition_of(name), "-o", out)
            if r.returncode != 0:
                fail(f"{name}: aslc graph exited {r.returncode}: {r.stderr.strip()}")
                continue
            got = open(out, "rb").read()
            golden = os.path.join(GRAPH, name + ".dot")
            if update:
                open(golden, "wb").write(got)
                print(f"updated {golden}")
            elif got != open(golden, "rb").read():
                diff = subprocess.run(["diff", "-u", golden, out], capture_output=True, text=True).stdout
                fail(f"{name}: the DOT differs from tests/graph/{name}.dot:\n{diff}")
            else:
                print(f"ok {name}.dot")
            # Deterministic: a second run writes the same bytes.
            run(aslc, "graph", definition_of(name), "-o", out)
            if open(out, "rb").read() != got:
                fail(f"{name}: two runs wrote different DOT")


def state_names(defn):
    """Every state name of a definition, nested ones too."""
    import json

    names = []

    def walk(machine):
        for name, st in machine.get("States", {}).items():
            names.append(name)
            for b in st.get("Branches", []):
                walk(b)
            for key in ("ItemProcessor", "Iterator"):
                if key in st:
                    walk(st[key])

    walk(json.load(open(defn)))
    return names


def png_pixels(data, max_rows=400):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit, non-interlaced
    PNG: its first max_rows rows (Python unfilters a byte at a time; the top
    of a picture tells a blank one well enough)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    w, h, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and interlace == 0, f"PNG depth {depth} interlace {interlace} not read here"
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(min(h, max_rows)):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        if ctype in (2, 6):
            rows.append([tuple(line[i:i + 3]) for i in range(0, stride, bpp)])
        else:
            rows.append([(line[i],) * 3 for i in range(0, stride, bpp)])
    return w, h, rows


def not_blank(data, what):
    """A picture, not one colour: some pixels far from the background, of several colours."""
    try:
        w, h, rows = png_pixels(data)
    except Exception as e:  # a broken PNG is a failure, not a crash
        fail(f"{what}: cannot read the PNG: {e}")
        return
    bg = rows[0][0]
    ink = sum(1 for row in rows for px in row if sum(abs(p - q) for p, q in zip(px, bg)) > 60)
    colours = {px for row in rows[::4] for px in row[::4]}
    share = ink / float(w * len(rows))
    print(f"{what}: {w}x{h}, top {len(rows)} rows: {share:.1%} drawn, {len(colours)} colours")
    if share < 0.005 or len(colours) < 8:
        fail(f"{what}: the picture is blank ({share:.2%} of its pixels drawn, {len(colours)} colours)")


def check_render(aslc):
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("order_flow", "nested", "choice_rules", "catch", "hostile_names"):
            defn = definition_of(name)
            svg = os.path.join(tmp, name + ".svg")
            r = run(aslc, "graph", defn, "-o", svg)
            if r.returncode != 0:
                fail(f"{name}: svg: exit {r.returncode}: {r.stderr.strip()}")
                continue
            try:
                root = ET.parse(svg).getroot()
            except ET.ParseError as e:
                fail(f"{name}: the SVG is not valid XML: {e}")
                continue
            # As labels show them: control characters as \uXXXX; a word
            # joiner keeps Graphviz from reading "\N" as an escape.
            texts = {(t.text or "").replace("\u2060", "") for t in root.iter(SVG_NS + "text")}
            shown = ["".join(f"\\u{ord(c):04x}" if ord(c) < 32 else c for c in n) for n in state_names(defn)]
            missing = [n for n in shown if n not in texts]
            if root.tag != SVG_NS + "svg" or missing:
                fail(f"{name}: the SVG does not name the states {missing}")
            else:
                print(f"ok {name}.svg ({len(texts)} texts)")

            png = os.path.join(tmp, name + ".png")
            r = run(aslc, "graph", defn, "-o", png)
            data = open(png, "rb").read() if r.returncode == 0 else b""
            if r.returncode != 0 or data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 2000:
                fail(f"{name}: png: exit {r.returncode}, {len(data)} bytes: {r.stderr.strip()}")
            else:
                not_blank(data, f"{name}.png")

            html = os.path.join(tmp, name + ".html")
            r = run(aslc, "graph", defn, "-o", html)
            text = open(html, encoding="utf-8").read() if r.returncode == 0 else ""
            fetches = [k for k in ("src=", "href=", "@import", "url(", "<script") if k in text]
            if r.returncode != 0 or not text.startswith("<!DOCTYPE html>") or "<svg" not in text \
                    or "<?xml" in text or fetches:
                fail(f"{name}: html: exit {r.returncode}, fetches {fetches}: {r.stderr.strip()}")
            else:
                print(f"ok {name}.html")

        # A big machine (past graph.c's BIG_GRAPH): a chain of 300 states and
        # Choice rules back up it, which dot crashed on or took minutes over
        # with labels as nodes: drawn with its labels placed after layout.
        import json
        n = 300
        states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(n)}
        states[f"S{n}"] = {"Type": "Choice", "Default": "Done", "Choices": [
            {"Variable": "$.x", "NumericEquals": i, "Next": f"S{i * 97 % n}"} for i in range(20)]}
        states["Done"] = {"Type": "Succeed"}
        big = os.path.join(tmp, "big.json")
        json.dump({"StartAt": "S0", "States": states}, open(big, "w"))
        r = run(aslc, "graph", big, "-o", os.path.join(tmp, "big.dot"))
        dot = open(os.path.join(tmp, "big.dot")).read() if r.returncode == 0 else ""
        if "nslimit=2" not in dot or "xlabel=<$.x == 7>" not in dot or " label=<$.x" in dot:
            fail(f"big machine: the DOT has no budget or labels as nodes: {r.stderr.strip()}")
        r = run(aslc, "graph", big, "-o", os.path.join(tmp, "big.svg"))
        if r.returncode != 0:
            fail(f"big machine: exit {r.returncode}: {r.stderr.strip()}")
        else:
            texts = {t.text for t in ET.parse(os.path.join(tmp, "big.svg")).getroot().iter(SVG_NS + "text")}
            if "S299" not in texts or "$.x == 19" not in texts:
                fail("big machine: the SVG lacks states or labels")
            else:
                print("ok big machine (302 states)")

        # Bad input: the diagnostics of aslc check, exit 1, no file.
        bad = os.path.join(tmp, "bad.json")
        open(bad, "w").write('{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}\n')
        want = run(aslc, "check", bad)
        for ext in ("svg", "dot"):
            out = os.path.join(tmp, "bad." + ext)
            got = run(aslc, "graph", bad, "-o", out)
            if got.returncode != 1 or got.stderr != want.stderr or os.path.exists(out) or not want.stderr:
                fail(f"bad definition -> .{ext}: exit {got.returncode}, stderr {got.stderr!r}, "
                     f"check said {want.stderr!r}")
            else:
                print(f"ok bad definition -> .{ext}: aslc check's diagnostics")
        got = run(aslc, "graph", "--format=json", bad, "-o", os.path.join(tmp, "bad.svg"))
        want = run(aslc, "check", "--format=json", bad)
        if got.returncode != 1 or got.stdout != want.stdout:
            fail(f"--format=json: {got.stdout!r} vs check's {want.stdout!r}")
        notjson = os.path.join(tmp, "notjson.json")
        open(notjson, "w").write("{\"StartAt\": \n")
        got = run(aslc, "graph", notjson, "-o", os.path.join(tmp, "x.svg"))
        if got.returncode != 1 or "invalid JSON" not in got.stderr:
            fail(f"broken JSON: exit {got.returncode}: {got.stderr!r}")

        defn = definition_of("order_flow")
        cases = [
            (["-o", os.path.join(tmp, "x.jpeg")], 2, "its name must end in .svg, .png, .html or .dot"),
            (["-o", os.path.join(tmp, "noext")], 2, "cannot tell the format"),
            (["-o", tmp + "/dir.svg"], 1, "is not a regular file"),
            ([], 2, "usage"),
            (["-o"], 2, "needs a value"),
            (["--bogus", "-o", os.path.join(tmp, "x.svg")], 2, "unknown option"),
            (["-o", os.path.join(tmp, "x.svg"), os.path.join(tmp, "missing.json")], 2, "exactly one"),
        ]
        os.mkdir(tmp + "/dir.svg")
        for args, status, msg in cases:
            got = run(aslc, "graph", defn, *args)
            if got.returncode != status or msg not in got.stderr:
                fail(f"aslc graph {' '.join(args)}: exit {got.returncode} (want {status}), "
                     f"stderr {got.stderr!r} (want {msg!r})")
            else:
                print(f"ok {' '.join(args) or '(no -o)'}: {msg}")
        got = run(aslc, "graph", os.path.join(tmp, "missing.json"), "-o", os.path.join(tmp, "m.svg"))
        if got.returncode != 1 or "cannot read" not in got.stderr:
            fail(f"missing definition: exit {got.returncode}: {got.stderr!r}")
        # The definition itself as the target (named like a picture): refused, unchanged.
        itself = os.path.join(tmp, "def.svg")
        shutil.copy(defn, itself)
        before = open(itself, "rb").read()
        got = run(aslc, "graph", itself, "-o", itself)
        if got.returncode != 1 or "the definition itself" not in got.stderr or open(itself, "rb").read() != before:
            fail(f"-o the definition: exit {got.returncode}: {got.stderr!r}")
        else:
            print("ok -o the definition itself: refused")
        # A symbolic link as the target: refused, its file untouched.
        victim = os.path.join(tmp, "victim.txt")
        open(victim, "w").write("keep\n")
        os.symlink(victim, os.path.join(tmp, "link.svg"))
        got = run(aslc, "graph", defn, "-o", os.path.join(tmp, "link.svg"))
        if got.returncode != 1 or open(victim).read() != "keep\n":
            fail(f"-o a symlink: exit {got.returncode}: {got.stderr!r}")
        # An existing picture is replaced, and nothing is left beside it.
        out = os.path.join(tmp, "again.svg")
        open(out, "w").write("old")
        got = run(aslc, "graph", defn, "-o", out)
        left = [n for n in os.listdir(tmp) if n.startswith(".")]
        if got.returncode != 0 or open(out).read() == "old" or left:
            fail(f"replacing a picture: exit {got.returncode}, temporary files left: {left}")


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def check_chromium(aslc):
    browser = find_chromium()
    if not browser:
        print("SKIP: no Chromium (Debian package chromium; tests/run-all.sh installs it)")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        for name, ext in (("order_flow", "html"), ("nested", "html"), ("choice_rules", "svg")):
            page = os.path.join(tmp, f"{name}.{ext}")
            r = run(aslc, "graph", definition_of(name), "-o", page)
            if r.returncode != 0:
                fail(f"{name}.{ext}: exit {r.returncode}: {r.stderr.strip()}")
                continue
            shot = os.path.join(tmp, f"{name}-{ext}.png")
            cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                   "--no-first-run", f"--user-data-dir={tmp}/profile", "--window-size=1000,1400",
                   f"--screenshot={shot}", "file://" + page]
            try:
                c = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            except subprocess.TimeoutExpired:
                fail(f"{name}.{ext}: Chromium did not finish in 120 s")
                continue
            if not os.path.exists(shot):
                fail(f"{name}.{ext}: Chromium wrote no screenshot (exit {c.returncode}): {c.stderr[-800:]}")
                continue
            not_blank(open(shot, "rb").read(), f"Chromium's screenshot of {name}.{ext}")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--dot", action="store_true")
    ap.add_argument("--render", action="store_true")
    ap.add_argument("--chromium", action="store_true")
    ap.add_argument("--update", action="store_true")
    a = ap.parse_args()
    status = 0
    if a.dot:
        check_dot(a.aslc, a.update)
    if a.render or a.chromium:
        probe = tempfile.mkdtemp()
        r = run(a.aslc, "graph", definition_of("order_flow"), "-o", os.path.join(probe, "p.svg"))
        shutil.rmtree(probe)
        if "without Graphviz" in r.stderr:
            print("SKIP: aslc was built without Graphviz (libgraphviz-dev): it writes .dot only")
            return 77
    if a.render:
        check_render(a.aslc)
    if a.chromium:
        status = check_chromium(a.aslc)
    if failures:
        print(f"{len(failures)} failed")
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
