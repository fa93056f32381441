// browser.js — drives headless Chromium through playwright-core (npm) for
// tests/check_report.py: opens a --report page, screenshots it, clicks a
// state and reports what its panel then says; screenshots an SVG too.
//   node browser.js PLAYWRIGHT_DIR CHROMIUM REPORT.html GRAPH.svg OUTDIR STATE [MAP_REPORT.html]
// Prints one JSON object: {panel, states, rows, maps, shots: [...], errors: [...]}.
'use strict';
const path = require('path');
const [pwDir, chromium, report, svg, outDir, state, mapReport] = process.argv.slice(2);
const { chromium: browserType } = require(path.join(pwDir, 'playwright-core'));

(async () => {
  const browser = await browserType.launch({ executablePath: chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const result = { shots: [], errors: [] };
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    page.on('pageerror', e => result.errors.push(String(e)));
    page.on('request', r => { if (!r.url().startsWith('file:')) result.errors.push('fetched ' + r.url()); });
    await page.goto('file://' + report);
    const shot = path.join(outDir, 'report.png');
    await page.screenshot({ path: shot, fullPage: false });
    result.shots.push(shot);
    const node = page.locator('g[data-state="' + state + '"]');
    result.classes = await node.getAttribute('class');
    await node.click();
    result.panel = await page.locator('#panel').innerText();
    const clicked = path.join(outDir, 'report-clicked.png');
    await page.screenshot({ path: clicked, fullPage: false });
    result.shots.push(clicked);
    const states = await page.locator('#picture g[data-state]').evaluateAll(
      gs => gs.map(g => [g.getAttribute('data-state'), g.getAttribute('class')]));
    result.states = Object.fromEntries(states);
    result.rows = await page.locator('#events tr').count();
    const pic = await browser.newPage({ viewport: { width: 520, height: 540 } });
    await pic.goto('file://' + svg);
    const svgShot = path.join(outDir, 'graph.png');
    await pic.screenshot({ path: svgShot });
    result.shots.push(svgShot);
    if (mapReport) {
      const mp = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
      mp.on('pageerror', e => result.errors.push(String(e)));
      await mp.goto('file://' + mapReport);
      result.maps = await mp.locator('#maps').innerText();
      result.map_states = Object.fromEntries(await mp.locator('#picture g[data-state]').evaluateAll(
        gs => gs.map(g => [g.getAttribute('data-state'), g.getAttribute('class')])));
    }
  } catch (e) {
    result.errors.push(String(e && e.stack || e));
  }
  await browser.close();
  process.stdout.write(JSON.stringify(result) + '\n');
})();
