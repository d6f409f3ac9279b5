// The finder's main tests (e2e/app.test.mjs: nearest for a car, filters as the core says, live
// changes, deep links, geolocation denied) again as the desktop project: 1280×800, a mouse, no
// touch. Screenshots and figures carry "1280x800" / "desktop".
globalThis.CHARGEFINDER_DEVICE = 'desktop';
await import('./app.test.mjs');
