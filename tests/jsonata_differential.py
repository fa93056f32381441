#!/usr/bin/env python3
"""jsonata_differential.py — aslc's JSONata against jsonata-js, on generated cases.

    python3 tests/jsonata_differential.py --jsonata-src DIR --runner build/tests/jsonata_suite
            [--kind suite|paths|builtins|syntax] [--seed N] [--count N] [--show N]

Not part of ctest (it needs Node and a jsonata-js checkout: DIR is its src/
folder at v2.0.6, what AWS runs).  Each kind writes JSON lines of
{expr, data, bindings}: `suite` runs every expression of ../shared/jsonata-suite
on other inputs than its own; `paths` random expressions over the suite's
datasets (paths, predicates, bindings, constructors, operators, calls);
`builtins` the string and numeric built-ins on random arguments; `syntax`
random token sequences (their error codes).  Both engines answer every line
(jsonata_differential.js, and the runner's --eval-lines) and the answers are
compared: values as JSON (numbers within 1e-12), errors by code; a JavaScript
TypeError of jsonata-js's is not compared.  Prints the differences and their
count; exits 0 (a report, not a gate: see docs/jsonata.md for the known ones).
"""
import argparse, glob, json, os, random, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = os.path.join(HERE, '..', '..', 'shared', 'jsonata-suite')

FIELDS = ['Account', 'Order', 'Product', 'Price', 'Quantity', 'OrderID', 'SKU', 'Description', 'Colour',
          '`Product Name`', '`Account Name`', 'a', 'b', 'c', 'd', 'e', 'foo', 'bar', 'blah', 'baz', 'fud',
          'Phone', 'number', 'type', 'Address', 'City', 'Email', 'address']
VARS = ['$', '$$', '$x', '$y', '$i', '$v']
LITS = ['1', '2', '0', '-1', '3.5', '"a"', '"b"', '"Bowler Hat"', 'true', 'false', 'null', '[]', '{}',
        '[1,2,3]', '"0"', '1e3', '""']
FUNCS = ['$count', '$sum', '$max', '$min', '$average', '$string', '$length', '$uppercase', '$lowercase', '$trim',
         '$number', '$boolean', '$not', '$exists', '$keys', '$type', '$distinct', '$reverse', '$sort', '$append',
         '$join', '$split', '$substring', '$substringBefore', '$substringAfter', '$contains', '$replace', '$match',
         '$abs', '$floor', '$ceil', '$round', '$sqrt', '$power', '$formatBase', '$lookup', '$spread', '$merge',
         '$each', '$sift', '$map', '$filter', '$reduce', '$single', '$zip', '$pad', '$base64encode', '$encodeUrl',
         '$decodeUrlComponent']
OPS = ['+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', '&', 'and', 'or', 'in']
SKIP_GROUPS = {'function-formatNumber', 'function-fromMillis', 'function-parseInteger', 'function-tomillis',
               'default-operator', 'coalescing-operator', 'function-eval', 'function-formatInteger'}
NONDETERMINISTIC = re.compile(r'\$(now|millis|random|shuffle|uuid|formatNumber|formatInteger|parseInteger|'
                              r'fromMillis|toMillis|eval)\b')


def datasets():
    out = {}
    for f in glob.glob(os.path.join(SUITE, 'datasets', '*.json')):
        with open(f) as fh:
            out[os.path.basename(f)[:-5]] = json.load(fh)
    return out


