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

export function framed() {
  return window.parent !== window;
}

/** The embedding page's origin as the browser tells it (Chromium, Safari), else the referrer's. */
export function parentOrigin() {
  const a = location.ancestorOrigins;
  if (a && a.length) return a[0];
  try {
    return document.referrer ? new URL(document.referrer).origin : "";
  } catch {
    return "";
  }
}

export function postNative(kind, json) {
  // Android's interface takes a string; iOS's handler a structured object.
  if (kind === "android") globalThis.ChargefinderAndroid.postMessage(json);
  else if (kind === "ios") globalThis.webkit.messageHandlers.chargefinder.postMessage(JSON.parse(json));
}

/** Posts to the embedding page, to exactly that origin (never "*"). */
export function postParent(json, origin) {
  window.parent.postMessage(JSON.parse(json), origin);
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
    onMessage(e.origin, json, window.parent !== window && e.source === window.parent);
  });
}

/** The native host's way in: window.chargefinderReceive(jsonStringOrObject). */
export function exposeReceive(onCommand) {
  globalThis.chargefinderReceive = (m) => {
    onCommand(typeof m === "string" ? m : JSON.stringify(m));
  };
}
