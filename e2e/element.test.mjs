// The <charge-finder> custom element (issue 8, part 1): a partner page on another origin (a
// second local port) with its own aggressive CSS and a strict CSP loads our small loader, which
// fetches the app only when an element appears and mounts each instance in its own shadow root.
// The real server, headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startServer, launchChromium, nativeNearest, PHONE, ROOT, stayLocal } from './lib.mjs';
import { startLocalstripe, stripeEnv, findCandidates } from './stripe.mjs';

const SHOTS = join(ROOT, 'docs', 'screenshots');
const EXAMPLE = join(ROOT, 'examples', 'element');
let server, browser, partner, stranger, partnerUrl, strangerUrl, tilesOrigin, ls;

async function listen(handler) {
  const srv = createServer((req, res) => handler(req, res));
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return [srv, `http://127.0.0.1:${srv.address().port}`];
}

before(async () => {
  [partner, partnerUrl] = await listen((req, res) => servePartner(req, res, partnerUrl));
  // A second site, not on the allow list, with the same page.
  [stranger, strangerUrl] = await listen((req, res) => servePartner(req, res, strangerUrl));
  // Paid charging on (localstripe, the simulated network at 120× real time) for the payment window.
  ls = await startLocalstripe();
  [server, browser] = await Promise.all([
    startServer({ env: { CHARGEFINDER_EMBED_ORIGINS: partnerUrl, ...stripeEnv(ls), CHARGEFINDER_NETWORK_SPEED: '120' } }),
    launchChromium(),
  ]);
  tilesOrigin = new URL((await (await fetch(server.url + '/api/tiles')).json()).url.replace(/\{[a-z]\}/g, '0')).origin;
});
after(async () => { await browser?.close(); await server?.stop(); await ls?.stop(); partner?.close(); stranger?.close(); });

// What a partner should send (docs/embed.md): nothing inline, our origin for the loader, the
// app's module and wasm, our stylesheets and API, and the tile server for the map's images.
const partnerCsp = () => `default-src 'self'; script-src 'self' ${server.url} 'wasm-unsafe-eval'; ` +
  `style-src 'self' ${server.url}; img-src 'self' data: ${tilesOrigin}; connect-src 'self' ${server.url}; ` +
  `frame-src 'none'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'`;

// Rules on top of the example's own CSS: as hostile as a page gets to what it contains.
const HOSTILE = `\n* { color: red !important; font-size: 40px !important; }\nbutton { text-transform: uppercase !important; }\n`;

function servePartner(req, res, origin) {
  const path = new URL(req.url, origin).pathname;
  if (path === '/partner.css') {
    res.writeHead(200, { 'content-type': 'text/css' });
    return res.end(readFileSync(join(EXAMPLE, 'partner.css'), 'utf8') + HOSTILE);
  }
  if (path === '/partner.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    return res.end(readFileSync(join(EXAMPLE, 'partner.js')));
  }
  let html = readFileSync(join(EXAMPLE, 'index.html'), 'utf8').replaceAll('http://127.0.0.1:8080', server.url);
  if (path === '/lazy.html') html = html.replace(/<charge-finder[^>]*><\/charge-finder>/g, '');
  if (path === '/pay.html') {
    // One element, opened on the station of `?station=`.
    const id = new URL(req.url, origin).searchParams.get('station');
    html = html.replace(/<charge-finder[^>]*><\/charge-finder>/g, '')
      .replace('</body>', `<charge-finder id="pay" api="${server.url}" lang="en" station="${id}"></charge-finder></body>`);
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': partnerCsp() });
  res.end(html);
}

/** The station ids listed inside an element's shadow root. */
const ids = (page, id) => page.evaluate((i) => [...document.getElementById(i).shadowRoot.querySelectorAll('[data-testid="station"]')].map((e) => e.dataset.id), id);
const waitIds = (page, id, expected) => page.waitForFunction(
  ([i, want]) => JSON.stringify([...(document.getElementById(i)?.shadowRoot?.querySelectorAll('[data-testid="station"]') ?? [])].map((e) => e.dataset.id)) === JSON.stringify(want),
  [id, expected], { timeout: 15_000 });
const events = (page, name, from) => page.evaluate(([n, f]) => window.chargefinderEvents.filter((e) => e.name === n && (!f || e.from === f)), [name, from]);
const waitEvent = (page, name, from, count = 1) => page.waitForFunction(
  ([n, f, c]) => window.chargefinderEvents.filter((e) => e.name === n && e.from === f).length >= c, [name, from, count], { timeout: 15_000 });

async function open(path = '/') {
  const context = await browser.newContext({ ...PHONE, colorScheme: 'light' });
  const outside = await stayLocal(context);
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push({ directive: e.violatedDirective, blocked: e.blockedURI }), true);
  });
  const page = await context.newPage();
  const errors = [];
  const consoleCsp = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) consoleCsp.push(m.text()); });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(partnerUrl + path);
  return { context, page, errors, consoleCsp, requests, outside };
}

