
// ---- appended by scripts/build-pkg.sh (bind/in-bbox.js) ----
// The two hot paths of a map, `inBbox` and `clusters`, called on every pan.
// `inBbox` without wasm-bindgen's `Result` return and its copy out through
// two imports (together a tenth of a small box query): `inBboxRaw` leaves the ids in wasm
// memory followed by their count and returns the count's address, and they are copied here
// into a fresh `Uint32Array`. A box it rejects (0) goes to the generated, checked `inBbox`,
// which throws its error. Uses the glue's own `wasm`, `_assertClass` and `getUint32ArrayMemory0`.
const inBboxChecked = ChargeFinder.prototype.inBbox;
delete ChargeFinder.prototype.inBboxRaw;
// Small results are views of their own bytes in a shared 64 KB buffer (as the binding's
// other results, and Node's small `Buffer`s): a new typed array of more than 64 bytes gets its
// own off-heap backing store in V8, which costs about as much as a small query.
const IDS_POOL_BYTES = 64 * 1024;
let idsPool = null, idsPoolAt = 0;
ChargeFinder.prototype.inBbox = function inBbox(west, south, east, north, filter) {
    _assertClass(filter, Filter);
    const at = wasm.chargefinder_inBboxRaw(this.__wbg_ptr, west, south, east, north, filter.__wbg_ptr) >>> 0;
    if (at === 0) return inBboxChecked.call(this, west, south, east, north, filter);
    const mem = getUint32ArrayMemory0(), end = at >>> 2, n = mem[end], bytes = n * 4;
    if (n === 0) return new Uint32Array(0);
    if (bytes > IDS_POOL_BYTES / 8) return mem.slice(end - n, end);
    if (idsPool === null || idsPoolAt + bytes > IDS_POOL_BYTES) {
        idsPool = new ArrayBuffer(IDS_POOL_BYTES);
        idsPoolAt = 0;
    }
    const out = new Uint32Array(idsPool, idsPoolAt, n);
    idsPoolAt += bytes;
    // A loop for a few ids (no `subarray` view to make: 3% of a 32-id query), `set` for more
    // (the loop was 10% slower at 358 ids).
    if (n <= 64) for (let i = 0, j = end - n; i < n; i++, j++) out[i] = mem[j];
    else out.set(mem.subarray(end - n, end));
    return out;
};

// `clusters` the same way: `clustersRaw` leaves the flat numbers in wasm memory followed by
// their count and returns the count's address (0 for arguments it rejects, which go to the
// generated, checked `clusters` for its error). Small results are 8-byte aligned views of the
// same pool.
const clustersChecked = ChargeFinder.prototype.clusters;
delete ChargeFinder.prototype.clustersRaw;
ChargeFinder.prototype.clusters = function clusters(west, south, east, north, zoom, filter) {
    _assertClass(filter, Filter);
    const at = wasm.chargefinder_clustersRaw(this.__wbg_ptr, west, south, east, north, zoom, filter.__wbg_ptr) >>> 0;
    if (at === 0) return clustersChecked.call(this, west, south, east, north, zoom, filter);
    const mem = getFloat64ArrayMemory0(), end = at >>> 3, n = mem[end], bytes = n * 8;
    if (n === 0) return new Float64Array(0);
    if (bytes > IDS_POOL_BYTES / 8) return mem.slice(end - n, end);
    idsPoolAt = (idsPoolAt + 7) & ~7;
    if (idsPool === null || idsPoolAt + bytes > IDS_POOL_BYTES) {
        idsPool = new ArrayBuffer(IDS_POOL_BYTES);
        idsPoolAt = 0;
    }
    const out = new Float64Array(idsPool, idsPoolAt, n);
    idsPoolAt += bytes;
    out.set(mem.subarray(end - n, end));
    return out;
};
