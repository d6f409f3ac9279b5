// Shared helpers for the end-to-end tests: start the real server, launch Debian's Chromium.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { deflateSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.CHARGEFINDER_BIN_DIR ?? join(ROOT, 'target', 'server');
export const SERVER_BIN = join(BIN, 'chargefinder-server');
export const CLI_BIN = join(BIN, 'chargefinder');
export const NL_LOCATIONS = join(ROOT, 'data', 'nl', 'locations.json.gz');

/** Starts chargefinder-server on a free port with a fresh database; resolves when it serves. */
export async function startServer({ data = join(ROOT, 'data', 'nl'), db, env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cf-e2e-'));
  // Map tiles from a local tile server: nothing leaves the machine.
  const tiles = await tileServer();
  const child = spawn(SERVER_BIN, [], {
    cwd: ROOT,
    env: {
      ...process.env,
      CHARGEFINDER_ADDR: '127.0.0.1:0',
      CHARGEFINDER_DB: db ?? join(dir, 'db.sqlite'),
      CHARGEFINDER_DATA: data,
      CHARGEFINDER_WEB: join(ROOT, 'dist'),
      CHARGEFINDER_TILES: `${tiles}/tiles/{z}/{x}/{y}.png`,
      CHARGEFINDER_TILES_ATTRIBUTION: 'Test tiles (local)',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${log}`)), 60_000);
    const onData = (chunk) => {
      log += chunk;
      const m = /chargefinder is up: (http:\/\/\S+?)\/?\s/.exec(log);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${log}`)); });
  });
  return {
    url,
    dir,
    log: () => log,
    /** Kills the server with `signal` (e.g. SIGKILL, as a crash) and keeps its folder. */
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the server expecting it to fail; resolves with {code, output}. */
export function runServerExpectingFailure(env) {
  return new Promise((resolve) => {
    const child = spawn(SERVER_BIN, [], { cwd: ROOT, env: { ...process.env, CHARGEFINDER_ADDR: '127.0.0.1:0', ...env } });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

/** What the core computes natively for the same data (the CLI runs the same library). */
export function nativeNearest(lat, lon, k = 10, options = []) {
  // --compact: the same data the browser holds (the compact stations).
  return JSON.parse(execFileSync(CLI_BIN, ['nearest', NL_LOCATIONS, String(lat), String(lon), String(k), '--compact', ...options], { maxBuffer: 1 << 24 }));
}

export async function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 800 } };

/** A fresh context and page on `device` (the phone by default); `errors` collects the page's
 * uncaught errors, which a test ends by asserting empty. */
export async function openPage(browser, device = PHONE) {
  const context = await browser.newContext({ ...device });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

/** The device a suite runs as: the phone, or the desktop project (`e2e/*-desktop.test.mjs` set
 * `globalThis.CHARGEFINDER_DEVICE = 'desktop'` and import the phone suite), with its name for
 * figures and screenshot files. */
export function project() {
  return globalThis.CHARGEFINDER_DEVICE === 'desktop'
    ? { device: DESKTOP, name: 'desktop', size: '1280x800' }
    : { device: PHONE, name: 'phone', size: '390x844' };
}

// ---- A local tile server: plain PNG tiles with a grid, so a map has something to draw. ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A 256×256 RGB tile: pale land, a darker grid every 64 px, shaded a little by x and y. */
export function tilePng(z, x, y) {
  const W = 256;
  const raw = Buffer.alloc((W * 3 + 1) * W);
  const tint = ((x * 7 + y * 13 + z * 3) % 9) * 2;
  for (let r = 0; r < W; r++) {
    raw[r * (W * 3 + 1)] = 0;
    for (let c = 0; c < W; c++) {
      const grid = r % 64 === 0 || c % 64 === 0;
      const o = r * (W * 3 + 1) + 1 + c * 3;
      raw[o] = grid ? 200 : 236 - tint; raw[o + 1] = grid ? 208 : 240 - tint; raw[o + 2] = grid ? 214 : 232 - tint;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(W, 0); ihdr.writeUInt32BE(W, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
let tileBase;
/** Starts (once per process) the local tile server; resolves with its base URL. */
export function tileServer() {
  tileBase ??= new Promise((resolve) => {
    const cache = new Map();
    const srv = createServer((req, res) => {
      const m = /^\/tiles\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(req.url);
      if (!m) { res.writeHead(404); res.end(); return; }
      const key = m.slice(1).join('/');
      if (!cache.has(key)) cache.set(key, tilePng(+m[1], +m[2], +m[3]));
      res.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*', 'cache-control': 'max-age=3600' });
      res.end(cache.get(key));
    });
    srv.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${srv.address().port}`));
    srv.unref();
  });
  return tileBase;
}

/** Aborts every request a page makes to anything but this machine, and lists them. */
export async function stayLocal(context) {
  const outside = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === 'data:' || u.protocol === 'blob:' || ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return route.continue();
    outside.push(u.href);
    return route.abort();
  });
  return outside;
}

/** axe-core's WCAG violations on the page as it is now (`[]` when clean). */
export async function axe(page) {
  // Evaluated, not added as an inline <script>: the app page's CSP refuses inline scripts.
  await page.evaluate(readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
  const result = await page.evaluate(async () => {
    // WCAG 2.2 A and AA, and best practices.
    const r = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result;
}
