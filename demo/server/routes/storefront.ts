/**
 * The storefront: its pages (under the Content-Security-Policy the README gives merchants), its
 * scripts and the element's bundle, and the address Klarna's journey sends the customer back to.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';
import type { BackendConfig } from '../backend-config.js';
import { orderIdParam } from '../http.js';
import type { Payments } from '../payments.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** klarna.mjs offline: the testing kit's fake stands in for it. */
const SIMULATED_SDK = "import '/storefront/simulated-klarna.js';\n";
/** klarna.mjs with credentials: nothing, and the element loads Klarna's. */
const NO_SDK = 'export {};\n';

/**
 * The storefront's pages are served under the Content-Security-Policy the README gives merchants
 * (its "Content Security Policy": Klarna's hosts, and nothing inline but styles, which Klarna's SDK
 * needs), with images from the shop itself and `frame-ancestors 'none'`: no site may frame a checkout.
 * Klarna's test host (js.playground.klarna.com) only where live payments are off.
 */
export function pagePolicy(live: boolean): string {
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

/** Files of `directory` under `prefix` (only those named in `only`, when given), never above it. */
const serve = (prefix: string, directory: string, only?: string[]) => async (c: Context) => {
  const name = normalize(c.req.path.slice(prefix.length)).replace(/^(\.\.[/\\])+/, '');
  if (only && !only.includes(name)) return c.notFound();
  try {
    const body = await readFile(join(root, directory, name));
    const type = TYPES[extname(name)] ?? 'application/octet-stream';
    return c.body(body, 200, { 'content-type': type, 'cache-control': 'no-cache' });
  } catch {
    return c.notFound();
  }
};

export function storefrontRoutes(app: Hono, payments: Payments, config: BackendConfig) {
  // Klarna's journey sends the customer back here when it left the page (the return URL set on the
  // payment request, Klarna's template variables filled in), whether or not the page that started
  // it is still open and whatever events fired there. Payments reads the outcome from Klarna; then
  // on to the order page, without the token in its address or in a Referer.
  app.get('/orders/:id/return', async (c) => {
    const id = orderIdParam(c);
    await payments.customerReturned(id, c.req.query('payment_request_id'));
    c.header('referrer-policy', 'no-referrer');
    c.header('cache-control', 'no-store');
    return c.redirect(`/orders/${encodeURIComponent(id)}`, 303);
  });

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
    return c.body(config.mode === 'simulator' ? SIMULATED_SDK : NO_SDK);
  });
  const offline = config.mode === 'simulator' ? ['klarna-fake.mjs'] : [];
  app.get('/assets/*', serve('/assets/', 'dist', ['pay-with-klarna.js', ...offline]));
  app.get('/storefront/*', serve('/storefront/', 'demo/storefront'));
  app.get('/public/*', serve('/public/', 'public'));
}
