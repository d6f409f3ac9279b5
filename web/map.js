// The thin Leaflet adapter: the map, its tiles, and one marker per pin. Which pins exist, where,
// with what count and colour is decided in Rust (`web/src/map.rs` over the core's clusters);
// this file only keeps Leaflet's markers in step with that list, changing a marker when its pin
// changed and leaving the rest alone, so a live update never redraws the whole map.
//
// Leaflet is loaded as its own file (index.html) and found as the global `L`.

export function createMap(el, tiles, attribution, maxZoom, lat, lon, zoom, onMove, onPick) {
  const L = globalThis.L;
  if (!L) throw new Error("the map library did not load");
  const map = L.map(el, { zoomControl: true, keyboard: true, worldCopyJump: true, attributionControl: true });
  map.attributionControl.setPrefix(false);
  L.tileLayer(tiles, { maxZoom, attribution, crossOrigin: true }).addTo(map);
  const layer = L.layerGroup().addTo(map);
  // `created` counts markers made: a live change must remake only the markers it changed.
  const handle = { map, layer, markers: new Map(), onPick, created: 0 };
  const moved = () => {
    const b = map.getBounds();
    const c = map.getCenter();
    const s = map.getSize();
    // The viewport, for tests that check the pins against the core's answer for this box.
    el.dataset.bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].join(",");
    onMove(new Float64Array([c.lat, c.lng, map.getZoom(), b.getWest(), b.getSouth(), b.getEast(), b.getNorth(), s.x, s.y]));
  };
  map.on("moveend", moved);
  map.setView([lat, lon], zoom);
  // A map laid out before its box had a size (a hidden tab, a late stylesheet) fixes itself.
  new ResizeObserver(() => map.invalidateSize()).observe(el);
  return handle;
}

/** pins: [{k, lat, lon, text, shade, title, station}] (station: id string or null). */
export function setPins(handle, pins) {
  const L = globalThis.L;
  const seen = new Set();
  for (const p of pins) {
    seen.add(p.k);
    const old = handle.markers.get(p.k);
    if (old && old.pin.text === p.text && old.pin.shade === p.shade && old.pin.title === p.title &&
      JSON.stringify(old.pin.members) === JSON.stringify(p.members)) continue;
    if (old) handle.layer.removeLayer(old.marker);
    const icon = L.divIcon({
      className: "cf-pin-box",
      html: "",
      iconSize: p.station ? [30, 30] : [40, 40],
    });
    const marker = L.marker([p.lat, p.lon], { icon, title: p.title, alt: p.title, keyboard: true, riseOnHover: true });
    marker.on("add", () => {
      // Text content, never HTML: the counts are ours, but keep the habit.
      const el = marker.getElement();
      if (!el) return;
      el.setAttribute("aria-label", p.title);
      el.setAttribute("data-pin", p.station ? "station" : "cluster");
      if (p.station) el.setAttribute("data-station", p.station);
      el.setAttribute("data-shade", p.shade);
      el.setAttribute("data-stations", String(p.n));
      const span = document.createElement("span");
      span.className = `cf-pin cf-pin--${p.shade}` + (p.station ? " cf-pin--station" : "");
      span.textContent = p.text;
      el.replaceChildren(span);
    });
    const act = () => {
      if (p.station) handle.onPick(p.station);
      else if (p.members) chooser(handle, p);
      else handle.map.setView([p.lat, p.lon], Math.min(handle.map.getZoom() + 2, handle.map.getMaxZoom()));
    };
    marker.on("click", act);
    // A focused marker acts on Enter or Space, like any button (Leaflet itself only opens popups).
    marker.on("keypress", (e) => {
      const key = e.originalEvent && e.originalEvent.key;
      if (key === "Enter" || key === " ") act();
    });
    marker.addTo(handle.layer);
    handle.created += 1;
    handle.markers.set(p.k, { marker, pin: p });
  }
  for (const [k, m] of handle.markers) {
    if (!seen.has(k)) {
      handle.layer.removeLayer(m.marker);
      handle.markers.delete(k);
    }
  }
  handle.map.getContainer().dataset.created = String(handle.created);
  return handle.markers.size;
}

// Stations on one spot never split into pins: offer them by name (text, never HTML).
function chooser(handle, p) {
  const L = globalThis.L;
  const members = p.members;
  const list = document.createElement("ul");
  list.className = "cf-chooser";
  for (const m of members) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = `cf-chooser__item cf-chooser__item--${m.shade}`;
    button.dataset.station = m.id;
    button.textContent = m.name;
    button.addEventListener("click", () => { handle.map.closePopup(); handle.onPick(m.id); });
    item.append(button);
    list.append(item);
  }
  L.popup({ closeButton: true, autoPan: true, maxWidth: 280 }).setLatLng([p.lat, p.lon]).setContent(list).openOn(handle.map);
  list.querySelector("button")?.focus();
}

export function setView(handle, lat, lon, zoom) {
  handle.map.setView([lat, lon], zoom);
}
