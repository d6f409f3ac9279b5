// The embedding bridge's browser side (web/src/embed.rs decides what is sent and accepted):
// finding a native webview host or an embedding page, and the raw posting and listening.

/** "android" (addJavascriptInterface object), "ios" (WKScriptMessageHandler), or "". */
export function nativeHost() {
  const a = globalThis.ChargefinderAndroid;
  if (a && typeof a.postMessage === "function") return "android";
  const i = globalThis.webkit && globalThis.webkit.messageHandlers && globalThis.webkit.messageHandlers.chargefinder;
  if (i && typeof i.postMessage === "function") return "ios";
  return "";
}

// The page we talk to: the one that frames us, or the one whose <charge-finder> element opened
// this window for paying (window.open keeps `opener`; the Rust side checks its origin).
function hostWindow() {
  if (window.parent !== window) return window.parent;
  return window.opener && window.opener !== window ? window.opener : null;
}

export function framed() {
  return hostWindow() !== null;
}

/** The host page's origin as the browser tells it (Chromium, Safari), else the referrer's. */
export function parentOrigin() {
  const a = location.ancestorOrigins;
  if (window.parent !== window && a && a.length) return a[0];
  let o = "";
  try {
    o = document.referrer ? new URL(document.referrer).origin : "";
  } catch {
    o = "";
  }
  if (window.parent === window) {
    // An opened window: its first page's referrer is the partner; the charging screens load
    // again in the same tab (referrer: ourselves), so the tab remembers the partner.
    try {
      if (o && o !== location.origin) sessionStorage.setItem("chargefinder.opener", o);
      else o = sessionStorage.getItem("chargefinder.opener") || "";
    } catch {
      // Storage off: only the first page reports.
    }
  }
  return o;
}

export function postNative(kind, json) {
  // Android's interface takes a string; iOS's handler a structured object.
  if (kind === "android") globalThis.ChargefinderAndroid.postMessage(json);
  else if (kind === "ios") globalThis.webkit.messageHandlers.chargefinder.postMessage(JSON.parse(json));
}

/** Posts to the embedding page, to exactly that origin (never "*"). */
export function postParent(json, origin) {
  hostWindow()?.postMessage(JSON.parse(json), origin);
}

/** onMessage(origin, json, fromParent) for every message event (strings passed as they are). */
export function listen(onMessage) {
  window.addEventListener("message", (e) => {
    let json;
    try {
      json = typeof e.data === "string" ? e.data : JSON.stringify(e.data);
    } catch {
      return;
    }
    if (typeof json !== "string") return;
    onMessage(e.origin, json, e.source !== null && e.source === hostWindow());
  });
}

/** The native host's way in: window.chargefinderReceive(jsonStringOrObject). */
export function exposeReceive(onCommand) {
  globalThis.chargefinderReceive = (m) => {
    onCommand(typeof m === "string" ? m : JSON.stringify(m));
  };
}

/** Set by web/chargefinder-embed.js before it loads the app: each element mounts its own. */
export function elementMode() {
  return globalThis.__chargefinderElement === true;
}

/** An event of a <charge-finder> instance: `name` on its element, `detail` the message. */
export function dispatch(host, name, json) {
  host.dispatchEvent(new CustomEvent(name, { detail: JSON.parse(json), bubbles: true, composed: true }));
}

/** Paying from an element: our page in a window of its own; the loader relays its events. */
export function openCharge(host, url) {
  host.chargefinderWindow = window.open(url, "_blank");
}

/** The first element matching `selector` in an app instance: its element's shadow root, or the page. */
export function findIn(host, selector) {
  return (host ? host.shadowRoot : document).querySelector(selector);
}

/** Back from a station: focus its link in the list (ids compared as text, never put in a selector). */
export function focusStationLink(host, id) {
  const root = host ? host.shadowRoot : document;
  for (const el of root.querySelectorAll('[data-testid="station"]')) {
    if (el.dataset.id === id) return el.querySelector("a")?.focus();
  }
}
