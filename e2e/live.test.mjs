// Live status over real HTTP: OCPI pushes in (token-checked), Server-Sent Events out, resumable
// with Last-Event-ID, persisted across a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './lib.mjs';

const TOKEN = 'test-cpo-token';
const auth = { authorization: `Token ${Buffer.from(TOKEN).toString('base64')}` };
const dir = mkdtempSync(join(tmpdir(), 'cf-live-'));
const db = join(dir, 'db.sqlite');
let server, evse;

before(async () => {
  server = await startServer({ db, env: { CHARGEFINDER_CPO_TOKEN: TOKEN } });
  const snap = await (await fetch(`${server.url}/api/status`)).json();
  assert.equal(snap.evses.length, 64066, 'one row per (location, EVSE uid)');
  evse = snap.evses.find((e) => e[2] === 'AVAILABLE');
});
after(async () => { await server?.stop(); });

const push = (e, body, headers = auth, method = 'PATCH') => fetch(`${server.url}/ocpi/2.2.1/locations/NL/XXX/${encodeURIComponent(e[0])}/${encodeURIComponent(e[1])}`, {
  method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});

/** Opens /api/live and collects events until `n` arrived (or the timeout). */
async function listen(n, { lastEventId, timeoutMs = 5000 } = {}) {
  const ctrl = new AbortController();
  const res = await fetch(`${server.url}/api/live`, { headers: lastEventId != null ? { 'last-event-id': String(lastEventId) } : {}, signal: ctrl.signal });
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const events = [];
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const done = (async () => {
    try {
      while (events.length < n) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i); buf = buf.slice(i + 2);
          const ev = {};
          for (const line of block.split('\n')) {
            const m = /^(\w+):\s?(.*)$/.exec(line);
            if (m) ev[m[1]] = m[2];
          }
          if (ev.event) events.push({ ...ev, data: ev.event === 'status' ? JSON.parse(ev.data) : ev.data });
        }
      }
    } catch { /* aborted */ }
    clearTimeout(timer);
    ctrl.abort();
    return events;
  })();
  return { done };
}

test('a pushed status change reaches a listener, in order, with ids', async () => {
  const sub = await listen(2);
  const t = Date.now();
  assert.equal((await push(evse, { status: 'CHARGING', last_updated: new Date(t).toISOString() })).status, 200);
  assert.equal((await push(evse, { status: 'AVAILABLE', last_updated: new Date(t + 1000).toISOString() }, auth, 'PUT')).status, 200);
  const got = await sub.done;
  assert.deepEqual(got.map((e) => [e.event, e.data.location_id, e.data.evse_uid, e.data.status]), [
    ['status', evse[0], evse[1], 'CHARGING'], ['status', evse[0], evse[1], 'AVAILABLE'],
  ]);
  assert.equal(Number(got[1].id), Number(got[0].id) + 1);
  // The EVSE is also named by its position in the station's download row (which has no uids).
  const loc = (await (await fetch(`${server.url}/ocpi/2.2.1/locations/${encodeURIComponent(evse[0])}`)).json()).data;
  const row = (await (await fetch(`${server.url}/api/stations`)).json()).find((r) => r[0] === evse[0]);
  assert.equal(got[0].data.evse_index, loc.evses.findIndex((e) => e.uid === evse[1]));
  assert.equal(row[5].length, loc.evses.length);
});

test('an older update is acknowledged and ignored', async () => {
  const before = (await (await fetch(`${server.url}/api/status`)).json());
  const res = await push(evse, { status: 'OUTOFORDER', last_updated: '2001-01-01T00:00:00Z' });
  assert.equal(res.status, 200);
  const afterSnap = await (await fetch(`${server.url}/api/status`)).json();
  assert.equal(afterSnap.seq, before.seq, 'no new event');
  assert.equal(afterSnap.evses.find((e) => e[0] === evse[0] && e[1] === evse[1])[2], 'AVAILABLE');
});

