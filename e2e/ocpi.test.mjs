// The OCPI endpoints over real HTTP, against the real server and the NL data in SQLite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startServer, runServerExpectingFailure, ROOT } from './lib.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const get = (path) => fetch(path.startsWith('http') ? path : server.url + path);

test('walking every page through Link headers gives each location exactly once (25,909 objects, 16 of them repeats)', async () => {
  const seen = new Map();
  let next = '/ocpi/2.2.1/locations?limit=1000';
  let pages = 0;
  while (next) {
    const res = await get(next);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-total-count'), '25893');
    assert.equal(res.headers.get('x-limit'), '1000');
    const body = await res.json();
    assert.equal(body.status_code, 1000);
    assert.equal(typeof body.timestamp, 'string');
    assert.match(body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const loc of body.data) {
      const key = `${loc.country_code}/${loc.party_id}/${loc.id}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const link = res.headers.get('link');
    next = link ? /<([^>]+)>;\s*rel="next"/.exec(link)[1] : null;
    if (next) assert.ok(next.startsWith('http://'), 'OCPI links are absolute');
    pages += 1;
    assert.ok(pages < 100, 'pagination must end');
  }
  assert.equal(pages, 26);
  // The NL file has 25,909 objects; 16 repeat an earlier (country_code, party_id, id) word for
  // word. OCPI makes that key unique, so each repeat is stored once (see core import).
  assert.equal(seen.size, 25893);
  assert.ok([...seen.values()].every((n) => n === 1), 'no location twice');
});

test('a small limit pages correctly and the last page has no next link', async () => {
  const res = await get('/ocpi/2.2.1/locations?offset=25889&limit=10');
  const body = await res.json();
  assert.equal(body.data.length, 4);
  assert.equal(res.headers.get('link'), null);
  const over = await (await get('/ocpi/2.2.1/locations?offset=99999')).json();
  assert.deepEqual(over.data, []);
});

test('date_from/date_to filter on last_updated', async () => {
  const future = await get('/ocpi/2.2.1/locations?date_from=2100-01-01T00:00:00Z');
  assert.equal(future.headers.get('x-total-count'), '0');
  const past = await get('/ocpi/2.2.1/locations?date_to=2000-01-01T00:00:00Z');
  assert.equal(past.headers.get('x-total-count'), '0');
  const all = await get('/ocpi/2.2.1/locations?date_from=2000-01-01T00:00:00Z&limit=1');
  assert.equal(all.headers.get('x-total-count'), '25893');
  assert.match(all.headers.get('link'), /date_from=2000-01-01T00%3A00%3A00Z/);
});

test('one location by id, in the envelope', async () => {
  const first = (await (await get('/ocpi/2.2.1/locations?limit=1&offset=123')).json()).data[0];
  const res = await get(`/ocpi/2.2.1/locations/${encodeURIComponent(first.id)}`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.status_code, 1000);
  assert.deepEqual(body.data, first);
});

test('tariffs are served with the same pagination', async () => {
  const res = await get('/ocpi/2.2.1/tariffs?limit=500');
  assert.equal(res.headers.get('x-total-count'), '2820');
  const body = await res.json();
  assert.equal(body.data.length, 500);
  assert.equal(body.data[0].currency, 'EUR');
  assert.match(res.headers.get('link'), /offset=500&limit=500/);
});

test('bad parameters and unknown ids are OCPI errors with the right HTTP status', async () => {
  for (const [path, http, code, word] of [
    ['/ocpi/2.2.1/locations?limit=abc', 400, 2001, 'limit'],
    ['/ocpi/2.2.1/locations?offset=-1', 400, 2001, 'offset'],
    ['/ocpi/2.2.1/locations?date_from=yesterday', 400, 2001, 'date_from'],
    ['/ocpi/2.2.1/tariffs?limit=-5', 400, 2001, 'limit'],
    ['/ocpi/2.2.1/locations/no-such-location', 404, 2003, 'no-such-location'],
  ]) {
    const res = await get(path);
    assert.equal(res.status, http, path);
    const body = await res.json();
    assert.equal(body.status_code, code, path);
    assert.ok(body.status_message.includes(word), `${path}: ${body.status_message}`);
  }
});

test('compact stations for the app: every location, small rows', async () => {
  const res = await fetch(server.url + '/api/stations', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(res.status, 200);
  const rows = await res.json();
  assert.equal(rows.length, 25893);
  const [id, name, lat, lon, , evses] = rows[0];
  assert.equal(typeof id, 'string');
  assert.equal(typeof name, 'string');
  assert.ok(lat > 50 && lat < 54 && lon > 3 && lon < 8);
  assert.ok(evses.length >= 1);
  // No uids in the download: [plugs, kW, status, caps?, price?] per EVSE, numbers only (the stream
  // names EVSEs by position; payment capability bits and the price in cents per kWh only when known).
  assert.ok(rows.every((r) => r[5].every((e) => e.length >= 3 && e.length <= 5 && e.every((x) => typeof x === 'number'))));
  assert.ok(rows.some((r) => r[5].some((e) => e.length === 5)), 'some EVSEs carry a price');
  // After the EVSEs, at most one object of station extras (hours, reliability, currency).
  assert.ok(rows.every((r) => r.length === 6 || (r.length === 7 && typeof r[6] === 'object' && !Array.isArray(r[6]))));
});

test('a missing data file stops the server with a message naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-bad-'));
  copyFileSync(join(ROOT, 'data/nl/tariffs.json.gz'), join(dir, 'tariffs.json.gz'));
  const { code, output } = await runServerExpectingFailure({ CHARGEFINDER_DATA: dir, CHARGEFINDER_DB: join(dir, 'db.sqlite') });
  assert.notEqual(code, 0);
  assert.match(output, /locations\.json\.gz/);
  assert.ok(!existsSync(join(dir, 'db.sqlite')));
});

test('a corrupt data file stops the server and leaves no half-written database', async () => {
  for (const [what, bytes, says] of [
    ['truncated gzip', gzipSync(Buffer.from('[{"id":"x"}]')).subarray(0, 12), /not valid gzip/],
    ['not JSON', gzipSync(Buffer.from('{"data": [ this is not json')), /not valid JSON/],
  ]) {
    const dir = mkdtempSync(join(tmpdir(), 'cf-bad-'));
    writeFileSync(join(dir, 'locations.json.gz'), bytes);
    copyFileSync(join(ROOT, 'data/nl/tariffs.json.gz'), join(dir, 'tariffs.json.gz'));
    const { code, output } = await runServerExpectingFailure({ CHARGEFINDER_DATA: dir, CHARGEFINDER_DB: join(dir, 'db.sqlite') });
    assert.notEqual(code, 0, what);
    assert.match(output, /locations\.json\.gz/, what);
    assert.match(output, says, what);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('db.sqlite')), [], `${what}: no database left`);
  }
});

test('the import runs again only when the input changed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-reimport-'));
  const loc = (id) => ({ id, country_code: 'NL', party_id: 'TST', address: 'a', city: 'c', country: 'NLD', time_zone: 'Europe/Amsterdam',
    coordinates: { latitude: '52.0', longitude: '4.3' }, last_updated: '2026-01-01T00:00:00Z',
    evses: [{ uid: `${id}-1`, status: 'AVAILABLE', connectors: [{ id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 16 }] }] });
  writeFileSync(join(dir, 'locations.json.gz'), gzipSync(JSON.stringify([loc('one')])));
  writeFileSync(join(dir, 'tariffs.json.gz'), gzipSync('[]'));
  const db = join(dir, 'db.sqlite');
  const servers = [];
  const start = async () => { const s = await startServer({ data: dir, db }); servers.push(s); return s; };
  try {
    let s = await start();
    assert.match(s.log(), /imported 1 locations/);
    await s.stop();
    s = await start();
    assert.doesNotMatch(s.log(), /imported/, 'same input: no import');
    await s.stop();
    writeFileSync(join(dir, 'locations.json.gz'), gzipSync(JSON.stringify([loc('one'), loc('two')])));
    s = await start();
    assert.match(s.log(), /imported 2 locations/);
    const body = await (await fetch(s.url + '/ocpi/2.2.1/locations')).json();
    assert.deepEqual(body.data.map((l) => l.id), ['one', 'two']);
  } finally {
    for (const s of servers) await s.stop();
  }
});
