// The app in a phone's webview (issue 8): a notch and a home bar (safe-area insets, set through
// Chromium's DevTools protocol as a phone with `viewport-fit=cover` reports them) never cover a
// control, on the finder and on the charging page; and nothing depends on hover, which a touch
// screen does not have.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchChromium, PHONE, ROOT, stayLocal } from './lib.mjs';

const SHOTS = join(ROOT, 'docs', 'screenshots');
const FAKE_HOST = join(ROOT, 'examples', 'webview', 'fake-native-host.js');
// An iPhone's portrait insets (status bar with the notch, home indicator), and a landscape one.
const PORTRAIT = { top: 47, bottom: 34, left: 0, right: 0 };
const LANDSCAPE = { top: 0, bottom: 21, left: 47, right: 47 };
let server, browser;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
});
after(async () => { await browser?.close(); await server?.stop(); });

/** A webview-like page: the Android bridge object injected before the app starts, and the insets. */
async function webview(viewport, insets) {
  const context = await browser.newContext({ ...PHONE, viewport });
  const outside = await stayLocal(context);
  await context.addInitScript('window.__cfFakeHost = "android";');
  await context.addInitScript({ path: FAKE_HOST });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setSafeAreaInsetsOverride', { insets });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return { context, page, outside };
}

/** Every visible control's box, and the app's own padding. */
const layout = (page) => page.evaluate(() => {
  const controls = [...document.querySelectorAll('button, a[href], input, select, textarea')]
    // On screen (a skip link waits off screen until focused: checked focused below).
    .filter((el) => el.offsetParent !== null && !el.closest('.leaflet-container') && el.getBoundingClientRect().right > 0)
    .map((el) => { const r = el.getBoundingClientRect(); return { what: el.outerHTML.slice(0, 80), top: r.top + scrollY, left: r.left, right: r.right }; });
  const cs = getComputedStyle(document.querySelector('.cf-app'));
  return { controls, pad: ['Top', 'Right', 'Bottom', 'Left'].map((s) => parseFloat(cs[`padding${s}`])), width: innerWidth };
});

test('safe-area insets: no control under the notch or the home bar, portrait and landscape', async () => {
  for (const [name, viewport, insets] of [['portrait', PHONE.viewport, PORTRAIT], ['landscape', { width: 844, height: 390 }, LANDSCAPE]]) {
    const { context, page, outside } = await webview(viewport, insets);
    await page.goto(server.url + '/?lat=52.0116&lon=4.3571&lang=en');
    await page.waitForSelector('[data-testid="station"]', { timeout: 30_000 });
    const { controls, pad, width } = await layout(page);
    assert.deepEqual(pad.map((p, i) => p >= [insets.top, insets.right, insets.bottom, insets.left][i]), [true, true, true, true], `${name}: padding ${pad}`);
    assert.ok(controls.length > 10);
    for (const c of controls) {
      assert.ok(c.top >= insets.top, `${name}: under the notch: ${c.what} at ${c.top}`);
      assert.ok(c.left >= insets.left && c.right <= width - insets.right, `${name}: under a side inset: ${c.what}`);
    }
    await page.screenshot({ path: join(SHOTS, `webview-safe-area-${name}.png`) });
    // The skip link, where it shows: when focused (the first Tab).
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => { const r = document.activeElement.getBoundingClientRect(); return { testid: document.activeElement.dataset.testid, top: r.top, left: r.left }; });
    assert.equal(skip.testid, 'skip');
    assert.ok(skip.top >= insets.top && skip.left >= insets.left, `${name}: the focused skip link at ${skip.top},${skip.left}`);
    // The page's end stays clear of the home bar: its last control ends above the bottom padding.
    const end = await page.evaluate(() => {
      const app = document.querySelector('.cf-app');
      const last = [...app.querySelectorAll('button, a[href], input, select')].filter((el) => el.offsetParent !== null).at(-1);
      return { app: app.getBoundingClientRect().bottom + scrollY, last: last.getBoundingClientRect().bottom + scrollY };
    });
    assert.ok(end.app - end.last >= insets.bottom, `${name}: the last control ends ${end.app - end.last}px above the app's end`);
    // The charging page keeps the same insets.
    await page.goto(server.url + '/charge/?lang=en');
    await page.getByText('No charging session is open on this device.').waitFor();
    const charge = await layout(page);
    assert.ok(charge.pad[0] >= insets.top && charge.pad[2] >= insets.bottom, `${name}: charging page padding ${charge.pad}`);
    assert.ok(charge.controls.every((c) => c.top >= insets.top), `${name}: charging page`);
    assert.deepEqual(outside, []);
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});

test('nothing depends on hover: no :hover rule of ours shows, hides or moves anything', async () => {
  const { context, page } = await webview(PHONE.viewport, PORTRAIT);
  await page.goto(server.url + '/?lat=52.0116&lon=4.3571&lang=en');
  await page.waitForSelector('[data-testid="station"]', { timeout: 30_000 });
  const hover = await page.evaluate(() => {
    const out = [];
    const walk = (rules, sheet) => {
      for (const r of rules) {
        if (r.cssRules) walk(r.cssRules, sheet);
        if (r.selectorText?.includes(':hover')) {
          out.push({ sheet, selector: r.selectorText, props: [...r.style] });
        }
      }
    };
    for (const s of document.styleSheets) walk(s.cssRules, s.href ?? 'inline');
    return out;
  });
  // Our stylesheets do have hover effects (underline, a background): checked, not vacuous.
  const ours = hover.filter((h) => !/leaflet/.test(h.sheet));
  assert.ok(ours.length >= 2, JSON.stringify(hover));
  const revealing = /^(display|visibility|opacity|pointer-events|max-height|height|width|position|transform|clip|overflow)/;
  for (const h of hover) {
    const bad = h.props.filter((p) => revealing.test(p));
    assert.deepEqual(bad, [], `${h.sheet}: ${h.selector} changes ${bad} on hover only`);
  }
  await context.close();
});
