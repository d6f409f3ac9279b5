// Shared helpers for the end-to-end tests: start the real server, launch Debian's Chromium.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
  const child = spawn(SERVER_BIN, [], {
    cwd: ROOT,
    env: {
      ...process.env,
      CHARGEFINDER_ADDR: '127.0.0.1:0',
      CHARGEFINDER_DB: db ?? join(dir, 'db.sqlite'),
      CHARGEFINDER_DATA: data,
      CHARGEFINDER_WEB: join(ROOT, 'dist'),
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
