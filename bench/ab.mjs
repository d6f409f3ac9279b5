// A/B of two builds of the core module in one process, alternated, next to kdbush and
// supercluster: best of ROUNDS batches per build (the steadiest figure on a shared machine).
//
//   A=/path/to/nodejs/chargefinder.js B=/path/to/other/chargefinder.js node bench/ab.mjs
//   (B defaults to the built package; N=100000 for 100k stations)
import { createRequire } from 'node:module';
import KDBush from 'kdbush';
import Supercluster from 'supercluster';
import { generate, queries, bboxAround as box, viewport } from './data.mjs';

const require = createRequire(import.meta.url);
const mods = { A: require(process.env.A), B: process.env.B ? require(process.env.B) : await import('chargefinder') };
const n = Number(process.env.N ?? 10000), ROUNDS = Number(process.env.ROUNDS ?? 30);
const d = generate(n), qs = queries(1000);
const kd = new KDBush(n);
for (let i = 0; i < n; i++) kd.add(d.lon[i], d.lat[i]);
kd.finish();
const features = Array.from({ length: n }, (_, i) => ({ type: 'Feature', properties: { i }, geometry: { type: 'Point', coordinates: [d.lon[i], d.lat[i]] } }));
const sc = new Supercluster({ radius: 60, maxZoom: 16 }).load(features);
const inst = Object.fromEntries(Object.entries(mods).map(([k, m]) => {
  const cf = m.ChargeFinder.fromColumns(d.lat, d.lon, d.evseOffset, d.plugs, d.powerKw, d.status);
  return [k, { cf, any: new m.Filter() }];
}));
const b20 = qs.map((p) => box(p, 20)), b300 = qs.map((p) => box(p, 300));
const ops = {};
for (const [name, boxes] of [['bbox 20 km', b20], ['bbox 300 km', b300]]) {
  ops[name] = {
    other: () => { for (const b of boxes) kd.range(b[0], b[1], b[2], b[3]); },
    run: (x) => { for (const b of boxes) x.cf.inBbox(b[0], b[1], b[2], b[3], x.any); },
  };
  // Same id sets as kdbush in both builds.
  for (const [k, x] of Object.entries(inst)) for (const b of boxes.slice(0, 200)) {
    const A = [...x.cf.inBbox(b[0], b[1], b[2], b[3], x.any)].sort((p, q) => p - q), B = kd.range(b[0], b[1], b[2], b[3]).sort((p, q) => p - q);
    if (A.length !== B.length || A.some((v, j) => v !== B[j])) throw new Error(`${k} ${name}: ids differ from kdbush`);
  }
}
const ocean = qs.map(() => [-40.1, -40.1, -40.0, -40.0]);
ops['empty box'] = {
  other: () => { for (const b of ocean) kd.range(b[0], b[1], b[2], b[3]); },
  run: (x) => { for (const b of ocean) x.cf.inBbox(b[0], b[1], b[2], b[3], x.any); },
};
for (const z of [5, 9, 13]) {
  const views = qs.slice(0, 200).map((p) => viewport(p, z));
  ops[`clusters z${z}`] = {
    other: () => { for (const v of views) sc.getClusters(v, z); },
    run: (x) => { for (const v of views) x.cf.clusters(v[0], v[1], v[2], v[3], z, x.any); },
  };
  const [a, b] = Object.values(inst).map((x) => [...x.cf.clusters(views[0][0], views[0][1], views[0][2], views[0][3], z, x.any)]);
  if (a.length !== b.length || a.some((v, j) => Math.abs(v - b[j]) > 1e-9)) throw new Error(`clusters z${z}: A and B differ`);
}
const best = {};
for (let r = 0; r < ROUNDS; r++) for (const [op, o] of Object.entries(ops)) {
  for (const k of r % 2 ? ['other', 'B', 'A'] : ['A', 'B', 'other']) {
    const t = performance.now();
    if (k === 'other') o.other(); else o.run(inst[k]);
    const dt = performance.now() - t;
    best[`${op} ${k}`] = Math.min(best[`${op} ${k}`] ?? 1e9, dt);
  }
}
console.log(`n = ${n}, best of ${ROUNDS} interleaved batches (ms per 1,000 boxes / 200 viewports)`);
console.log('| query | A | B | other | B/A time | other/A | other/B |');
for (const op of Object.keys(ops)) {
  const [a, b, o] = ['A', 'B', 'other'].map((k) => best[`${op} ${k}`]);
  console.log(`| ${op} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${o.toFixed(3)} | ${(b / a).toFixed(2)} | ${(o / a).toFixed(2)}× | ${(o / b).toFixed(2)}× |`);
}
