// The rest of the package API through `chargefinder/ocpi` (the module with the OCPI loaders and
// tariffs; the core module's own API is in core.test.mjs): columns, bbox, route, clusters, live
// status, OCPI objects, Open Charge Map, tariffs and prices, the vehicle catalogue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ChargeFinder, Filter } from 'chargefinder/ocpi';

const ANY = new Filter(); // matches everything
import fixture from './fixture.cjs';

const { SMALL, NL_JSON } = fixture;
const ROOT = new URL('..', import.meta.url).pathname;

test('fromColumns: typed arrays in, same answers as the oracle', () => {
  // Three stations: 2 EVSEs, 1 EVSE, 0 EVSEs.
  const lat = Float64Array.of(52.0, 52.01, 52.02), lon = Float64Array.of(4.0, 4.0, 4.0);
  const evseOffset = Uint32Array.of(0, 2, 3, 3);
  const plugs = Uint32Array.of(1 << 1, 1 << 3, 1 << 3); // CCS2, TYPE2_SOCKET, TYPE2_SOCKET
  const powerKw = Float32Array.of(150, 22, 11);
  const status = Uint8Array.of(2, 0, 0); // CHARGING, AVAILABLE, AVAILABLE
  const cf = ChargeFinder.fromColumns(lat, lon, evseOffset, plugs, powerKw, status);
  assert.equal(cf.length, 3);
  assert.equal(cf.evseCount, 3);
  assert.deepEqual([...cf.nearest(52.0, 4.0, 5, undefined, ANY)], [0, 1], 'a station with no EVSE never matches');
  const free = cf.nearestStations(52.0, 4.0, 5, undefined, new Filter({ availableNow: true }));
  assert.deepEqual(free.map((h) => [h.index, h.availableEvses]), [[0, 1], [1, 1]]);
  assert.deepEqual([...cf.nearest(52.0, 4.0, 5, undefined, new Filter({ plugs: ['CCS2'], availableNow: true }))], []);
  assert.throws(() => ChargeFinder.fromColumns(lat, lon, Uint32Array.of(0, 2, 3), plugs, powerKw, status), { name: 'ChargeFinderArgumentError' });
  assert.throws(() => ChargeFinder.fromColumns(Float64Array.of(95), Float64Array.of(0), Uint32Array.of(0, 0), new Uint32Array(), new Float32Array(), new Uint8Array()), /out of range/);
  assert.ok(cf.bytesPerEvse() > 0);
});

test('live status: one at a time, as OCPI PATCH, in typed-array batches; stale updates ignored', () => {
  const cf = ChargeFinder.fromOcpi(SMALL);
  const dcFree = () => cf.nearestStations(52.0116, 4.3571, 10, undefined, new Filter({ plugs: ['CCS2'], availableNow: true })).length;
  assert.equal(dcFree(), 1);
  const t = Date.now();
  assert.equal(cf.setStatus('DC', 'DC-1', 'CHARGING', t), 'updated');
  assert.equal(dcFree(), 0);
  assert.equal(cf.setStatus('DC', 'DC-1', 'AVAILABLE', t - 60_000), 'stale', 'older than what is stored');
  assert.equal(dcFree(), 0);
  assert.equal(cf.applyPatch('DC', 'DC-1', { status: 'AVAILABLE', last_updated: new Date(t + 1000).toISOString() }), 'updated');
  assert.equal(dcFree(), 1);
  assert.equal(cf.setStatus('DC', 'NO-SUCH-EVSE', 'AVAILABLE'), 'unknown_evse');
  assert.throws(() => cf.setStatus('DC', 'DC-1', 'ON_FIRE'), { name: 'ChargeFinderArgumentError' });
  const slot = cf.evseSlot('DC', 'DC-1');
  assert.equal(typeof slot, 'number');
  assert.equal(cf.applyStatuses(Uint32Array.of(slot), Uint8Array.of(4), Float64Array.of(t + 2000)), 1);
  assert.equal(cf.station(cf.nearest(52.0120, 4.3600, 1, undefined, ANY)[0]).evses[0].status, 'OUTOFORDER');
  assert.equal(cf.applyStatuses(Uint32Array.of(slot), Uint8Array.of(0), Float64Array.of(t)), 0, 'stale batch entry ignored');
});

test('bbox (also across the antimeridian) and route corridor', () => {
  const cf = ChargeFinder.fromOcpi(SMALL);
  const all = [...cf.inBbox(4.3, 52.0, 4.4, 52.03, ANY)].map((i) => cf.station(i).id).sort();
  assert.deepEqual(all, ['AC', 'BROKEN', 'DC']);
  assert.deepEqual([...cf.inBbox(4.3, 52.015, 4.4, 52.03, ANY)].map((i) => cf.station(i).id), ['BROKEN']);
  const pacific = ChargeFinder.fromOcpi([
    { ...SMALL.data[0], id: 'FIJI-E', coordinates: { latitude: '-17.0', longitude: '179.9' } },
    { ...SMALL.data[0], id: 'FIJI-W', coordinates: { latitude: '-17.0', longitude: '-179.9' } },
    { ...SMALL.data[0], id: 'NOT', coordinates: { latitude: '-17.0', longitude: '170.0' } },
  ]);
  assert.deepEqual([...pacific.inBbox(179, -18, -179, -16, ANY)].map((i) => pacific.station(i).id).sort(), ['FIJI-E', 'FIJI-W']);
  // A route west → east through Delft: stations within 1 km, ordered along the route.
  const route = Float64Array.of(52.0116, 4.30, 52.0116, 4.40);
  const along = cf.alongRoute(route, 1000, ANY);
  // BROKEN (4.3571 E, ~930 m off the route), AC (4.3580, on it), DC (4.3600, ~45 m off): west to east.
  assert.deepEqual(along.map((h) => h.id), ['BROKEN', 'AC', 'DC']);
  for (let i = 1; i < along.length; i++) assert.ok(along[i - 1].alongM <= along[i].alongM);
  for (const h of along) assert.ok(Math.abs(h.detourM - 2 * h.distanceM) < 1e-6);
  assert.throws(() => cf.alongRoute(Float64Array.of(52), 1000, ANY), { name: 'ChargeFinderArgumentError' });
});

