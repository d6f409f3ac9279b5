// localstripe (a stateful Stripe emulator from PyPI, installed by scripts/setup.sh) for the
// payment tests: started on a free 127.0.0.1 port, read back through Stripe's own API.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

// The venv's Python runs our launcher, which binds 127.0.0.1 only (localstripe's own command binds every interface).
export const LOCALSTRIPE_PYTHON = process.env.LOCALSTRIPE_PYTHON ?? join(ROOT, '.venv-localstripe', 'bin', 'python');
export const SECRET_KEY = 'sk_test_chargefinder_e2e';
export const PUBLISHABLE_KEY = 'pk_test_chargefinder_e2e';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts localstripe from scratch; resolves with {url, stripe(method, path, form), stop()}. */
export async function startLocalstripe() {
  const port = await freePort();
  const child = spawn(LOCALSTRIPE_PYTHON, [join(ROOT, 'scripts', 'run_localstripe.py'), String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (c) => (log += c));
  child.stderr.on('data', (c) => (log += c));
  const url = `http://127.0.0.1:${port}`;
  const stripe = async (method, path, form) => {
    const res = await fetch(url + path, {
      method,
      headers: { Authorization: `Bearer ${SECRET_KEY}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    return { status: res.status, body: await res.json() };
  };
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`localstripe exited with ${child.exitCode}:\n${log}`);
    try {
      const r = await stripe('GET', '/v1/payment_intents');
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() - t0 > 30_000) throw new Error(`localstripe did not start in 30 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stripe,
    log: () => log,
    /** A card PaymentMethod, made as Stripe.js does with the card element's data. */
    async paymentMethod(number) {
      const r = await stripe('POST', '/v1/payment_methods', {
        type: 'card', 'card[number]': number, 'card[exp_month]': '12', 'card[exp_year]': '2030', 'card[cvc]': '123',
      });
      if (r.status !== 200) throw new Error(`payment method: ${JSON.stringify(r.body)}`);
      return r.body.id;
    },
    /** A card token, made exactly as localstripe's Stripe.js `createToken` does (publishable key in the body). */
    async cardToken(number) {
      const res = await fetch(`${url}/v1/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `card[number]=${number}&card[exp_month]=12&card[exp_year]=2030&card[cvc]=123&key=${PUBLISHABLE_KEY}&payment_user_agent=localstripe`,
      });
      const body = await res.json();
      if (res.status !== 200) throw new Error(`token: ${JSON.stringify(body)}`);
      return body.id;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
    },
  };
}

/** The server settings that point it at this localstripe. */
export function stripeEnv(ls) {
  return {
    CHARGEFINDER_STRIPE_URL: ls.url,
    CHARGEFINDER_STRIPE_SECRET_KEY: SECRET_KEY,
    CHARGEFINDER_STRIPE_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
  };
}

/** AC EVSEs the app may start remotely, with a tariff in the data, available now. */
export async function findCandidates(url) {
  const data = JSON.parse(gunzipSync(readFileSync(join(ROOT, 'data', 'nl', 'locations.json.gz'))));
  const locations = Array.isArray(data) ? data : data.data;
  const t = JSON.parse(gunzipSync(readFileSync(join(ROOT, 'data', 'nl', 'tariffs.json.gz'))));
  const tariffs = new Map((Array.isArray(t) ? t : t.data).map((x) => [x.id, x]));
  const status = await (await fetch(`${url}/api/status`)).json();
  const available = new Set(status.evses.filter((r) => r[2] === 'AVAILABLE').map((r) => `${r[0]}/${r[1]}`));
  const out = [];
  for (const loc of locations) {
    for (const evse of loc.evses ?? []) {
      if (!(evse.capabilities ?? []).includes('REMOTE_START_STOP_CAPABLE')) continue;
      if (!available.has(`${loc.id}/${evse.uid}`)) continue;
      const c = (evse.connectors ?? [])[0];
      if (!c || !String(c.power_type).startsWith('AC')) continue;
      const tariff = (c.tariff_ids ?? []).map((id) => tariffs.get(id)).find(Boolean);
      // Energy-priced tariffs with VAT stated: the capture must equal the incl.-VAT total.
      if (!tariff || !tariff.elements.every((e) => e.price_components.every((p) => p.type === 'ENERGY' && p.vat != null))) continue;
      out.push({ location_id: loc.id, evse_uid: evse.uid, connector_id: c.id });
      if (out.length >= 14) return out;
    }
  }
  return out;
}

