/**
 * What every route of the shop shares: request bodies read within their limits, the check that a
 * POST comes from the shop's own pages, the headers on every answer, and errors answered as JSON.
 */
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Context, Hono } from 'hono';

export const MAX_BODY = 16 * 1024;
export const MAX_WEBHOOK_BODY = 64 * 1024;
export const WEBHOOK_PATH = '/api/klarna/webhooks';

/** A request the shop refuses, with the field it names: answered as `{ error, field }`. */
export class BadRequest extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 413 | 422,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A NUL, or half of a UTF-16 surrogate pair without its other half. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether Postgres can hold this text: no NUL character, and no lone surrogate (half of a UTF-16
 * pair, which has no UTF-8 form). Every string from a request is checked so before it reaches the
 * database, where it would fail as a 500.
 */
export const storable = (text: string) => !UNSTORABLE.test(text);

/** The order id in the path: one Postgres cannot hold (a NUL, a lone surrogate) names no order. */
export function orderIdParam(c: Context): string {
  const id = c.req.param('id') ?? '';
  if (!storable(id)) throw new BadRequest(404, 'No such order.', 'id');
  return id;
}

/** The request's Idempotency-Key header, or a 400 with `message` when it is missing or malformed. */
export function idempotencyKey(c: Context, message: string): string {
  const key = c.req.header('idempotency-key');
  if (!key || !/^[A-Za-z0-9_-]{8,128}$/.test(key)) throw new BadRequest(400, message, 'Idempotency-Key');
  return key;
}

/** The body as a JSON object (it is bounded already, by `guard`'s body limits). */
export async function readJson(c: Context): Promise<Record<string, any>> {
  const raw = await c.req.text();
  try {
    const parsed = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed;
  } catch {
    throw new BadRequest(400, 'the body must be a JSON object');
  }
}

/**
 * The origins the shop's own pages have: its public origin, and for a shop on the loopback address
 * (`npm start`) its `localhost` spelling too, which only this machine's browser can reach.
 */
export function ownOrigins(publicUrl: string): string[] {
  const own = new URL(publicUrl);
  const loopback = own.hostname === '127.0.0.1' || own.hostname === '[::1]';
  return loopback ? [own.origin, `${own.protocol}//localhost${own.port ? `:${own.port}` : ''}`] : [own.origin];
}

// Every answer: no MIME sniffing, no framing by other sites (Hono's secureHeaders, which also drops
// X-Powered-By). Left off: the cross-origin opener and resource policies (Klarna's purchase journey
// may open a popup that reports back to this page, and the framework demos load /assets/ from
// their own origins), HSTS (the shop's https front decides it), a referrer policy stricter than
// the browser's default, and turning DNS prefetching off (a checkout wants Klarna's hosts resolved
// early).
const SECURE_HEADERS = {
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  strictTransportSecurity: false,
  referrerPolicy: false,
  xDnsPrefetchControl: false,
} as const;

/**
 * Puts the shared checks in front of every route: the headers of every answer, no caching of the
 * API, its bodies bounded, its POSTs from the shop's own pages only, and errors as JSON.
 */
export function guard(app: Hono, { publicUrl, log }: { publicUrl: () => string; log: (line: string) => void }) {
  app.onError((error, c) => {
    if (error instanceof BadRequest) {
      return c.json({ error: error.message, ...(error.field ? { field: error.field } : {}) }, error.status);
    }
    log(`error: ${(error as Error).message}`);
    return c.json({ error: 'Something went wrong on our side.' }, 500);
  });

  app.use('*', secureHeaders(SECURE_HEADERS));
  // The shop's API answers are never cached: an order is its customer's.
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });

  // Bodies are bounded as they stream in (S2), with or without a Content-Length: Hono's bodyLimit
  // stops reading past the limit, so a chunked upload is never buffered whole.
  const tooLarge = (limit: number) =>
    bodyLimit({ maxSize: limit, onError: (c) => c.json({ error: `the body is larger than ${limit} bytes` }, 413) });
  const apiLimit = tooLarge(MAX_BODY);
  const webhookLimit = tooLarge(MAX_WEBHOOK_BODY);
  app.use('/api/*', (c, next) => (c.req.path === WEBHOOK_PATH ? webhookLimit : apiLimit)(c, next));

  // The shop's own API only answers its own pages: a cross-site POST is refused (S16). Its own origin
  // is the configured one (PUBLIC_URL, else where it listens), never one made from the request's Host
  // header, which the sender chooses: a page on a rebound DNS name sends its own name in both.
  app.use('/api/*', async (c, next) => {
    if (c.req.method !== 'POST' || c.req.path === WEBHOOK_PATH) return next();
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    const foreignOrigin = origin && !ownOrigins(publicUrl()).includes(origin);
    if (foreignOrigin || (site && site !== 'same-origin' && site !== 'none')) {
      // an order's id opens it: not for the logs
      const path = c.req.path.replace(/\/orders\/[^/]+/, '/orders/…');
      log(`refused a cross-site POST to ${path} from ${origin ?? site}`);
      return c.json({ error: 'Cross-site requests are not accepted.' }, 403);
    }
    if (!c.req.header('content-type')?.startsWith('application/json')) {
      return c.json({ error: 'Send JSON (Content-Type: application/json).' }, 415);
    }
    return next();
  });
}
