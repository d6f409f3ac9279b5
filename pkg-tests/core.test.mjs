// The core module (`chargefinder`, what the quick start loads): compact rows and columns in,
// queries, filters, live status, clusters and vehicles out; the OCPI loaders and tariffs are in
// `chargefinder/ocpi`. Its answers must be the OCPI module's answers for the same stations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChargeFinder, Filter } from 'chargefinder';
import * as ocpi from 'chargefinder/ocpi';
import fixture from './fixture.cjs';

const { SMALL, SMALL_ROWS, NL_JSON } = fixture;
const PLUGS = ['CCS1', 'CCS2', 'CHADEMO', 'TYPE2_SOCKET', 'TYPE2_CABLE', 'TYPE1', 'NACS', 'MCS', 'SCHUKO', 'DOMESTIC',
  'INDUSTRIAL', 'NEMA', 'GBT_AC', 'GBT_DC', 'CHAOJI', 'TYPE3', 'PANTOGRAPH', 'TESLA_ROADSTER', 'OTHER'];
const STATUS = ['AVAILABLE', 'BLOCKED', 'CHARGING', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', 'REMOVED', 'RESERVED', 'UNKNOWN'];

/** The stations of an OCPI-loaded ChargeFinder as compact rows, as the server would serve them. */
function rowsOf(cf) {
  const rows = [];
  for (let i = 0; i < cf.length; i++) {
    const s = cf.station(i);
    rows.push([s.id, s.name, s.lat, s.lon, s.operator, s.evses.map((e) => [
      e.uid, e.plugs.reduce((m, p) => m | (1 << PLUGS.indexOf(p)), 0), e.maxPowerKw, STATUS.indexOf(e.status)])]);
  }
  return rows;
}

test('fromStations: compact rows (string or parsed), live status by OCPI ids', () => {
  const cf = ChargeFinder.fromStations(SMALL_ROWS);
  assert.equal(cf.length, 3);
  assert.equal(cf.evseCount, 4);
  assert.equal(cf.report().evses, 4);
  const dcFree = () => cf.nearestStations(52.0116, 4.3571, 10, undefined, new Filter({ plugs: ['CCS2'], availableNow: true })).length;
  assert.equal(dcFree(), 1);
  assert.equal(cf.setStatus('DC', 'DC-1', 'CHARGING', Date.now()), 'updated');
  assert.equal(dcFree(), 0);
  assert.equal(cf.applyPatch('DC', 'DC-1', { status: 'AVAILABLE', last_updated: new Date(Date.now() + 1000).toISOString() }), 'updated');
  assert.equal(dcFree(), 1);
  assert.deepEqual(cf.station(cf.nearest(52.0200, 4.3571, 1, undefined, new Filter())[0]),
    { id: 'BROKEN', name: 'Street 1', lat: 52.02, lon: 4.3571, operator: null, evses: [{ uid: 'B-1', plugs: ['CHADEMO'], maxPowerKw: 50, status: 'OUTOFORDER' }] });
  assert.equal(ChargeFinder.fromStations(JSON.stringify(SMALL_ROWS)).length, 3);
  assert.throws(() => ChargeFinder.fromStations('[["X", "x", 95, 0, null, []]]'), { name: 'ChargeFinderInputError', message: /out of range/ });
  assert.throws(() => ChargeFinder.fromStations('{"data": []}'), { name: 'ChargeFinderInputError', message: /station rows/ });
  assert.ok(ChargeFinder.vehicles().length >= 30);
});

test('the core module has no OCPI loaders or tariffs; chargefinder/ocpi has them', () => {
  for (const name of ['fromOcpi', 'fromOcm']) {
    assert.equal(ChargeFinder[name], undefined, name);
    assert.equal(typeof ocpi.ChargeFinder[name], 'function', name);
  }
  const cf = ChargeFinder.fromStations(SMALL_ROWS);
  for (const name of ['addTariffs', 'quote', 'cheapestNear', 'location']) assert.equal(cf[name], undefined, name);
  assert.equal(typeof ocpi.ChargeFinder.fromOcpi(SMALL).addTariffs, 'function');
});

test('the NL data as compact rows in the core module: the same answers as fromOcpi in chargefinder/ocpi', () => {
  const full = ocpi.ChargeFinder.fromOcpi(NL_JSON());
  const cf = ChargeFinder.fromStations(rowsOf(full));
  assert.equal(cf.length, full.length);
  assert.equal(cf.evseCount, full.evseCount);
  const filters = [{}, { plugs: ['CCS2'], minPowerKw: 50 }, { availableNow: true }, { plugs: ['TYPE2_SOCKET'], current: 'AC' }];
  const points = [[52.0116, 4.3571], [52.3702, 4.8952], [51.4416, 5.4697], [53.2194, 6.5665]];
  for (const options of filters) {
    const [a, b] = [new Filter(options), new ocpi.Filter(options)];
    for (const [lat, lon] of points) {
      assert.deepEqual(cf.nearestStations(lat, lon, 20, 50_000, a).map((h) => [h.id, h.distanceM, h.matchingEvses]),
        full.nearestStations(lat, lon, 20, 50_000, b).map((h) => [h.id, h.distanceM, h.matchingEvses]), JSON.stringify(options));
    }
    assert.deepEqual([...cf.inBbox(4.2, 51.9, 4.5, 52.1, a)].sort(), [...full.inBbox(4.2, 51.9, 4.5, 52.1, b)].sort());
    // Clusters are not compared: their centres depend on the index's internal order, which
    // differs between the two loaders, so a cluster near a viewport's edge can fall in or out.
  }
});

// `inBbox` is the hand-written wrapper bind/in-bbox.js (appended to the glue by build-pkg.sh):
// its results must be fresh arrays the caller owns, and its errors those of the checked path.
test('inBbox: fresh arrays that survive later calls, small and large, and the same argument errors', () => {
  const full = ocpi.ChargeFinder.fromOcpi(NL_JSON());
  const cf = ChargeFinder.fromStations(rowsOf(full));
  const any = new Filter();
  const nl = [3.2, 50.7, 7.3, 53.6];
  const sorted = (a) => [...a].sort((x, y) => x - y);
  const big = cf.inBbox(...nl, any), small = cf.inBbox(4.35, 52.0, 4.37, 52.01, any);
  assert.ok(big instanceof Uint32Array && small instanceof Uint32Array);
  assert.equal(big.length, cf.length, 'every station is in the Netherlands');
  assert.ok(big.length * 4 > 8192, 'a result larger than the pool takes its own buffer');
  assert.ok(small.length > 0 && small.length < 200);
  const tiny = cf.inBbox(4.355, 52.0, 4.36, 52.005, any); // copied by a loop, not `set`
  assert.ok(tiny.length > 0 && tiny.length <= 64, `${tiny.length} ids`);
  const [bigCopy, smallCopy, tinyCopy] = [sorted(big), sorted(small), sorted(tiny)];
  assert.deepEqual(tinyCopy, sorted(small).filter((i) => { const s = cf.station(i); return s.lon >= 4.355 && s.lon <= 4.36 && s.lat <= 52.005; }));
  // Many more queries (more than a 64 KB pool's worth) must not change earlier results.
  const results = [];
  for (let i = 0; i < 3000; i++) results.push(cf.inBbox(4.35 + (i % 7) * 0.001, 52.0, 4.37, 52.01, any));
  assert.deepEqual(sorted(big), bigCopy);
  assert.deepEqual(sorted(small), smallCopy);
  assert.deepEqual(sorted(tiny), tinyCopy);
  assert.deepEqual(sorted(results[0]), smallCopy);
  assert.deepEqual(sorted(results[2999]), sorted(cf.inBbox(4.35 + (2999 % 7) * 0.001, 52.0, 4.37, 52.01, any)));
  // The same ids as the OCPI module, whose `inBbox` goes through the same wrapper.
  assert.deepEqual(sorted(small).map((i) => cf.station(i).id).sort(), sorted(full.inBbox(4.35, 52.0, 4.37, 52.01, new ocpi.Filter())).map((i) => full.station(i).id).sort());
  assert.equal(cf.inBbox(-40.1, -40.1, -40.0, -40.0, any).length, 0);
  for (const bad of [[NaN, 52, 4.4, 52.03], [4.3, 52, Infinity, 52.03], [4.3, 52.1, 4.4, 52.0]]) {
    assert.throws(() => cf.inBbox(...bad, any), (e) => e.name === 'ChargeFinderArgumentError' && /inBbox: \[.*\] is not \[west, south, east, north\]/.test(e.message), String(bad));
  }
  assert.throws(() => cf.inBbox(...nl, {}), /expected instance of Filter/);
  assert.equal(cf.inBboxRaw, undefined, 'the raw export is not part of the API');
  assert.equal(typeof ChargeFinder.prototype.inBbox, 'function');
});

// `clusters` goes through the same kind of wrapper: fresh 8-byte aligned views (interleaved with
// `inBbox`'s 4-byte ones in the same pool), the same numbers as `clusterObjects`, the same errors.
test('clusters: fresh arrays that survive later calls, the same numbers as clusterObjects, the same errors', () => {
  const cf = ChargeFinder.fromStations(rowsOf(ocpi.ChargeFinder.fromOcpi(NL_JSON())));
  const any = new Filter();
  const view = [4.2, 51.9, 4.6, 52.2];
  const flat = (objs) => objs.flatMap((c) => [c.lon, c.lat, c.stations, c.matchingEvses, c.availableEvses, c.station ?? -1]);
  const first = cf.clusters(...view, 12, any);
  assert.ok(first instanceof Float64Array && first.length > 0 && first.length % 6 === 0);
  assert.equal(first.byteOffset % 8, 0);
  const copy = [...first];
  assert.deepEqual(copy, flat(cf.clusterObjects(...view, 12, any)));
  const country = cf.clusters(3.2, 50.7, 7.3, 53.6, 13, any);
  assert.ok(country.length * 8 > 8192, 'a result larger than the pool takes its own buffer');
  const results = [];
  for (let i = 0; i < 2000; i++) {
    cf.inBbox(4.35, 52.0, 4.37 + (i % 3) * 0.001, 52.01, any); // odd offsets in the shared pool
    results.push(cf.clusters(...view, 10 + (i % 4), any));
  }
  assert.deepEqual([...first], copy);
  for (const r of results) assert.equal(r.byteOffset % 8, 0);
  assert.deepEqual([...results[1998]], flat(cf.clusterObjects(...view, 12, any)));
  assert.equal(cf.clusters(-40.1, -40.1, -40.0, -40.0, 12, any).length, 0);
  for (const bad of [[NaN, 52, 4.4, 52.03], [4.3, 52.1, 4.4, 52.0]]) {
    assert.throws(() => cf.clusters(...bad, 12, any), (e) => e.name === 'ChargeFinderArgumentError' && /clusters: \[.*\] is not \[west, south, east, north\]/.test(e.message), String(bad));
  }
  assert.throws(() => cf.clusters(...view, 12, {}), /expected instance of Filter/);
  assert.equal(cf.clustersRaw, undefined, 'the raw export is not part of the API');
});
