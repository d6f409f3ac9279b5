// The paying driver's path in the app, in headless Chromium at phone size, against the real
// server and a real localstripe (whose Stripe.js the app loads from /api/config's js_url).
// Screenshots of every step go to docs/screenshots/charge-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchChromium, PHONE, ROOT, axe } from './lib.mjs';
import { startLocalstripe, stripeEnv, findCandidates } from './stripe.mjs';

const SHOTS = join(ROOT, 'docs', 'screenshots');
let ls, server, browser, candidates;
const CPO_TOKEN = 'charge-app-test-token';

before(async () => {
  ls = await startLocalstripe();
  // 20× real time: the car "plugs in" a second after the start, so the waiting screen is seen.
  // Test control: a start the network never answers, so the waiting screen stays to cancel.
  server = await startServer({ env: { ...stripeEnv(ls), CHARGEFINDER_NETWORK_SPEED: '20', CHARGEFINDER_NETWORK_TEST_CONTROL: '1', CHARGEFINDER_CPO_TOKEN: CPO_TOKEN } });
  candidates = await findCandidates(server.url);
  assert.ok(candidates.length >= 5);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await ls?.stop();
});

/**
 * Picks the connector with one tap and waits for its price. (The quote is fetched from a debug
 * server on a shared machine: it may take seconds, so the wait is long, but there is one tap.)
 */
/** A page that keeps what the app said on the console (errors, panics): failures print it. */
async function newPage(context) {
  const page = await context.newPage();
  page.consoleLog = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') page.consoleLog.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => page.consoleLog.push(`pageerror: ${e}`));
  return page;
}

async function pickConnector(page, evse) {
  const button = page.locator(`[data-testid=connector][data-evse="${evse}"]`);
  await button.click();
  try {
    await page.getByTestId('hold').waitFor({ timeout: 20_000 });
  } catch (e) {
    const selected = await button.evaluate((b) => b.classList.contains('cf-selected')).catch(() => 'gone');
    const screen = await page.getByTestId('charge-screen').innerText().catch(() => '(no charge screen)');
    throw new Error(`no price after one tap (tap registered: ${selected}; url ${page.url()}); the screen says:\n${screen}\nconsole:\n${(page.consoleLog ?? []).join('\n')}\n${e}`);
  }
}

async function fillCard(page, number) {
  // localstripe's card element: plain inputs inside the element's mount point.
  const el = page.getByTestId('card-element');
  await el.locator('input[placeholder=number]').waitFor({ timeout: 20_000 });
  await el.locator('input[placeholder=number]').fill(number);
  await el.locator('input[placeholder=exp_month]').fill('12');
  await el.locator('input[placeholder=exp_year]').fill('30');
  await el.locator('input[placeholder=cvc]').fill('123');
  await el.locator('input[placeholder=postal_code]').fill('2611');
}

