// jsonata_differential.js — jsonata-js's answers for tests/jsonata_differential.py.
//
//   node tests/jsonata_differential.js JSONATA_SRC LINES
//
// JSONATA_SRC is the src/ folder of a jsonata-js checkout (v2.0.6, what AWS
// runs); LINES a file of JSON lines {expr, data, bindings}.  Prints one line
// each, in the format of `jsonata_suite --eval-lines`: {"result": ...},
// {"undefined": true} or {"code": "..."}, a JavaScript error that is not a
// JSONata one as {"code": "JS:message"}.  Evaluation stops at depth 500 or
// after a second with U1001, the limits aslc's side uses.
const path = require('path');
const fs = require('fs');
const jsonata = require(path.resolve(process.argv[2], 'jsonata.js'));
const lines = fs.readFileSync(process.argv[3], 'utf8').split('\n').filter(l => l.length);

(async () => {
    for (const line of lines) {
        const c = JSON.parse(line);
        let out;
        try {
            const e = jsonata(c.expr);
            let depth = 0;
            const t0 = Date.now();
            e.assign(Symbol.for('jsonata.__evaluate_entry'), () => {
                depth++;
                if (depth > 500 || Date.now() - t0 > 1000) throw {code: 'U1001'};
            });
            e.assign(Symbol.for('jsonata.__evaluate_exit'), () => { depth--; });
            const r = await e.evaluate(c.data === null ? undefined : c.data, c.bindings || {});
            const text = r === undefined ? undefined
                : JSON.stringify(r, (k, v) => (typeof v === 'function' || (v && v._jsonata_lambda)) ? '' : v);
            out = text === undefined ? {undefined: true} : {result: JSON.parse(text)};
        } catch (err) {
            out = {code: err.code || ('JS:' + String(err.message || err).slice(0, 60))};
        }
        console.log(JSON.stringify(out));
    }
})();
