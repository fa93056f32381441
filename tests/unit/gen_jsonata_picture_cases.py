#!/usr/bin/env python3
"""gen_jsonata_picture_cases.py — the picture-function cases of the JSONata
test suite (../shared/jsonata-suite) as a C table for test_jsonata_picture.c.

    python3 tests/unit/gen_jsonata_picture_cases.py SUITE_DIR > tests/unit/jsonata_picture_cases.h

Every case of the groups below becomes one row: a call of runtime/jsonata_picture.h
with literal arguments, a $toMillis chained into $fromMillis, or two
$toMillis compared.  A case that needs more of JSONata than these functions
(another function, $now, an undefined argument, which the evaluator handles
before any call) becomes a row of kind K_OTHER that names it; the test
program covers those it can by hand and counts the rest as not applicable.
The table is committed, so the test needs neither the suite nor Python.
"""
import glob
import json
import os
import re
import sys

GROUPS = ["function-formatNumber", "function-formatInteger", "function-parseInteger",
          "function-fromMillis", "function-tomillis", "function-now"]

OPTION_FIELDS = ["decimal-separator", "grouping-separator", "exponent-separator", "minus-sign",
                 "infinity", "NaN", "percent", "per-mille", "zero-digit", "digit", "pattern-separator"]


def c_str(s):
    if s is None:
        return "NULL"
    out = '"'
    for ch in s.encode("utf-8"):
        c = chr(ch)
        if c in '"\\':
            out += "\\" + c
        elif 32 <= ch < 127:
            out += c
        else:
            out += '\\%03o' % ch
    return out + '"'


def c_num(x):
    r = repr(float(x))
    return r if r not in ("inf", "-inf", "nan") else "0"


def split_args(s):
    """Top-level comma-separated arguments of a call."""
    args, depth, cur, quote = [], 0, "", None
    i = 0
    while i < len(s):
        c = s[i]
        if quote:
            cur += c
            if c == "\\":
                cur += s[i + 1]
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"":
            quote = c
            cur += c
        elif c in "({[":
            depth += 1
            cur += c
        elif c in ")}]":
            depth -= 1
            cur += c
        elif c == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    if cur.strip():
        args.append(cur.strip())
    return args


class NotLiteral(Exception):
    pass


def literal(a):
    """A literal argument: str, float, dict, or None for an absent one (())."""
    if a == "()":
        return None
    if len(a) >= 2 and a[0] == a[-1] and a[0] in "'\"":
        body = a[1:-1]
        if a[0] == "'":
            body = body.replace('\\\'', "'").replace('"', '\\"')
        return json.loads('"' + body + '"', strict=False)
    if a.startswith("{"):
        return json.loads(re.sub(r"'([^']*)'", lambda m: json.dumps(m.group(1)), a))
    if re.fullmatch(r"-?[0-9.]+(?:[eE][-+]?[0-9]+)?(?:\*-?[0-9.]+)?", a):
        v = 1.0
        for f in a.split("*"):
            v *= float(f)
        return v
    raise NotLiteral(a)


def call(expr):
    m = re.fullmatch(r"\s*\$(\w+)\((.*)\)\s*", expr, re.S)
    if not m or len(split_args("(" + m.group(2) + ")")) != 1 or not balanced(m.group(2)):
        raise NotLiteral(expr)
    return m.group(1), [literal(x) for x in split_args(m.group(2))]