test('pay and charge from the app: connector, price and hold, card, plug in, live, reload, stop, receipt', async () => {
  const where = candidates[0];
  const context = await browser.newContext({ ...PHONE });
  const page = await newPage(context);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  // From the station screen.
  await page.goto(`${server.url}/?station=${encodeURIComponent(where.location_id)}`);
  await page.getByTestId('charge-here').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'charge-0-station-entry-390x844.png') });
  await page.getByTestId('charge-here').click();
  await page.getByTestId('charge-screen').waitFor();
  // The payment screens are a page of their own on our origin (the finder's wasm does not carry them).
  assert.match(page.url(), /\/charge\/\?charge=[^&]+&lang=en/);
  await pickConnector(page, where.evse_uid);
  assert.match(await page.getByTestId('tariff').textContent(), /kWh/);
  assert.match(await page.getByTestId('estimate').textContent(), /€\d+\.\d\d to charge .* from 20% to full/);
  const holdText = await page.getByTestId('hold').textContent();
  assert.match(holdText, /We hold €\d+\.00 on your card/);
  await fillCard(page, '4242424242424242');
  await page.screenshot({ path: join(SHOTS, 'charge-1-price-card-390x844.png'), fullPage: true });

  await page.getByTestId('confirm').click();
  await page.getByTestId('session-screen').waitFor();
  await page.locator('[data-testid=session-state][data-state=starting]').waitFor({ timeout: 10_000 });
  // While the charger starts, the driver can cancel.
  assert.equal(await page.getByTestId('cancel').isVisible(), true);
  await page.screenshot({ path: join(SHOTS, 'charge-2-plug-in-390x844.png') });
  await page.locator('[data-testid=session-state][data-state=active]').waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=kwh]')?.textContent) > 0.05);
  assert.match(await page.getByTestId('kw').textContent(), /^\d+(\.\d+)?$/);
  assert.match(await page.getByTestId('cost').textContent(), /^€\d+\.\d\d$/);
  await page.screenshot({ path: join(SHOTS, 'charge-3-live-390x844.png') });
  assert.deepEqual(await axe(page), [], 'live session screen');

  // A reload (or coming back later, to the finder) restores the live screen.
  await page.goto(`${server.url}/`);
  await page.waitForURL(/\/charge\/\?session=/);
  await page.locator('[data-testid=session-state][data-state=active]').waitFor({ timeout: 30_000 });
  // Charge past the card minimum (€0.50), so the capture is a real one.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=cost]')?.textContent.replace('€', '')) >= 0.6, null, { timeout: 90_000 });

  await page.getByTestId('stop').click();
  await page.getByTestId('receipt').waitFor({ timeout: 20_000 });
  const total = await page.getByTestId('receipt-total').textContent();
  const paid = await page.getByTestId('receipt-paid').textContent();
  assert.match(total, /^€\d+\.\d\d$/);
  assert.equal(paid, total);
  await page.screenshot({ path: join(SHOTS, 'charge-4-receipt-390x844.png'), fullPage: true });
  assert.deepEqual(await axe(page), [], 'receipt');
  // No inline <style> element: a strict CSP (style-src without 'unsafe-inline') would drop it.
  assert.equal(await page.evaluate(() => document.querySelectorAll('style').length), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a declined card is said in plain words, and the driver can try again', async () => {
  const where = candidates[1];
  const context = await browser.newContext({ ...PHONE });
  const page = await newPage(context);
  await page.goto(`${server.url}/charge/?charge=${encodeURIComponent(where.location_id)}`);
  await pickConnector(page, where.evse_uid);
  await fillCard(page, '4000000000000341');
  await page.getByTestId('confirm').click();
  const err = page.getByTestId('charge-error');
  await err.waitFor({ timeout: 20_000 });
  assert.match(await err.textContent(), /card was declined.*Nothing was charged/);
  assert.equal(await page.getByTestId('confirm').isEnabled(), true);
  await page.screenshot({ path: join(SHOTS, 'charge-5-declined-390x844.png'), fullPage: true });
  await context.close();
});

