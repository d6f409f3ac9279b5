// The paying driver's path in the app, in headless Chromium at phone size, against the real
// server and a real localstripe (whose Stripe.js the app loads from /api/config's js_url).
// Screenshots of every step go to docs/screenshots/charge-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchChromium, PHONE, ROOT } from './lib.mjs';
import { startLocalstripe, stripeEnv, findCandidates } from './stripe.mjs';

const SHOTS = join(ROOT, 'docs', 'screenshots');
let ls, server, browser, candidates;

before(async () => {
  ls = await startLocalstripe();
  // 20× real time: the car "plugs in" a second after the start, so the waiting screen is seen.
  server = await startServer({ env: { ...stripeEnv(ls), CHARGEFINDER_NETWORK_SPEED: '20' } });
  candidates = await findCandidates(server.url);
  assert.ok(candidates.length >= 2);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await ls?.stop();
});

/**
 * Picks the connector and waits for its price. Known flake (see the report of issue 7): now and
 * then the first tap shows no price in Leptos 0.8 (the screen was re-created under the tap); the
 * driver's remedy is a second tap, and so is the test's, so the rest of the path is still tested.
 */
async function pickConnector(page, evse) {
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.locator(`[data-testid=connector][data-evse="${evse}"]`).click();
    try {
      await page.getByTestId('hold').waitFor({ timeout: 5_000 });
      if (attempt > 0) console.log(`price appeared after ${attempt + 1} taps`);
      return attempt;
    } catch { /* tap again */ }
  }
  const screen = await page.getByTestId('charge-screen').innerText().catch(() => '(no charge screen)');
  throw new Error(`the price never appeared after three taps; the screen says:\n${screen}`);
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
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  // From the station screen.
  await page.goto(`${server.url}/?station=${encodeURIComponent(where.location_id)}`);
  await page.getByTestId('charge-here').click();
  await page.getByTestId('charge-screen').waitFor();
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
  await page.screenshot({ path: join(SHOTS, 'charge-2-plug-in-390x844.png') });
  await page.locator('[data-testid=session-state][data-state=active]').waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=kwh]')?.textContent) > 0.05);
  assert.match(await page.getByTestId('kw').textContent(), /^\d+(\.\d+)?$/);
  assert.match(await page.getByTestId('cost').textContent(), /^€\d+\.\d\d$/);
  await page.screenshot({ path: join(SHOTS, 'charge-3-live-390x844.png') });

  // A reload (or coming back later) restores the live screen.
  await page.goto(`${server.url}/`);
  await page.locator('[data-testid=session-state][data-state=active]').waitFor({ timeout: 30_000 });

  await page.getByTestId('stop').click();
  await page.getByTestId('receipt').waitFor({ timeout: 20_000 });
  const total = await page.getByTestId('receipt-total').textContent();
  const paid = await page.getByTestId('receipt-paid').textContent();
  assert.match(total, /^€\d+\.\d\d$/);
  assert.equal(paid, total);
  await page.screenshot({ path: join(SHOTS, 'charge-4-receipt-390x844.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a declined card is said in plain words, and the driver can try again', async () => {
  const where = candidates[1];
  const context = await browser.newContext({ ...PHONE });
  const page = await context.newPage();
  await page.goto(`${server.url}/?charge=${encodeURIComponent(where.location_id)}`);
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