class Gen:
    """Random JSONata text, depth-bounded."""

    def __init__(self, rnd):
        self.r = rnd

    def lit(self):
        return self.r.choice(LITS)

    def leaf(self):
        x = self.r.random()
        if x < 0.4:
            return self.lit()
        if x < 0.55:
            return self.r.choice(VARS)
        return '.'.join(self.r.choice(FIELDS) for _ in range(self.r.randint(1, 3)))

    def path(self, d):
        steps = []
        for i in range(self.r.randint(1, 4)):
            x = 0 if d > 3 else self.r.random()
            if x < 0.6:
                s = self.r.choice(FIELDS)
            elif x < 0.7:
                s = '*'
            elif x < 0.75:
                s = '**'
            elif x < 0.8 and i > 0:
                s = '%'
            elif x < 0.87:
                s = '(' + self.expr(d + 1) + ')'
            elif x < 0.92:
                s = '{"k": ' + self.expr(d + 1) + '}'
            else:
                s = '[' + self.expr(d + 1) + ']'
            x = 1 if d > 3 else self.r.random()
            if x < 0.2:
                s += '[' + self.r.choice(['0', '-1', '1', self.expr(d + 1)]) + ']'
            elif x < 0.25:
                s += '[]'
            elif x < 0.3 and s != '%':
                s += '#$i'
            elif x < 0.33 and s != '%':
                s += '@$v'
            steps.append(s)
        p = '.'.join(steps)
        x = self.r.random()
        if x < 0.08:
            p += '^(' + self.r.choice(['<', '>', '']) + self.r.choice(FIELDS) + ')'
        elif x < 0.12:
            p += '{' + self.r.choice(FIELDS) + ': $count($)}'
        return p

    def call(self, d):
        f = self.r.choice(FUNCS)
        args = []
        for i in range(self.r.randint(0, 3)):
            if f in ('$map', '$filter', '$each', '$sift', '$single', '$sort') and i == 1:
                args.append('function($v, $i){' + self.expr(d + 1) + '}')
            elif f == '$reduce' and i == 1:
                args.append('function($a, $b){$a + $b}')
            elif f in ('$replace', '$match', '$split', '$contains') and i == 1 and self.r.random() < 0.5:
                args.append(self.r.choice(['/[a-z]+/', '/\\d/', '/(o)(r)?/i', '/^B/']))
            else:
                args.append(self.expr(d + 1))
        return f + '(' + ', '.join(args) + ')'

    def expr(self, d=0):
        if d > 3:
            return self.leaf()
        x = self.r.random()
        if x < 0.3:
            return self.path(d)
        if x < 0.45:
            return self.call(d)
        if x < 0.6:
            return self.expr(d + 1) + ' ' + self.r.choice(OPS) + ' ' + self.expr(d + 1)
        if x < 0.65:
            return self.expr(d + 1) + ' ? ' + self.expr(d + 1) + ' : ' + self.expr(d + 1)
        if x < 0.7:
            return '[' + ', '.join(self.expr(d + 1) for _ in range(self.r.randint(0, 3))) + ']'
        if x < 0.74:
            return '{' + ', '.join('"k%d": %s' % (i, self.expr(d + 1)) for i in range(self.r.randint(0, 2))) + '}'
        if x < 0.78:
            return '($x := ' + self.expr(d + 1) + '; ' + self.expr(d + 1) + ')'
        if x < 0.8:
            return self.expr(d + 1) + ' ~> ' + self.r.choice(['$string', '$count', '$sum', '$keys']) + '()'
        if x < 0.82:
            return '[%d..%d]' % (self.r.randint(-2, 3), self.r.randint(-1, 5))
        if x < 0.84:
            return '-' + self.expr(d + 1)
        if x < 0.86:
            return '$ ~> | ' + self.path(d) + ' | {"z": 1}' + self.r.choice(['', ', ["Price"]']) + ' |'
        if x < 0.9:
            return self.r.choice(VARS)
        return self.lit()


def gen_number(r):
    x = r.random()
    if x < 0.2:
        return str(r.randint(-1000, 1000))
    if x < 0.4:
        return repr(r.uniform(-1e6, 1e6))
    if x < 0.5:
        return '%de%d' % (r.randint(1, 9), r.randint(-30, 30))
    if x < 0.6:
        return r.choice(['0.1', '1.005', '2.675', '0.5', '2.5', '-2.5', '1e21', '1e-7', '9007199254740993'])
    return repr(r.uniform(-10, 10))


def gen_string(r):
    return json.dumps(r.choice(['hello', 'Hello World', '  a  b  ', 'abc,def,,ghi', '', '\u00ff\u00e9\u00df',
                                'a-b-c', 'The quick brown fox', '123', '1.50', '0x1F', '  12 ', '-0', 'ab\tc\nd']))


def builtin_case(r):
    n, s = (lambda: gen_number(r)), (lambda: gen_string(r))
    forms = [
        lambda: '$string(%s)' % n(), lambda: '$string(%s * %s)' % (n(), n()),
        lambda: '$round(%s, %d)' % (n(), r.randint(-3, 6)), lambda: '$formatBase(%s, %d)' % (n(), r.randint(2, 36)),
        lambda: '$number(%s)' % s(), lambda: '%s %% %s' % (n(), n()), lambda: '$sqrt(%s)' % n(),
        lambda: '$substring(%s, %s, %s)' % (s(), r.choice(['0', '1', '-2', '2.5', '-1.5', '10']),
                                            r.choice(['1', '2', '0', '-1', '1.5', '100'])),
        lambda: '$pad(%s, %s, %s)' % (s(), r.choice(['5', '-5', '10', '0']), r.choice(['"#"', '"xy"', '""'])),
        lambda: '$split(%s, %s, %s)' % (s(), r.choice(['","', '" "', '""', '/[ ,]+/', '/b/']),
                                        r.choice(['1', '2', '0', '5', '1.5'])),
        lambda: '$trim(%s)' % s(), lambda: '$length(%s)' % s(), lambda: '$uppercase(%s) & $lowercase(%s)' % (s(), s()),
        lambda: '$replace(%s, %s, %s)' % (s(), r.choice(['"a"', '/[aeiou]/', '/(\\\\w)(\\\\w)/', '/o/i']),
                                          r.choice(['"X"', '"$1"', '"$2$1"', '"$$"', '"$0$0"', '"$10"'])),
        lambda: '$match(%s, %s)' % (s(), r.choice(['/[aeiou]/', '/(\\\\w)(\\\\w)/', '/o/i', '/[0-9]+/'])),
        lambda: '$base64decode($base64encode(%s))' % s(), lambda: '$encodeUrl(%s)' % s(),
        lambda: '$string({"a": %s, "b": [%s, "x"]}, %s)' % (n(), n(), r.choice(['true', 'false'])),
        lambda: '%s < %s' % (s(), s()), lambda: '$sort([%s, %s, %s])' % (n(), n(), n()),
    ]
    return r.choice(forms)()


