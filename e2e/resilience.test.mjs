// Bad networks and bad servers: the live stream drops and comes back (backoff, a "not live"
// sentence, nothing frozen), and a failing server reaches the driver as a plain sentence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchChromium, PHONE, openPage } from './lib.mjs';

const TOKEN = 'resilience-token';
let browser;
const dir = mkdtempSync(join(tmpdir(), 'cf-resilience-'));
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); rmSync(dir, { recursive: true, force: true }); });

const liveText = (page) => page.textContent('[data-testid="live-state"]');

test('the live stream drops and comes back: the driver is told, the page keeps working, changes arrive again', async () => {
  const db = join(dir, 'db.sqlite');
  const env = { CHARGEFINDER_CPO_TOKEN: TOKEN };
  let server = await startServer({ db, env });
  const addr = new URL(server.url).host;
  const { context, page, errors } = await openPage(browser);
  await page.goto(server.url + '/');
  await page.waitForSelector('[data-testid="station"]', { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="live-state"]')?.textContent === 'Live', null, { timeout: 10_000 });
  await server.stop();
  await page.waitForFunction(() => /Reconnecting/.test(document.querySelector('[data-testid="live-state"]')?.textContent), null, { timeout: 5_000 });
  assert.match(await liveText(page), /Reconnecting… status as of \d\d:\d\d, next try in \d+ s/);
  // Not frozen: a filter still changes the list at once (it is computed on the device).
  const first = await page.getAttribute('[data-testid="station"]', 'data-id');
  await page.check('[data-testid="plug-CHADEMO"]');
  await page.waitForFunction((id) => document.querySelector('[data-testid="station"]')?.dataset.id !== id, first, { timeout: 2_000 });
  await page.uncheck('[data-testid="plug-CHADEMO"]');
  // The same server comes back on the same address and database.
  server = await startServer({ db, env: { ...env, CHARGEFINDER_ADDR: addr } });
  await page.waitForFunction(() => document.querySelector('[data-testid="live-state"]')?.textContent === 'Live', null, { timeout: 40_000 });
  // And a change made now reaches the list.
  const id = await page.getAttribute('[data-testid="station"]', 'data-id');
  const loc = (await (await fetch(`${server.url}/ocpi/2.2.1/locations/${encodeURIComponent(id)}`)).json()).data;
  const evse = loc.evses[0];
  const next = evse.status === 'OUTOFORDER' ? 'AVAILABLE' : 'OUTOFORDER';
  const before = await page.textContent(`[data-testid="station"][data-id="${id}"] [data-testid="available"]`);
  const res = await fetch(`${server.url}/ocpi/2.2.1/locations/${loc.country_code}/${loc.party_id}/${encodeURIComponent(id)}/${encodeURIComponent(evse.uid)}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Token ${Buffer.from(TOKEN).toString('base64')}` },
    body: JSON.stringify({ status: next, last_updated: new Date(Date.now() + 5000).toISOString() }),
  });
  assert.equal(res.status, 200);
  await page.waitForFunction(([sid, text]) => {
    const el = document.querySelector(`[data-testid="station"][data-id="${CSS.escape(sid)}"] [data-testid="available"]`);
    return el && el.textContent !== text;
  }, [id, before], { timeout: 5_000 });
  assert.deepEqual(errors, []);
  await context.close();
  await server.stop();
});

test('a server error reaches the driver as a plain sentence, not a blank screen', async () => {
  const server = await startServer({});
  const context = await browser.newContext({ ...PHONE });
  // Fault injection (named as such): the station download answers 500. Nothing else is faked.
  await context.route('**/api/stations', (route) => route.fulfill({ status: 500, body: 'boom' }));
  const page = await context.newPage();
  await page.goto(server.url + '/');
  const alert = await page.waitForSelector('[role="alert"]', { timeout: 10_000 });
  assert.equal(await alert.textContent(), 'The chargefinder server answered with an error (500). Please try again later.');
  await context.close();
  await server.stop();
});
