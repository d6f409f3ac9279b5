// The same points and viewports through supercluster (v8, defaults: radius 40 px, maxZoom 16),
// to compare with `cargo bench -p chargefinder --bench queries`.
//
//   CHARGEFINDER_BENCH_EXPORT=/tmp/cf cargo bench -p chargefinder --bench queries
//   npm install supercluster@8 && node core/benches/supercluster.mjs /tmp/cf
import fs from 'node:fs';
import Supercluster from 'supercluster';

const dir = process.argv[2] ?? '.';
const cities = [[52.37, 4.90], [48.86, 2.35], [51.51, -0.13], [52.52, 13.40], [40.42, -3.70], [41.90, 12.50],
  [59.33, 18.07], [40.71, -74.01], [41.88, -87.63], [34.05, -118.24], [47.61, -122.33], [43.65, -79.38]];

function viewport(lat, lon, zoom, w, h) {
  const world = 256 * 2 ** zoom;
  const y = 0.5 - Math.log((1 + Math.sin(lat * Math.PI / 180)) / (1 - Math.sin(lat * Math.PI / 180))) / (4 * Math.PI);
  const lat_of = (yy) => Math.atan(Math.sinh(Math.PI * (1 - 2 * yy))) * 180 / Math.PI;
  const hw = w / 2 / world, hh = h / 2 / world;
  return [lon - hw * 360, lat_of(Math.min(1, y + hh)), lon + hw * 360, lat_of(Math.max(0, y - hh))];
}

for (const n of [10000, 100000, 1000000]) {
  const file = `${dir}/points-${n}.json`;
  if (!fs.existsSync(file)) continue;
  const pts = JSON.parse(fs.readFileSync(file, 'utf8'));
  const features = pts.map(([lon, lat], i) => ({ type: 'Feature', properties: { i }, geometry: { type: 'Point', coordinates: [lon, lat] } }));
  let t = performance.now();
  const index = new Supercluster({ radius: 40, maxZoom: 16 }).load(features);
  console.log(`## ${n}\nsupercluster load ${(performance.now() - t).toFixed(1)} ms`);
  for (const zoom of [5, 9, 13]) {
    const reps = 1000;
    let found = 0;
    t = performance.now();
    for (let i = 0; i < reps; i++) {
      const [lat, lon] = cities[i % cities.length];
      const c = index.getClusters(viewport(lat + ((i * 37) % 60 - 30) / 100, lon + ((i * 53) % 60 - 30) / 100, zoom, 1280, 720), zoom);
      found += c.length;
    }
    console.log(`getClusters zoom ${zoom} (avg ${Math.round(found / reps)}) ${((performance.now() - t) * 1000 / reps).toFixed(2)} µs`);
  }
}
