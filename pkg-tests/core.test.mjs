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
