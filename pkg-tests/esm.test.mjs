// The built npm package, imported exactly as a user's ESM code would (`chargefinder/ocpi`: OCPI loads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChargeFinder, Filter } from 'chargefinder/ocpi';

const ANY = new Filter(); // matches everything
import fixture from './fixture.cjs';

const { SMALL, NL_JSON } = fixture;

test('loads parsed OCPI and reports what it skipped', () => {
  const cf = ChargeFinder.fromOcpi(SMALL);
  assert.equal(cf.length, 3);
  const r = cf.report();
  assert.equal(r.locations_seen, 4);
  assert.equal(r.locations, 3);
  assert.equal(r.evses, 4);
  const skipped = r.problems.filter((p) => p.kind === 'skipped');
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0].location_id, 'NOWHERE');
  assert.equal(skipped[0].path, '[3].coordinates');
});

test('loads a JSON string the same as parsed JSON', () => {
  const a = ChargeFinder.fromOcpi(JSON.stringify(SMALL));
  const b = ChargeFinder.fromOcpi(SMALL.data);
  assert.deepEqual(a.nearestStations(52.0116, 4.3571, undefined, undefined, ANY), b.nearestStations(52.0116, 4.3571, undefined, undefined, ANY));
});

test('nearest: ids on the fast path, objects for display, filters in wasm', () => {
  const cf = ChargeFinder.fromOcpi(SMALL);
  const ids = cf.nearest(52.0116, 4.3571, 10, undefined, ANY);
  assert.ok(ids instanceof Uint32Array);
  assert.deepEqual([...ids].map((i) => cf.station(i).id), ['AC', 'DC', 'BROKEN']);
  const ccs = cf.nearestStations(52.0116, 4.3571, 10, 50_000, new Filter({ plugs: ['CCS2'] }));
  assert.deepEqual(ccs.map((h) => h.id), ['DC']);
  assert.equal(ccs[0].bestPowerKw, 150);
  assert.ok(Math.abs(ccs[0].distanceM - 202.6) < 1, String(ccs[0].distanceM));
  const working = cf.nearestStations(52.0116, 4.3571, 10, undefined, new Filter({ workingOnly: true }));
  assert.deepEqual(working.map((h) => h.id), ['AC', 'DC']);
  const freeNow = cf.nearestStations(52.0116, 4.3571, 10, undefined, new Filter({ availableNow: true, minPowerKw: 20 }));
  assert.deepEqual(freeNow.map((h) => [h.id, h.matchingEvses, h.availableEvses]), [['AC', 1, 1], ['DC', 1, 1]]);
  assert.deepEqual(cf.nearestStations(52.0116, 4.3571, 10, 50, ANY), [], 'nothing within 50 m');
  assert.deepEqual(cf.nearestStations(52.0116, 4.3571, 10, 100, ANY).map((h) => h.id), ['AC']);
});

test('a compiled filter is reused across calls (borrowed, never consumed)', () => {
  const cf = ChargeFinder.fromOcpi(SMALL);
  const ccs = new Filter({ plugs: ['CCS2'] });
  for (let i = 0; i < 3; i++) assert.deepEqual(cf.nearestStations(52.0116, 4.3571, 10, 50_000, ccs).map((h) => h.id), ['DC'], `call ${i}`);
  assert.deepEqual([...cf.inBbox(4.3, 52.0, 4.4, 52.03, ccs)].map((i) => cf.station(i).id), ['DC']);
  assert.deepEqual(cf.alongRoute(Float64Array.of(52.0116, 4.30, 52.0116, 4.40), 1000, ccs).map((h) => h.id), ['DC']);
});

test('one station with its EVSEs', () => {
  const cf = ChargeFinder.fromOcpi(SMALL);
  const [i] = cf.nearest(52.0116, 4.3571, 1, undefined, ANY);
  assert.deepEqual(cf.station(i).evses.map((e) => [e.uid, e.status, e.plugs, e.maxPowerKw]), [
    ['AC-1', 'CHARGING', ['TYPE2_SOCKET'], 22],
    ['AC-2', 'AVAILABLE', ['TYPE2_SOCKET'], 22],
  ]);
});

test('errors are JS Errors with a name per kind and a message naming the field', () => {
  assert.throws(() => ChargeFinder.fromOcpi('{"data": [ not json'), (e) => e instanceof Error && e.name === 'ChargeFinderInputError' && /JSON/.test(e.message));
  assert.throws(() => ChargeFinder.fromOcpi(42), (e) => e.name === 'ChargeFinderInputError');
  const cf = ChargeFinder.fromOcpi(SMALL);
  assert.throws(() => cf.nearest(95, 4, 10, undefined, ANY), (e) => e.name === 'ChargeFinderArgumentError' && /lat/.test(e.message));
  assert.throws(() => new Filter({ plugs: ['USB_C'] }), (e) => e.name === 'ChargeFinderArgumentError' && /filter\.plugs/.test(e.message) && /USB_C/.test(e.message));
  assert.throws(() => new Filter({ minPowerKW: 50 }), (e) => e.name === 'ChargeFinderArgumentError' && /minPowerKW/.test(e.message));
  assert.throws(() => cf.station(99), (e) => e.name === 'ChargeFinderArgumentError' && /99/.test(e.message));
});

test('the whole NL set loads and answers', () => {
  const cf = ChargeFinder.fromOcpi(NL_JSON());
  assert.equal(cf.length, 25893);
  assert.equal(cf.report().locations_seen, 25909);
  const hits = cf.nearestStations(52.0116, 4.3571, 10, undefined, ANY);
  assert.equal(hits.length, 10);
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1].distanceM <= hits[i].distanceM);
});
