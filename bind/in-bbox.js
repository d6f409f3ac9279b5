
// ---- appended by scripts/build-pkg.sh (bind/in-bbox.js) ----
// `inBbox`, the map's hot path, without wasm-bindgen's `Result` return and its copy out through
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
