// The finder's payment, open-now, price and reliability filters in headless Chromium: each
// filter changes the list exactly as the core computes it natively for the same data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchChromium, nativeNearest, ROOT, openPage } from './lib.mjs';

const SHOTS = join(ROOT, 'docs', 'screenshots');
const TOKEN = 'finder-test-token';
const AUTH = { authorization: `Token ${TOKEN}` };
const DELFT = [52.0116, 4.3571];
let server, browser;
before(async () => {
  [server, browser] = await Promise.all([startServer({ env: { CHARGEFINDER_CPO_TOKEN: TOKEN } }), launchChromium()]);
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => { await browser?.close(); await server?.stop(); });

const shownIds = (page) => page.$$eval('[data-testid="station"]', (items) => items.map((li) => li.dataset.id));

/** Waits until the list shows exactly `expected` (CLI rows), then checks the counts too, and
 * with `prices` the price and reliability of each row. */
async function settle(page, expected, { prices = false } = {}) {
  const ids = expected.map((e) => e.id);
  await page.waitForFunction((want) => {
    const shown = [...document.querySelectorAll('[data-testid="station"]')].map((li) => li.dataset.id);
    return JSON.stringify(shown) === JSON.stringify(want);
  }, ids, { timeout: 10_000 }).catch(async () => assert.deepEqual(await shownIds(page), ids));
  const avail = await page.$$eval('[data-testid="available"]', (els) => els.map((e) => e.textContent));
  assert.deepEqual(avail, expected.map((e) => `${e.available} of ${e.matching} available`));
  if (!prices) return;
  const shown = await page.$$eval('[data-testid="station"]', (items) => items.map((li) => ({
    cents: li.querySelector('[data-testid="price"]')?.dataset.cents ?? null,
    text: li.querySelector('[data-testid="price"]')?.textContent ?? null,
    pct: li.querySelector('[data-testid="reliability"]')?.dataset.pct ?? null,
  })));
  shown.forEach((r, i) => {
    const e = expected[i];
    assert.equal(r.cents, e.min_price === null ? null : String(e.min_price), `${e.id} price`);
    assert.equal(r.pct, e.reliability_pct === null ? null : String(e.reliability_pct), `${e.id} reliability`);
    if (e.min_price !== null) assert.match(r.text, new RegExp(`^€${Math.floor(e.min_price / 100)}\\.${String(e.min_price % 100).padStart(2, '0')}/kWh`));
  });
}

/** Unix seconds at the start of the current minute (the app tests "open now" there). */
const minute = () => Math.floor(Date.now() / 60_000) * 60;

const TARIFFS = join(ROOT, 'data', 'nl', 'tariffs.json.gz');

test('price cap, price for my car and hide unreliable: exactly the core’s answer; screenshots', async () => {
  const res = await fetch(`${server.url}/api/stations`);
  const pricesAt = res.headers.get('x-prices-at');
  assert.ok(Number(pricesAt) > 1_700_000_000, `X-Prices-At ${pricesAt}`);
  await res.arrayBuffer();
  const native = (opts) => nativeNearest(...DELFT, 10, ['--tariffs', TARIFFS, '--price-at', pricesAt, ...opts]);
  const { context, page, errors } = await openPage(browser);
  await page.goto(server.url + '/');
  await page.waitForSelector('[data-testid="station"]', { timeout: 30_000 });
  const all = native([]);
  await settle(page, all, { prices: true });
  assert.ok(all.some((r) => r.min_price !== null) && all.some((r) => r.reliability_pct !== null), 'prices and reliability are shown');
  // A cap below most prices near Delft changes the list.
  await page.selectOption('[data-testid="max-price"]', '40');
  const capped = native(['--max-price', '40']);
  await settle(page, capped, { prices: true });
  assert.ok(capped.every((r) => r.min_price === null || r.min_price <= 40));
  await page.selectOption('[data-testid="max-price"]', '30');
  const cheap = native(['--max-price', '30']);
  await settle(page, cheap, { prices: true });
  assert.notDeepEqual(cheap.map((r) => r.id), all.map((r) => r.id), 'the cap filters here');
  // My car: the cheapest price among the EVSEs that fit it.
  await page.selectOption('[data-testid="max-price"]', '');
  await page.selectOption('[data-testid="vehicle"]', 'vw-id3-pro');
  await page.check('[data-testid="plug-CCS2"]');
  await settle(page, native(['--vehicle', 'vw-id3-pro', '--plugs', 'CCS2']), { prices: true });
  await page.uncheck('[data-testid="plug-CCS2"]');
  await page.selectOption('[data-testid="vehicle"]', '');
  await page.check('[data-testid="reliable"]');
  await settle(page, native(['--min-reliability', '80']), { prices: true });
  assert.ok(new URL(page.url()).search.includes('reliable=1'), page.url());
  await page.uncheck('[data-testid="reliable"]');
  await settle(page, all, { prices: true });
  // Screenshots at phone size: the filters with payment, open now and price; the list.
  await page.check('[data-testid="pay-app"]');
  await page.check('[data-testid="open-now"]');
  await page.selectOption('[data-testid="max-price"]', '50');
  await settle(page, native(['--pay-app', '--open-at', String(minute()), '--max-price', '50']), { prices: true });
  await page.locator('[data-testid="open-now"]').scrollIntoViewIfNeeded();
  await page.evaluate(() => document.querySelector('.cf-filters').scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(SHOTS, 'filters-payment-open-price.png') });
  await page.evaluate(() => document.querySelector('[data-testid="nearest-list"]').scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(SHOTS, 'list-price-reliability.png') });
  // The same controls in Dutch: labelled, and prices written the Dutch way.
  await page.selectOption('[data-testid="lang"]', 'nl');
  await page.waitForFunction(() => document.querySelector('[data-testid="price"]')?.textContent.startsWith('€ '), null, { timeout: 5_000 });
  assert.match(await page.textContent('.cf-pay-filter legend'), /Betalen/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('payment and open now: the list is exactly the core’s answer; a station closed now disappears', async () => {
  // A station at Delft station that is closed now: open only on the weekday after tomorrow
  // (Amsterdam time), with no payment capabilities, so the payment filters hide it too.
  const now = new Date().toISOString();
  const wd = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', weekday: 'short' }).format(new Date());
  const today = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(wd) + 1;
  const loc = {
    country_code: 'NL', party_id: 'FND', id: 'CLOSED-1', publish: true, name: 'Closed garage',
    address: 'Stationsplein 2', city: 'Delft', postal_code: '2611 AB', country: 'NLD',
    coordinates: { latitude: '52.011600', longitude: '4.357100' }, time_zone: 'Europe/Amsterdam',
    opening_times: { twentyfourseven: false, regular_hours: [{ weekday: ((today + 1) % 7) + 1, period_begin: '08:00', period_end: '18:00' }] },
    evses: [{ uid: 'C1', status: 'AVAILABLE', last_updated: now, connectors: [
      { id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 16, last_updated: now },
    ] }],
    last_updated: now,
  };
  const put = await fetch(`${server.url}/ocpi/2.2.1/locations/NL/FND/CLOSED-1`, {
    method: 'PUT', headers: { 'content-type': 'application/json', ...AUTH }, body: JSON.stringify(loc),
  });
  assert.equal(put.status, 200, await put.text());
  const { context, page, errors } = await openPage(browser);
  await page.goto(server.url + '/');
  await page.waitForSelector('[data-testid="station"][data-id="CLOSED-1"]', { timeout: 30_000 });
  assert.equal((await shownIds(page))[0], 'CLOSED-1', 'without filters the closed station is the nearest');

  await page.check('[data-testid="open-now"]');
  await settle(page, nativeNearest(...DELFT, 10, ['--open-at', String(minute())]));
  await page.uncheck('[data-testid="open-now"]');
  await page.check('[data-testid="pay-app"]');
  const app = nativeNearest(...DELFT, 10, ['--pay-app']);
  await settle(page, app);
  await page.uncheck('[data-testid="pay-app"]');
  await page.check('[data-testid="pay-card"]');
  const card = nativeNearest(...DELFT, 10, ['--pay-card']);
  await settle(page, card);
  // Card payment really filters here (it is not a no-op that happens to agree).
  assert.notDeepEqual(card.map((r) => r.id), app.map((r) => r.id));
  await page.check('[data-testid="pay-app"]');
  await page.check('[data-testid="open-now"]');
  await settle(page, nativeNearest(...DELFT, 10, ['--pay-app', '--pay-card', '--open-at', String(minute())]));
  assert.ok(new URL(page.url()).search.includes('app=1&card=1&open=1'), page.url());
  // A link reproduces the filters.
  await page.goto(`${server.url}/?app=1&card=1&open=1`);
  await page.waitForSelector('[data-testid="station"]', { timeout: 30_000 });
  assert.ok(await page.isChecked('[data-testid="pay-card"]'));
  assert.ok(await page.isChecked('[data-testid="open-now"]'));
  await settle(page, nativeNearest(...DELFT, 10, ['--pay-app', '--pay-card', '--open-at', String(minute())]));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the download carries the payment capabilities in the short EVSE form', async () => {
  const res = await fetch(`${server.url}/api/stations`);
  assert.equal(res.status, 200);
  const evses = (await res.json()).flatMap((r) => r[5]);
  assert.ok(evses.every((e) => typeof e[0] === 'number'), 'no uids in the download');
  // Most NL EVSEs can be started from an app (bit 7), about a quarter take a credit card (bit 4).
  const app = evses.filter((e) => ((e[3] ?? 0) & 128) !== 0).length;
  const card = evses.filter((e) => ((e[3] ?? 0) & 16) !== 0).length;
  assert.ok(app > evses.length * 0.9 && card > evses.length * 0.2 && card < evses.length * 0.4, `${app} ${card} of ${evses.length}`);
});

test('map pins follow the same filters: each station pin is the core’s answer for that station, none is missing', async () => {
  const rows = await (await fetch(`${server.url}/api/stations`)).json();
  const pos = new Map(rows.map((r) => [r[0], [r[2], r[3]]]));
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${server.url}/?lat=${DELFT[0]}&lon=${DELFT[1]}&z=14`);
  await page.waitForSelector('[data-testid="map"][data-bbox] [data-pin]', { timeout: 30_000 });
  const cases = [
    [[], []],
    [['pay-card'], ['--pay-card']],
    [['pay-app', 'open-now'], ['--pay-app', '--open-at', String(minute())]],
    [['reliable'], ['--min-reliability', '80']],
  ];
  let changed = false;
  let before = null;
  for (const [boxes, opts] of cases) {
    for (const id of ['pay-card', 'pay-app', 'open-now', 'reliable']) await page.setChecked(`[data-testid="${id}"]`, boxes.includes(id));
    // The core's answer around the map's centre, far enough to cover the whole viewport.
    const native = nativeNearest(...DELFT, 1500, opts);
    const bbox = (await page.getAttribute('[data-testid="map"]', 'data-bbox')).split(',').map(Number);
    const [w, s, e, n] = bbox;
    const farthest = native.at(-1).distance_m;
    assert.ok(farthest > 111_000 * Math.max(n - s, (e - w) * Math.cos((DELFT[0] * Math.PI) / 180)), 'the native answer covers the viewport');
    const inside = (id, m) => { const [la, lo] = pos.get(id); return la > s + m && la < n - m && lo > w + m && lo < e - m; };
    const byId = new Map(native.map((r) => [r.id, r]));
    const want = (r) => `${r.available} of ${r.matching} available`;
    // Nothing missing: the pins hold every matching station well inside the box, and nothing
    // from beyond the cells the box touches (a cell at z14 is under 0.006°).
    const strictly = native.filter((r) => inside(r.id, 0.006)).length;
    const loosely = native.filter((r) => inside(r.id, -0.006)).length;
    // The pins settle on the new filter: every station pin is a matching station with the core's
    // counts, and the pins hold as many stations as the box should.
    const pins = await page.waitForFunction(([expected, lo, hi]) => {
      const all = [...document.querySelectorAll('[data-testid="map"] [data-pin]')].map((p) => ({
        kind: p.dataset.pin, id: p.dataset.station ?? null, n: Number(p.dataset.stations), label: p.getAttribute('aria-label'),
      }));
      const ok = all.filter((p) => p.kind === 'station').every((p) => expected[p.id] && p.label.endsWith(expected[p.id]));
      const total = all.reduce((a, p) => a + p.n, 0);
      return ok && total >= lo && total <= hi ? all : null;
    }, [Object.fromEntries(native.map((r) => [r.id, want(r)])), strictly, loosely], { timeout: 10_000 }).then((h) => h.jsonValue()).catch(async (err) => {
      const shown = await page.$$eval('[data-testid="map"] [data-pin]', (ps) => ps.map((p) => [p.dataset.pin, p.dataset.station, p.getAttribute('aria-label'), Number(p.dataset.stations)]));
      const wrong = shown.filter(([k, id, label]) => k === 'station' && !(byId.has(id) && label.endsWith(want(byId.get(id)))));
      const total = shown.reduce((a, p) => a + p[3], 0);
      throw new Error(`pins (${opts.join(' ')}): ${shown.length} holding ${total} stations (${strictly}..${loosely} expected); not the core's answer: ${JSON.stringify(wrong.slice(0, 5).map(([, id, l]) => [id, l, byId.get(id) && want(byId.get(id))]))}; ${err}`);
    });
    const stationPins = pins.filter((p) => p.kind === 'station');
    for (const p of stationPins) assert.ok(byId.has(p.id) && p.label.endsWith(want(byId.get(p.id))), `${p.id}: ${p.label}`);
    const total = pins.reduce((a, p) => a + p.n, 0);
    assert.ok(total >= strictly && total <= loosely, `${total} stations on pins; ${strictly}..${loosely} expected (${opts.join(' ')})`);
    for (const r of native.filter((r) => inside(r.id, 0.006))) {
      if (stationPins.length === pins.length) assert.ok(stationPins.some((p) => p.id === r.id), `${r.id} has a pin`);
    }
    if (before !== null && before !== total) changed = true;
    before = total;
  }
  assert.ok(changed, 'the filters change the pins here');
  assert.deepEqual(errors, []);
  await context.close();
});
