#!/usr/bin/env python3
"""jsonata_compiled_diff.py — compiled JSONata against the compile-time walker.

    python3 tests/jsonata_compiled_diff.py --aslc build/aslc --runner build/tests/jsonata_suite
            [--backend c|llvm] [--kind suite|paths|builtins] [--seed N] [--count N] [--show N]

The cases of jsonata_differential.py (every suite expression on other inputs,
random paths over the suite's datasets, the built-ins on random arguments),
answered by the walker (jsonata_suite --eval-lines) and by the expressions
compiled with aslc's hidden --jn-exprs into a binary whose main is
tests/jsonata_run.c; the answers must be the same (values as JSON, errors
by code).  Prints the differences and their count; exits 1 when there is one.
Needs no Node: both sides are aslc's.
"""
import argparse, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from jsonata_differential import cases, same  # noqa: E402

BATCH = 400


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--aslc', required=True)
    ap.add_argument('--runner', required=True)
    ap.add_argument('--backend', default='c')
    ap.add_argument('--kind', default='paths', choices=['suite', 'paths', 'builtins'])
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=2000)
    ap.add_argument('--show', type=int, default=20)
    a = ap.parse_args()
    cs = list(cases(a.kind, a.seed, a.count))
    diffs = 0
    with tempfile.TemporaryDirectory() as tmp:
        lines = os.path.join(tmp, 'lines.jsonl')
        with open(lines, 'w') as f:
            for c in cs:
                f.write(json.dumps(c) + '\n')
        walker = subprocess.run([a.runner, '--eval-lines', lines], capture_output=True, text=True).stdout
        walker = [json.loads(l) for l in walker.splitlines()]
        # the expressions that parse (the walker says S0xxx for the others)
        todo = [i for i, w in enumerate(walker) if 'skip' not in w and not str(w.get('code', '')).startswith('S0')]
        defn = os.path.join(tmp, 'def.json')
        with open(defn, 'w') as f:
            f.write('{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}')
        got = {}
        for b in range(0, len(todo), BATCH):
            part = todo[b:b + BATCH]
            exprs = os.path.join(tmp, 'exprs.txt')
            with open(exprs, 'w') as f:
                for i in part:
                    f.write(json.dumps(cs[i]['expr']) + '\n')
            binp = os.path.join(tmp, 'bin')
            r = subprocess.run([a.aslc, defn, '--jn-exprs', exprs, '--handlers', os.path.join(HERE, 'jsonata_run.c'),
                                '--backend', a.backend, '-o', binp], capture_output=True, text=True)
            if r.returncode != 0:
                print('aslc failed on a batch:', r.stderr[:2000])
                return 1
            k = 0
            while k < len(part):
                inp = ''
                for j, i in enumerate(part[k:], k):
                    c = cs[i]
                    line = {'i': j, 'bindings': c.get('bindings') or {}, 'depth': 500, 'timelimit': 1000}
                    if c.get('data') is not None:
                        line['data'] = c['data']
                    inp += json.dumps(line) + '\n'
                out = subprocess.run([binp], input=inp, capture_output=True, text=True).stdout.splitlines()
                for l in out:
                    got[part[k]] = json.loads(l)
                    k += 1
                if k < len(part):   # died on this one
                    got[part[k]] = {'code': '(crashed)'}
                    k += 1
        for i in todo:
            w, g = walker[i], got.get(i, {})
            if 'code' in w or 'code' in g:
                ok = w.get('code') == g.get('code')
            elif 'undefined' in w or 'undefined' in g:
                ok = 'undefined' in w and 'undefined' in g
            else:
                ok = same(w.get('result'), g.get('result'))
            if not ok:
                diffs += 1
                if diffs <= a.show:
                    print('DIFF %s\n    data: %s\n    walker:   %s\n    compiled: %s' % (
                        cs[i]['expr'], json.dumps(cs[i].get('data'))[:200], json.dumps(w)[:300], json.dumps(g)[:300]))
    print('%d of %d compiled cases differ from the walker' % (diffs, len(todo)))
    return 1 if diffs else 0


if __name__ == '__main__':
    sys.exit(main())