test('the loader is small, and the server grants CORS to listed partners only', async () => {
  const loader = await fetch(server.url + '/chargefinder-embed.js', { headers: { origin: partnerUrl } });
  assert.equal(loader.status, 200);
  assert.match(loader.headers.get('content-type'), /javascript/);
  assert.equal(loader.headers.get('access-control-allow-origin'), partnerUrl);
  const body = await loader.text();
  assert.doesNotMatch(body, /\/\*FILES\*\/ \{ js: ""/, 'the build filled in the file names');
  const gz = gzipSync(body, { level: 9 }).length;
  console.log(`chargefinder-embed.js: ${body.length} B, ${gz} B gzipped (budget 10240)`);
  assert.ok(gz <= 10 * 1024, `loader ${gz} B gzipped > 10 KB`);
  // The app's files and the API, for the partner; nothing for anyone else.
  const api = await fetch(server.url + '/api/stations', { headers: { origin: partnerUrl } });
  assert.equal(api.headers.get('access-control-allow-origin'), partnerUrl);
  assert.match(api.headers.get('access-control-expose-headers'), /x-live-seq/);
  assert.match(api.headers.get('vary'), /origin/i);
  for (const origin of [strangerUrl, 'null', partnerUrl + '.evil.example']) {
    const r = await fetch(server.url + '/api/stations', { headers: { origin } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), null, origin);
  }
  // Preflight: the partner may POST JSON (a problem report), never send an Authorization header.
  const pre = await fetch(server.url + '/api/reports', {
    method: 'OPTIONS', headers: { origin: partnerUrl, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), partnerUrl);
  assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
  assert.doesNotMatch(pre.headers.get('access-control-allow-headers'), /authorization/i);
  const preStranger = await fetch(server.url + '/api/reports', {
    method: 'OPTIONS', headers: { origin: strangerUrl, 'access-control-request-method': 'POST' },
  });
  assert.equal(preStranger.headers.get('access-control-allow-origin'), null);
  assert.equal(preStranger.headers.get('access-control-allow-methods'), null);
});

test('two elements on a hostile partner page: shadow roots, own styles, events, attributes, methods', async () => {
  const { context, page, errors, consoleCsp, requests, outside } = await open('/');
  const delft = nativeNearest(52.0116, 4.3571, 10).map((r) => r.id);
  const fast = nativeNearest(52.0116, 4.3571, 10, ['--plugs', 'CCS2', '--min-kw', '50']).map((r) => r.id);
  const amsterdamFast = nativeNearest(52.3731, 4.8922, 10, ['--plugs', 'CCS2', '--min-kw', '50']).map((r) => r.id);
  await waitIds(page, 'near-garage', delft);
  await waitIds(page, 'fast', fast);
  await waitEvent(page, 'ready', 'near-garage');
  await waitEvent(page, 'ready', 'fast');
  const [ready] = await events(page, 'ready', 'near-garage');
  assert.equal(ready.detail.type, 'chargefinder:ready');
  assert.ok(Math.abs(ready.detail.lat - 52.0116) < 1e-6 && ready.detail.zoom === 14, JSON.stringify(ready));
  // One app for both: the module and the wasm came once, from our origin.
  assert.equal(requests.filter((u) => u.endsWith('.wasm')).length, 1);
  assert.ok(requests.filter((u) => u.endsWith('.wasm')).every((u) => u.startsWith(server.url)));
  // Each instance in its own shadow root; nothing of ours in the partner's document.
  assert.equal(await page.evaluate(() => document.querySelectorAll('.cf-app, link[href*="style-"]').length), 0);
  assert.equal(await page.evaluate(() => document.getElementById('fast').shadowRoot.querySelector('.cf-app').lang), 'nl');

  // The partner's styles stay the partner's: its elements look as they did without our app.
  const partnerLook = () => page.evaluate(() => {
    const s = (sel) => { const c = getComputedStyle(document.querySelector(sel)); return [c.fontFamily, c.fontSize, c.color, c.borderTopStyle, c.boxSizing, c.display].join('|'); };
    return [s('body'), s('header'), s('nav button'), s('#picked'), s('h2')];
  });
  const withApp = await partnerLook();
  const { context: c2, page: bare } = await open('/lazy.html');
  const without = await bare.evaluate(() => {
    const s = (sel) => { const c = getComputedStyle(document.querySelector(sel)); return [c.fontFamily, c.fontSize, c.color, c.borderTopStyle, c.boxSizing, c.display].join('|'); };
    return [s('body'), s('header'), s('nav button'), s('#picked'), s('h2')];
  });
  await c2.close();
  assert.deepEqual(withApp, without, 'our stylesheets do not leak into the page');
  assert.match(withApp[1], /Georgia.*\|40px\|rgb\(255, 0, 0\)\|dashed\|content-box/);
  // …and ours stay ours: the partner's `* {…!important}`, `li {display: none}` do not reach in.
  const ourLook = await page.evaluate(() => {
    const root = document.getElementById('near-garage').shadowRoot;
    const c = (sel) => getComputedStyle(root.querySelector(sel));
    return { font: c('.cf-app').fontSize, color: c('.cf-station__name').color, row: c('.cf-station').display, border: c('.cf-station').borderBottomStyle, family: c('.cf-app').fontFamily, map: c('.cf-map').borderTopWidth, accent: c('.cf-app h1').color };
  });
  assert.equal(ourLook.font, '16px');
  assert.notEqual(ourLook.color, 'rgb(255, 0, 0)');
  assert.equal(ourLook.row, 'list-item');
  assert.equal(ourLook.border, 'solid');
  assert.doesNotMatch(ourLook.family, /Georgia/);
  // Theming through the documented ways in: a custom property and a part, from the partner's CSS.
  assert.equal(ourLook.map, '2px', '::part(map) from the partner');
  assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('fast').shadowRoot.querySelector('.cf-header')).display), 'none', '::part(header)');
  const parts = await page.evaluate(() => [...document.getElementById('near-garage').shadowRoot.querySelectorAll('[part]')].map((e) => e.getAttribute('part')));
  for (const p of ['app', 'header', 'search', 'map', 'results', 'filters', 'list', 'row']) assert.ok(parts.includes(p), `part ${p}`);
  const accent = await page.evaluate(() => getComputedStyle(document.getElementById('near-garage').shadowRoot.querySelector('.cf-free--yes, .cf-link--live, .cf-whence')).getPropertyValue('--cf-accent').trim());
  assert.equal(accent, '#8a3b00', '--cf-accent from the partner');
  // theme="dark" on the second element; the partner's accent still wins over the theme's.
  assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('fast').shadowRoot.querySelector('.cf-app')).backgroundColor), 'rgb(16, 20, 24)');
  assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('near-garage').shadowRoot.querySelector('.cf-app')).backgroundColor), 'rgb(255, 255, 255)');
  // The map drew its tiles inside the shadow root.
  await page.waitForFunction(() => [...document.getElementById('near-garage').shadowRoot.querySelectorAll('.leaflet-tile')].some((t) => t.complete && t.naturalWidth > 0), null, { timeout: 10_000 });
  await page.waitForFunction(() => document.getElementById('near-garage').shadowRoot.querySelector('[data-pin]'), null, { timeout: 10_000 });
  await page.screenshot({ path: join(SHOTS, 'element-partner-390x844.png') });
  await page.waitForFunction(() => document.getElementById('fast').shadowRoot.querySelector('[data-pin]'), null, { timeout: 10_000 });
  await page.evaluate(() => document.querySelector('h2').scrollIntoView());
  await page.screenshot({ path: join(SHOTS, 'element-dark-390x844.png') });
  await page.evaluate(() => window.scrollTo(0, 0));

  // Attributes are observed: lat/lon move one instance only; plugs filters it.
  const utrecht = nativeNearest(52.0907, 5.1214, 10).map((r) => r.id);
  await page.evaluate(() => { const el = document.getElementById('near-garage'); el.setAttribute('lat', '52.0907'); el.setAttribute('lon', '5.1214'); });
  await waitIds(page, 'near-garage', utrecht);
  assert.deepEqual(await ids(page, 'fast'), fast, 'the other instance stays where it was');
  await page.evaluate(() => document.getElementById('near-garage').setAttribute('plugs', 'CHADEMO'));
  await waitIds(page, 'near-garage', nativeNearest(52.0907, 5.1214, 10, ['--plugs', 'CHADEMO']).map((r) => r.id));
  await page.evaluate(() => document.getElementById('near-garage').removeAttribute('plugs'));
  await waitIds(page, 'near-garage', utrecht);
  // Methods: setVehicle and setCenter (the partner's own button calls setCenter).
  await page.evaluate(() => document.getElementById('near-garage').setVehicle('nissan-leaf-eplus-eu'));
  await waitIds(page, 'near-garage', nativeNearest(52.0907, 5.1214, 10, ['--vehicle', 'nissan-leaf-eplus-eu']).map((r) => r.id));
  assert.equal(await page.evaluate(() => document.getElementById('near-garage').shadowRoot.querySelector('[data-testid="vehicle"]').value), 'nissan-leaf-eplus-eu');
  await page.evaluate(() => document.getElementById('near-garage').setVehicle(null));
  // The language attribute is observed too (and setLanguage does the same): that instance only.
  const heading = (id) => page.evaluate((i) => document.getElementById(i).shadowRoot.querySelector('#cf-nearest-title, .cf-finder h2')?.textContent ?? '', id);
  await page.evaluate(() => document.getElementById('near-garage').setAttribute('lang', 'de'));
  await page.waitForFunction(() => /Nächste Ladesäulen/.test(document.getElementById('near-garage').shadowRoot.querySelector('#cf-nearest-title, .cf-finder h2')?.textContent ?? ''), null, { timeout: 5_000 });
  assert.match(await heading('fast'), /Dichtstbijzijnde laadpalen/, 'the other instance keeps its language (nl)');
  await page.evaluate(() => document.getElementById('near-garage').setLanguage('en'));
  await page.waitForFunction(() => /Nearest chargers/.test(document.getElementById('near-garage').shadowRoot.querySelector('#cf-nearest-title, .cf-finder h2')?.textContent ?? ''), null, { timeout: 5_000 });
  await page.click('nav button:has-text("Amsterdam")');
  await waitIds(page, 'near-garage', nativeNearest(52.3731, 4.8922, 10).map((r) => r.id));
  await page.evaluate(() => document.getElementById('near-garage').setFilters({ plugs: ['CCS2'], minKw: 50 }));
  await waitIds(page, 'near-garage', amsterdamFast);
  // A bad value is answered with an error event on that element, and changes nothing.
  await page.evaluate(() => document.getElementById('near-garage').setAttribute('lat', 'north'));
  await waitEvent(page, 'error', 'near-garage');
  assert.match((await events(page, 'error', 'near-garage'))[0].detail.message, /setCenter needs lat/);
  assert.deepEqual(await ids(page, 'near-garage'), amsterdamFast);

  // Picking a station: stationselected on that element (composed, so it reaches the document).
  const first = amsterdamFast[0];
  const bubbled = page.evaluate(() => new Promise((r) => document.addEventListener('stationselected', (e) => r({ target: e.target.id, id: e.detail.id }), { once: true })));
  await page.click(`#near-garage [data-testid="station"][data-id="${first}"] [data-testid="name"]`);
  await waitEvent(page, 'stationselected', 'near-garage');
  const [picked] = await events(page, 'stationselected', 'near-garage');
  const s = (await (await fetch(server.url + '/api/stations')).json()).find(([i]) => i === first);
  assert.deepEqual(picked.detail, { type: 'chargefinder:stationSelected', v: 1, id: s[0], name: s[1], lat: s[2], lon: s[3] });
  assert.deepEqual(await bubbled, { target: 'near-garage', id: first });
  assert.equal(await page.textContent('#picked'), `Picked: ${s[1]}`);
  assert.deepEqual(await events(page, 'stationselected', 'fast'), []);
  await page.waitForFunction(() => document.getElementById('near-garage').shadowRoot.querySelector('[data-testid="station-address"]'), null, { timeout: 10_000 });
  assert.equal(new URL(page.url()).search, '', 'the partner’s URL is left alone');
  // Sizes as on our own page (1.3rem there), not the partner's root font size (40px) times 1.3.
  assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('near-garage').shadowRoot.querySelector('[data-testid="station-name"]')).fontSize), '20.8px');
  assert.equal(await page.evaluate(() => document.getElementById('near-garage').shadowRoot.querySelector('[data-testid="station-screen"]').getAttribute('part')), 'station');
  await page.screenshot({ path: join(SHOTS, 'element-station-390x844.png') });

  // Paying: our origin's page in a window of its own (the driver's token never lives here).
  const popupP = context.waitForEvent('page');
  await page.click('#near-garage [data-testid="charge-here"]');
  const popup = await popupP;
  await popup.waitForLoadState('domcontentloaded');
  const url = new URL(popup.url());
  assert.equal(url.origin, server.url);
  assert.equal(url.searchParams.get('charge'), first);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => /driver/i.test(k)).length), 0);
  // Session events from that window reach the element that opened it, and only from there.
  await page.evaluate(() => window.postMessage({ type: 'chargefinder:sessionEnded', v: 1, id: 'forged' }, '*'));
  await popup.evaluate(() => window.opener.postMessage({ type: 'chargefinder:sessionEnded', v: 1, id: 's1', state: 'completed', receipt: 'pi_123' }, '*'));
  await waitEvent(page, 'sessionended', 'near-garage');
  assert.deepEqual((await events(page, 'sessionended')).map((e) => [e.from, e.detail.id, e.detail.receipt]), [['near-garage', 's1', 'pi_123']]);
  await popup.close();

  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violations');
  assert.deepEqual(consoleCsp, []);
  assert.deepEqual(outside, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the app is fetched only when an element appears', async () => {
  const { context, page, errors, requests } = await open('/lazy.html');
  await page.waitForFunction(() => customElements.get('charge-finder') !== undefined);
  await page.waitForTimeout(1_000);
  assert.deepEqual(requests.filter((u) => /\.wasm$|chargefinder-web-|leaflet-|style-/.test(u)), [], 'nothing but the loader yet');
  assert.ok(requests.some((u) => u.endsWith('/chargefinder-embed.js')));
  await page.evaluate((api) => {
    const el = document.createElement('charge-finder');
    el.id = 'late';
    el.setAttribute('api', api);
    el.setAttribute('lat', '53.2194');
    el.setAttribute('lon', '6.5665');
    el.setAttribute('lang', 'de');
    for (const name of ['ready', 'error']) el.addEventListener(name, (e) => window.chargefinderEvents.push({ from: 'late', name, detail: e.detail }));
    document.body.append(el);
    // Before the app is even loaded: the command waits for `ready`, then runs.
    el.setVehicle('nissan-leaf-eplus-eu');
  }, server.url);
  await waitIds(page, 'late', nativeNearest(53.2194, 6.5665, 10, ['--vehicle', 'nissan-leaf-eplus-eu']).map((r) => r.id));
  assert.equal((await events(page, 'ready', 'late')).length, 1);
  assert.deepEqual(await events(page, 'error', 'late'), [], 'no "still loading" error');
  assert.equal(requests.filter((u) => u.endsWith('.wasm')).length, 1);
  assert.equal(await page.evaluate(() => document.getElementById('late').shadowRoot.querySelector('.cf-app').lang), 'de');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a site that is not on the allow list gets no app', async () => {
  const context = await browser.newContext({ ...PHONE });
  await stayLocal(context);
  const page = await context.newPage();
  const cors = [];
  page.on('console', (m) => { if (/CORS|Access-Control-Allow-Origin/i.test(m.text())) cors.push(m.text()); });
  await page.goto(strangerUrl + '/');
  await page.waitForTimeout(2_000);
  assert.equal(await page.evaluate(() => customElements.get('charge-finder')), undefined, 'the loader itself was refused');
  assert.equal(await page.evaluate(() => document.querySelector('charge-finder').shadowRoot), null);
  assert.ok(cors.length > 0, 'Chromium says why: CORS');
  await context.close();
});

