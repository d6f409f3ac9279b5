// The partner's side of the message API (docs/embed.md): events only from the app's origin and
// its frame, commands only to that origin (never "*").
const frame = document.getElementById("chargefinder");
const appOrigin = new URL(frame.src).origin;
const picked = document.getElementById("picked");
window.chargefinderEvents = [];

window.addEventListener("message", (e) => {
  if (e.origin !== appOrigin || e.source !== frame.contentWindow) return;
  const m = e.data;
  if (!m || typeof m.type !== "string" || !m.type.startsWith("chargefinder:") || m.v !== 1) return;
  window.chargefinderEvents.push(m);
  if (m.type === "chargefinder:stationSelected") picked.textContent = `Picked: ${m.name}`;
  if (m.type === "chargefinder:error") console.warn("chargefinder:", m.message);
});

/** Sends a command, e.g. {type: "chargefinder:setCenter", lat, lon, zoom}. */
function send(command) {
  frame.contentWindow.postMessage({ v: 1, ...command }, appOrigin);
}
window.chargefinderSend = send;

for (const b of document.querySelectorAll("[data-lat]")) {
  b.addEventListener("click", () => send({ type: "chargefinder:setCenter", lat: Number(b.dataset.lat), lon: Number(b.dataset.lon), zoom: 14 }));
}
