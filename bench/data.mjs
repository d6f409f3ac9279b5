// Seeded synthetic charging networks shaped like real ones: stations clustered around cities
// across Europe and North America, many co-located (one site, several chargers or operators),
// with the NL data's mix of EVSE counts, plugs and power.

/** mulberry32: small, fast, seeded. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// [name, lat, lon, weight]: weight ~ relative size of the charging network.
export const CITIES = [
  ['Amsterdam', 52.37, 4.9, 9], ['Rotterdam', 51.92, 4.48, 6], ['Utrecht', 52.09, 5.12, 5], ['Den Haag', 52.08, 4.3, 5],
  ['Eindhoven', 51.44, 5.48, 3], ['Groningen', 53.22, 6.57, 2], ['Brussels', 50.85, 4.35, 5], ['Antwerp', 51.22, 4.4, 3],
  ['Paris', 48.86, 2.35, 10], ['Lyon', 45.76, 4.84, 4], ['Marseille', 43.3, 5.37, 3], ['Toulouse', 43.6, 1.44, 2],
  ['Berlin', 52.52, 13.4, 8], ['Hamburg', 53.55, 9.99, 5], ['Munich', 48.14, 11.58, 6], ['Cologne', 50.94, 6.96, 4],
  ['Frankfurt', 50.11, 8.68, 4], ['Stuttgart', 48.78, 9.18, 4], ['Vienna', 48.21, 16.37, 4], ['Zurich', 47.37, 8.54, 3],
  ['Milan', 45.46, 9.19, 4], ['Rome', 41.9, 12.5, 3], ['Madrid', 40.42, -3.7, 4], ['Barcelona', 41.39, 2.17, 4],
  ['Lisbon', 38.72, -9.14, 2], ['London', 51.51, -0.13, 10], ['Manchester', 53.48, -2.24, 3], ['Birmingham', 52.49, -1.89, 3],
  ['Dublin', 53.35, -6.26, 2], ['Copenhagen', 55.68, 12.57, 3], ['Oslo', 59.91, 10.75, 6], ['Bergen', 60.39, 5.32, 2],
  ['Stockholm', 59.33, 18.07, 4], ['Gothenburg', 57.71, 11.97, 2], ['Helsinki', 60.17, 24.94, 2], ['Reykjavik', 64.15, -21.94, 1],
  ['Tromso', 69.65, 18.96, 1], ['Warsaw', 52.23, 21.01, 2], ['Prague', 50.08, 14.44, 2], ['Budapest', 47.5, 19.04, 1],
  ['New York', 40.71, -74.01, 9], ['Boston', 42.36, -71.06, 3], ['Washington', 38.91, -77.04, 3], ['Chicago', 41.88, -87.63, 4],
  ['Toronto', 43.65, -79.38, 4], ['Montreal', 45.5, -73.57, 3], ['Vancouver', 49.28, -123.12, 3], ['Seattle', 47.61, -122.33, 4],
  ['San Francisco', 37.77, -122.42, 8], ['Los Angeles', 34.05, -118.24, 9], ['San Diego', 32.72, -117.16, 3], ['Denver', 39.74, -104.99, 2],
  ['Austin', 30.27, -97.74, 2], ['Dallas', 32.78, -96.8, 2], ['Atlanta', 33.75, -84.39, 2], ['Miami', 25.76, -80.19, 2],
  ['Phoenix', 33.45, -112.07, 2], ['Anchorage', 61.22, -149.9, 1], ['Honolulu', 21.31, -157.86, 1], ['Fairbanks', 64.84, -147.72, 1],
];

// Plug bits as in chargefinder's PlugFamily: CCS1=0, CCS2=1, CHADEMO=2, TYPE2_SOCKET=3, TYPE2_CABLE=4, TYPE1=5, NACS=6.
export const PLUG = { CCS1: 1 << 0, CCS2: 1 << 1, CHADEMO: 1 << 2, TYPE2_SOCKET: 1 << 3, TYPE2_CABLE: 1 << 4, TYPE1: 1 << 5, NACS: 1 << 6 };
export const STATUS = { AVAILABLE: 0, CHARGING: 2, OUTOFORDER: 4, UNKNOWN: 8 };

/**
 * n stations as columns: lat, lon (Float64Array); evseOffset (Uint32Array, n + 1 entries);
 * per EVSE: plugs (Uint32Array bit mask), powerKw (Float32Array), status (Uint8Array).
 * The benchmark filter (DC fast: CCS ≥ 50 kW) matches about 20% of stations.
 */
