// Accessibility: axe-core (npm) finds no violations on the finder and the station screen, in
// two languages; the whole path to a station's details works with the keyboard alone; the
// language switch changes the words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchChromium, PHONE, DESKTOP, stayLocal, axe } from './lib.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({}), launchChromium()]); });
after(async () => { await browser?.close(); await server?.stop(); });

async function open(query = '', options = PHONE) {
  const context = await browser.newContext({ ...options });
  await stayLocal(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/${query}`);
  await page.waitForSelector('[data-testid="station"]', { timeout: 30_000 });
  await page.waitForSelector('[data-testid="map"] [data-pin]', { timeout: 10_000 });
  return { context, page, errors };
}


for (const [lang, device, project] of [['en', PHONE, 'phone'], ['nl', PHONE, 'phone'], ['en', DESKTOP, 'desktop']]) {
  test(`axe-core: no violations on the finder and the station screen (${lang}, ${project})`, async () => {
    const { context, page, errors } = await open(`?lang=${lang}`, device);
    assert.deepEqual(await axe(page), [], 'finder');
    await page.click('[data-testid="station"] a');
    await page.waitForSelector('[data-testid="station-screen"]');
    await page.waitForTimeout(500);
    assert.deepEqual(await axe(page), [], 'station screen');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('axe-core: no violations on the charging page (connector list, card step without payments configured; no session)', async () => {
  const { context, page, errors } = await open('?lang=en');
  const id = await page.locator('[data-testid="station"]').first().getAttribute('data-id');
  await page.goto(`${server.url}/charge/?charge=${encodeURIComponent(id)}&lang=en`);
  await page.getByTestId('charge-screen').waitFor();
  await page.locator('[data-testid=connector]').first().waitFor();
  assert.deepEqual(await axe(page), [], 'pick and pay');
  await page.goto(`${server.url}/charge/?lang=nl`);
  await page.getByText('Er loopt geen laadsessie op dit apparaat.').waitFor();
  assert.deepEqual(await axe(page), [], 'no session');
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard only: from the page to a station and back, nothing needs a pointer', async () => {
  const { context, page, errors } = await open('', { viewport: { width: 1280, height: 800 } });
  // Tab until the first station link has the focus (count the stops: a long path is a bad path).
  const target = await page.getAttribute('[data-testid="station"] a', 'href');
  // The first stop skips the map's many markers.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'skip');
  await page.keyboard.press('Enter');
  let stops = 2;
  for (; stops < 60; stops++) {
    await page.keyboard.press('Tab');
    const here = await page.evaluate(() => document.activeElement?.getAttribute('href'));
    if (here === target) break;
  }
  assert.ok(stops < 60, 'the first station is reachable with Tab');
  console.log(`# figure: ${stops + 1} key presses from page load to the first station in the list`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="station-screen"]', { timeout: 2_000 });
  // The back button is reachable and works with the keyboard.
  let back = false;
  for (let i = 0; i < 40 && !back; i++) {
    await page.keyboard.press('Tab');
    back = await page.evaluate(() => document.activeElement?.dataset.testid === 'back');
  }
  assert.ok(back, 'the back button is reachable with Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="station-screen"]', { state: 'detached', timeout: 2_000 });
  assert.ok(await page.isVisible('[data-testid="nearest-list"]'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('switching language changes the words, is remembered, and keeps the view', async () => {
  const { context, page, errors } = await open('?lat=52.0116&lon=4.3571&kw=22');
  assert.match(await page.textContent('h2'), /^Nearest chargers/);
  await page.selectOption('[data-testid="lang"]', 'nl');
  await page.waitForFunction(() => document.querySelector('h2')?.textContent.startsWith('Dichtstbijzijnde laadpalen'), null, { timeout: 2_000 });
  assert.match(await page.textContent('[data-testid="station"] [data-testid="available"]'), /^\d+ van \d+ beschikbaar$/);
  assert.equal(await page.getAttribute('.cf-app', 'lang'), 'nl');
  assert.equal(await page.inputValue('[data-testid="min-kw"]'), '22', 'the filter stays');
  await page.selectOption('[data-testid="units"]', 'mi');
  await page.waitForFunction(() => / (mi|ft)$/.test(document.querySelector('[data-testid="distance"]')?.textContent), null, { timeout: 2_000 });
  await page.reload();
  await page.waitForSelector('[data-testid="station"]', { timeout: 30_000 });
  assert.match(await page.textContent('h2'), /^Dichtstbijzijnde laadpalen/, 'remembered on the device');
  await page.selectOption('[data-testid="lang"]', 'de');
  await page.waitForFunction(() => document.querySelector('h2')?.textContent.startsWith('Nächste Ladesäulen'), null, { timeout: 2_000 });
  await page.selectOption('[data-testid="lang"]', 'fr');
  await page.waitForFunction(() => document.querySelector('h2')?.textContent.startsWith('Bornes les plus proches'), null, { timeout: 2_000 });
  assert.deepEqual(errors, []);
  await context.close();
});
