// "Where am I": towns, streets, station names and coordinates, from our own data; the list
// then shows exactly what the core computes natively for that point.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchChromium, nativeNearest, PHONE, ROOT, stayLocal } from './lib.mjs';

const SHOTS = join(ROOT, 'docs', 'screenshots');
let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({}), launchChromium()]); });
after(async () => { await browser?.close(); await server?.stop(); });

async function open() {
  const context = await browser.newContext({ ...PHONE });
  const outside = await stayLocal(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '/');
  await page.waitForSelector('[data-testid="station"]', { timeout: 30_000 });
  return { context, page, errors, outside };
}
const listIds = (page) => page.$$eval('[data-testid="station"]', (els) => els.map((e) => e.dataset.id));

test('places come from our own data: towns and streets with their stations’ centroid', async () => {
  const places = await (await fetch(`${server.url}/api/places`)).json();
  const groningen = places.find(([name, kind]) => name === 'Groningen' && kind === 0);
  assert.ok(groningen, 'Groningen is a town');
  assert.ok(groningen[4] > 100, 'with its stations counted');
  assert.ok(Math.abs(groningen[2] - 53.22) < 0.1 && Math.abs(groningen[3] - 6.57) < 0.15);
  assert.ok(places.some(([name, kind]) => kind === 1 && name.endsWith(', Delft')), 'streets read "Street, Town"');
});

test('search a town: the map and the list go there, as the core computes natively', async () => {
  const { context, page, errors, outside } = await open();
  const places = await (await fetch(`${server.url}/api/places`)).json();
  const [, , lat, lon] = places.find(([name, kind]) => name === 'Groningen' && kind === 0);
  await page.fill('[data-testid="search"]', 'groning');
  await page.waitForSelector('[data-testid="search-results"] button', { timeout: 3_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="search-results"] button .cf-search__name')?.textContent === 'Groningen',
    null, { timeout: 5_000 });
  await page.screenshot({ path: join(SHOTS, 'search-390x844.png') });
  await page.click('[data-testid="search-results"] button');
  const expected = nativeNearest(lat, lon, 10).map((r) => r.id);
  await page.waitForFunction((ids) => JSON.stringify([...document.querySelectorAll('[data-testid="station"]')].map((e) => e.dataset.id)) === JSON.stringify(ids),
    expected, { timeout: 5_000 });
  const url = new URL(page.url());
  assert.equal(Number(url.searchParams.get('lat')).toFixed(3), lat.toFixed(3));
  assert.equal(url.searchParams.get('z'), '13');
  assert.deepEqual(outside, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('coordinates and Enter; a station by name opens it', async () => {
  const { context, page, errors } = await open();
  await page.fill('[data-testid="search"]', '53,2194; 6,5665');
  await page.press('[data-testid="search"]', 'Enter');
  const expected = nativeNearest(53.2194, 6.5665, 10).map((r) => r.id);
  await page.waitForFunction((ids) => JSON.stringify([...document.querySelectorAll('[data-testid="station"]')].map((e) => e.dataset.id)) === JSON.stringify(ids),
    expected, { timeout: 5_000 });
  assert.deepEqual(await listIds(page), expected);
  const name = nativeNearest(52.0116, 4.3571, 1)[0].name;
  await page.fill('[data-testid="search"]', name);
  await page.waitForSelector('[data-testid="search-results"] button', { timeout: 3_000 });
  const hits = await page.$$eval('[data-testid="search-results"] button .cf-search__name', (els) => els.map((e) => e.textContent));
  assert.ok(hits.includes(name), `${name} in ${hits}`);
  await page.click(`[data-testid="search-results"] button:has-text("${name.replace(/"/g, '\\"')}")`);
  await page.waitForSelector('[data-testid="station-screen"]', { timeout: 2_000 });
  assert.deepEqual(errors, []);
  await context.close();
});
