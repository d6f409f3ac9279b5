// The finder's payment, open-now, price and reliability filters in headless Chromium: each
// filter changes the list exactly as the core computes it natively for the same data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchChromium, nativeNearest, PHONE, ROOT } from './lib.mjs';

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

/** Waits until the list shows exactly `expected` (CLI rows), then checks the counts too. */
async function settle(page, expected) {
  const ids = expected.map((e) => e.id);
  await page.waitForFunction((want) => {
    const shown = [...document.querySelectorAll('[data-testid="station"]')].map((li) => li.dataset.id);
    return JSON.stringify(shown) === JSON.stringify(want);
  }, ids, { timeout: 10_000 }).catch(async () => assert.deepEqual(await shownIds(page), ids));
  const avail = await page.$$eval('[data-testid="available"]', (els) => els.map((e) => e.textContent));
  assert.deepEqual(avail, expected.map((e) => `${e.available} of ${e.matching} available`));
}

/** Unix seconds at the start of the current minute (the app tests "open now" there). */
const minute = () => Math.floor(Date.now() / 60_000) * 60;

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
  const context = await browser.newContext({ ...PHONE });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
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
