// Trunk post_build hook: moves Trunk's inline `<script type="module">` loader out of index.html
// into its own file (`boot-<hash>.js`, with an SRI hash), so the page runs under a CSP without
// 'unsafe-inline' (server/src/embed.rs). Runs on the staged build (TRUNK_STAGING_DIR) before
// Trunk moves it to dist/. Fails the build when the page still has an inline script or an inline
// style attribute, so a regression shows at build time, not in a partner's console.
// Also writes `chargefinder-embed.js` (the <charge-finder> element's loader, web/) with this
// build's hashed file names filled in.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('trunk-boot: TRUNK_STAGING_DIR is not set (run me as a Trunk post_build hook)');
  process.exit(1);
}
const base = (process.env.TRUNK_PUBLIC_URL ?? '/').replace(/\/?$/, '/');
const page = join(dir, 'index.html');
let html = readFileSync(page, 'utf8');
const inline = /<script type="module">([\s\S]*?)<\/script>/;
const m = inline.exec(html);
if (m) {
  const code = m[1].trim() + '\n';
  const name = `boot-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
  writeFileSync(join(dir, name), code);
  const sri = 'sha384-' + createHash('sha384').update(code).digest('base64');
  html = html.replace(inline, `<script type="module" src="${base}${name}" integrity="${sri}" crossorigin="anonymous"></script>`);
  writeFileSync(page, html);
}
// The element's loader: the app module, its wasm, Leaflet and the stylesheets of this build.
// Only the finder's page has the map (Leaflet); the charging page (charge/index.html) needs none.
if (!/<script src="[^"]*leaflet-[^"]+\.js"/.test(html)) {
  console.log('trunk-boot: no map on this page, so no chargefinder-embed.js');
} else {
  const boot = m ? m[1] : '';
  const js = /from\s+'([^']+\.js)'/.exec(boot)?.[1];
  const wasm = /module_or_path:\s*'([^']+\.wasm)'/.exec(boot)?.[1];
  const leaflet = /<script src="([^"]*leaflet-[^"]+\.js)"/.exec(html)?.[1];
  // The element's copies of the stylesheets: `rem` is the partner's root font size there (a
  // page may set `html { font-size: 40px }`), so each `Nrem` becomes N × 16 px, what it is on
  // our own page (the app sets 16 px on .cf-app).
  const css = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((x) => {
    const name = x[1].slice(base.length);
    const text = readFileSync(join(dir, name), 'utf8');
    const px = text.replace(/(\d*\.?\d+)rem\b/g, (_, n) => `${+(Number(n) * 16).toFixed(3)}px`);
    writeFileSync(join(dir, `element-${name}`), px);
    return `${base}element-${name}`;
  });
  if (!js || !wasm || !leaflet || css.length === 0) {
    console.error('trunk-boot: cannot find the app files for chargefinder-embed.js', { js, wasm, leaflet, css });
    process.exit(1);
  }
  const files = JSON.stringify({ js, wasm, leaflet, css });
  const src = readFileSync(new URL('../web/chargefinder-embed.js', import.meta.url), 'utf8');
  const out = src.replace(/\/\*FILES\*\/[\s\S]*?\/\*END\*\//, files);
  if (out === src) {
    console.error('trunk-boot: web/chargefinder-embed.js has no /*FILES*/ … /*END*/ marker');
    process.exit(1);
  }
  writeFileSync(join(dir, 'chargefinder-embed.js'), out);
  console.log(`trunk-boot: chargefinder-embed.js ${out.length} B, ${gzipSync(out, { level: 9 }).length} B gzipped`);
}
const left = [...html.matchAll(/<script\b[^>]*>/g)].filter((t) => !/\bsrc=/.test(t[0]));
if (left.length || /<style\b|\sstyle=/.test(html)) {
  console.error('trunk-boot: index.html still has inline script or style:', left.map((t) => t[0]).join(' '));
  process.exit(1);
}
console.log(m ? 'trunk-boot: loader moved out of index.html' : 'trunk-boot: no inline loader found');
