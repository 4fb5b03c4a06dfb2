/**
 * The reference backend's HTTP surface, as framework-agnostic Hono handlers: the shop's API, the
 * endpoint <pay-with-klarna> calls, Klarna's webhooks, and the storefront's pages and assets.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { Hono, type Context } from 'hono';
import { CURRENCY, PRODUCTS, money, product } from './catalog.js';
import { Payments, outcomeUnknown, redact, sendable } from './payments.js';
import { verifyWebhookSignature } from './signing.js';
import type { Order, OrderLine, OrderStatus, Store } from './store.js';

export interface BackendConfig {
  mode: 'simulator' | 'klarna';
  clientId: string;
  live: boolean;
  signingKeys: ReadonlyMap<string, string>;
  publicUrl: () => string;
  /** The simulator's address in offline mode, for the storefront's outcome picker. */
  simulatorUrl?: () => string;
  log?: (line: string) => void;
  /** Given work that goes on after its answer (a webhook's handling), so that a stop waits for it. */
  track?: (work: Promise<unknown>) => void;
  /**
   * How long an initiate or a subscription charge may take before it is answered "not confirmed
   * yet" (503) while its Klarna call goes on: 25 s, within the element's default initiate-timeout of 30 s.
   */
  requestBoundMs?: number;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const MAX_BODY = 16 * 1024;
const MAX_WEBHOOK_BODY = 64 * 1024;
const REQUEST_BOUND_MS = 25_000;
const NOT_CONFIRMED = 'Klarna has not given the shop a clear answer yet. Your payment is not confirmed yet and will not be taken twice; please try again in a moment.';
const CHARGE_NOT_CONFIRMED = 'Klarna gave no clear answer about this charge yet. Nothing is charged twice: press again to repeat the same charge.';
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

class BadRequest extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 413 | 422,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * Whether Postgres can hold this text: no NUL character, and no lone surrogate (half of a UTF-16
 * pair, which has no UTF-8 form). Every string from a request is checked so before it reaches the
 * database, where it would fail as a 500.
 */
const storable = (text: string) => !/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

/** The order id in the path: one Postgres cannot hold (a NUL, a lone surrogate) names no order. */
function orderIdParam(c: Context): string {
  const id = c.req.param('id') ?? '';
  if (!storable(id)) throw new BadRequest(404, 'No such order.', 'id');
  return id;
}

function priceLines(input: unknown): OrderLine[] {
  if (!Array.isArray(input) || input.length === 0) throw new BadRequest(400, 'lines must be a non-empty array of { sku, quantity }', 'lines');
  if (input.length > 20) throw new BadRequest(400, 'lines may hold at most 20 products', 'lines');
  return input.map((line, index) => {
    const found = typeof line?.sku === 'string' ? product(line.sku) : undefined;
    if (!found) throw new BadRequest(400, `lines[${index}].sku is not a product of this shop`, `lines[${index}].sku`);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > 99) {
      throw new BadRequest(400, `lines[${index}].quantity must be a whole number from 1 to 99`, `lines[${index}].quantity`);
    }
    return { sku: found.sku, name: found.name, quantity: line.quantity, unitPrice: found.price, total: found.price * line.quantity };
  });
}

/** PWK- and 10 characters of Crockford's base32 (no I, L, O or U to misread): 50 random bits. */
function orderNumber(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return `PWK-${Array.from(randomBytes(10), (byte) => alphabet[byte & 31]).join('')}`;
}

function orderView(order: Order) {
  return {
    id: order.id,
    number: order.purchaseReference,
    kind: order.kind,
    status: order.status,
    reason: order.reason,
    amount: order.amount,
    currency: order.currency,
    lines: order.lines,
    paymentTransactionId: order.paymentTransactionId,
    paymentRequestId: order.paymentRequestId,
    /** Goes up with each change of the lines: a press may send it back (as `cartVersion`) to be taken only on this very cart. */
    cartVersion: order.cartVersion,
    subscriptionActive: order.kind === 'subscription' && order.status === 'paid' && Boolean(order.customerToken),
  };
}

