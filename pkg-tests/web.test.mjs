// The `web` target of the package, loaded in headless Chromium as a page would load it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import fixture from './fixture.cjs';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..', 'pkg');
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
  import init, { ChargeFinder, Filter } from '/web/chargefinder.js';
  await init();
  const rows = await (await fetch('/rows.json')).json();
  const core = ChargeFinder.fromStations(rows);
  const ANY = new Filter();
  const result = { length: core.length, ids: core.nearestStations(52.0116, 4.3571, 10, undefined, new Filter({ plugs: ['TYPE2_SOCKET', 'CCS2'] })).map((h) => h.id) };
  try { core.nearest(91, 0, undefined, undefined, ANY); } catch (e) { result.errorName = e.name; }
  // inBbox is the wrapper appended to the glue (bind/in-bbox.js): ids, and the checked path's error.
  result.bbox = [...core.inBbox(4.3, 52.0, 4.4, 52.03, ANY)].map((i) => core.station(i).id).sort();
  try { core.inBbox(4.3, NaN, 4.4, 52.03, ANY); } catch (e) { result.bboxError = e.name; }
  // The second module, loaded only when OCPI JSON has to be read.
  const ocpi = await import('/ocpi/web/chargefinder.js');
  await ocpi.default();
  const feed = await (await fetch('/feed.json')).json();
  const cf = ocpi.ChargeFinder.fromOcpi(feed);
  result.ocpi = { length: cf.length, ids: cf.nearestStations(52.0116, 4.3571, 10, undefined, new ocpi.Filter({ plugs: ['TYPE2_SOCKET', 'CCS2'] })).map((h) => h.id),
    bbox: [...cf.inBbox(4.3, 52.0, 4.4, 52.03, new ocpi.Filter())].map((i) => cf.station(i).id).sort() };
  window.result = result; // last: the test waits for it
</script>`;

let server, browser, url;
before(async () => {
  server = createServer(async (req, res) => {
    if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (req.url === '/rows.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(fixture.SMALL_ROWS));
    if (req.url === '/feed.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(fixture.SMALL));
    try {
      const body = await readFile(join(PKG, req.url.replace(/\.\./g, '')));
      res.writeHead(200, { 'content-type': TYPES[extname(req.url)] ?? 'application/octet-stream' }).end(body);
    } catch { res.writeHead(404).end(); }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
});
after(async () => { await browser?.close(); server?.close(); });

test('the web target of both modules runs in Chromium', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  const result = await page.waitForFunction(() => window.result, null, { timeout: 20_000 }).then((h) => h.jsonValue());
  assert.deepEqual(result, { length: 3, ids: ['AC', 'DC'], errorName: 'ChargeFinderArgumentError', bbox: ['AC', 'BROKEN', 'DC'], bboxError: 'ChargeFinderArgumentError', ocpi: { length: 3, ids: ['AC', 'DC'], bbox: ['AC', 'BROKEN', 'DC'] } });
  assert.deepEqual(errors, []);
});
