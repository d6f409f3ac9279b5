import fs from 'node:fs';
import zlib from 'node:zlib';
const wasm = fs.readFileSync(process.argv[2] ?? new URL('target/wasm32-unknown-unknown/release/chargefinder_wasm_bench.wasm', import.meta.url));
const { instance } = await WebAssembly.instantiate(wasm, {});
const x = instance.exports;
const put = (buf) => { const p = x.alloc(buf.length); new Uint8Array(x.memory.buffer, p, buf.length).set(buf); return p; };
const loc = zlib.gunzipSync(fs.readFileSync(new URL('../../../data/nl/locations.json.gz', import.meta.url)));
const tar = zlib.gunzipSync(fs.readFileSync(new URL('../../../data/nl/tariffs.json.gz', import.meta.url)));
const lp = put(loc), tp = put(tar);
let t = performance.now();
const n = x.load(lp, loc.length, tp, tar.length);
console.log(`loaded ${n} connectors in ${(performance.now() - t).toFixed(0)} ms`);
for (const indexed of [0, 1]) {
  let best = Infinity, priced = 0;
  for (let i = 0; i < 7; i++) { t = performance.now(); priced = x.price_all(indexed); best = Math.min(best, performance.now() - t); }
  console.log(`wasm price_all(${indexed ? 'ids resolved at load' : 'string ids'}): best of 7 ${best.toFixed(1)} ms, ${priced} priced`);
}
