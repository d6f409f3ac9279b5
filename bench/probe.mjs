// Per-call costs of the box and viewport-cluster queries, next to kdbush and supercluster, for
// finding where the time goes (compare.mjs is the benchmark of record). Best of 30 runs.
//
//   node bench/probe.mjs            10k stations
//   PROBE_N=100000 node bench/probe.mjs
import { ChargeFinder, Filter } from 'chargefinder';
import KDBush from 'kdbush';
import Supercluster from 'supercluster';
import { generate, queries, bboxAround as box, viewport } from './data.mjs';

const ANY = new Filter();
const n = Number(process.env.PROBE_N ?? 10000);
const d = generate(n), qs = queries(1000);
const cf = ChargeFinder.fromColumns(d.lat, d.lon, d.evseOffset, d.plugs, d.powerKw, d.status);
const kd = new KDBush(n);
for (let i = 0; i < n; i++) kd.add(d.lon[i], d.lat[i]);
kd.finish();
function t(name, f, per = 1000) {
  let best = 1e9;
  for (let r = 0; r < 30; r++) { const s = performance.now(); f(); best = Math.min(best, performance.now() - s); }
  console.log(name.padEnd(24), best.toFixed(3), `ms/${per}`);
  return best;
}
t('length getter (a call)', () => { for (let i = 0; i < 1000; i++) cf.length; });
for (const km of [20, 300]) {
  const boxes = qs.map((p) => box(p, km));
  let tot = 0;
  for (const b of boxes) tot += cf.inBbox(b[0], b[1], b[2], b[3], ANY).length;
  console.log(`bbox ${km} km: ${tot / 1000} results on average`);
  const o = t(' ours', () => { for (const b of boxes) cf.inBbox(b[0], b[1], b[2], b[3], ANY); });
  const k = t(' kdbush', () => { for (const b of boxes) kd.range(b[0], b[1], b[2], b[3]); });
  console.log(` ratio ${(k / o).toFixed(2)}×`);
}
const ocean = qs.map(() => [-40.1, -40.1, -40.0, -40.0]);
t('empty ours', () => { for (const b of ocean) cf.inBbox(b[0], b[1], b[2], b[3], ANY); });
t('empty kdbush', () => { for (const b of ocean) kd.range(b[0], b[1], b[2], b[3]); });

const features = Array.from({ length: n }, (_, i) => ({ type: 'Feature', properties: { i }, geometry: { type: 'Point', coordinates: [d.lon[i], d.lat[i]] } }));
const sc = new Supercluster({ radius: 60, maxZoom: 16 }).load(features);
for (const z of [5, 9, 13]) {
  const views = qs.slice(0, 200).map((p) => viewport(p, z));
  let tot = 0;
  for (const v of views) tot += cf.clusters(v[0], v[1], v[2], v[3], z, ANY).length / 6;
  console.log(`clusters z${z}: ${tot / 200} on average`);
  const o = t(' ours', () => { for (const v of views) cf.clusters(v[0], v[1], v[2], v[3], z, ANY); }, 200);
  const s = t(' supercluster', () => { for (const v of views) sc.getClusters(v, z); }, 200);
  console.log(` ratio ${(s / o).toFixed(2)}×`);
}