/**
 * The origins the shop's own pages have: its public origin, and for a shop on the loopback address
 * (`npm start`) its `localhost` spelling too, which only this machine's browser can reach.
 */
function ownOrigins(publicUrl: string): string[] {
  const own = new URL(publicUrl);
  const loopback = own.hostname === '127.0.0.1' || own.hostname === '[::1]';
  return loopback ? [own.origin, `${own.protocol}//localhost${own.port ? `:${own.port}` : ''}`] : [own.origin];
}

/**
 * The storefront's pages are served under the Content-Security-Policy the README gives merchants
 * (its "Content Security Policy": Klarna's hosts, and nothing inline but styles, which Klarna's SDK
 * needs), with images from the shop itself and `frame-ancestors 'none'`: no site may frame a checkout.
 * Klarna's test host (js.playground.klarna.com) only where live payments are off.
 */
function pagePolicy(live: boolean): string {
  return [
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `script-src 'self' https://js.klarna.com${live ? '' : ' https://js.playground.klarna.com'} https://x.klarnacdn.net`,
    "style-src 'self' 'unsafe-inline' https://x.klarnacdn.net",
    'font-src https://x.klarnacdn.net',
    "connect-src 'self' https://*.klarna.com https://*.klarnaevt.com https://x.klarnacdn.net",
    'frame-src https://*.klarna.com https://x.klarnacdn.net',
    "img-src 'self' data:",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Where a new lines change or a new payment attempt may start: nothing is under way. */
const CHANGEABLE: OrderStatus[] = ['open', 'declined', 'canceled', 'failed', 'expired'];

export function createApp(store: Store, payments: Payments, config: BackendConfig) {
  const app = new Hono();
  const log = config.log ?? ((line: string) => console.log(line));
  const requestBoundMs = config.requestBoundMs ?? REQUEST_BOUND_MS;

  async function readJson(c: Context): Promise<Record<string, any>> {
    const raw = await c.req.text(); // bounded by bodyLimit below
    try {
      const parsed = JSON.parse(raw);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      return parsed;
    } catch {
      throw new BadRequest(400, 'the body must be a JSON object');
    }
  }

  app.onError((error, c) => {
    if (error instanceof BadRequest) return c.json({ error: error.message, ...(error.field ? { field: error.field } : {}) }, error.status);
    log(`error: ${(error as Error).message}`);
    return c.json({ error: 'Something went wrong on our side.' }, 500);
  });

  // Every answer: no MIME sniffing, no framing by other sites (Hono's secureHeaders, which also drops
  // X-Powered-By). Left off: the cross-origin opener and resource policies (Klarna's purchase journey
  // may open a popup that reports back to this page, and the framework demos load /assets/ from
  // their own origins), HSTS (the shop's https front decides it), a referrer policy stricter than
  // the browser's default, and turning DNS prefetching off (a checkout wants Klarna's hosts resolved
  // early). The shop's API answers are never cached: an order is its customer's.
  app.use('*', secureHeaders({ crossOriginOpenerPolicy: false, crossOriginResourcePolicy: false, strictTransportSecurity: false, referrerPolicy: false, xDnsPrefetchControl: false }));
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });

  // Bodies are bounded as they stream in (S2), with or without a Content-Length: Hono's bodyLimit
  // stops reading past the limit, so a chunked upload is never buffered whole.
  const tooLarge = (limit: number) => bodyLimit({ maxSize: limit, onError: (c) => c.json({ error: `the body is larger than ${limit} bytes` }, 413) });
  const apiLimit = tooLarge(MAX_BODY);
  const webhookLimit = tooLarge(MAX_WEBHOOK_BODY);
  app.use('/api/*', (c, next) => (c.req.path === '/api/klarna/webhooks' ? webhookLimit : apiLimit)(c, next));

  // The shop's own API only answers its own pages: a cross-site POST is refused (S16). Its own origin
  // is the configured one (PUBLIC_URL, else where it listens), never one made from the request's Host
  // header, which the sender chooses: a page on a rebound DNS name sends its own name in both.
  app.use('/api/*', async (c, next) => {
    if (c.req.method !== 'POST' || c.req.path === '/api/klarna/webhooks') return next();
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    if ((origin && !ownOrigins(config.publicUrl()).includes(origin)) || (site && site !== 'same-origin' && site !== 'none')) {
      log(`refused a cross-site POST to ${c.req.path.replace(/\/orders\/[^/]+/, '/orders/…')} from ${origin ?? site}`); // an order's id opens it: not for the logs
      return c.json({ error: 'Cross-site requests are not accepted.' }, 403);
    }
    if (!c.req.header('content-type')?.startsWith('application/json')) return c.json({ error: 'Send JSON (Content-Type: application/json).' }, 415);
    return next();
  });

  app.get('/api/config', (c) => c.json({ mode: config.mode, clientId: config.clientId, currency: CURRENCY, simulatorUrl: config.simulatorUrl?.() }));
  app.get('/api/products', (c) => c.json(PRODUCTS));

  app.post('/api/orders', async (c) => {
    const body = await readJson(c);
    const lines = priceLines(body.lines);
    const amount = lines.reduce((sum, line) => sum + line.total, 0);
    const id = `order-${randomUUID()}`; // unguessable: the order's page and its API take the id alone
    const kind = lines.some((line) => product(line.sku)?.subscription) ? 'subscription' : 'purchase';
    let order: Order | undefined;
    // Klarna, the logs and the customer get an order number instead, which opens nothing
    for (let tries = 0; !order; tries++) {
      if (tries === 5) throw new Error('no free order number after 5 tries');
      const number = orderNumber();
      order = await store.createOrder({ id, kind, amount, currency: CURRENCY, lines, purchaseReference: number, transactionReference: `${number}-tx` });
    }
    await store.note(id, 'backend', `Order created: ${lines.map((line) => `${line.quantity} × ${line.sku}`).join(', ')}, total ${amount} ${CURRENCY}`);
    return c.json(orderView(order), 201);
  });

  // The cart changes on the checkout page: reprice while nothing is under way.
  app.post('/api/orders/:id/lines', async (c) => {
    const body = await readJson(c);
    const lines = priceLines(body.lines);
    const amount = lines.reduce((sum, line) => sum + line.total, 0);
    const id = orderIdParam(c);
    const order = await store.changeLines(id, CHANGEABLE, lines, amount);
    if (!order && !(await store.order(id))) throw new BadRequest(404, 'No such order.');
    if (!order) throw new BadRequest(409, 'This order can no longer be changed.');
    return c.json(orderView(order));
  });

  app.get('/api/orders/:id', async (c) => {
    let order = await store.order(orderIdParam(c));
    if (!order) return c.json({ error: 'No such order.' }, 404);
    // The order page asks every second: Klarna's payment request is read at most every few seconds
    // per order, across all instances (the database keeps the time of the last look).
    if (order.status === 'pending') order = (await payments.look(order)) ?? order;
    // renewFromPage: the order page offers "Charge next period" (not in live mode: a scheduler charges)
    return c.json({ ...orderView(order), events: await store.events(order.id), charges: await store.charges(order.id), renewFromPage: !config.live });
  });

  type Reply = (status: number, response: Record<string, unknown>, keep?: boolean) => Promise<Response>;

  /**
   * Runs `handle` once per Idempotency-Key (`name`): the same key again gets the answer kept, 409
   * while the first still runs, 422 with another request. `reply(…, false)` answers without keeping
   * (the outcome may change: a retry runs again); so does a failure of `handle`, which must never
   * leave the key claimed (every retry with it would get 409 for ever).
   */
  async function oncePerKey(
    c: Context,
    name: string,
    fingerprint: string,
    handle: (reply: Reply) => Promise<Response>,
    bound?: { ms: number; answer: Record<string, unknown> },
  ): Promise<Response> {
    const claim = await store.claimKey(name, fingerprint);
    if (claim.kind === 'replay') return c.json(claim.response as object, claim.status as 200);
    if (claim.kind === 'busy') return c.json({ error: 'A request with this Idempotency-Key is still running.' }, 409);
    if (claim.kind === 'conflict') return c.json({ error: 'This Idempotency-Key was already used for a different request.' }, 422);
    // Past the bound the key is freed and answered 503: what `handle` gives after that is kept nowhere
    // (a retry with the key may have claimed it again, and gets its own answer from the order).
    let late = false;
    const reply: Reply = async (status, response, keep = true) => {
      if (late) return c.json(response, status as 200);
      if (keep) await store.storeReply(name, status, response);
      else await store.releaseKey(name);
      return c.json(response, status as 200);
    };
    const work = handle(reply).catch(async (error) => {
      if (!late) await store.releaseKey(name).catch(() => {});
      throw error;
    });
    if (!bound) return work;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => ((late = true), resolve(undefined)), bound.ms)));
    const answer = await Promise.race([work, timedOut]).finally(() => clearTimeout(timer));
    if (answer) return answer;
    // The work goes on (the same Klarna call, to its answer), and a stop waits for it.
    config.track?.(work.catch((error) => log(`${name.split(':')[0]} after its answer: ${(error as Error).message}`)));
    await store.releaseKey(name);
    return c.json(bound.answer, 503);
  }

  // The endpoint <pay-with-klarna initiate-url> calls from Klarna's button.
  app.post('/api/klarna/initiate', async (c) => {
    const key = c.req.header('idempotency-key');
    if (!key || !/^[A-Za-z0-9_-]{8,128}$/.test(key)) throw new BadRequest(400, 'the Idempotency-Key header is required (8 to 128 letters, digits, - or _)', 'Idempotency-Key');
    const body = await readJson(c);
    if (typeof body.orderId !== 'string') throw new BadRequest(400, 'orderId must be a string', 'orderId');
    if (body.klarnaNetworkSessionToken !== undefined && typeof body.klarnaNetworkSessionToken !== 'string') throw new BadRequest(400, 'klarnaNetworkSessionToken must be a string', 'klarnaNetworkSessionToken');
    if (body.paymentOptionId !== undefined && typeof body.paymentOptionId !== 'string') throw new BadRequest(400, 'paymentOptionId must be a string', 'paymentOptionId');
    if (!Number.isSafeInteger(body.amount)) throw new BadRequest(400, 'amount must be a whole number of minor units', 'amount');
    if (typeof body.currency !== 'string') throw new BadRequest(400, 'currency must be a string', 'currency');
    if (body.cartVersion !== undefined && !(Number.isSafeInteger(body.cartVersion) && body.cartVersion > 0)) throw new BadRequest(400, 'cartVersion must be a whole number from 1 (the order\'s cartVersion)', 'cartVersion');
    // Every string that may reach the database (the attempt, the answer kept for the key) is refused
    // here if Postgres cannot hold it, not by a 500 there.
    for (const field of ['orderId', 'klarnaNetworkSessionToken', 'paymentOptionId', 'currency']) {
      if (typeof body[field] === 'string' && !storable(body[field])) throw new BadRequest(400, `${field} must not contain a NUL character or a lone surrogate`, field);
    }
    // The token goes to Klarna as the Klarna-Network-Session-Token header: one that a header cannot
    // carry would never leave this server, and the order would wait for an answer that cannot come.
    if (typeof body.klarnaNetworkSessionToken === 'string' && !sendable(body.klarnaNetworkSessionToken)) {
      throw new BadRequest(400, 'klarnaNetworkSessionToken must be printable ASCII without spaces, as Klarna\'s tokens are (it is sent to Klarna as an HTTP header)', 'klarnaNetworkSessionToken');
    }
    const pressed = { amount: body.amount as number, currency: body.currency as string, cartVersion: body.cartVersion as number | undefined };
    const samePress = (order: Order) => order.amount === pressed.amount && order.currency === pressed.currency && (pressed.cartVersion === undefined || pressed.cartVersion === order.cartVersion);
    const cartChanged = (order: Order) =>
      order.amount === pressed.amount && order.currency === pressed.currency
        ? `Your cart changed after this page showed it. Please review your cart.`
        : `The total changed: the order is ${money(order.amount, order.currency)}, the page showed ${money(pressed.amount, pressed.currency)}. Please review your cart.`;

    const fingerprint = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    // Answered within the element's initiate-timeout (30 s by default), though Klarna's retries can take
    // longer (3 tries of up to 15 s): past the bound the customer is told the payment is not confirmed
    // and will not be taken twice, while the call goes on (a retry meanwhile gets its answer) or the sweep repeats it.
    return oncePerKey(c, `initiate:${key}`, fingerprint, async (reply) => {
      let order = await store.order(body.orderId);
      if (!order) return reply(404, { error: 'No such order.' });
      if (order.status === 'pending') {
        // A payment request is already open for this order: settle or reuse it, never open a second one.
        order = (await payments.reconcile(order)) ?? order;
        if (order.status === 'pending' && order.paymentRequestUrl) {
          // (for the cart it was opened for: a page showing another total is told so)
          if (!samePress(order)) return reply(409, { error: cartChanged(order) });
          return reply(200, { paymentRequestUrl: order.paymentRequestUrl, paymentRequestId: order.paymentRequestId, orderId: order.id });
        }
      }
      // What the element is told of a paid order: go to its page.
      const paid = { returnUrl: `${config.publicUrl()}/orders/${order.id}`, orderId: order.id };
      // The retry of the very attempt that paid (its answer was lost to a failure here) gets that attempt's success.
      if (order.status === 'paid' && order.attemptKey === key) return reply(200, paid);
      if (order.status === 'paid') return reply(409, { error: 'This order is already paid.' });
      if (order.status === 'finalizing') return reply(409, { error: 'Klarna approved this order; it is being confirmed.' }, false);
      if (order.status === 'unconfirmed') return reply(409, { error: order.reason }, false);
      if (!samePress(order)) return reply(409, { error: cartChanged(order) });
      let outcome;
      if (order.status === 'authorizing') {
        // An earlier attempt got no answer from Klarna: repeat that very call (same key, same token), never a new one.
        outcome = await payments.authorize(order, { repeat: true });
      } else {
        // The check above read the order; the claim checks the pressed total again in the same
        // statement that takes the order, so a cart change in between cannot reach Klarna.
        const claimed = await store.claimAttempt(order.id, CHANGEABLE, pressed, {
          status: 'authorizing',
          paymentOptionId: body.paymentOptionId ?? null,
          attemptKey: key,
          attemptToken: body.klarnaNetworkSessionToken ?? null,
          attemptStartedAt: new Date().toISOString(),
          // a new attempt: nothing of the last one's payment request, nor its 60 minutes, carries over
          paymentRequestId: null,
          paymentRequestUrl: null,
          completedAt: null,
          finalSentAt: null,
        });
        if (!claimed) {
          const now = await store.order(order.id);
          if (now && !samePress(now)) return reply(409, { error: cartChanged(now) });
          return reply(409, { error: 'A payment for this order is already under way.' }, false);
        }
        outcome = await payments.authorize(claimed);
      }
      switch (outcome.kind) {
        case 'approved':
          return reply(200, paid);
        case 'step-up':
          // Klarna's URL exactly as Klarna gave it: never wrapped in a redirect of ours.
          return reply(200, { paymentRequestUrl: outcome.paymentRequestUrl, paymentRequestId: outcome.paymentRequestId, orderId: order.id });
        case 'declined':
          return reply(402, { error: 'declined', message: 'Klarna declined this purchase. Please choose another payment method.', orderId: order.id });
        case 'unavailable':
          return reply(503, { error: 'klarna_unavailable', message: NOT_CONFIRMED, status: 'authorizing' }, false);
        case 'rejected':
          // Not a 5xx: the element would retry with the same key, and Klarna would refuse the same request again.
          return reply(422, { error: 'klarna_refused', message: outcome.message, orderId: order.id });
        case 'unconfirmed':
          return reply(409, { error: outcome.message }, false);
      }
    }, { ms: requestBoundMs, answer: { error: 'klarna_unavailable', message: NOT_CONFIRMED } });
  });

  // Klarna's webhooks: verified over the raw bytes, acknowledged at once, processed once per event id.
  app.post('/api/klarna/webhooks', async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const check = verifyWebhookSignature(raw, c.req.header('klarna-signature'), c.req.header('klarna-signing-key-id'), config.signingKeys);
    if (!check.ok) {
      log(`webhook refused: ${check.reason}`);
      return c.json({ error: check.reason }, 400);
    }
    let event: any;
    try {
      event = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      return c.json({ error: 'the body is not JSON' }, 400);
    }
    const { metadata, payload } = event ?? {};
    if (typeof metadata?.event_id !== 'string' || typeof metadata?.event_type !== 'string') return c.json({ error: 'metadata.event_id and metadata.event_type are required' }, 400);
    // Signed by Klarna, and still checked before anything of it reaches the database.
    const fields: Array<[string, unknown, boolean]> = [['metadata.event_id', metadata.event_id, true], ['metadata.event_type', metadata.event_type, true], ['payload.payment_request_id', payload?.payment_request_id, false]];
    for (const [field, value, required] of fields) {
      if ((value === undefined || value === null) && !required) continue;
      if (typeof value !== 'string' || !value || value.length > 1000 || !storable(value)) {
        log(`webhook refused: ${field} is not text the shop can store`);
        return c.json({ error: `${field} must be a non-empty string without NUL characters or lone surrogates`, field }, 400);
      }
    }
    if (metadata.live !== config.live) {
      log(`webhook refused: live=${metadata.live} does not match this ${config.live ? 'live' : 'test'} environment (event ${metadata.event_id})`);
      return c.json({ error: 'live flag does not match this environment' }, 400);
    }
    if (!(await store.firstDelivery(metadata.event_id, metadata.event_type, payload?.payment_request_id))) return c.json({ received: true, duplicate: true });
    const handling = new Promise((resolve) => setImmediate(resolve)).then(() =>
      handleWebhook(metadata, payload).catch(async (error) => {
        // Acknowledged already, so Klarna will not resend it: forget it, and the sweep settles the order.
        log(`webhook ${metadata.event_id} failed: ${(error as Error).message}`);
        await store.forgetDelivery(metadata.event_id).catch(() => undefined);
      }),
    );
    config.track?.(handling);
    return c.json({ received: true });
  });

  async function handleWebhook(metadata: any, payload: any) {
    const order = payload?.payment_request_id ? await store.orderByPaymentRequest(payload.payment_request_id) : undefined;
    if (!order) return log(`webhook ${metadata.event_type} for an unknown payment request`);
    await store.note(order.id, 'webhook', `${metadata.event_type} (event ${metadata.event_id.slice(0, 8)}…)`);
    if (metadata.event_type === 'payment.request.state-change.completed') {
      const token = payload.klarna_network_session_token ?? payload.state_context?.klarna_network_session_token;
      const customerToken = payload.klarna_customer?.customer_token ?? payload.state_context?.klarna_customer?.customer_token;
      log(`webhook completed for ${order.purchaseReference}: session token ${redact(token)}`);
      await payments.finalize(order, token, { completedAt: metadata.occurred_at, customerToken, via: 'webhook' });
    } else if (/\.(canceled|expired|declined)$/.test(metadata.event_type)) {
      await payments.ended(order, metadata.event_type.split('.').pop().toUpperCase(), 'webhook');
    }
  }

  // The order page's "Charge next period" stands in for the shop's scheduler, offline and against
  // Klarna's test environment. Live, it is not offered: anyone who has an order's URL could charge
  // a due period from the browser; a shop's scheduler calls payments.chargeNextPeriod(order).
  if (!config.live) app.post('/api/orders/:id/charge', async (c) => {
    const key = c.req.header('idempotency-key');
    if (!key || !/^[A-Za-z0-9_-]{8,128}$/.test(key)) throw new BadRequest(400, 'the Idempotency-Key header is required', 'Idempotency-Key');
    const id = orderIdParam(c);
    // Bounded as an initiate is: past the bound the charge goes on (its row 'unknown' until it has its
    // outcome), and the next press repeats that very charge or finds it settled.
    return oncePerKey(c, `charge:${key}`, id, async (reply) => {
      const order = await store.order(id);
      const inactive = 'Only an active subscription can be charged.';
      if (!order || order.kind !== 'subscription' || order.status !== 'paid') return reply(409, { error: inactive }, false);
      let result;
      try {
        result = await payments.chargeNextPeriod(order, { aheadOnePeriod: config.mode === 'simulator' });
      } catch (error) {
        if (!outcomeUnknown(error)) throw error;
        return reply(503, { error: 'klarna_unavailable', message: CHARGE_NOT_CONFIRMED }, false);
      }
      if (result.kind === 'ended') {
        const error = result.reason
          ? `This subscription has ended: Klarna declined period ${result.period} (${result.reason}), so its customer token can no longer be charged. The customer can subscribe again.`
          : inactive;
        return reply(409, { error, ...result }, false);
      }
      if (result.kind === 'exhausted') {
        return reply(409, { error: `Klarna declined period ${result.period} three times; it is not tried again. Ask the customer to check their Klarna payment method, or end the subscription.`, ...result }, false);
      }
      if (result.kind === 'not-due') {
        return reply(409, { error: `Period ${result.period} is due on ${result.dueAt.slice(0, 10)}; it cannot be charged before then.`, ...result }, false);
      }
      if (result.kind === 'unconfirmed') {
        return reply(409, { error: `Klarna never confirmed period ${result.period}'s charge of ${result.since.slice(0, 10)}. Check transaction reference ${result.reference} in the Klarna Portal before charging again.`, ...result }, false);
      }
      const { kind, ...charge } = result;
      return reply(kind === 'approved' ? 200 : 402, { status: kind, approved: kind === 'approved', ...charge });
    }, { ms: requestBoundMs, answer: { error: 'klarna_unavailable', message: CHARGE_NOT_CONFIRMED } });
  });

  // Klarna's journey sends the customer back here when it left the page (the return URL set on the
  // payment request, Klarna's template variables filled in), whether or not the page that started
  // it is still open and whatever events fired there. The outcome is read from Klarna by the server,
  // never taken from the URL, which anyone can type: the payment request id in it only decides
  // whether the read happens at once (it is the order's own) or as the order page's throttled look.
  // Then on to the order page, without the token in its address or in a Referer.
  app.get('/orders/:id/return', async (c) => {
    const id = orderIdParam(c);
    const order = await store.order(id);
    if (order?.status === 'pending') {
      if (order.paymentRequestId && c.req.query('payment_request_id') === order.paymentRequestId) await payments.reconcile(order);
      else await payments.look(order);
    }
    c.header('referrer-policy', 'no-referrer');
    c.header('cache-control', 'no-store');
    return c.redirect(`/orders/${encodeURIComponent(id)}`, 303);
  });

  // ---- the storefront ----------------------------------------------------------------------------
  const policy = pagePolicy(config.live);
  const page = (name: string) => async (c: Context) => {
    c.header('content-security-policy', policy);
    return c.html(await readFile(join(root, 'demo/storefront', name), 'utf8'));
  };
  app.get('/', page('index.html'));
  app.get('/checkout', page('checkout.html'));
  app.get('/orders/:id', page('order.html'));
  app.get('/storefront/klarna-sdk.js', (c) => {
    c.header('content-type', TYPES['.js']!);
    // Offline, the testing kit's fake stands in for klarna.mjs; with credentials, nothing: the element loads Klarna's.
    return c.body(config.mode === 'simulator' ? "import '/storefront/simulated-klarna.js';\n" : 'export {};\n');
  });
  const serve = (prefix: string, directory: string, only?: string[]) => async (c: Context) => {
    const name = normalize(c.req.path.slice(prefix.length)).replace(/^(\.\.[/\\])+/, '');
    if (only && !only.includes(name)) return c.notFound();
    try {
      const body = await readFile(join(root, directory, name));
      return c.body(body, 200, { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    } catch {
      return c.notFound();
    }
  };
  app.get('/assets/*', serve('/assets/', 'dist', ['pay-with-klarna.js', ...(config.mode === 'simulator' ? ['klarna-fake.mjs'] : [])]));
  app.get('/storefront/*', serve('/storefront/', 'demo/storefront'));
  app.get('/public/*', serve('/public/', 'public'));
  return app;
}
