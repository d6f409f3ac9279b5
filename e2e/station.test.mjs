// The station screen in headless Chromium at phone size: opened by click, by keyboard alone and
// by link; its details equal the server's OCPI object; languages; report a problem end to end;
// hostile names shown as text; a server that is gone gives a plain sentence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchChromium, PHONE, ROOT } from './lib.mjs';

const SHOTS = join(ROOT, 'docs', 'screenshots');
const TOKEN = 'station-test-token';
const AUTH = { authorization: `Token ${Buffer.from(TOKEN).toString('base64')}` };
let server, browser;
before(async () => {
  [server, browser] = await Promise.all([startServer({ env: { CHARGEFINDER_CPO_TOKEN: TOKEN } }), launchChromium()]);
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => { await browser?.close(); await server?.stop(); });

async function ocpi(id) {
  const res = await fetch(`${server.url}/ocpi/2.2.1/locations/${encodeURIComponent(id)}`);
  assert.equal(res.status, 200);
  return (await res.json()).data;
}

/** The connector power the core derives (kW): max_electric_power, else V × A × phases. */
function powerKw(c) {
  if (c.max_electric_power > 0) return c.max_electric_power / 1000;
  const phases = c.power_type === 'AC_3_PHASE' ? 3 : c.power_type === 'AC_2_PHASE' ? 2 : 1;
  return (c.max_voltage * c.max_amperage * phases) / 1000;
}

async function newPage(options = {}) {
  const context = await browser.newContext({ ...PHONE, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  return { context, page, problems };
}

async function firstListed(page) {
  await page.waitForSelector('[data-testid="station"]', { timeout: 30_000 });
  return page.locator('[data-testid="station"]').first().getAttribute('data-id');
}

/** Opens the first station of the list by its link; `{ id, loc }` with its OCPI object. */
async function openFirstStation(page) {
  await page.goto(server.url + '/');
  const id = await firstListed(page);
  const loc = await ocpi(id);
  await page.goto(`${server.url}/?station=${encodeURIComponent(id)}`);
  await page.waitForSelector('[data-testid="evse"]');
  return { id, loc };
}

/** The screen shows what the OCPI object says: address, one item per EVSE, connector powers. */
async function assertDetails(page, loc) {
  await page.waitForSelector('[data-testid="evse"]', { timeout: 10_000 });
  const address = [loc.address, [loc.postal_code, loc.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  assert.equal(await page.textContent('[data-testid="station-address"]'), address);
  assert.equal(await page.textContent('[data-testid="station-name"]'), loc.name || loc.address);
  const shown = await page.$$eval('[data-testid="evse"]', (items) => items.map((li) => ({
    uid: li.dataset.uid,
    powers: [...li.querySelectorAll('[data-testid="connector"]')].map((c) => Number(c.dataset.powerKw)),
    status: li.querySelector('[data-testid="evse-status"]').dataset.status,
  })));
  assert.equal(shown.length, loc.evses.length, 'one item per EVSE');
  assert.deepEqual(shown.map((e) => e.uid), loc.evses.map((e) => e.uid));
  shown.forEach((e, i) => {
    const want = loc.evses[i].connectors.map(powerKw);
    assert.equal(e.powers.length, want.length, `${e.uid}: connectors`);
    e.powers.forEach((p, j) => assert.ok(Math.abs(p - want[j]) < 0.01, `${e.uid}/${j}: ${p} vs ${want[j]}`));
    assert.ok(['available', 'occupied', 'out-of-order', 'unknown'].includes(e.status));
  });
  if (loc.operator?.name) assert.match(await page.textContent('[data-testid="station-operator"]'), new RegExp(loc.operator.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
}

const activeId = (page) => page.evaluate(() => document.activeElement?.id ?? '');
const activeStation = (page) => page.evaluate(() => document.activeElement?.closest('[data-testid="station"]')?.dataset.id ?? null);

test('a click opens the station: details equal the OCPI object, focus on the heading; back returns to the list and the link', async () => {
  const { context, page, problems } = await newPage();
  await page.goto(server.url + '/');
  const id = await firstListed(page);
  await page.locator('[data-testid="station"]').first().locator('[data-testid="name"]').click();
  await page.waitForSelector('[data-testid="station-screen"]');
  assert.equal(new URL(page.url()).searchParams.get('station'), id);
  await assertDetails(page, await ocpi(id));
  await page.waitForFunction(() => document.activeElement?.id === 'cf-station-title', null, { timeout: 2_000 });
  assert.ok(!(await page.isVisible('[data-testid="nearest-list"]')), 'the list is hidden behind the screen');
  // The live status has a word and an age.
  assert.match(await page.textContent('[data-testid="evse-status"]'), /Available|Occupied|Out of order|Status unknown/);
  assert.match(await page.textContent('[data-testid="station-hours"]'), /Open|Closed|not published/);
  await page.screenshot({ path: join(SHOTS, 'station-en-390x844.png') });
  await page.click('[data-testid="back"]');
  await page.waitForSelector('[data-testid="station-screen"]', { state: 'detached' });
  assert.ok(await page.isVisible('[data-testid="nearest-list"]'));
  assert.equal(new URL(page.url()).searchParams.get('station'), null);
  await page.waitForFunction((sid) => document.activeElement?.closest('[data-testid="station"]')?.dataset.id === sid, id, { timeout: 2_000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard only: Tab to a station, Enter opens it, Shift+Tab reaches back, Enter returns to the same link', async () => {
  const { context, page, problems } = await newPage();
  await page.goto(server.url + '/');
  const id = await firstListed(page);
  // The first stop jumps past the map's markers to the list.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'skip');
  await page.keyboard.press('Enter');
  let tabs = 0;
  while ((await activeStation(page)) !== id) {
    await page.keyboard.press('Tab');
    assert.ok(++tabs < 40, 'the first station link is reachable by Tab');
  }
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="station-screen"]');
  await page.waitForFunction(() => document.activeElement?.id === 'cf-station-title', null, { timeout: 2_000 });
  await assertDetails(page, await ocpi(id));
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'back');
  // Every control of the screen is reachable by Tab (directions, share, the report form).
  const reached = new Set();
  await page.focus('#cf-station-title');
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const t = await page.evaluate(() => document.activeElement?.dataset.testid);
    if (t) reached.add(t);
    if (t === 'report-send') break;
  }
  for (const t of ['directions', 'share', 'report-kind', 'report-evse', 'report-text', 'report-send']) assert.ok(reached.has(t), `${t} reachable`);
  await page.focus('[data-testid="back"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="station-screen"]', { state: 'detached' });
  await page.waitForFunction((sid) => document.activeElement?.closest('[data-testid="station"]')?.dataset.id === sid, id, { timeout: 2_000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a deep link opens the station directly, prices for my car as the server computes them; back goes to the list', async () => {
  const { context, page, problems } = await newPage();
  const car = 'vw-id3-pro';
  // The nearest station near Delft whose operator publishes a price that applies to this car.
  await page.goto(`${server.url}/?lat=52.0116&lon=4.3571&car=${car}`);
  await page.waitForSelector('[data-testid="station"]', { timeout: 30_000 });
  const ids = await page.$$eval('[data-testid="station"]', (items) => items.map((li) => li.dataset.id));
  let id, prices;
  for (const candidate of ids) {
    const p = await (await fetch(`${server.url}/api/locations/${encodeURIComponent(candidate)}/prices?vehicle=${car}&lang=en`)).json();
    if (p.connectors.some((c) => c.estimate)) { id = candidate; prices = p; break; }
  }
  assert.ok(id, `one of ${ids.length} nearby stations has a price for the car`);
  await page.goto(`${server.url}/?station=${encodeURIComponent(id)}&car=${car}`);
  await page.waitForSelector('[data-testid="station-screen"]');
  await assertDetails(page, await ocpi(id));
  assert.match(prices.plan.text, /20% to 80%/);
  await page.waitForFunction((t) => document.querySelector('[data-testid="price-plan"]')?.textContent === t, prices.plan.text, { timeout: 5_000 });
  const shownEstimates = await page.$$eval('[data-testid="price-estimate"]', (ps) => ps.map((p) => p.textContent));
  const wantEstimates = prices.connectors.filter((c) => c.estimate).map((c) => c.estimate.total_text);
  assert.equal(shownEstimates.length, wantEstimates.length);
  assert.ok(wantEstimates.length > 0);
  shownEstimates.forEach((s, i) => assert.ok(s.startsWith(`About ${wantEstimates[i]} for your car`), `${s} / ${wantEstimates[i]}`));
  assert.match(wantEstimates[0], /^€\d+\.\d\d/);
  await page.locator('[data-testid="price-estimate"]').first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'station-prices-390x844.png') });
  const words = await page.$$eval('[data-testid="price-words"]', (ps) => ps.map((p) => p.textContent));
  assert.deepEqual(words, prices.connectors.filter((c) => c.words).map((c) => `Price: ${c.words}`));
  // My car's power per connector.
  assert.match(await page.textContent('[data-testid="connector-car"]'), /for your car|does not fit your car/);
  await page.click('[data-testid="back"]');
  await page.waitForSelector('[data-testid="nearest-list"]', { state: 'visible' });
  assert.equal(new URL(page.url()).searchParams.get('station'), null);
  // The browser's back button too: open, then history back.
  await page.locator('[data-testid="station"]').first().locator('[data-testid="name"]').click();
  await page.waitForSelector('[data-testid="station-screen"]');
  await page.goBack();
  await page.waitForSelector('[data-testid="station-screen"]', { state: 'detached' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('directions hand off to the device’s maps; share copies the link (no Web Share here) and says so', async () => {
  const android = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';
  const { context, page, problems } = await newPage({ userAgent: android, permissions: ['clipboard-read', 'clipboard-write'] });
  const { id, loc } = await openFirstStation(page);
  const href = await page.getAttribute('[data-testid="directions"]', 'href');
  const [lat, lon] = [Number(loc.coordinates.latitude).toFixed(6), Number(loc.coordinates.longitude).toFixed(6)];
  assert.ok(href.startsWith(`geo:${lat},${lon}?q=${lat},${lon}(`), href);
  assert.equal(await page.evaluate(() => typeof navigator.share), 'undefined', 'headless Chromium on Linux has no Web Share: the copy path runs');
  await page.click('[data-testid="share"]');
  await page.waitForFunction(() => /Link copied/.test(document.querySelector('[data-testid="share-feedback"]')?.textContent ?? ''), null, { timeout: 2_000 });
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, `${server.url}/?station=${encodeURIComponent(id).replace(/\*/g, '%2A')}`);
  // The copied link opens the same station.
  const other = await context.newPage();
  await other.goto(copied);
  await other.waitForSelector('[data-testid="evse"]');
  assert.equal(await other.textContent('[data-testid="station-name"]'), loc.name || loc.address);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a status change pushed to the server reaches the open station screen, word and colour', async () => {
  const { context, page, problems } = await newPage();
  const { id, loc } = await openFirstStation(page);
  await page.waitForFunction(() => document.querySelector('[data-testid="live-state"]')?.textContent === 'Live', null, { timeout: 10_000 });
  const uid = loc.evses[0].uid;
  const item = `[data-testid="evse"][data-uid="${uid}"] [data-testid="evse-status"]`;
  const patch = (status, at) => fetch(`${server.url}/ocpi/2.2.1/locations/${loc.country_code}/${loc.party_id}/${encodeURIComponent(id)}/${encodeURIComponent(uid)}`, {
    method: 'PATCH', headers: { 'content-type': 'application/json', ...AUTH }, body: JSON.stringify({ status, last_updated: at.toISOString() }),
  });
  const t = Date.now() + 60_000; // later than anything stored
  assert.equal((await patch('OUTOFORDER', new Date(t))).status, 200);
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.status === 'out-of-order', item, { timeout: 2_000 });
  assert.equal(await page.textContent(item), 'Out of order');
  assert.match(await page.getAttribute(item, 'class'), /cf-evse-status--out-of-order/);
  assert.equal((await patch('CHARGING', new Date(t + 1000))).status, 200);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Occupied', item, { timeout: 2_000 });
  assert.equal((await patch(loc.evses[0].status, new Date(t + 2000))).status, 200);
  assert.deepEqual(problems, []);
  await context.close();
});

test('switching language changes the screen’s words', async () => {
  const { context, page, problems } = await newPage();
  const { id, loc } = await openFirstStation(page);
  assert.equal(await page.textContent('.cf-station-screen h3'), `Charge points (${loc.evses.length})`);
  await page.selectOption('[data-testid="lang"]', 'nl');
  await page.waitForFunction((n) => document.querySelector('.cf-station-screen h3')?.textContent === `Laadpunten (${n})`, loc.evses.length, { timeout: 2_000 });
  assert.match(await page.textContent('[data-testid="back"]'), /Terug naar de kaart/);
  assert.match(await page.textContent('[data-testid="evse-status"]'), /Beschikbaar|Bezet|Buiten gebruik|Status onbekend/);
  assert.match(await page.textContent('#cf-report-title'), /Probleem melden/);
  assert.match(await page.textContent('[data-testid="directions"]'), /Route/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, 'station-nl-390x844.png') });
  await page.selectOption('[data-testid="lang"]', 'de');
  await page.waitForFunction(() => /Problem melden/.test(document.querySelector('#cf-report-title')?.textContent ?? ''), null, { timeout: 2_000 });
  await page.selectOption('[data-testid="lang"]', 'fr');
  await page.waitForFunction(() => /Signaler un problème/.test(document.querySelector('#cf-report-title')?.textContent ?? ''), null, { timeout: 2_000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('report a problem: 201 and visible to the operator; bad input is 400 with a reason', async () => {
  const { context, page, problems } = await newPage();
  await page.goto(server.url + '/');
  const id = await firstListed(page);
  const loc = await ocpi(id);
  const since = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  await page.goto(`${server.url}/?station=${encodeURIComponent(id)}`);
  await page.waitForSelector('[data-testid="report-send"]');
  // Checked before sending, in the driver's words.
  await page.selectOption('[data-testid="report-kind"]', 'other');
  await page.click('[data-testid="report-send"]');
  await page.waitForSelector('[data-testid="report-result"][data-ok="false"]');
  assert.match(await page.textContent('[data-testid="report-result"]'), /describe the problem/);
  const text = 'Cable is damaged <b>near</b> the plug';
  await page.selectOption('[data-testid="report-evse"]', loc.evses[0].uid);
  await page.fill('[data-testid="report-text"]', text);
  await page.locator('[data-testid="report"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'station-report-form-390x844.png') });
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/reports')),
    page.click('[data-testid="report-send"]'),
  ]);
  assert.equal(res.status(), 201);
  const { id: reportId } = await res.json();
  await page.waitForSelector('[data-testid="report-result"][data-ok="true"]');
  assert.match(await page.textContent('[data-testid="report-result"]'), new RegExp(`Thank you\\. Your report \\(number ${reportId}\\)`));
  await page.locator('[data-testid="report"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'station-report-sent-390x844.png') });
  // The operator sees it, with the CPO token only.
  const list = await fetch(`${server.url}/api/operator/reports?since=${since}`, { headers: AUTH });
  assert.equal(list.status, 200);
  const mine = (await list.json()).reports.find((r) => r.id === reportId);
  assert.deepEqual({ ...mine, created: undefined }, { id: reportId, location_id: id, evse_uid: loc.evses[0].uid, kind: 'other', text, created: undefined });
  assert.equal((await fetch(`${server.url}/api/operator/reports`)).status, 401);
  assert.equal((await fetch(`${server.url}/api/operator/reports?since=yesterday`, { headers: AUTH })).status, 400);
  // Bad input straight at the API: 400 with a plain reason.
  const post = (body) => fetch(`${server.url}/api/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  for (const [body, why] of [
    [JSON.stringify({ location_id: id, kind: 'exploded', text: 'x' }), /kind must be/],
    [JSON.stringify({ location_id: id, kind: 'other', text: 'x'.repeat(1001) }), /at most 1000/],
    [JSON.stringify({ location_id: 'no-such-station', kind: 'broken' }), /No station/],
    [JSON.stringify({ location_id: id, evse_uid: 'no-such-evse', kind: 'broken' }), /no charge point/],
    ['not json', /must be JSON/],
  ]) {
    const r = await post(body);
    assert.equal(r.status, 400, body.slice(0, 60));
    assert.match((await r.json()).error, why);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('a station pushed with markup in its name shows it as text: no element, no dialog', async () => {
  const hostile = 'Laadplein <img src=x onerror=alert(1)> <script>alert(2)</script>';
  const now = new Date().toISOString();
  const loc = {
    country_code: 'NL', party_id: 'XSS', id: 'XSS-1', publish: true, name: hostile,
    address: 'Stationsplein <b>1</b>', city: 'Delft', postal_code: '2611 AB', country: 'NLD',
    coordinates: { latitude: '52.011700', longitude: '4.357200' }, time_zone: 'Europe/Amsterdam',
    operator: { name: '<img src=x onerror=alert(3)>' },
    opening_times: { twentyfourseven: false, regular_hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, period_begin: '00:00', period_end: '24:00' })) },
    evses: [{ uid: 'X1', evse_id: 'NL*XSS*E1<i>', status: 'AVAILABLE', last_updated: now, connectors: [
      { id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32, last_updated: now },
    ] }],
    last_updated: now,
  };
  const put = await fetch(`${server.url}/ocpi/2.2.1/locations/NL/XSS/XSS-1`, {
    method: 'PUT', headers: { 'content-type': 'application/json', ...AUTH }, body: JSON.stringify(loc),
  });
  assert.equal(put.status, 200, await put.text());
  assert.equal((await fetch(`${server.url}/ocpi/2.2.1/locations/NL/XSS/XSS-1`, { method: 'PUT', body: '{}' })).status, 401, 'the token is required');
  const { context, page, problems } = await newPage();
  // The new station is in the list the app downloads (it is the nearest to Delft station now).
  await page.goto(`${server.url}/?lat=52.01170&lon=4.35720`);
  await page.waitForSelector('[data-testid="station"][data-id="XSS-1"]', { timeout: 30_000 });
  assert.equal(await page.textContent('[data-testid="station"][data-id="XSS-1"] [data-testid="name"]'), hostile);
  await page.click('[data-testid="station"][data-id="XSS-1"] [data-testid="name"]');
  await page.waitForSelector('[data-testid="evse"]');
  assert.equal(await page.textContent('[data-testid="station-name"]'), hostile);
  assert.equal(await page.textContent('[data-testid="station-address"]'), 'Stationsplein <b>1</b>, 2611 AB Delft');
  assert.equal(await page.textContent('[data-testid="station-operator"]'), 'Operator: <img src=x onerror=alert(3)>');
  assert.equal(await page.textContent('[data-testid="station-hours"]'), 'Open now · today 00:00–24:00 (local time)');
  await assertDetails(page, loc);
  const elements = await page.evaluate(() => ({
    // Map tiles are images of ours; nothing else may be.
    img: document.querySelectorAll('.cf-app img:not(.leaflet-tile)').length,
    script: document.querySelectorAll('.cf-app script').length,
    b: document.querySelectorAll('.cf-app b, .cf-app i').length,
  }));
  assert.deepEqual(elements, { img: 0, script: 0, b: 0 });
  await page.waitForTimeout(300);
  assert.deepEqual(problems, [], 'no dialog, no error');
  await context.close();
});

test('a link to a station that does not exist says so, and the way back works', async () => {
  const { context, page, problems } = await newPage();
  await page.goto(`${server.url}/?station=no-such-station`);
  await page.waitForSelector('[data-testid="station-error"]', { timeout: 30_000 });
  assert.equal(await page.textContent('[data-testid="station-error"]'), 'This station is not (or no longer) in our data.');
  assert.equal((await fetch(`${server.url}/api/locations/no-such-station`)).status, 404);
  const bad = await fetch(`${server.url}/api/locations/no-such-station/prices?vehicle=not-a-car`);
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /not in the catalogue/);
  await page.click('[data-testid="back"]');
  await page.waitForSelector('[data-testid="nearest-list"]', { state: 'visible' });
  assert.deepEqual(problems, []);
  await context.close();
});


test('the server gone: opening a station says so in a plain sentence', async () => {
  const own = await startServer();
  const { context, page } = await newPage();
  try {
    await page.goto(own.url + '/');
    await firstListed(page);
    await own.stop();
    await page.locator('[data-testid="station"]').first().locator('[data-testid="name"]').click();
    await page.waitForSelector('[data-testid="station-error"]', { timeout: 10_000 });
    assert.match(await page.textContent('[data-testid="station-error"]'), /^We could not reach the chargefinder server, so this station’s details cannot be shown\./);
    assert.ok(await page.isVisible('[data-testid="back"]'), 'the way back is still there');
    await page.screenshot({ path: join(SHOTS, 'station-offline-390x844.png') });
  } finally {
    await context.close();
    await own.stop();
  }
});