export function generate(n, seed = 42) {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const total = CITIES.reduce((s, c) => s + c[3], 0);
  const cum = [];
  let acc = 0;
  for (const c of CITIES) { acc += c[3] / total; cum.push(acc); }
  const lat = new Float64Array(n), lon = new Float64Array(n);
  const evseOffset = new Uint32Array(n + 1);
  const plugs = [], power = [], status = [];
  for (let i = 0; i < n; i++) {
    if (i > 0 && r() < 0.3) { lat[i] = lat[i - 1]; lon[i] = lon[i - 1]; } // co-located
    else {
      const u = r();
      const c = CITIES[Math.min(cum.findIndex((x) => x >= u), CITIES.length - 1)];
      const spreadKm = 4 + 12 * r(); // city and suburbs
      lat[i] = Math.max(-89.9, Math.min(89.9, c[1] + (gauss() * spreadKm) / 111.2));
      lon[i] = c[2] + (gauss() * spreadKm) / (111.2 * Math.cos((c[1] * Math.PI) / 180));
      if (lon[i] > 180) lon[i] -= 360; if (lon[i] < -180) lon[i] += 360;
    }
    const america = lon[i] < -30;
    const fast = r() < 0.2;
    const evses = fast ? 2 + Math.floor(r() * 6) : 1 + Math.floor(r() * 3);
    for (let e = 0; e < evses; e++) {
      if (fast) { plugs.push(america ? (r() < 0.5 ? PLUG.NACS : PLUG.CCS1) : PLUG.CCS2 | (r() < 0.1 ? PLUG.CHADEMO : 0)); power.push([50, 150, 300, 350][Math.floor(r() * 4)]); }
      else { plugs.push(america ? PLUG.TYPE1 : PLUG.TYPE2_SOCKET); power.push([3.7, 11, 22][Math.floor(r() * 3)]); }
      const s = r();
      status.push(s < 0.66 ? STATUS.AVAILABLE : s < 0.94 ? STATUS.CHARGING : s < 0.97 ? STATUS.UNKNOWN : STATUS.OUTOFORDER);
    }
    evseOffset[i + 1] = plugs.length;
  }
  return { n, lat, lon, evseOffset, plugs: Uint32Array.from(plugs), powerKw: Float32Array.from(power), status: Uint8Array.from(status) };
}

/** q query points near cities (where drivers ask). */
export function queries(q, seed = 7) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < q; i++) {
    const c = CITIES[Math.floor(r() * CITIES.length)];
    out.push([c[1] + (r() - 0.5) * 0.4, c[2] + (r() - 0.5) * 0.6]);
  }
  return out;
}

/** `[west, south, east, north]` of a `km` × `km` box centred on `[lat, lon]`. */
export function bboxAround([lat, lon], km) {
  const a = km / 2 / 111.2, b = km / 2 / (111.2 * Math.cos((lat * Math.PI) / 180));
  return [lon - b, lat - a, lon + b, lat + a];
}

/** `[west, south, east, north]` of the 1280×720 px web-mercator viewport centred on `[lat, lon]` at `zoom`. */
export function viewport([lat, lon], zoom) {
  const scale = 256 * 2 ** zoom;
  const x = ((lon + 180) / 360) * scale;
  const s = Math.sin((lat * Math.PI) / 180);
  const y = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale;
  const toLon = (px) => (px / scale) * 360 - 180;
  const toLat = (py) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * py) / scale))) * 180) / Math.PI;
  return [toLon(x - 640), toLat(y + 360), toLon(x + 640), toLat(y - 360)];
}
