// A/B in one process, interleaved: the package before (main at be96718, one module) and after
// (the core module of branch size), same data, same queries. Median and minimum ms per batch over ROUNDS (minima are the steadier figure on a shared machine).
// Run: BEFORE_PKG=/path/to/nodejs/chargefinder.js ROUNDS=21 node bench/ab-size.mjs; the "before"
// package is wasm-bindgen --target nodejs + wasm-opt -Oz of the other build (BENCHMARKS.md,
// "Package size").
import { createRequire } from 'node:module';
import { generate, queries, bboxAround as box } from './data.mjs';
const require = createRequire(import.meta.url);
if (!process.env.BEFORE_PKG) {
  console.error('BEFORE_PKG=<path to a nodejs-target chargefinder.js to compare with> (AFTER_PKG defaults to the built package)');
  process.exit(2);
}
const before = require(process.env.BEFORE_PKG);
const after = process.env.AFTER_PKG ? require(process.env.AFTER_PKG) : await import('chargefinder');
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const n = Number(process.env.N ?? 100000);
const d = generate(n); const qs = queries(1000);
const setup = (m) => { const cf = m.ChargeFinder.fromColumns(d.lat, d.lon, d.evseOffset, d.plugs, d.powerKw, d.status); cf.buildClusters(); return { m, cf, f: new m.Filter({ plugs: ['CCS1', 'CCS2'], minPowerKw: 50 }), any: new m.Filter() }; };
const mods = { before: setup(before), after: setup(after) };
const ops = {
  build: (x) => x.m.ChargeFinder.fromColumns(d.lat, d.lon, d.evseOffset, d.plugs, d.powerKw, d.status),
  nearest: (x) => qs.map(([a, b]) => x.cf.nearest(a, b, 10, 50_000, x.f)),
  bbox20: (x) => qs.map((q) => x.cf.inBbox(...box(q, 20), x.any)),
  bbox300: (x) => qs.slice(0, 200).map((q) => x.cf.inBbox(...box(q, 300), x.any)),
  clusters9: (x) => qs.slice(0, 200).map((q) => x.cf.clusters(...box(q, 400), 9, x.f)),
  stations: (x) => qs.slice(0, 200).map(([a, b]) => x.cf.nearestStations(a, b, 10, 50_000, x.f)),
};
const res = {};
for (let r = 0; r < ROUNDS; r++) for (const [op, fn] of Object.entries(ops)) for (const k of (r % 2 ? ['after', 'before'] : ['before', 'after'])) {
  const t = performance.now(); fn(mods[k]); (res[op + ' ' + k] ??= []).push(performance.now() - t);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`n = ${n}, ${ROUNDS} interleaved rounds; ms per batch, median (min–max)`);
console.log('| operation | before | after | after/before |');
for (const op of Object.keys(ops)) {
  const [b, a] = [res[op + ' before'], res[op + ' after']];
  const f = (x) => `${med(x).toFixed(2)} (${Math.min(...x).toFixed(2)}–${Math.max(...x).toFixed(2)})`;
  console.log(`| ${op} | ${f(b)} | ${f(a)} | ${(med(a) / med(b)).toFixed(2)} |`);
}
