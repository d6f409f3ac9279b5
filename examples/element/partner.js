// The partner's side of the element (docs/embed.md): listen to its events, call its methods.
const picked = document.getElementById("picked");
window.chargefinderEvents = [];

for (const el of document.querySelectorAll("charge-finder")) {
  for (const name of ["ready", "stationselected", "sessionstarted", "sessionended", "error"]) {
    el.addEventListener(name, (e) => {
      window.chargefinderEvents.push({ from: el.id, name, detail: e.detail });
      if (name === "stationselected") picked.textContent = `Picked: ${e.detail.name}`;
      if (name === "error") console.warn("chargefinder:", e.detail.message);
    });
  }
}

const first = document.querySelector("charge-finder");
for (const b of document.querySelectorAll("[data-lat]")) {
  b.addEventListener("click", () => first?.setCenter(Number(b.dataset.lat), Number(b.dataset.lon), 14));
}
