// Trunk post_build hook: moves Trunk's inline `<script type="module">` loader out of index.html
// into its own file (`boot-<hash>.js`, with an SRI hash), so the page runs under a CSP without
// 'unsafe-inline' (server/src/embed.rs). Runs on the staged build (TRUNK_STAGING_DIR) before
// Trunk moves it to dist/. Fails the build when the page still has an inline script or an inline
// style attribute, so a regression shows at build time, not in a partner's console.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
const left = [...html.matchAll(/<script\b[^>]*>/g)].filter((t) => !/\bsrc=/.test(t[0]));
if (left.length || /<style\b|\sstyle=/.test(html)) {
  console.error('trunk-boot: index.html still has inline script or style:', left.map((t) => t[0]).join(' '));
  process.exit(1);
}
console.log(m ? 'trunk-boot: loader moved out of index.html' : 'trunk-boot: no inline loader found');