test('clusters conserve counts, fast path and objects agree', () => {
  const cf = ChargeFinder.fromOcpi(NL_JSON());
  cf.buildClusters();
  const nl = [3.2, 50.7, 7.3, 53.6];
  for (const zoom of [5, 9, 13]) {
    const flat = cf.clusters(...nl, zoom, ANY);
    const objs = cf.clusterObjects(...nl, zoom, ANY);
    assert.equal(flat.length, objs.length * 6);
    let stations = 0;
    objs.forEach((c, i) => {
      assert.equal(flat[i * 6 + 2], c.stations);
      assert.equal(flat[i * 6 + 5], c.station ?? -1);
      stations += c.stations;
    });
    assert.equal(stations, cf.inBbox(...nl, ANY).length, `zoom ${zoom}: every station in exactly one cluster`);
  }
  const vp = ChargeFinder.viewportBbox(52.0116, 4.3571, 13, 1280, 720);
  assert.equal(vp.length, 4);
  assert.ok(vp[0] < 4.3571 && vp[2] > 4.3571 && vp[1] < 52.0116 && vp[3] > 52.0116);
});

test('one location as its OCPI object; Open Charge Map into the same model', () => {
  const cf = ChargeFinder.fromOcpi(SMALL);
  const i = cf.nearest(52.0116, 4.3571, 1, undefined, ANY)[0];
  assert.deepEqual(cf.location(i), SMALL.data.find((l) => l.id === cf.station(i).id));
  const ocm = ChargeFinder.fromOcm(readFileSync(`${ROOT}/core/tests/fixtures/ocm/pois.json`, 'utf8'));
  assert.equal(ocm.report().locations, 2);
  const fast = ocm.nearestStations(52.46, 4.65, 5, 10_000, new Filter({ plugs: ['CCS2'], minPowerKw: 150 }));
  assert.equal(fast.length, 1);
  assert.throws(() => ocm.location(0), { name: 'ChargeFinderUnavailableError' });
});

test('vehicles, prices in words and cheapest near me on the NL data', () => {
  const cars = ChargeFinder.vehicles();
  assert.ok(cars.length >= 30);
  for (const c of cars) { assert.ok(c.source.length > 0, c.id); assert.ok(['EU', 'NA'].includes(c.region)); }
  const cf = ChargeFinder.fromOcpi(NL_JSON());
  const load = cf.addTariffs(gunzipSync(readFileSync(`${ROOT}/data/nl/tariffs.json.gz`)).toString('utf8'));
  assert.equal(load.loaded, 2820);
  const car = cars.find((c) => c.vehicle.inlets.includes('CCS2'));
  const filter = new Filter({ vehicle: car.id });
  const plan = { battery_kwh: 60, soc_from_pct: 20, soc_to_pct: 80, car_max_ac_kw: 11, car_max_dc_kw: 120 };
  const priced = cf.cheapestNear(52.0116, 4.3571, 10, 20_000, filter, plan, { start: '2026-06-10T10:00:00+02:00', lang: 'nl' });
  assert.ok(priced.length > 0);
  const withPrice = priced.filter((p) => p.estimate);
  assert.ok(withPrice.length > 0, 'some chargers near Delft have a price');
  for (let i = 1; i < withPrice.length; i++) {
    assert.ok(Number(withPrice[i - 1].estimate.excl_vat) <= Number(withPrice[i].estimate.excl_vat), 'cheapest first');
  }
  assert.match(withPrice[0].estimate.excl_vat, /^\d+(\.\d+)?$/, 'money is decimal text');
  assert.equal(typeof withPrice[0].words, 'string');
  const tariffId = cf.location(Number(withPrice[0].id.split('/')[0])).evses.flatMap((e) => e.connectors).flatMap((c) => c.tariff_ids ?? [])[0];
  assert.ok(cf.describeTariff(tariffId, 'de').length > 0);
  const q = cf.quote(tariffId, { time_zone: 'Europe/Amsterdam', start: '2026-06-10T10:00:00+02:00', plan: { ...plan, connector_kw: 50, dc: true } });
  assert.ok(Number(q.estimate.excl_vat) > 0);
  assert.throws(() => cf.quote('NO-SUCH-TARIFF', {}), { name: 'ChargeFinderUnavailableError' });
  assert.throws(() => new Filter({ vehicle: 'flux-capacitor-1985' }), { name: 'ChargeFinderArgumentError' });
});
