// The same app on a desktop screen and inside another site's iframe (as a partner embeds it):
// it works, fits, and the list is still exactly what the core computes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { startServer, launchChromium, nativeNearest, ROOT, stayLocal, DESKTOP } from './lib.mjs';

const SHOTS = join(ROOT, 'docs', 'screenshots');
let server, browser, partner, partnerUrl;
before(async () => {
  // A partner page on another origin (another port) with an iframe of the app; the server must
  // list its origin (frame-ancestors, docs/embed.md), so it listens first.
  partner = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>Partner</title>
      <style>body{font:20px serif;background:#fdf6e3;margin:0} iframe{border:0;width:390px;height:700px}</style></head>
      <body><h1>City parking</h1><iframe title="Chargers" src="${server.url}/?lat=52.0116&lon=4.3571" allow="geolocation"></iframe></body></html>`);
  });
  await new Promise((r) => partner.listen(0, '127.0.0.1', r));
  partnerUrl = `http://127.0.0.1:${partner.address().port}/`;
  [server, browser] = await Promise.all([
    startServer({ env: { CHARGEFINDER_EMBED_ORIGINS: partnerUrl.slice(0, -1) } }),
    launchChromium(),
  ]);
});
after(async () => { await browser?.close(); await server?.stop(); partner?.close(); });

const ids = (frame) => frame.$$eval('[data-testid="station"]', (els) => els.map((e) => e.dataset.id));

test('desktop: map and list side by side, the same answers', async () => {
  const context = await browser.newContext(DESKTOP);
  await stayLocal(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '/');
  await page.waitForSelector('[data-testid="map"] [data-pin]', { timeout: 30_000 });
  assert.deepEqual(await ids(page), nativeNearest(52.0116, 4.3571, 10).map((r) => r.id));
  const map = await page.locator('[data-testid="map"]').boundingBox();
  const list = await page.locator('[data-testid="nearest-list"]').boundingBox();
  assert.ok(list.x >= map.x + map.width - 1, 'the list is beside the map on a wide screen');
  await page.screenshot({ path: join(SHOTS, 'desktop-1280x800.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('inside a partner site’s iframe (another origin): it works and fits', async () => {
  const context = await browser.newContext(DESKTOP);
  const outside = await stayLocal(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(partnerUrl);
  const frame = page.frameLocator('iframe');
  await frame.locator('[data-testid="station"]').first().waitFor({ timeout: 30_000 });
  await frame.locator('[data-testid="map"] [data-pin]').first().waitFor({ timeout: 10_000 });
  const inner = page.frames().find((f) => f.url().startsWith(server.url));
  assert.deepEqual(await ids(inner), nativeNearest(52.0116, 4.3571, 10).map((r) => r.id));
  // It fits the frame: no sideways scrolling inside it.
  assert.ok(await inner.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  // The partner's own page is untouched by our styles.
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).fontFamily), 'serif');
  await page.screenshot({ path: join(SHOTS, 'iframe-partner-page.png') });
  assert.deepEqual(outside, []);
  assert.deepEqual(errors, []);
  await context.close();
});