test('in Dutch: the price card in Dutch words with Dutch amounts ("€ 5,16"); cancel while the charger does not answer', async () => {
  const where = candidates[2];
  const context = await browser.newContext({ ...PHONE, locale: 'nl-NL' });
  const page = await newPage(context);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/charge/?charge=${encodeURIComponent(where.location_id)}`);
  await page.getByText('1. Kies een aansluiting').waitFor();
  await pickConnector(page, where.evse_uid);
  assert.match(await page.getByTestId('tariff').textContent(), /^€ \d+,\d+\/kWh/);
  assert.match(await page.getByTestId('estimate').textContent(), /^€ \d+,\d\d om een gemiddelde auto van 20% tot vol te laden$/);
  assert.match(await page.getByTestId('hold').textContent(), /^We reserveren € \d+,00 op je kaart\. Je betaalt alleen wat je laadt/);
  assert.match(await page.getByTestId('charge-screen').innerText(), /3\. Kaart[\s\S]*4\. Sluit aan en bevestig/);
  await fillCard(page, '4242424242424242');
  await page.screenshot({ path: join(SHOTS, 'charge-1-price-card-nl.png'), fullPage: true });

  // The network will not answer this start: the waiting screen, then Cancel.
  const script = await fetch(`${server.url}/api/test/network/next-start`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ result: 'SILENT' }),
  });
  assert.equal(script.status, 204);
  await page.getByTestId('confirm').click();
  await page.locator('[data-testid=session-state][data-state=starting]').waitFor({ timeout: 20_000 });
  assert.equal(await page.getByTestId('session-state').textContent(), 'Sluit je auto aan. Wachten tot het laadpunt start…');
  assert.match(await page.getByTestId('session-screen').innerText(), /Gereserveerd op je kaart: € \d+,00/);
  await page.getByTestId('cancel').click();
  await page.locator('[data-testid=session-state][data-state=failed]').waitFor({ timeout: 20_000 });
  assert.equal(await page.getByTestId('session-error').textContent(),
    'Je stopte voordat het laadpunt startte. Er is niets afgeschreven; je reservering is vrijgegeven.');
  await page.screenshot({ path: join(SHOTS, 'charge-6-cancelled-nl-390x844.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('3-D Secure: the bank\'s step (localstripe\'s box in Stripe.js), then the waiting screen', async () => {
  const where = candidates[3];
  const context = await browser.newContext({ ...PHONE });
  const page = await newPage(context);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/charge/?charge=${encodeURIComponent(where.location_id)}`);
  await pickConnector(page, where.evse_uid);
  await fillCard(page, '4000002500003155');
  await page.getByTestId('confirm').click();
  const bank = page.getByRole('button', { name: 'Complete authentication' });
  await bank.waitFor({ timeout: 20_000 });
  await page.screenshot({ path: join(SHOTS, 'charge-7-3ds-390x844.png') });
  await bank.click();
  await page.locator('[data-testid=session-state][data-state=starting], [data-testid=session-state][data-state=active]').waitFor({ timeout: 20_000 });
  // Leave the charger free for others: cancel or stop.
  const button = page.locator('[data-testid=cancel], [data-testid=stop]');
  await button.first().click();
  await page.locator('[data-testid=session-state][data-state=failed], [data-testid=session-state][data-state=stopping], [data-testid=session-state][data-state=completed]').waitFor({ timeout: 20_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a charge below the card minimum: the receipt says nothing was taken, and why', async () => {
  const where = candidates[4] ?? candidates[0];
  const context = await browser.newContext({ ...PHONE });
  const page = await newPage(context);
  await page.goto(`${server.url}/charge/?charge=${encodeURIComponent(where.location_id)}`);
  await pickConnector(page, where.evse_uid);
  await fillCard(page, '4242424242424242');
  await page.getByTestId('confirm').click();
  await page.locator('[data-testid=session-state][data-state=active]').waitFor({ timeout: 30_000 });
  await page.getByTestId('stop').click();
  await page.getByTestId('receipt').waitFor({ timeout: 20_000 });
  const total = await page.getByTestId('receipt-total').textContent();
  assert.match(total, /^€0\.[0-4]\d$/, `a few cents: ${total}`);
  assert.equal(await page.getByTestId('receipt-paid').textContent(), '€0.00');
  assert.equal(await page.getByTestId('receipt-not-charged').textContent(),
    'Not charged: the total is below the card minimum of €0.50, so your hold was released.');
  await page.screenshot({ path: join(SHOTS, 'charge-8-below-minimum-390x844.png'), fullPage: true });
  assert.deepEqual(page.consoleLog.filter((l) => l.startsWith('pageerror')), []);
  await context.close();
});

test('the charging page: old in-app links go on to it, it shows the live status, and without a session it says so', async () => {
  // The connector list reads the server's live status: an operator's push shows at once.
  const where = candidates[5] ?? candidates[1];
  const loc = await (await fetch(`${server.url}/api/locations/${encodeURIComponent(where.location_id)}`)).json();
  const auth = { 'content-type': 'application/json', authorization: `Token ${Buffer.from(CPO_TOKEN).toString('base64')}` };
  const patch = await fetch(`${server.url}/ocpi/2.2.1/locations/${loc.country_code}/${loc.party_id}/${encodeURIComponent(loc.id)}/${encodeURIComponent(where.evse_uid)}`,
    { method: 'PATCH', headers: auth, body: JSON.stringify({ status: 'OUTOFORDER', last_updated: new Date().toISOString() }) });
  assert.equal(patch.status, 200);
  const after = await (await fetch(`${server.url}/api/locations/${encodeURIComponent(where.location_id)}`)).json();
  assert.equal(after.evses.find((e) => e.uid === where.evse_uid).status, 'OUTOFORDER');

  const context = await browser.newContext({ ...PHONE });
  const page = await newPage(context);
  // A link from before the charging page had its own address.
  await page.goto(`${server.url}/?charge=${encodeURIComponent(where.location_id)}&lang=nl`);
  await page.waitForURL(/\/charge\/\?charge=/);
  const button = page.locator(`[data-testid=connector][data-evse="${where.evse_uid}"]`).first();
  await button.waitFor();
  assert.equal(await button.isDisabled(), true, 'an out-of-order connector cannot be picked');
  assert.match(await button.textContent(), /Buiten gebruik/);
  // Nothing asked for and no session on this device: a sentence and the way back.
  await page.goto(`${server.url}/charge/`);
  await page.getByText('No charging session is open on this device.').waitFor();
  await page.screenshot({ path: join(SHOTS, 'charge-9-no-session-390x844.png') });
  await page.getByRole('link', { name: 'Back to the map' }).click();
  await page.waitForURL(`${server.url}/`);
  assert.deepEqual(page.consoleLog.filter((l) => l.startsWith('pageerror')), []);
  await context.close();
});
