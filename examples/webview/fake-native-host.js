// What a native app provides to the chargefinder page in its webview, faked in JavaScript for
// tests and for trying the bridge in a desktop browser (inject it before the page's scripts:
// Playwright's addInitScript, or a userscript). A real app does this natively; see README.md.
//
// Both hosts are defined unless `window.__cfFakeHost` is "android" or "ios" beforehand. Every
// event the app sends lands in `window.__nativeInbox` as {via, message}.
(() => {
  const only = window.__cfFakeHost;
  const inbox = (window.__nativeInbox = []);
  if (only !== "ios") {
    // Android: addJavascriptInterface(object, "ChargefinderAndroid"); its method takes a string.
    window.ChargefinderAndroid = {
      postMessage(json) {
        inbox.push({ via: "android", message: JSON.parse(json) });
      },
    };
  }
  if (only !== "android") {
    // iOS: WKUserContentController.add(handler, name: "chargefinder"); it takes an object.
    window.webkit = {
      messageHandlers: {
        chargefinder: {
          postMessage(message) {
            inbox.push({ via: "ios", message: JSON.parse(JSON.stringify(message)) });
          },
        },
      },
    };
  }
})();