SYNTAX_TOKENS = ['a', 'b', '$x', '$', '1', '"s"', '.', '[', ']', '{', '}', '(', ')', ',', ';', ':', '?', '+', '-',
                 '*', '/', '%', '|', '=', '<', '>', '^', '**', '..', ':=', '!=', '<=', '>=', '~>', 'and', 'or',
                 'in', '&', '!', '~', '@', '#', 'function', '\u03bb', 'true', 'null', '/re/', '`n`', '/*c*/',
                 '$f(', '<n:n>', '#$i', '@$v']


def cases(kind, seed, count):
    r = random.Random(seed)
    ds = datasets()
    if kind == 'suite':
        names = [n for n in ('dataset0', 'dataset1', 'dataset5', 'dataset6', 'dataset10') if n in ds]
        for f in sorted(glob.glob(os.path.join(SUITE, 'groups', '*', '*.json'))):
            if f.split(os.sep)[-2] in SKIP_GROUPS:
                continue
            with open(f) as fh:
                d = json.load(fh)
            for c in (d if isinstance(d, list) else [d]):
                e = c.get('expr')
                if not e or NONDETERMINISTIC.search(e) or 'timelimit' in c or 'depth' in c:
                    continue
                for name in names:
                    yield {'expr': e, 'data': ds[name], 'bindings': c.get('bindings') or {}}
        return
    inputs = [ds[n] for n in ('dataset5', 'dataset0', 'dataset1') if n in ds]
    inputs.append({'a': [1, {'b': 2}, [3, [4]]], 'b': 'x', 'c': {'d': [{'e': 1}, {'e': [2, 3]}]}})
    g = Gen(r)
    for _ in range(count):
        if kind == 'paths':
            yield {'expr': g.expr(), 'data': r.choice(inputs), 'bindings': {}}
        elif kind == 'builtins':
            yield {'expr': builtin_case(r), 'data': None, 'bindings': {}}
        else:
            text = ' '.join(r.choice(SYNTAX_TOKENS) for _ in range(r.randint(1, 8)))
            yield {'expr': text, 'data': {'a': {'b': 1}}, 'bindings': {}}


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--jsonata-src', required=True)
    ap.add_argument('--runner', required=True)
    ap.add_argument('--kind', default='paths', choices=['suite', 'paths', 'builtins', 'syntax'])
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=2000)
    ap.add_argument('--show', type=int, default=20)
    a = ap.parse_args()
    lines = list(cases(a.kind, a.seed, a.count))
    with tempfile.NamedTemporaryFile('w', suffix='.jsonl', delete=False) as fh:
        for c in lines:
            fh.write(json.dumps(c) + '\n')
        name = fh.name
    try:
        ref = subprocess.run(['node', os.path.join(HERE, 'jsonata_differential.js'), a.jsonata_src, name],
                             capture_output=True, text=True, check=True).stdout.splitlines()
        ours = subprocess.run([a.runner, '--eval-lines', name], capture_output=True, text=True,
                              check=True).stdout.splitlines()
    finally:
        os.unlink(name)
    bad = 0
    for c, rl, ol in zip(lines, ref, ours):
        r, o = json.loads(rl), json.loads(ol)
        if o.get('skip') or str(r.get('code', '')).startswith('JS:'):
            continue
        ok = ('code' in r and o.get('code') == r['code']) or ('undefined' in r and 'undefined' in o) or \
             ('result' in r and 'result' in o and same(r['result'], o['result']))
        if not ok:
            bad += 1
            if bad <= a.show:
                print('EXPR', c['expr'])
                print('  jsonata-js', json.dumps(r)[:200])
                print('  aslc      ', json.dumps(o)[:200])
    print('%d of %d differ' % (bad, len(lines)))


if __name__ == '__main__':
    sys.exit(main())
