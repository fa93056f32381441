// peer.mjs — runs a workflow on the peer engine, aws-local-stepfunctions, the
// way runtime/bench.c runs a compiled one, so the two are measured alike.
//
//   node peer.mjs WORKFLOW.json INPUT.json --bench N [--transitions T]
//       N executions one after another in this process after a warm-up
//       (N/10, 1..1000), each: JSON.parse of the input text, run, and
//       JSON.stringify of the output — the same end-to-end work the aslc
//       binary's --bench does.  Prints one JSON object with the keys of
//       --bench (exec_per_s, p50_us, p90_us, p99_us, max_us,
//       transitions_per_s, max_rss_kb, output).  The peer's event log drops
//       some nested events, so transitions per execution come from the caller
//       (meta.json), as ../shared/bench/README.md advises.
//   node peer.mjs WORKFLOW.json INPUT.json [--validate]
//       One execution, output on stdout: the cold-start measurement.  The
//       definition is not validated unless --validate (the peer's fastest
//       start; validation costs it ~200 ms more).
//
// Task states are overridden by state name (the peer's only way) with local
// functions doing the work of bench/handlers.c, chosen by the function name
// at the end of the state's Lambda ARN.
import { readFileSync } from 'node:fs';

// Peak RSS in KiB of this process image (VmHWM; see runtime/bench.c for why
// not getrusage, which process.resourceUsage() reads).
function peakRssKb() {
  try {
    const m = /VmHWM:\s*(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
}
import { StateMachine } from 'aws-local-stepfunctions';

const args = process.argv.slice(2);
const [wfPath, inputPath] = args;
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const benchN = opt('--bench') ? Number(opt('--bench')) : 0;
const transitions = Number(opt('--transitions') ?? 0);

// The task behaviour of ../shared/bench/README.md (same as bench/handlers.c).
const handlers = {
  song: async (input) => ({ song: input?.name === 'PSY' ? 'gangnam style' : 'i dont know' }),
  lyrics: async (input) => ({
    lyrics: input?.song === 'gangnam style' ? 'oh oh oh oh oh pan gangnam style' : "i don't know",
  }),
};
for (let k = 1; k <= 10; k++) {
  handlers[`fn${k}`] = async (input) => {
    if (typeof input?.value !== 'number') throw new Error('input.value must be a number');
    return { value: input.value + 1 };
  };
}

// Every Task state, at any depth (Parallel branches, Map processors), by name.
function collectOverrides(states, out) {
  for (const [name, st] of Object.entries(states ?? {})) {
    if (st.Type === 'Task') {
      const fn = String(st.Resource).split(':').pop();
      if (!handlers[fn]) throw new Error(`no local handler for state ${name} (${st.Resource})`);
      out[name] = handlers[fn];
    }
    for (const b of st.Branches ?? []) collectOverrides(b.States, out);
    const proc = st.ItemProcessor ?? st.Iterator;
    if (proc) collectOverrides(proc.States, out);
  }
  return out;
}

const definition = JSON.parse(readFileSync(wfPath, 'utf8'));
const inputText = readFileSync(inputPath, 'utf8');
const runOptions = { overrides: { taskResourceLocalHandlers: collectOverrides(definition.States, {}) } };
const validate = args.includes('--validate');
const sm = new StateMachine(definition, validate ? {} : { validationOptions: { noValidate: true } });

async function once() {
  const result = await sm.run(JSON.parse(inputText), runOptions).result;
  return JSON.stringify(result);
}

if (!benchN) {
  process.stdout.write((await once()) + '\n');
} else {
  const warmup = Math.min(1000, Math.max(1, Math.floor(benchN / 10)));
  let out;
  for (let i = 0; i < warmup; i++) out = await once();
  const lat = new Float64Array(benchN);
  const start = process.hrtime.bigint();
  let t = start;
  for (let i = 0; i < benchN; i++) {
    out = await once();
    const t2 = process.hrtime.bigint();
    lat[i] = Number(t2 - t) / 1e3;
    t = t2;
  }
  const wall = Number(t - start) / 1e9;
  lat.sort();
  const pct = (p) => lat[Math.min(benchN - 1, Math.max(0, Math.ceil(p * benchN) - 1))];
  const r3 = (x) => Math.round(x * 1000) / 1000;
  const summary = {
    executions: benchN,
    warmup,
    exec_per_s: Math.round((benchN / wall) * 10) / 10,
    p50_us: r3(pct(0.5)),
    p90_us: r3(pct(0.9)),
    p99_us: r3(pct(0.99)),
    max_us: r3(lat[benchN - 1]),
    transitions_per_exec: transitions,
    transitions_per_s: Math.round(((transitions * benchN) / wall) * 10) / 10,
    max_rss_kb: peakRssKb(),
    output: JSON.parse(out),
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
}
