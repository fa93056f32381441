#!/usr/bin/env python3
"""check_differential.py — both back ends, one answer, on generated definitions.

    check_differential.py --aslc build/aslc [--seed 19] [--groups 3] [--units 10] [--keep DIR]

Generates random but valid state machines from a fixed seed (data flow with
every path field, Parameters with paths and intrinsic calls, Choice rules of
every family with And/Or/Not and ...Path operands, Map with ItemSelector,
Parallel, Retry and Catch around failures, Fail with ErrorPath, variables
assigned by states, rules and catchers and read in paths), compiles each
with the C and the LLVM back ends and runs both on the same inputs: outputs,
errors and exit statuses must be byte-identical.  Both back ends print one
lowering (lower.c, docs/lir.md); this is what holds them to it beyond the
golden cases.  What the right answer is, the golden and conformance tests
say; here only agreement is checked.

To compile little, each definition holds `units` generated machines, each
inside a Parallel that catches States.ALL, and a Choice on the input's
"unit" picks the one an execution runs: every unit runs on every input.
Fan-outs stay on one thread (ASL_THREADS=1), so that the first failure and
the event numbers in error causes are the same in both runs.  Exits 77 when the LLVM back end is not
built in.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

KEYS = ["a", "b", "n", "s", "l", "o"]


class Gen:
    def __init__(self, rnd):
        self.r = rnd
        self.count = 0
        self.depth = 0     # of the machine being generated: its variables are v<depth><x>

    def name(self, what):
        self.count += 1
        return "%s%d" % (what, self.count)

    def path(self):
        """Mostly paths that the inputs have: a path that selects nothing
        in a template is States.Runtime, which no Catch takes, and would end
        the execution before the other units run."""
        r = self.r
        if r.random() < 0.04:
            return r.choice(["$.missing", "$.o.missing", "$.o.x.z"])
        if r.random() < 0.04:
            # a variable of this scope or an outer one (it may not be set yet:
            # then States.Runtime, as for a missing path)
            return "$v%d%s" % (r.randint(0, self.depth), r.choice(["a", "b", "a.x", "b[0]"]))
        return r.choice(["$", "$.a", "$.n", "$.s", "$.l", "$.o", "$.o.x", "$.o.y", "$.l[0]",
                         "$.l[*]", "$.b"])

    def literal(self):
        return self.r.choice(["'text'", "'a{}b'", "3", "-2.5", "true", "null", "'{}'"])

    def call(self, depth=0):
        r = self.r
        arg = lambda: (self.call(depth + 1) if depth < 2 and r.random() < 0.25 else
                       r.choice([self.path(), self.literal()]))
        fn = r.choice(["Format", "MathAdd", "ArrayLength", "Array", "JsonToString", "StringToJson",
                       "ArrayContains", "ArrayGetItem", "ArrayUnique", "ArrayPartition", "ArrayRange",
                       "StringSplit", "Base64Encode", "JsonMerge", "Hash"])
        if fn == "Format":
            tmpl = r.choice(["'{} and {}'", "'x={}'", "'{}'", "'none'", "$.s"])
            holes = tmpl.count("{}") if tmpl.startswith("'") else r.randint(0, 2)
            if r.random() < 0.1:
                holes += 1   # a count that does not fit: a runtime error
            return "States.Format(%s)" % ", ".join([tmpl] + [arg() for _ in range(holes)])
        n = {"MathAdd": 2, "ArrayLength": 1, "Array": r.randint(0, 10), "JsonToString": 1, "StringToJson": 1,
             "ArrayContains": 2, "ArrayGetItem": 2, "ArrayUnique": 1, "ArrayPartition": 2, "ArrayRange": 3,
             "StringSplit": 2, "Base64Encode": 1, "JsonMerge": 3, "Hash": 2}[fn]
        args = [arg() for _ in range(n)]
        if fn == "MathAdd":
            args = [r.choice(["$.n", "$.a", "1", "-7", "$.l[0]"]) for _ in range(2)]
        if fn == "JsonMerge":
            args[2] = "false"
        if fn == "Hash":
            args[1] = r.choice(["'SHA-256'", "'MD5'", "'nope'"])
        return "States.%s(%s)" % (fn, ", ".join(args))

    def template(self, depth=0):
        r = self.r
        out = {}
        for _ in range(r.randint(1, 5 if depth == 0 else 3)):
            k = r.choice(["x", "y", "z", "val", "w", "key with space", "q\"uote"])
            kind = r.random()
            if kind < 0.35:
                out[k + ".$"] = self.path()
            elif kind < 0.5:
                out[k + ".$"] = self.call()
            elif kind < 0.7 and depth < 2:
                out[k] = self.template(depth + 1)
            elif kind < 0.8 and depth < 2:
                out[k] = [1, self.template(depth + 1)]
            elif kind < 0.9:
                out[k + ".$"] = r.choice(["$$.Execution.Name", "$$.State.Name", "$$.StateMachine.Name"])
            else:
                out[k] = r.choice([1, "s", None, True, [1, 2], {"c": 1}])
        return out

    def assign(self, s, what="$"):
        """Sometimes an Assign of this scope's variables (v<depth>a, v<depth>b)."""
        r = self.r
        if r.random() < 0.35:
            a = {}
            for x in r.sample(["a", "b"], r.randint(1, 2)):
                k = r.random()
                name = "v%d%s" % (self.depth, x)
                if k < 0.4:
                    a[name + ".$"] = r.choice([what, self.path()])
                elif k < 0.6:
                    a[name + ".$"] = self.call()
                else:
                    a[name] = r.choice([1, {"x": 2}, [3, 4], "s", None])
            s["Assign"] = a

    def data_flow(self, s, result=True):
        r = self.r
        if r.random() < 0.3:
            s["InputPath"] = r.choice(["$", "$.o", "$", "$.o.x" if r.random() < 0.1 else "$", None])
        if result and r.random() < 0.4:
            s["ResultPath"] = r.choice(["$.res", "$.o.res", "$", None, "$.l"])
        if r.random() < 0.3:
            s["OutputPath"] = r.choice(["$", "$.o", "$.o.x" if r.random() < 0.1 else "$", None])

    def rule(self, depth=0):
        r = self.r
        k = r.random()
        if depth < 2 and k < 0.2:
            op = r.choice(["And", "Or"])
            return {op: [self.rule(depth + 1) for _ in range(r.randint(1, 3))]}
        if depth < 2 and k < 0.27:
            return {"Not": self.rule(depth + 1)}
        var = r.choice(["$.n", "$.a", "$.s", "$.o.x", "$.l[0]", "$.b"])
        fam = r.choice(["Numeric", "String", "Boolean", "Timestamp", "Is", "Matches"])
        cmp = r.choice(["Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"])
        path = r.random() < 0.3
        if fam == "Is":
            return {"Variable": r.choice([var, "$.missing"]), r.choice(["IsPresent", "IsNull", "IsNumeric", "IsString", "IsBoolean",
                                               "IsTimestamp"]): r.random() < 0.7}
        if fam == "Matches":
            return {"Variable": var, "StringMatches": r.choice(["a*", "*x*", "t\\\\*", ""])}
        if fam == "Boolean":
            return {"Variable": var, "BooleanEquals" + ("Path" if path else ""): "$.b" if path else True}
        op = fam + cmp + ("Path" if path else "")
        if path:
            return {"Variable": var, op: r.choice(["$.n", "$.s", "$.o.y", "$.a"])}
        val = {"Numeric": r.choice([0, 3, -1.5, 10]), "String": r.choice(["a", "text", ""]),
               "Timestamp": "2024-01-01T00:00:00Z"}[fam]
        return {"Variable": var, op: val}

    def chain(self, length, depth):
        """States of a machine: a chain of length with side branches; returns (start, states)."""
        r = self.r
        outer = self.depth
        self.depth = depth
        names = [self.name("S") for _ in range(length)]
        states = {}
        for i, nm in enumerate(names):
            nxt = names[i + 1] if i + 1 < length else None
            kind = r.choice(["pass", "pass", "pass", "choice", "map", "parallel", "fail", "retry"]
                            if depth < 2 else ["pass", "pass", "choice", "fail"])
            if kind == "fail" and nxt and r.random() < 0.7:
                kind = "pass"
            s = {}
            if kind == "pass":
                s = {"Type": "Pass"}
                if r.random() < 0.6:
                    s["Parameters"] = self.template()
                elif r.random() < 0.5:
                    s["Result"] = r.choice([{"r": 1}, [1, "x"], "s", 2.50])
                self.assign(s)
                self.data_flow(s)
            elif kind == "choice":
                s = {"Type": "Choice", "Choices": []}
                end = self.name("E")
                states[end] = {"Type": "Pass", "Result": "took " + end, "ResultPath": "$.took"}
                if nxt:
                    states[end]["Next"] = nxt
                else:
                    states[end]["End"] = True
                for _ in range(r.randint(1, 3)):
                    rl = self.rule()
                    rl["Next"] = end
                    self.assign(rl)
                    s["Choices"].append(rl)
                self.assign(s)
                if r.random() < 0.8:
                    s["Default"] = nxt or end
                self.data_flow(s, result=False)
                states[nm] = s
                continue
            elif kind == "fail":
                s = {"Type": "Fail"}
                if r.random() < 0.5:
                    s["ErrorPath"] = r.choice(["$.s", "$.n", "$.o"])
                    s["CausePath"] = r.choice(["$.s", "$.o"])
                else:
                    s["Error"], s["Cause"] = "Custom.Err", "from " + nm
                states[nm] = s
                continue
            elif kind == "map":
                start, sub = self.chain(r.randint(1, 3), depth + 1)
                self.assign(s)
                s.update({"Type": "Map", "ItemsPath": r.choice(["$.l", "$.items"]),
                          "ItemProcessor": {"StartAt": start, "States": sub}})
                if r.random() < 0.7:
                    s["ItemSelector"] = {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index",
                                         "n.$": r.choice(["$.n", "$.o.x", "$$.Map.Item.Value.x"])}
                if r.random() < 0.3:
                    s["ResultSelector"] = {"count.$": "States.ArrayLength($)", "all.$": "$"}
                self.data_flow(s)
            elif kind == "parallel":
                branches = []
                for _ in range(r.randint(1, 3)):
                    start, sub = self.chain(r.randint(1, 3), depth + 1)
                    branches.append({"StartAt": start, "States": sub})
                s = {"Type": "Parallel", "Branches": branches}
                self.assign(s)
                if r.random() < 0.5:
                    s["Parameters"] = self.template()
                self.data_flow(s)
            elif kind == "retry":
                start, sub = self.chain(r.randint(1, 2), depth + 1)
                sub[self.name("F")] = {"Type": "Fail", "Error": r.choice(["E.One", "E.Two"]), "Cause": "c"}
                # the branch ends in the Fail state: the last state of the chain goes there
                last = [k for k, v in sub.items() if v.get("End")]
                for k in last:
                    del sub[k]["End"]
                    sub[k]["Next"] = list(sub)[-1]
                s = {"Type": "Parallel", "Branches": [{"StartAt": start, "States": sub}],
                     "Retry": [{"ErrorEquals": ["E.One"], "MaxAttempts": r.randint(0, 2), "IntervalSeconds": 1}],
                     "Catch": [{"ErrorEquals": [r.choice(["E.Two", "States.ALL"])],
                                "ResultPath": r.choice(["$.err", None, "$"]), "Next": self.name("C")}]}
                if r.random() < 0.4:
                    s["Catch"][0]["Assign"] = {"v%da.$" % depth: "$.Error", "v%db" % depth: "caught"}
                caught = s["Catch"][0]["Next"]
                states[caught] = {"Type": "Pass", "Parameters": {"caught.$": "$"}}
                if nxt:
                    states[caught]["Next"] = nxt
                else:
                    states[caught]["End"] = True
                self.data_flow(s)
            if nxt:
                s["Next"] = nxt
            else:
                s["End"] = True
            states[nm] = s
        self.depth = outer
        return names[0], states

    def definition(self, units):
        """A Choice on $.unit picks the unit an execution runs: one compile
        serves them all, and a States.Runtime error (a path that selects
        nothing, a failing intrinsic), which no Catch takes, ends one run
        only."""
        states = {"Pick": {"Type": "Choice", "Choices": []}}
        for k in range(units):
            start, sub = self.chain(self.r.randint(1, 5), 0)
            guard, caught = self.name("G"), self.name("K")
            states["Pick"]["Choices"].append({"Variable": "$.unit", "NumericEquals": k, "Next": guard})
            states[guard] = {"Type": "Parallel", "Branches": [{"StartAt": start, "States": sub}], "End": True,
                             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": caught}]}
            states[caught] = {"Type": "Pass", "End": True}
        return {"StartAt": "Pick", "States": states}

    def input(self):
        r = self.r
        v = {}
        for k in KEYS:
            v[k] = {"a": r.choice([1, "x", None, [1]]), "n": r.choice([0, 3, 7.5, -2, "5"]),
                    "s": r.choice(["text", "a{}b", "2024-01-01T00:00:00Z", "", "[1,2]"]),
                    "l": r.choice([[1, 2, 3], ["x", {"x": 1}], [3, 3, 1]]),
                    "o": r.choice([{"x": 1, "y": "y"}, {"x": {"z": 2}, "y": 0}]), "b": r.choice([True, False, 1])}[k]
        if r.random() < 0.5:
            v["b"] = r.choice([True, False])
        v["items"] = [{"x": i} for i in range(r.randint(0, 3))]
        return v


UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def run(binary, inp):
    """Exit status, stdout and stderr, with what differs from run to run
    (the execution's name, the times of the context object) masked."""
    env = dict(os.environ, ASL_TIME_SCALE="0", ASL_THREADS="1", ASL_ENGAGE_US="100000000")
    p = subprocess.run([binary, "--input", json.dumps(inp)], capture_output=True, env=env, timeout=60)
    mask = lambda b: TIME.sub(b"<time>", UUID.sub(b"<uuid>", b))
    return p.returncode, mask(p.stdout), mask(p.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aslc", required=True)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--groups", type=int, default=2)
    ap.add_argument("--units", type=int, default=10)
    ap.add_argument("--inputs", type=int, default=4)
    ap.add_argument("--keep", help="write the definitions and outputs here")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = a.keep or tmp
        os.makedirs(out, exist_ok=True)
        for g in range(a.groups):
            gen = Gen(rnd)
            defn = gen.definition(a.units)
            inputs = [gen.input() for _ in range(a.inputs)]
            path = os.path.join(out, "diff%d.json" % g)
            with open(path, "w") as f:
                json.dump(defn, f, indent=1)
            bins = {}
            for be in ("c", "llvm"):
                bins[be] = os.path.join(tmp, "diff%d_%s" % (g, be))
                p = subprocess.run([a.aslc, path, "--backend=" + be, "-o", bins[be]], capture_output=True, text=True)
                if p.returncode != 0:
                    if be == "llvm" and "not available" in p.stderr:
                        print("the LLVM back end is not built in: skipped")
                        return 77
                    print("FAIL %s: aslc --backend=%s: %s" % (path, be, p.stderr.strip()[:2000]))
                    bad += 1
            if len(bins) != 2 or bad:
                continue
            runs = [dict(inp, unit=u) for u in range(a.units) for inp in inputs]
            outcomes = {0: 0, 1: 0}
            for k, inp in enumerate(runs):
                rc, rl = run(bins["c"], inp), run(bins["llvm"], inp)
                outcomes[rc[0]] = outcomes.get(rc[0], 0) + 1
                if rc != rl:
                    bad += 1
                    print("FAIL group %d run %d (%s): the back ends differ\n  c:    %r\n  llvm: %r"
                          % (g, k, json.dumps(inp), rc, rl))
                elif rc[0] not in (0, 1):
                    bad += 1
                    print("FAIL group %d run %d: exit %d: %s" % (g, k, rc[0], rc[2][:500]))
            print("group %d: %d units x %d inputs: %d succeeded, %d failed%s" %
                  (g, a.units, len(inputs), outcomes[0], outcomes[1], "" if not bad else "; the back ends differ"))
    print("%s: %d groups of %d units, seed %d" % ("FAIL" if bad else "ok", a.groups, a.units, a.seed))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