test('paying from the element: our window, and the element hears the session start and end', async () => {
  const [where] = await findCandidates(server.url);
  const { context, page, errors } = await open(`/pay.html?station=${encodeURIComponent(where.location_id)}`);
  await page.waitForFunction(() => document.getElementById('pay')?.shadowRoot?.querySelector('[data-testid="charge-here"]'), null, { timeout: 30_000 });
  const popupP = context.waitForEvent('page');
  await page.click('#pay [data-testid="charge-here"]');
  const popup = await popupP;
  // The payment screens, on our origin: connector, price, card (localstripe's element), confirm.
  await popup.locator(`[data-testid=connector][data-evse="${where.evse_uid}"]`).click({ timeout: 30_000 });
  await popup.getByTestId('hold').waitFor({ timeout: 20_000 });
  const card = popup.getByTestId('card-element');
  await card.locator('input[placeholder=number]').waitFor({ timeout: 20_000 });
  for (const [field, value] of [['number', '4242424242424242'], ['exp_month', '12'], ['exp_year', '30'], ['cvc', '123'], ['postal_code', '2611']]) {
    await card.locator(`input[placeholder=${field}]`).fill(value);
  }
  await popup.getByTestId('confirm').click();
  await popup.locator('[data-testid=session-state][data-state=active]').waitFor({ timeout: 30_000 });
  // The driver's token and session, as our origin's window holds them.
  const token = await popup.evaluate(() => localStorage.getItem('chargefinder.driver'));
  assert.match(token, /^cfd_/);
  const auth = { headers: { authorization: `Bearer ${token}` } };
  const [session] = (await (await fetch(`${server.url}/api/sessions?active=1`, auth)).json()).sessions;
  const sid = session.id;
  await waitEvent(page, 'sessionstarted', 'pay');
  assert.deepEqual((await events(page, 'sessionstarted', 'pay'))[0].detail, { type: 'chargefinder:sessionStarted', v: 1, id: sid });
  await popup.getByTestId('stop').click();
  await popup.getByTestId('receipt').waitFor({ timeout: 30_000 });
  await waitEvent(page, 'sessionended', 'pay');
  // The reference is the receipt's, as the driver's own token reads it on our origin.
  const receipt = await (await fetch(`${server.url}/api/sessions/${sid}/receipt`, auth)).json();
  assert.match(receipt.payment_reference, /^pi_/);
  assert.deepEqual((await events(page, 'sessionended', 'pay'))[0].detail,
    { type: 'chargefinder:sessionEnded', v: 1, id: sid, state: 'completed', receipt: receipt.payment_reference ?? null });
  // The token never reached the partner's origin.
  assert.equal(await page.evaluate(() => Object.values(localStorage).some((v) => /cfd_/.test(v))), false);
  await popup.screenshot({ path: join(SHOTS, 'element-pay-window-390x844.png') });
  assert.deepEqual(errors, []);
  await context.close();
});
