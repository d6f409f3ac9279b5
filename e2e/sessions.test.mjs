// Paid charging sessions end to end: the real server binary, a real localstripe, the simulated
// charging network at 120× real time (a minute of charging takes half a second).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './lib.mjs';
import { startLocalstripe, stripeEnv, findCandidates } from './stripe.mjs';

const SPEED = '120';
const VISA = '4242424242424242';
// Declines when charged, in localstripe and in real Stripe ("charge_customer_fail").
const DECLINED = '4000000000000341';

let ls, server, dir, candidates;

function env() {
  return { ...stripeEnv(ls), CHARGEFINDER_NETWORK_SPEED: SPEED, CHARGEFINDER_NETWORK_TEST_CONTROL: '1' };
}

async function api(url, method, path, { token, body, key, headers = {} } = {}) {
  const res = await fetch(url + path, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(key ? { 'Idempotency-Key': key } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* html */ }
  return { status: res.status, body: json, text, headers: res.headers };
}

async function newDriver(url) {
  const r = await api(url, 'POST', '/api/drivers');
  assert.equal(r.status, 201);
  assert.match(r.body.token, /^cfd_[0-9a-f]{64}$/);
  return r.body.token;
}

/** Polls the session until `pred` holds; returns it. */
async function waitFor(url, token, id, pred, what, ms = 20_000) {
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < ms) {
    last = (await api(url, 'GET', `/api/sessions/${id}`, { token })).body;
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`session ${id} never got ${what}; last: ${JSON.stringify(last)}`);
}

/** What localstripe says was taken: the charge's amount less what was refunded (released). */
async function takenMinor(pi) {
  const r = await ls.stripe('GET', `/v1/payment_intents/${pi}`);
  assert.equal(r.status, 200);
  const charge = r.body.latest_charge;
  return { status: r.body.status, amount: r.body.amount, taken: charge.captured ? charge.amount - charge.amount_refunded : 0, charge };
}

async function intentsFor(sessionId) {
  const r = await ls.stripe('GET', '/v1/payment_intents?limit=100');
  return r.body.data.filter((pi) => pi.metadata?.session_id === sessionId);
}

before(async () => {
  ls = await startLocalstripe();
  dir = mkdtempSync(join(tmpdir(), 'cf-pay-'));
  server = await startServer({ env: env(), db: join(dir, 'main.sqlite') });
  candidates = await findCandidates(server.url);
  assert.ok(candidates.length >= 8, `need 8 startable EVSEs, found ${candidates.length}`);
});