def balanced(s):
    """No bracket of s closes one it did not open (so s is one call's arguments)."""
    depth, quote, i = 0, None, 0
    while i < len(s):
        c = s[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0 and quote is None


def row(case, where):
    expr = case["expr"]
    r = {"where": where, "expr": expr}
    if "code" in case or "error" in case:
        r["expect"], r["want"] = "E_ERR", case.get("code") or case["error"].get("code")
    elif case.get("undefinedResult"):
        r["expect"] = "E_UNDEF"
    elif "result" in case:
        res = case["result"]
        if isinstance(res, bool):
            r["expect"] = "E_TRUE" if res else "E_FALSE"
        elif isinstance(res, str):
            r["expect"], r["want"] = "E_STR", res
        elif isinstance(res, (int, float)):
            r["expect"], r["want"] = "E_NUM", float(res)
        else:
            r["expect"], r["want"] = "E_OTHER", json.dumps(res)
    else:
        r["expect"] = "E_OTHER"
    try:
        m = re.fullmatch(r"\s*(\$toMillis\(.*\))\s*~>\s*\$fromMillis\(\)\s*", expr, re.S)
        n = re.fullmatch(r"\s*\(\$ts := (\$toMillis\(.*\)); \$fromMillis\(\$ts, (.*)\) \)\s*", expr, re.S)
        e = re.fullmatch(r"\s*(\$toMillis\([^)]*\)) = (\$toMillis\(.*\))\s*", expr, re.S)
        if m:
            _, args = call(m.group(1))
            r["kind"], r["s"], r["pic"] = "K_TOMILLIS_FROM", args[0], args[1] if len(args) > 1 else None
        elif n:
            _, args = call(n.group(1))
            r["kind"], r["s"], r["pic"], r["pic2"] = "K_TOMILLIS_FROM", args[0], args[1], literal(n.group(2))
        elif e:
            _, a1 = call(e.group(1))
            _, a2 = call(e.group(2))
            r["kind"], r["s"], r["s2"], r["pic"] = "K_TOMILLIS_EQ", a1[0], a2[0], a2[1]
        else:
            fn, args = call(expr)
            args += [None] * (3 - len(args))
            if fn == "formatNumber":
                r["kind"], r["num"], r["pic"], r["opts"] = "K_FORMAT_NUMBER", args[0], args[1], args[2] or {}
            elif fn == "formatInteger":
                r["kind"], r["num"], r["pic"] = "K_FORMAT_INTEGER", args[0], args[1]
            elif fn == "parseInteger":
                r["kind"], r["s"], r["pic"] = "K_PARSE_INTEGER", args[0], args[1]
            elif fn == "fromMillis":
                r["kind"], r["num"], r["pic"], r["tz"] = "K_FROM_MILLIS", args[0], args[1], args[2]
            elif fn == "toMillis":
                r["kind"], r["s"], r["pic"] = "K_TO_MILLIS", args[0], args[1]
            else:
                raise NotLiteral(expr)
            if r.get("num", 0) is None or ("s" in r and r["s"] is None):
                raise NotLiteral(expr)    # an undefined argument: the evaluator's business
    except (NotLiteral, ValueError, IndexError):
        r = {"where": where, "expr": expr, "kind": "K_OTHER", "expect": r["expect"], "want": r.get("want")}
    return r


def emit(r):
    f = [".where = " + c_str(r["where"]), ".expr = " + c_str(r["expr"]), ".kind = " + r["kind"],
         ".expect = " + r["expect"]]
    for k in ("s", "s2", "pic", "pic2", "tz"):
        if r.get(k) is not None:
            f.append(".%s = %s" % (k, c_str(r[k])))
    if r.get("num") is not None:
        f.append(".num = " + c_num(r["num"]))
    if r.get("opts"):
        for k, v in r["opts"].items():
            if k in OPTION_FIELDS:
                f.append(".opt[%d] = %s" % (OPTION_FIELDS.index(k), c_str(v)))
    w = r.get("want")
    if isinstance(w, float):
        f.append(".want_num = " + c_num(w))
    elif w is not None:
        f.append(".want = " + c_str(w))
    return "    {" + ", ".join(f) + "},"


def main():
    suite = sys.argv[1]
    rows = []
    for g in GROUPS:
        for path in sorted(glob.glob(os.path.join(suite, "groups", g, "*.json"))):
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            cases = data if isinstance(data, list) else [data]
            for i, c in enumerate(cases):
                where = "%s/%s" % (g, os.path.basename(path)) + ("[%d]" % i if isinstance(data, list) else "")
                rows.append(row(c, where))
    print("/* Generated by tests/unit/gen_jsonata_picture_cases.py from the JSONata test suite")
    print(" * (jsonata-js, MIT license): its picture-function cases.  Do not edit. */")
    for r in rows:
        print(emit(r))


if __name__ == "__main__":
    main()
