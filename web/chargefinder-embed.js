// <charge-finder>: chargefinder as a custom element on a partner's page (issue 8; docs/embed.md).
//
// This file is all the partner's page loads up front (kept small: a test holds it to 10 KB
// gzipped). The app itself (Rust/wasm, web/src/) is fetched only when the first element is in
// the document. Each element gets an open shadow root holding our stylesheets and the app: the
// partner's CSS does not reach in, ours does not leak out, and instances do not see each other.
// Attributes and methods become the same commands the iframe takes (web/src/embed.rs parses
// them); events are CustomEvents on the element.
//
// The build (scripts/trunk-boot.mjs) copies this file into dist/ with FILES filled in.
const FILES = /*FILES*/ { js: "", wasm: "", leaflet: "", css: [] } /*END*/;
const PREFIX = "chargefinder:";
const ours = (path) => new URL(path, import.meta.url).href;

// Attribute → the app's start query key (read once, at start).
const START = { lat: "lat", lon: "lon", zoom: "z", lang: "lang", plugs: "plugs", kw: "kw", free: "free", vehicle: "car", station: "station" };

// The `::part()` names a partner may style (docs/embed.md), by our class names. Set here rather
// than in the app's markup: the wasm is the big download, and this costs it nothing.
const PARTS = {
  app: ".cf-app", header: ".cf-header", search: ".cf-search", map: ".cf-map", results: ".cf-finder > section",
  filters: ".cf-filters", list: ".cf-list", row: ".cf-station", station: ".cf-station-screen", button: ".cf-charge-entry",
};
function markParts(root) {
  for (const [part, sel] of Object.entries(PARTS)) {
    for (const el of root.querySelectorAll(sel)) if (!el.part.contains(part)) el.part.add(part);
  }
}

let app;
/** The app's module, loaded once per page for every element (Leaflet first: it is a global). */
function loadApp() {
  app ??= (async () => {
    if (!globalThis.L) {
      await new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = ours(FILES.leaflet);
        s.onload = resolve;
        s.onerror = () => reject(new Error("the map library did not load"));
        document.head.append(s);
      });
    }
    // Tells the app's main() not to mount into the page: each element mounts its own instance.
    globalThis.__chargefinderElement = true;
    const m = await import(ours(FILES.js));
    await m.default({ module_or_path: ours(FILES.wasm) });
    return m;
  })();
  return app;
}

const on = (v) => v !== null && v !== "0" && v !== "false";
const num = (v) => (v === null || v === "" ? undefined : Number(v));

/** The command an attribute change means (the iframe's message schema), or null. */
function commandFor(el, name) {
  const a = (n) => el.getAttribute(n);
  const cmd = (type, fields) => ({ type: PREFIX + type, v: 1, ...fields });
  switch (name) {
    case "lat": case "lon": case "zoom":
      if (a("lat") === null || a("lon") === null) return null;
      return cmd("setCenter", { lat: num(a("lat")), lon: num(a("lon")), zoom: num(a("zoom")) });
    case "plugs": return cmd("setFilters", { plugs: (a("plugs") || "").split(",").map((p) => p.trim()).filter(Boolean) });
    case "kw": return cmd("setFilters", { minKw: num(a("kw")) ?? 0 });
    case "free": return cmd("setFilters", { available: on(a("free")) });
    case "vehicle": return cmd("setVehicle", { id: a("vehicle") || null });
    case "lang": return a("lang") ? cmd("setLanguage", { lang: a("lang") }) : null;
    default: return null;
  }
}

const instances = new Set();

class ChargeFinder extends HTMLElement {
  static observedAttributes = ["lat", "lon", "zoom", "plugs", "kw", "free", "vehicle", "lang"];
  #send = null;
  #queue = [];
  #started = false;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  /** Our server: the `api` attribute, else where this file came from. */
  get api() {
    return (this.getAttribute("api") || new URL(import.meta.url).origin).replace(/\/+$/, "");
  }

  connectedCallback() {
    if (this.#started) return;
    this.#started = true;
    instances.add(this);
    const root = this.shadowRoot;
    for (const href of FILES.css) {
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = ours(href);
      root.append(link);
    }
    const mount = document.createElement("div");
    root.append(mount);
    new MutationObserver(() => markParts(root)).observe(mount, { childList: true, subtree: true });
    // Commands wait for the app's `ready` (the stations loaded), then go in order: after the
    // app has finished the step that said `ready`, not from inside it.
    this.addEventListener("ready", () => queueMicrotask(() => {
      const queue = this.#queue;
      this.#queue = null;
      for (const c of queue ?? []) this.#send(JSON.stringify(c));
    }));
    loadApp()
      .then((m) => {
        // Commas stay as they are: the app reads `plugs=CCS2,TYPE2`.
        const q = Object.entries(START)
          .filter(([attr]) => this.getAttribute(attr) !== null)
          .map(([attr, key]) => `${key}=${encodeURIComponent(this.getAttribute(attr)).replace(/%2C/gi, ",")}`)
          .join("&");
        this.#send = m.mountElement(mount, this, this.api, q);
      })
      .catch((e) => this.#emit("error", { type: PREFIX + "error", v: 1, message: `chargefinder could not load: ${e.message}` }));
  }

  attributeChangedCallback(name, old, value) {
    // Before the start, attributes are read by connectedCallback.
    if (this.#started && old !== value) this.#command(commandFor(this, name));
  }

  /** Moves the map and list; zoom 3–18 (optional). */
  setCenter(lat, lon, zoom) { this.#command({ type: PREFIX + "setCenter", v: 1, lat, lon, zoom }); }
  /** `{plugs: ["CCS2"], minKw: 50, available: true}`; each field given replaces that part. */
  setFilters(filters = {}) { this.#command({ type: PREFIX + "setFilters", v: 1, ...filters }); }
  /** A catalogue vehicle id, or null for any car. */
  setVehicle(id) { this.#command({ type: PREFIX + "setVehicle", v: 1, id: id ?? null }); }
  setLanguage(lang) { this.#command({ type: PREFIX + "setLanguage", v: 1, lang }); }

  #command(c) {
    if (!c) return;
    if (this.#queue) this.#queue.push(c);
    else this.#send(JSON.stringify(c));
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  /** A session event from the window this element opened for paying (web/embed.js openCharge). */
  relay(e) {
    if (e.source !== this.chargefinderWindow || e.origin !== new URL(this.api).origin) return;
    this.#emit(e.data.type.slice(PREFIX.length).toLowerCase(), e.data);
  }
}

addEventListener("message", (e) => {
  const type = e.data && e.data.type;
  if (type !== PREFIX + "sessionStarted" && type !== PREFIX + "sessionEnded") return;
  for (const el of instances) el.relay(e);
});

// The file may be included twice (two widgets' snippets): define once.
if (!customElements.get("charge-finder")) customElements.define("charge-finder", ChargeFinder);