test('pushes need the token; bad bodies and unknown EVSEs are OCPI errors', async () => {
  const now = new Date().toISOString();
  for (const headers of [{}, { authorization: 'Token wrong' }, { authorization: `Bearer ${TOKEN}` }]) {
    const res = await push(evse, { status: 'CHARGING', last_updated: now }, headers);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).status_code, 2000);
  }
  const raw = await push(evse, { status: 'CHARGING', last_updated: new Date(Date.now() + 5000).toISOString() }, { authorization: `Token ${TOKEN}` });
  assert.equal(raw.status, 200, 'the OCPI 2.1.1 form (token not base64) is accepted too');
  for (const [body, word] of [[{ status: 'ON_FIRE', last_updated: now }, 'status'], [{ status: 'CHARGING' }, 'last_updated'], [{ status: 'CHARGING', last_updated: 'soon' }, 'last_updated']]) {
    const res = await push(evse, body);
    assert.equal(res.status, 400);
    const b = await res.json();
    assert.equal(b.status_code, 2001);
    assert.match(b.status_message, new RegExp(word));
  }
  const res = await push(['no-such-location', 'no-such-evse'], { status: 'CHARGING', last_updated: now });
  assert.equal(res.status, 404);
  assert.equal((await res.json()).status_code, 2003);
});

test('a reconnect with Last-Event-ID gets exactly what it missed', async () => {
  const seq = (await (await fetch(`${server.url}/api/status`)).json()).seq;
  const t = Date.now() + 10_000;
  for (const [i, s] of ['CHARGING', 'AVAILABLE', 'BLOCKED'].entries()) {
    assert.equal((await push(evse, { status: s, last_updated: new Date(t + i * 1000).toISOString() })).status, 200);
  }
  const got = await (await listen(3, { lastEventId: seq })).done;
  assert.deepEqual(got.map((e) => e.data.status), ['CHARGING', 'AVAILABLE', 'BLOCKED']);
  assert.deepEqual(got.map((e) => Number(e.id)), [seq + 1, seq + 2, seq + 3]);
});

test('status and the change log survive a restart', async () => {
  const before = await (await fetch(`${server.url}/api/status`)).json();
  await server.stop();
  server = await startServer({ db, env: { CHARGEFINDER_CPO_TOKEN: TOKEN } });
  const after = await (await fetch(`${server.url}/api/status`)).json();
  assert.equal(after.seq, before.seq);
  assert.equal(after.evses.find((e) => e[0] === evse[0] && e[1] === evse[1])[2], 'BLOCKED');
  const replay = await (await listen(after.seq, { lastEventId: 0 })).done;
  assert.equal(replay.length, after.seq);
});

test('the simulator drives realistic changes through the same stream', async () => {
  // 600× real time: a simulated day every 2.4 minutes.
  const sim = await startServer({ env: { CHARGEFINDER_SIMULATE: '600' } });
  try {
    const res = await fetch(`${sim.url}/api/live`);
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let text = '';
    const deadline = Date.now() + 15_000;
    while ((text.match(/event: status/g) ?? []).length < 50 && Date.now() < deadline) {
      const { value, done } = await Promise.race([reader.read(), new Promise((r) => setTimeout(() => r({ done: false }), 1000))]);
      if (done) break;
      if (value) text += dec.decode(value, { stream: true });
    }
    await reader.cancel();
    const events = [...text.matchAll(/data: (\{.*\})/g)].map((m) => JSON.parse(m[1]));
    assert.ok(events.length >= 50, `only ${events.length} changes in 15 s`);
    const statuses = new Set(events.map((e) => e.status));
    assert.ok(statuses.has('CHARGING') || statuses.has('AVAILABLE'), [...statuses].join());
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in order');
    assert.match(sim.log(), /simulating 64066 EVSEs/);
  } finally {
    await sim.stop();
  }
});
