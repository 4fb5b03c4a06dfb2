import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startBackend, startSimulator } from '../../../demo/server/main.ts';
import { signWebhook } from '../../../demo/server/signing.ts';
import { newSessionToken } from '../../../demo/server/simulator.ts';

export const SECRETS_OF = (sim) => [sim.apiKey, sim.secret];

/**
 * The storefront as `npm start` runs it offline, on free ports of 127.0.0.1: the Klarna simulator
 * and the reference backend with its own embedded database in a fresh directory.
 */
export async function startShop({
  dataDir = mkdtempSync(join(tmpdir(), 'pwk-shop-')),
  port = 0,
  simulator,
  log = () => {},
  live = false,
  requestBoundMs,
} = {}) {
  const sim =
    simulator ?? (await startSimulator({ retryDelaysMs: [300, 600, 1200, 2400, 4800], webhookDelayMs: 2500 }));
  const signingKeys = new Map([[sim.signingKeyId, sim.secret]]);
  const backend = await startShop.backend({ sim, dataDir, port, log, signingKeys, live, requestBoundMs });
  return {
    sim,
    backend,
    /** The backend's webhook signing keys: tests add and remove keys as a rotation would. */
    signingKeys,
    dataDir,
    get url() {
      return backend.url;
    },
    /** Stops the backend only, as a crash or a deploy would; the simulator keeps running. */
    async restartBackend(gapMs, whileDown = async () => {}) {
      const { port: samePort } = new URL(backend.url);
      await backend.stop();
      await whileDown();
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      Object.assign(
        backend,
        await startShop.backend({ sim, dataDir, port: Number(samePort), log, signingKeys, live, requestBoundMs }),
      );
    },
    async stop() {
      await backend.stop();
      if (!simulator) await sim.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

startShop.backend = async ({
  sim,
  dataDir,
  databaseUrl,
  publicUrl,
  port,
  log,
  signingKeys,
  live = false,
  requestBoundMs,
}) => {
  const backend = await startBackend({
    port,
    dataDir,
    databaseUrl,
    publicUrl,
    mode: 'simulator',
    simulatorUrl: sim.url,
    klarna: {
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      partnerAccountId: 'krn:partner:global:account:test:SIMULATE',
      clientId: 'klarna_test_client_offline_simulator',
      signingKeys,
      live,
      retryDelaysMs: [50, 100],
      timeoutMs: 2000,
    },
    sweepMs: 60_000,
    requestBoundMs,
    log,
  });
  sim.webhookUrl = `${backend.url}/api/klarna/webhooks`;
  publicOrigins.set(backend.url, new URL(publicUrl ?? backend.url).origin);
  return backend;
};

/** Each backend's public origin by its address: what its pages' requests carry as Origin. */
const publicOrigins = new Map();

/** Final authorizations the simulator received: Payment Authorize calls carrying a completion token. */
export const finalAuthorizations = (sim) =>
  sim.simulator.log.filter(
    (call) =>
      call.path.endsWith('/payment/authorize') && call.headers['klarna-network-session-token'].includes(':fin.'),
  );

/**
 * What the backend tests say to a running shop over HTTP, as the storefront and Klarna would.
 * `target()` gives the backend's `url` and the simulator `sim`, read at each call, and its public
 * `origin` where the backend was not started by startShop (which records it).
 */
export function shopApi(target) {
  const post = (path, body, headers = {}) => {
    const { url, origin: publicOrigin } = target();
    // as the shop's pages send it: the shop's public origin (behind a load balancer, not the instance's address)
    const origin = publicOrigin ?? publicOrigins.get(url) ?? url;
    return fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  };
  const json = async (response) => ({ status: response.status, body: await response.json() });
  const token = (outcome = 'step-up', webhook = 'prompt') => newSessionToken(outcome, webhook);
  const authorizeCalls = () => target().sim.simulator.log.filter((call) => call.path.endsWith('/payment/authorize'));
  return {
    post,
    get: (path) => fetch(`${target().url}${path}`),
    json,
    token,
    authorizeCalls,
    newOrder: async (lines = [{ sku: 'headphones', quantity: 1 }]) =>
      (await json(await post('/api/orders', { lines }))).body,
    initiate: (order, { key = crypto.randomUUID(), outcome = 'step-up', webhook = 'prompt', ...extra } = {}) =>
      post(
        '/api/klarna/initiate',
        {
          orderId: order.id,
          amount: order.amount,
          currency: order.currency,
          paymentOptionId: 'KLARNA',
          klarnaNetworkSessionToken: token(outcome, webhook),
          ...extra,
        },
        { 'idempotency-key': key },
      ),
    /** Payment Authorize calls for this order: the first authorization, then the final one. */
    callsFor: (order) =>
      authorizeCalls().filter(
        (call) => call.body?.request_payment_transaction?.payment_transaction_reference === `${order.number}-tx`,
      ),
    /** A webhook as Klarna signs it (or, with other options, as Klarna would not). */
    webhook(
      payload,
      {
        eventId = crypto.randomUUID(),
        type = 'payment.request.state-change.completed',
        live = false,
        keyId = target().sim.signingKeyId,
        secret = target().sim.secret,
        occurredAt = new Date().toISOString(),
      } = {},
    ) {
      const metadata = {
        event_type: type,
        event_id: eventId,
        event_version: 'v2',
        ...(occurredAt ? { occurred_at: occurredAt } : {}),
        live,
      };
      const body = JSON.stringify({ metadata, payload });
      return { body, headers: { 'Klarna-Signature': signWebhook(body, secret), 'Klarna-Signing-Key-Id': keyId } };
    },
    deliver: ({ body, headers }) =>
      fetch(`${target().url}/api/klarna/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }),
  };
}

/**
 * Polls `check` until it gives something truthy, and returns that. The 30 s only bound a failure:
 * on a busy machine a condition that holds within a second when idle may take several.
 */
export async function until(check, what, { timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Stands between the simulator and the backend: every webhook the simulator sends is answered 200
 * (for the simulator, delivered) and kept, until the test hands it to the backend with `deliver`.
 * So "the webhook comes after the customer is back" is a condition the test sets, not a delay it hopes for.
 */
export async function holdWebhooks(shop) {
  const held = [];
  let arrived = () => {};
  const server = http.createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const pick = ['content-type', 'klarna-signature', 'klarna-signing-key-id'];
    held.push({ body, headers: Object.fromEntries(pick.map((name) => [name, request.headers[name] ?? ''])) });
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    arrived();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const backendWebhooks = shop.sim.webhookUrl;
  shop.sim.webhookUrl = `http://127.0.0.1:${server.address().port}/`;
  return {
    /** The next webhook the simulator sent, once it has sent one: { body, headers, event }. */
    async next() {
      while (!held.length) await new Promise((resolve) => (arrived = resolve));
      const hook = held.shift();
      return { ...hook, event: JSON.parse(hook.body) };
    },
    /** Hands a held webhook to the backend, byte for byte as the simulator signed it. */
    deliver: ({ body, headers }) => fetch(backendWebhooks, { method: 'POST', headers, body }),
    async close() {
      shop.sim.webhookUrl = backendWebhooks;
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
