/* report.js — ./wf --report's page: the execution read from its history
 * events (the JSON of <script id="history">, GetExecutionHistory's events)
 * and drawn on the state machine's picture (the inline SVG, whose state
 * nodes carry data-state="NAME").  report.c inlines it; nothing is fetched.
 *
 * The events are grouped into visits (one state entered once): a
 * StateEntered opens one, Task and Lambda events belong to the visit their
 * previousEventId is in (a Task's events follow each other), a StateExited
 * closes the visit of its name, Map and Parallel events and Map iterations
 * go to the latest open visit of their state (by name where the event has
 * it).  A state's status is the worst of its visits': failed (entered and
 * never exited), caught (exited after a failure that no retry undid),
 * retried (a failed attempt, then success), succeeded; not reached when
 * never entered. */
(function () {
  'use strict';
  const ev = JSON.parse(document.getElementById('history').textContent);
  const byId = new Map();
  for (const e of ev) byId.set(e.id, e);
  const details = e => { for (const k in e) if (k.endsWith('EventDetails')) return e[k]; return {}; };
  const time = e => Date.parse(e.timestamp);
  const el = (tag, attrs, ...kids) => {
    const n = document.createElement(tag);
    for (const k in attrs || {}) n.setAttribute(k, attrs[k]);
    for (const c of kids) if (c != null) n.append(c);
    return n;
  };
  const ms = d => d == null || isNaN(d) ? '' : d < 1000 ? d + ' ms' : (d / 1000).toFixed(d < 10000 ? 2 : 1) + ' s';

  const states = new Map();   // name -> {name, type, visits}
  const visits = [];
  const owner = new Map();    // event id -> visit
  const maps = [];            // Map visits, for the summary
  const exec = {};
  const latestOpen = pred => {
    for (let i = visits.length - 1; i >= 0; i--) if (!visits[i].exited && pred(visits[i])) return visits[i];
    return null;
  };
  const failureOf = id => {   // the error and cause of the event id, if it is a failure
    const e = byId.get(id);
    const d = e ? details(e) : {};
    return d.error !== undefined || d.cause !== undefined ? {error: d.error, cause: d.cause} : null;
  };
  let m;
  for (const e of ev) {
    const d = details(e), ty = e.type;
    if ((m = /^(\w+)StateEntered$/.exec(ty))) {
      let s = states.get(d.name);
      if (!s) states.set(d.name, s = {name: d.name, type: m[1], visits: []});
      const v = {state: s, name: d.name, type: m[1], input: d.input, entered: time(e), attempts: [],
                 failures: [], starts: 0, iterations: [], id: e.id};
      s.visits.push(v);
      visits.push(v);
      owner.set(e.id, v);
      if (m[1] === 'Map') maps.push(v);
    } else if ((m = /^(\w+)StateExited$/.exec(ty))) {
      const p = owner.get(e.previousEventId);
      const v = p && p.name === d.name && !p.exited ? p : latestOpen(x => x.name === d.name);
      if (v) { v.exited = time(e); v.output = d.output; owner.set(e.id, v); }
    } else if (/^(Task|LambdaFunction)[A-Z]\w*$/.test(ty)) {
      const v = owner.get(e.previousEventId);
      if (!v) continue;
      owner.set(e.id, v);
      const last = v.attempts[v.attempts.length - 1];
      if (/Scheduled$/.test(ty)) v.attempts.push({start: time(e), resource: d.resource, input: d.parameters || d.input});
      else if (last && /(Succeeded|Failed|TimedOut)$/.test(ty)) {
        last.end = time(e);
        last.ok = ty.endsWith('Succeeded');
        last.error = d.error; last.cause = d.cause; last.output = d.output;
        if (ty.endsWith('TimedOut') && last.error === undefined) last.error = 'States.Timeout';
      }
    } else if ((m = /^(Map|Parallel)State(Started|Succeeded|Failed)$/.exec(ty))) {
      const p = owner.get(e.previousEventId);
      const v = p && p.type === m[1] && !p.exited && (m[2] === 'Started' || p.starts) ? p
              : latestOpen(x => x.type === m[1]);
      if (!v) continue;
      owner.set(e.id, v);
      if (m[2] === 'Started') { v.starts++; v.length = d.length; v.iterations = []; v.fanOk = false; }
      else if (m[2] === 'Succeeded') v.fanOk = true;
      else v.failures.push(failureOf(e.previousEventId) || {});
    } else if ((m = /^MapIteration(Started|Succeeded|Failed|Aborted)$/.exec(ty))) {
      const v = latestOpen(x => x.name === d.name);
      if (!v) continue;
      const it = v.iterations[d.index] || (v.iterations[d.index] = {index: d.index});
      if (m[1] === 'Started') it.start = time(e);
      else {
        it.end = time(e); it.status = m[1];
        if (m[1] === 'Failed') {   // its last event: a failed Task's, or the state it ended in
          Object.assign(it, failureOf(e.previousEventId) || {});
          const at = owner.get(e.previousEventId);
          if (at) it.at = at.name;
        }
      }
    } else if (ty === 'EvaluationFailed') {
      const v = latestOpen(x => x.name === d.state);
      if (v) { v.failures.push({error: d.error, cause: d.cause}); owner.set(e.id, v); }
    } else if (ty === 'ExecutionStarted') {
      exec.start = time(e); exec.input = d.input;
    } else if ((m = /^Execution(Succeeded|Failed|TimedOut|Aborted)$/.exec(ty))) {
      exec.end = time(e); exec.status = m[1]; exec.output = d.output;
      exec.error = d.error; exec.cause = d.cause;
    }
  }
  // A state entered and never exited failed there; the execution's error is
  // its error unless one of its own events says otherwise.
  for (const v of visits) {
    if (v.exited) continue;
    const a = v.attempts[v.attempts.length - 1];
    const f = a && a.ok === false ? a : v.failures[v.failures.length - 1];
    v.error = f ? f.error : exec.error;
    v.cause = f ? f.cause : exec.cause;
  }

  const RANK = {notreached: 0, succeeded: 1, retried: 2, caught: 3, failed: 4};
  const visitStatus = v => {
    const failedAttempts = v.attempts.filter(a => a.ok === false).length;
    if (!v.exited) return exec.status === undefined ? 'running' : 'failed';
    const last = v.attempts[v.attempts.length - 1];
    if ((last && last.ok === false) || (v.failures.length && !v.fanOk)) return 'caught';
    if (failedAttempts || v.failures.length || v.starts > 1) return 'retried';
    return 'succeeded';
  };
  const stateStatus = s => {
    let best = 'notreached';
    for (const v of s.visits) { const t = visitStatus(v); if ((RANK[t] || 0) >= RANK[best]) best = t; }
    return best;
  };

  // The summary line.
  const sum = document.getElementById('summary');
  const ok = exec.status === 'Succeeded';
  sum.append(el('b', {class: ok ? 'ok' : 'bad'}, exec.status || 'Running'), ' in ' + ms(exec.end - exec.start) +
             ' \u2014 ' + visits.length + ' states entered, ' + ev.length + ' events' +
             (exec.error !== undefined ? ' \u2014 ' + exec.error + (exec.cause ? ': ' + exec.cause : '') : ''));

  // The picture: each state coloured by its status.
  const nodes = new Map();
  for (const g of document.querySelectorAll('#picture g[data-state]')) nodes.set(g.dataset.state, g);
  for (const [name, g] of nodes) {
    const s = states.get(name);
    g.classList.add('st-' + (s ? stateStatus(s) : 'notreached'));
    const title = g.querySelector('title');
    if (title) title.textContent = name + ': ' + (s ? stateStatus(s) + ', ' + s.visits.length + ' visit(s)' : 'not reached');
  }
  // Without a picture (or for states it does not show), a button per state.
  const list = document.getElementById('states');
  for (const s of states.values()) {
    if (nodes.has(s.name)) continue;
    const b = el('button', {'data-state': s.name}, el('span', {class: 'tag ' + stateStatus(s)}, stateStatus(s)), ' ' + s.name);
    list.append(b);
  }

  const pretty = text => {
    if (text === undefined) return '';
    let t = text;
    try { t = JSON.stringify(JSON.parse(text), null, 2); } catch (x) { /* as it is */ }
    return t.length > 20000 ? t.slice(0, 20000) + '\n\u2026' : t;
  };
  const field = (box, label, text) => {
    if (text === undefined || text === null) return;
    box.append(el('div', {class: 'muted'}, label), el('pre', {}, pretty(String(text))));
  };

  // Clicking a state: its visits, with input, output, error, retries, timings.
  const panel = document.getElementById('panel');
  let selected = null;
  const show = name => {
    if (selected) selected.classList.remove('selected');
    selected = nodes.get(name) || null;
    if (selected) selected.classList.add('selected');
    const s = states.get(name);
    panel.replaceChildren(el('h3', {}, name));
    if (!s) { panel.append(el('p', {}, el('span', {class: 'tag notreached'}, 'not reached'), ' this execution never entered it')); return; }
    const st = stateStatus(s);
    panel.append(el('p', {}, el('span', {class: 'tag ' + st}, st), ' ' + s.type + ' \u2014 entered ' + s.visits.length + ' time(s)'));
    const shown = s.visits.slice(0, 20);
    if (s.visits.length > 20) panel.append(el('p', {class: 'muted'}, 'the first 20 visits of ' + s.visits.length));
    for (const v of shown) {
      const box = el('div', {class: 'visit'});
      const vs = visitStatus(v);
      box.append(el('div', {}, el('span', {class: 'tag ' + vs}, vs), ' entered at event #' + v.id +
                    (v.exited ? ', ' + ms(v.exited - v.entered) : '')));
      field(box, 'input', v.input);
      if (v.attempts.length) {
        const t = el('table', {}, el('tr', {}, el('th', {}, 'attempt'), el('th', {}, 'time'), el('th', {}, 'result')));
        v.attempts.forEach((a, i) => t.append(el('tr', {class: a.ok === false ? 'fail' : ''}, el('td', {}, String(i + 1)),
          el('td', {}, ms(a.end - a.start)),
          el('td', {}, a.ok ? 'succeeded' : a.ok === false ? (a.error || '') + (a.cause ? ': ' + a.cause : '') : 'no result'))));
        box.append(el('div', {class: 'muted'}, v.attempts.length === 1 ? 'one attempt' : v.attempts.length + ' attempts (' + (v.attempts.length - 1) + (v.attempts.length === 2 ? ' retry)' : ' retries)')), t);
      }
      for (const f of v.failures) if (f.error !== undefined) field(box, 'failure', f.error + (f.cause ? ': ' + f.cause : ''));
      if (v.starts > 1) box.append(el('div', {class: 'muted'}, 'started ' + v.starts + ' times (retried)'));
      if (v.iterations.length) box.append(el('div', {class: 'muted'}, iterationCounts(v)));
      field(box, 'output', v.output);
      if (!v.exited) { field(box, 'error', v.error); field(box, 'cause', v.cause); }
      panel.append(box);
    }
  };
  document.addEventListener('click', e => {
    const t = e.target.closest && e.target.closest('[data-state]');
    if (t) show(t.getAttribute('data-state'));
  });

  // Map runs: counts by status, the slowest iterations, the failed ones.
  function iterationCounts(v) {
    const c = {Succeeded: 0, Failed: 0, Aborted: 0, Running: 0};
    for (const it of v.iterations) if (it) c[it.status || 'Running']++;
    return (v.length !== undefined ? v.length : v.iterations.length) + ' items: ' + c.Succeeded + ' succeeded, ' +
           c.Failed + ' failed, ' + c.Aborted + ' aborted' + (c.Running ? ', ' + c.Running + ' unfinished' : '');
  }
  const mapsBox = document.getElementById('maps');
  for (const v of maps.slice(0, 50)) {
    const box = el('div', {class: 'visit'}, el('b', {'data-state': v.name}, v.name), ' (entered at event #' + v.id + '): ' + iterationCounts(v));
    const its = v.iterations.filter(it => it && it.end !== undefined);
    const slow = its.slice().sort((a, b) => (b.end - b.start) - (a.end - a.start)).slice(0, 5);
    if (slow.length) box.append(el('div', {}, 'slowest: ' + slow.map(it => '#' + it.index + ' ' + ms(it.end - it.start)).join(', ')));
    const failed = its.filter(it => it.status === 'Failed');
    if (failed.length) {
      const ul = el('ul');
      for (const it of failed.slice(0, 100)) ul.append(el('li', {}, 'item #' + it.index + ': failed' + (it.at ? ' in ' + it.at : '') +
        (it.error !== undefined ? ' (' + it.error + (it.cause ? ': ' + it.cause : '') + ')' : '')));
      if (failed.length > 100) ul.append(el('li', {}, (failed.length - 100) + ' more'));
      box.append(el('div', {}, 'failed:'), ul);
    }
    mapsBox.append(box);
  }
  if (!maps.length) document.getElementById('maps-title').remove();

  // The events, as the console's table lists them (the first 2,000 until asked).
  const table = document.getElementById('events');
  const rows = n => {
    const frag = document.createDocumentFragment();
    for (const e of ev.slice(table.rows.length - 1, n)) {
      let d = JSON.stringify(details(e));
      if (d.length > 400) d = d.slice(0, 400) + '\u2026';
      frag.append(el('tr', {class: /Failed|TimedOut|Aborted/.test(e.type) ? 'fail' : ''}, el('td', {}, String(e.id)),
        el('td', {}, String(e.previousEventId)), el('td', {}, e.type),
        el('td', {}, e.timestamp.replace(/^.*T/, '')), el('td', {class: 'details'}, d === '{}' ? '' : d)));
    }
    table.append(frag);
  };
  rows(2000);
  if (ev.length > 2000) {
    const more = el('button', {}, 'show all ' + ev.length + ' events');
    more.onclick = () => { rows(ev.length); more.remove(); };
    table.after(more);
  }
})();