after(async () => {
  await server?.stop();
  await ls?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('config tells the browser where Stripe.js is and which publishable key to use', async () => {
  const r = await api(server.url, 'GET', '/api/config');
  assert.equal(r.status, 200);
  assert.equal(r.body.stripe.publishable_key, 'pk_test_chargefinder_e2e');
  assert.equal(r.body.stripe.js_url, `${ls.url}/js.stripe.com/v3/`);
  assert.ok(!JSON.stringify(r.body).includes('sk_test'), 'the secret key never reaches the browser');
  const js = await fetch(r.body.stripe.js_url);
  assert.equal(js.status, 200);
  assert.match(await js.text(), /Stripe = /);
});

test('the quote speaks the driver\'s language: price words in Dutch with lang=nl; an unknown lang is a 400', async () => {
  const where = candidates[0];
  const q = (lang) => `/api/quote?location_id=${encodeURIComponent(where.location_id)}&evse_uid=${encodeURIComponent(where.evse_uid)}&connector_id=${encodeURIComponent(where.connector_id)}${lang ? `&lang=${lang}` : ''}`;
  const en = await api(server.url, 'GET', q());
  assert.equal(en.status, 200);
  assert.match(en.body.tariff, /^€\d+\.\d+\/kWh/);
  const nl = await api(server.url, 'GET', q('nl'));
  assert.equal(nl.status, 200);
  assert.match(nl.body.tariff, /^€ \d+,\d+\/kWh/);
  assert.equal(nl.body.hold, en.body.hold, 'amounts stay decimal strings; only the words change');
  const bad = await api(server.url, 'GET', q('xx'));
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'bad_request');
});

test('happy path: hold, start, live kWh, stop, CDR, capture equals the CDR total to the cent, receipt', async () => {
  const token = await newDriver(server.url);
  const where = candidates[0];
  const pm = await ls.paymentMethod(VISA);
  const created = await api(server.url, 'POST', '/api/sessions', { token, key: 'happy-1', body: { ...where, payment_method: pm } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const s = created.body;
  assert.equal(s.state, 'starting');
  assert.equal(s.currency, 'EUR');
  // The hold: the estimate for a typical car from 20 % to full, rounded up, within €10–€100.
  const held = Number(s.payment.held);
  assert.ok(held >= 10 && held <= 100 && held >= Number(s.estimate), `hold ${held}, estimate ${s.estimate}`);
  const pi = await ls.stripe('GET', `/v1/payment_intents/${s.payment.payment_intent}`);
  assert.equal(pi.body.status, 'requires_capture');
  assert.equal(pi.body.capture_method, 'manual');
  assert.equal(pi.body.amount, Math.round(held * 100));

  // Live events: the session becomes active and its kWh grow.
  const ctl = new AbortController();
  const res = await fetch(`${server.url}/api/sessions/${s.id}/events`, { headers: { Authorization: `Bearer ${token}` }, signal: ctl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  const events = [];
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
        if (data) events.push(JSON.parse(data));
      }
    }
  })().catch(() => {});
  const active = await waitFor(server.url, token, s.id, (x) => x.state === 'active' && Number(x.kwh) > 1, 'active with > 1 kWh');
  assert.ok(Number(active.kw) > 0 && Number(active.kw) <= 22, `kW ${active.kw}`);
  // The map sees the charger busy.
  const st = await (await fetch(`${server.url}/api/status`)).json();
  assert.deepEqual(st.evses.find((r) => r[0] === where.location_id && r[1] === where.evse_uid)[2], 'CHARGING');

  const stop = await api(server.url, 'POST', `/api/sessions/${s.id}/stop`, { token });
  assert.equal(stop.status, 200);
  assert.equal(stop.body.state, 'stopping');
  const done = await waitFor(server.url, token, s.id, (x) => x.state === 'completed', 'completed');
  await Promise.race([reading, new Promise((r) => setTimeout(r, 2000))]);
  ctl.abort();

  const kwhs = events.filter((e) => e.state === 'active').map((e) => Number(e.kwh));
  assert.ok(kwhs.length >= 2, `at least two live updates, got ${kwhs.length}`);
  for (let i = 1; i < kwhs.length; i++) assert.ok(kwhs[i] >= kwhs[i - 1], 'kWh never go down');
  assert.equal(events.at(-1).state, 'completed', 'the stream ends with the completed session');

  // Captured = the CDR's total, to the cent; the rest of the hold released.
  const receipt = await api(server.url, 'GET', `/api/sessions/${s.id}/receipt`, { token });
  assert.equal(receipt.status, 200);
  const r = receipt.body;
  const totalMinor = Math.round(Number(r.total_incl_vat) * 100);
  assert.ok(totalMinor > 0);
  const taken = await takenMinor(s.payment.payment_intent);
  assert.equal(taken.status, 'succeeded');
  assert.equal(taken.taken, totalMinor, `taken ${taken.taken} vs CDR ${r.total_incl_vat}`);
  assert.equal(Math.round(Number(done.payment.captured) * 100), totalMinor);
  assert.equal(taken.charge.refunds.data.length, 1, 'one release of the rest');
  assert.equal(Number(r.paid), Number(r.total_incl_vat));
  assert.equal((Number(r.total_excl_vat) + Number(r.vat)).toFixed(2), Number(r.total_incl_vat).toFixed(2));
  assert.equal(r.payment_reference, s.payment.payment_intent);
  assert.ok(Number(r.kwh) > 1 && r.started_at && r.ended_at && r.location.address && r.evse.evse_id);

  const html = await api(server.url, 'GET', `/api/sessions/${s.id}/receipt?format=html`, { token });
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-type'), /text\/html/);
  assert.ok(html.text.includes(s.payment.payment_intent) && html.text.includes('Total'));
  const html2 = await api(server.url, 'GET', `/api/sessions/${s.id}/receipt`, { token, headers: { Accept: 'text/html' } });
  assert.match(html2.headers.get('content-type'), /text\/html/);

  // The charger is free again, and the driver has no open session.
  const st2 = await (await fetch(`${server.url}/api/status`)).json();
  assert.equal(st2.evses.find((r) => r[0] === where.location_id && r[1] === where.evse_uid)[2], 'AVAILABLE');
  const open = await api(server.url, 'GET', '/api/sessions?active=1', { token });
  assert.deepEqual(open.body.sessions, []);
});

test('a declined card: a clear error, no session, nothing held', async () => {
  const token = await newDriver(server.url);
  const pm = await ls.paymentMethod(DECLINED);
  const r = await api(server.url, 'POST', '/api/sessions', { token, key: 'declined-1', body: { ...candidates[1], payment_method: pm } });
  assert.equal(r.status, 402);
  assert.equal(r.body.error.code, 'card_declined');
  assert.match(r.body.error.message, /declined.*Nothing was charged/);
  const open = await api(server.url, 'GET', '/api/sessions?active=1', { token });
  assert.deepEqual(open.body.sessions, []);
  // The same key again gets the same answer, and no new attempt at the card.
  const before = (await ls.stripe('GET', '/v1/payment_intents?limit=100')).body.data.length;
  const again = await api(server.url, 'POST', '/api/sessions', { token, key: 'declined-1', body: { ...candidates[1], payment_method: pm } });
  assert.equal(again.status, 402);
  assert.equal(again.body.error.code, 'card_declined');
  assert.equal((await ls.stripe('GET', '/v1/payment_intents?limit=100')).body.data.length, before);
});

for (const [result, code, words, i] of [
  ['EVSE_OCCUPIED', 'charger_occupied', /occupied.*hold was released/, 2],
  ['TIMEOUT', 'charger_timeout', /did not respond.*hold was released/, 3],
  ['REJECTED', 'charger_rejected', /refused.*hold was released/, 4],
]) {
  test(`the charger answers ${result}: the session fails in plain words and the hold is released in Stripe`, async () => {
    const token = await newDriver(server.url);
    const script = await api(server.url, 'POST', '/api/test/network/next-start', { body: { result } });
    assert.equal(script.status, 204);
    const pm = await ls.paymentMethod(VISA);
    const r = await api(server.url, 'POST', '/api/sessions', { token, key: `refuse-${result}`, body: { ...candidates[i], payment_method: pm } });
    let s;
    if (result === 'REJECTED') {
      // The synchronous CommandResponse: the POST itself says so.
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.equal(r.body.error.code, code);
      s = (await api(server.url, 'GET', '/api/sessions', { token })).body.sessions[0];
      s = await waitFor(server.url, token, s.id, (x) => x.payment.released, 'released');
    } else {
      assert.equal(r.status, 201, JSON.stringify(r.body));
      s = await waitFor(server.url, token, r.body.id, (x) => x.state === 'failed' && x.payment.released, 'failed and released');
    }
    assert.equal(s.error.code, code);
    assert.match(s.error.message, words);
    const pi = await ls.stripe('GET', `/v1/payment_intents/${s.payment.payment_intent}`);
    assert.equal(pi.body.status, 'canceled');
    assert.equal(pi.body.latest_charge.captured, false);
  });
}

test('a card token from Stripe.js createToken (what localstripe serves) holds through a Customer; a declined one is refused', async () => {
  const token = await newDriver(server.url);
  const tok = await ls.cardToken(VISA);
  const r = await api(server.url, 'POST', '/api/sessions', { token, key: 'tok-1', body: { ...candidates[9] ?? candidates[0], payment_method: tok } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const pi = await ls.stripe('GET', `/v1/payment_intents/${r.body.payment.payment_intent}`);
  assert.equal(pi.body.status, 'requires_capture');
  assert.match(pi.body.customer, /^cus_/);
  const s = await waitFor(server.url, token, r.body.id, (x) => x.state === 'active', 'active');
  await api(server.url, 'POST', `/api/sessions/${s.id}/stop`, { token });
  const done = await waitFor(server.url, token, s.id, (x) => x.state === 'completed', 'completed');
  assert.equal((await takenMinor(pi.body.id)).taken, Math.round(Number(done.payment.captured) * 100));
  const bad = await api(server.url, 'POST', '/api/sessions', { token, key: 'tok-2', body: { ...candidates[10] ?? candidates[1], payment_method: await ls.cardToken(DECLINED) } });
  assert.equal(bad.status, 402);
  assert.equal(bad.body.error.code, 'card_declined');
});

test('start pressed twice with the same Idempotency-Key: one session, one PaymentIntent', async () => {
  const token = await newDriver(server.url);
  const pm = await ls.paymentMethod(VISA);
  const body = { ...candidates[5], payment_method: pm };
  const [a, b] = await Promise.all([
    api(server.url, 'POST', '/api/sessions', { token, key: 'twice-1', body }),
    api(server.url, 'POST', '/api/sessions', { token, key: 'twice-1', body }),
  ]);
  assert.deepEqual([a.status, b.status].sort(), [200, 201]);
  assert.equal(a.body.id, b.body.id);
  const c = await api(server.url, 'POST', '/api/sessions', { token, key: 'twice-1', body });
  assert.equal(c.status, 200);
  assert.equal(c.body.id, a.body.id);
  assert.equal((await intentsFor(a.body.id)).length, 1);
  const all = await api(server.url, 'GET', '/api/sessions', { token });
  assert.equal(all.body.sessions.length, 1);
  // The same key for a different charger is a mistake, said so.
  const d = await api(server.url, 'POST', '/api/sessions', { token, key: 'twice-1', body: { ...candidates[6], payment_method: pm } });
  assert.equal(d.status, 422);
  assert.equal(d.body.error.code, 'idempotency_key_reused');
  // Clean up: stop it once active so the charger is free.
  await waitFor(server.url, token, a.body.id, (x) => x.state === 'active', 'active');
  await api(server.url, 'POST', `/api/sessions/${a.body.id}/stop`, { token });
  await waitFor(server.url, token, a.body.id, (x) => x.state === 'completed', 'completed');
});

test("another driver's token gets 403; no token 401; no Idempotency-Key 400; errors are JSON", async () => {
  const owner = await newDriver(server.url);
  const other = await newDriver(server.url);
  const pm = await ls.paymentMethod(VISA);
  const s = (await api(server.url, 'POST', '/api/sessions', { token: owner, key: 'mine-1', body: { ...candidates[7], payment_method: pm } })).body;
  await waitFor(server.url, owner, s.id, (x) => x.state === 'active', 'active');
  for (const [method, path] of [['GET', ''], ['POST', '/stop'], ['GET', '/receipt'], ['GET', '/events']]) {
    const r = await api(server.url, method, `/api/sessions/${s.id}${path}`, { token: other });
    assert.equal(r.status, 403, `${method} ${path}`);
    assert.equal(r.body.error.code, 'not_your_session');
    const n = await api(server.url, method, `/api/sessions/${s.id}${path}`);
    assert.equal(n.status, 401, `${method} ${path} without a token`);
    assert.ok(n.body.error.message.length > 10);
  }
  assert.equal((await api(server.url, 'GET', '/api/sessions?active=1', { token: other })).body.sessions.length, 0);
  // Still running: the other driver's stop did nothing.
  assert.equal((await api(server.url, 'GET', `/api/sessions/${s.id}`, { token: owner })).body.state, 'active');
  const nokey = await api(server.url, 'POST', '/api/sessions', { token: owner, body: { ...candidates[7], payment_method: pm } });
  assert.equal(nokey.status, 400);
  assert.equal(nokey.body.error.code, 'idempotency_key_required');
  const unknown = await api(server.url, 'POST', '/api/sessions', { token: owner, key: 'x', body: { location_id: 'nope', evse_uid: 'x', connector_id: 'x', payment_method: pm } });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'no_such_charger');
  await api(server.url, 'POST', `/api/sessions/${s.id}/stop`, { token: owner });
  await waitFor(server.url, owner, s.id, (x) => x.state === 'completed', 'completed');
});

test('kill -9 mid-session and again while stopping: restart reconciles, the session continues, capture exactly once', async () => {
  const db = join(dir, 'crash.sqlite');
  let srv = await startServer({ env: env(), db });
  try {
    const token = await newDriver(srv.url);
    const pm = await ls.paymentMethod(VISA);
    const where = candidates[8] ?? candidates[0];
    const s = (await api(srv.url, 'POST', '/api/sessions', { token, key: 'crash-1', body: { ...where, payment_method: pm } })).body;
    const before = await waitFor(srv.url, token, s.id, (x) => x.state === 'active' && Number(x.kwh) > 0.5, 'active');
    await srv.kill('SIGKILL');
    srv = await startServer({ env: env(), db });
    assert.match(srv.log(), /reconciled 1 open sessions/);
    // Consistent and still charging: the charger did not stop while we were down.
    const after = await waitFor(srv.url, token, s.id, (x) => x.state === 'active' && Number(x.kwh) > Number(before.kwh), 'more kWh');
    assert.equal(after.payment.payment_intent, s.payment.payment_intent);
    // Stop, and crash again before the CDR can arrive.
    await api(srv.url, 'POST', `/api/sessions/${s.id}/stop`, { token });
    await srv.kill('SIGKILL');
    srv = await startServer({ env: env(), db });
    const done = await waitFor(srv.url, token, s.id, (x) => x.state === 'completed', 'completed');
    const receipt = (await api(srv.url, 'GET', `/api/sessions/${s.id}/receipt`, { token })).body;
    const taken = await takenMinor(s.payment.payment_intent);
    assert.equal(taken.taken, Math.round(Number(receipt.total_incl_vat) * 100));
    assert.equal(Math.round(Number(done.payment.captured) * 100), taken.taken);
    assert.equal((await intentsFor(s.id)).length, 1, 'one hold');
    assert.equal(taken.charge.refunds.data.length, 1, 'captured once: one release of the rest');
    // A third start finds nothing to do: nothing is captured again.
    await srv.kill('SIGKILL');
    srv = await startServer({ env: env(), db });
    assert.doesNotMatch(srv.log(), /reconciled/);
    assert.equal((await takenMinor(s.payment.payment_intent)).taken, taken.taken);
  } finally {
    await srv.stop();
  }
});

// A second server whose network runs at 10× (a start answers in 0.4 s, the car is plugged in
// 2 s later) and which gives up on a silent network after 2 s: room to stop before the
// charger starts, and to charge only a few cents.
const SLOW = { CHARGEFINDER_NETWORK_SPEED: '10', CHARGEFINDER_START_TIMEOUT_S: '2' };

async function withSlowServer(fn) {
  const srv = await startServer({ env: { ...env(), ...SLOW }, db: join(dir, `slow-${Date.now()}.sqlite`) });
  try {
    await fn(srv, await findCandidates(srv.url));
  } finally {
    await srv.stop();
  }
}

async function evseStatus(url, where) {
  const st = await (await fetch(`${url}/api/status`)).json();
  return st.evses.find((r) => r[0] === where.location_id && r[1] === where.evse_uid)[2];
}

async function until(pred, what, ms = 15_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never: ${what}`);
}

/** The hold was released in localstripe and nothing was taken. */
async function assertReleased(pi) {
  const r = await ls.stripe('GET', `/v1/payment_intents/${pi}`);
  assert.equal(r.body.status, 'canceled');
  assert.equal(r.body.latest_charge.captured, false);
}

test('stop while the charger is starting cancels: hold released; the session the network starts later is stopped at once, never billed', async () => {
  await withSlowServer(async (srv, cands) => {
    const token = await newDriver(srv.url);
    const where = cands[0];
    const pm = await ls.paymentMethod(VISA);
    const s = (await api(srv.url, 'POST', '/api/sessions', { token, key: 'cancel-1', body: { ...where, payment_method: pm } })).body;
    assert.equal(s.state, 'starting');
    const stop = await api(srv.url, 'POST', `/api/sessions/${s.id}/stop`, { token });
    assert.equal(stop.status, 200, JSON.stringify(stop.body));
    assert.equal(stop.body.state, 'failed');
    assert.equal(stop.body.error.code, 'cancelled');
    assert.match(stop.body.error.message, /Nothing was charged.*hold was released/);
    const failed = await waitFor(srv.url, token, s.id, (x) => x.payment.released, 'released');
    await assertReleased(failed.payment.payment_intent);
    // A second stop is harmless.
    assert.equal((await api(srv.url, 'POST', `/api/sessions/${s.id}/stop`, { token })).status, 200);
    // The network accepted the start anyway and the car plugs in: we stop that session at once.
    await until(() => /started a session we had ended; stopping it/.test(srv.log()), 'the server stops the late session');
    await until(async () => (await evseStatus(srv.url, where)) === 'AVAILABLE', 'the charger is free again');
    await new Promise((r) => setTimeout(r, 1000)); // the CDR has come and gone
    const after = (await api(srv.url, 'GET', `/api/sessions/${s.id}`, { token })).body;
    assert.equal(after.state, 'failed');
    assert.equal(after.payment.captured, null, 'no capture');
    await assertReleased(after.payment.payment_intent);
    assert.equal((await intentsFor(s.id)).length, 1);
  });
});

test('a network that never answers the start: after our own timeout the session fails as "did not respond", the hold is released; a late answer is stopped', async () => {
  await withSlowServer(async (srv, cands) => {
    for (const [result, i] of [['SILENT', 1], ['LATE', 2]]) {
      const token = await newDriver(srv.url);
      assert.equal((await api(srv.url, 'POST', '/api/test/network/next-start', { body: { result } })).status, 204);
      const pm = await ls.paymentMethod(VISA);
      const t0 = Date.now();
      const r = await api(srv.url, 'POST', '/api/sessions', { token, key: `silent-${result}`, body: { ...cands[i], payment_method: pm } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const s = await waitFor(srv.url, token, r.body.id, (x) => x.state === 'failed' && x.payment.released, 'failed and released');
      const waited = Date.now() - t0;
      assert.ok(waited >= 1900 && waited < 8000, `gave up after ${waited} ms (timeout 2 s)`);
      assert.equal(s.error.code, 'charger_timeout');
      assert.match(s.error.message, /did not respond.*hold was released/);
      await assertReleased(s.payment.payment_intent);
      if (result === 'LATE') {
        // ACCEPTED after 3 s, the car plugged in 2 s later: stopped at once, never billed.
        await until(() => (srv.log().match(/started a session we had ended/g) ?? []).length >= 1, 'the late session is stopped', 20_000);
        await until(async () => (await evseStatus(srv.url, cands[i])) === 'AVAILABLE', 'the charger is free again');
        const after = (await api(srv.url, 'GET', `/api/sessions/${s.id}`, { token })).body;
        assert.equal(after.state, 'failed');
        assert.equal(after.payment.captured, null);
        await assertReleased(s.payment.payment_intent);
      }
    }
  });
});

test('a CDR below the card minimum (EUR 0.50): nothing captured, the hold released, the receipt says why', async () => {
  await withSlowServer(async (srv, cands) => {
    const token = await newDriver(srv.url);
    const pm = await ls.paymentMethod(VISA);
    const s = (await api(srv.url, 'POST', '/api/sessions', { token, key: 'small-1', body: { ...cands[3], payment_method: pm } })).body;
    // Stop as soon as the first cent is on the meter: at 10× that is a few cents in all.
    await waitFor(srv.url, token, s.id, (x) => x.state === 'active' && Number(x.cost) > 0, 'a cent');
    assert.equal((await api(srv.url, 'POST', `/api/sessions/${s.id}/stop`, { token })).status, 200);
    const done = await waitFor(srv.url, token, s.id, (x) => x.state === 'completed', 'completed');
    const r = (await api(srv.url, 'GET', `/api/sessions/${s.id}/receipt`, { token })).body;
    const total = Number(r.total_incl_vat);
    assert.ok(total > 0 && total < 0.5, `the CDR came to ${r.total_incl_vat}: not a small charge`);
    assert.equal(Number(done.payment.captured), 0);
    assert.equal(Number(r.paid), 0);
    assert.equal(r.not_charged.reason, 'below_card_minimum');
    assert.equal(r.not_charged.minimum, '0.50');
    assert.match(r.not_charged.message, /below the card minimum of EUR 0.50/);
    await assertReleased(s.payment.payment_intent);
    const html = await api(srv.url, 'GET', `/api/sessions/${s.id}/receipt?format=html`, { token });
    assert.match(html.text, /Not charged: the total is below the card minimum/);
  });
});

// Needs the bank's confirmation (3-D Secure) in localstripe and in real Stripe.
const THREE_DS = '4000002500003155';

/** What localstripe's Stripe.js does when the driver answers the bank's step. */
async function bankAnswers(pi, clientSecret, success) {
  const res = await fetch(`${ls.url}/v1/payment_intents/${pi}/_authenticate?success=${success}`, {
    method: 'POST',
    body: JSON.stringify({ key: 'pk_test_chargefinder_e2e', client_secret: clientSecret }),
  });
  assert.equal(res.status, 200, await res.text());
}

test('3-D Secure: the bank confirms in Stripe.js, then the session starts and is paid; a failed confirmation holds nothing', async () => {
  const token = await newDriver(server.url);
  // Confirmed.
  const r = await api(server.url, 'POST', '/api/sessions', { token, key: '3ds-ok', body: { ...candidates[11] ?? candidates[2], payment_method: await ls.paymentMethod(THREE_DS) } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.state, 'authenticating');
  const pi = r.body.payment.payment_intent;
  assert.match(r.body.payment.client_secret, new RegExp(`^${pi}_secret_`));
  assert.equal((await ls.stripe('GET', `/v1/payment_intents/${pi}`)).body.status, 'requires_action');
  // Not yet confirmed: said so, nothing starts.
  const early = await api(server.url, 'POST', `/api/sessions/${r.body.id}/authenticated`, { token });
  assert.equal(early.status, 409);
  assert.equal(early.body.error.code, 'authentication_pending');
  // Only the owner may go on.
  const other = await newDriver(server.url);
  assert.equal((await api(server.url, 'POST', `/api/sessions/${r.body.id}/authenticated`, { token: other })).status, 403);
  await bankAnswers(pi, r.body.payment.client_secret, true);
  const go = await api(server.url, 'POST', `/api/sessions/${r.body.id}/authenticated`, { token });
  assert.equal(go.status, 200, JSON.stringify(go.body));
  assert.equal(go.body.state, 'starting');
  assert.equal(go.body.payment.client_secret, undefined, 'the secret is only in the answer to the start');
  assert.equal((await ls.stripe('GET', `/v1/payment_intents/${pi}`)).body.status, 'requires_capture');
  await waitFor(server.url, token, r.body.id, (x) => x.state === 'active', 'active');
  await api(server.url, 'POST', `/api/sessions/${r.body.id}/stop`, { token });
  const done = await waitFor(server.url, token, r.body.id, (x) => x.state === 'completed', 'completed');
  assert.equal((await takenMinor(pi)).taken, Math.round(Number(done.payment.captured) * 100));

  // Refused by the driver at the bank: a plain error, nothing held.
  const f = await api(server.url, 'POST', '/api/sessions', { token, key: '3ds-fail', body: { ...candidates[12] ?? candidates[3], payment_method: await ls.paymentMethod(THREE_DS) } });
  assert.equal(f.status, 201);
  await bankAnswers(f.body.payment.payment_intent, f.body.payment.client_secret, false);
  const no = await api(server.url, 'POST', `/api/sessions/${f.body.id}/authenticated`, { token });
  assert.equal(no.status, 402);
  assert.equal(no.body.error.code, 'card_authentication_failed');
  assert.match(no.body.error.message, /did not confirm.*Nothing was charged/);
  const s = await waitFor(server.url, token, f.body.id, (x) => x.state === 'failed' && x.payment.released, 'failed and released');
  assert.equal((await ls.stripe('GET', `/v1/payment_intents/${s.payment.payment_intent}`)).body.status, 'canceled');
  assert.deepEqual((await api(server.url, 'GET', '/api/sessions?active=1', { token })).body.sessions, []);
});
