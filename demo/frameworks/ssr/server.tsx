/** @jsxRuntime automatic @jsxImportSource react */
// (tsx runs this file in Node with the root tsconfig, which leaves demo/frameworks to
// test/types/tsconfig.json, checked after the build: the JSX runtime is named here.)
// The server's side: render the checkout to HTML per request with react-dom/server, in Node.
// The page carries <pay-with-klarna> with its attributes before any script runs, the state it was
// rendered from, and the client bundle (client.tsx, built with Vite) that hydrates it.
//
// Standalone: node --import tsx demo/frameworks/ssr/server.tsx  (builds the client, serves
// http://127.0.0.1:5175/; Klarna's real SDK then needs KLARNA_CLIENT_ID for an allowlisted origin).
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
// Importing the package in Node runs nothing: no element is defined, nothing is downloaded.
import { KLARNA_SDK_URL } from 'pay-with-klarna';
import { Checkout, type CheckoutState } from './Checkout.js';

export interface CheckoutServerOptions {
  /** The directory Vite built client.tsx into, served at /assets/. */
  assets: string;
  klarnaClientId?: string;
}

/** The customer's cart, as your server would load it for the request (here, the same for everyone). */
function loadCart(_request: IncomingMessage, klarnaClientId: string): CheckoutState {
  return { cartId: 'cart-1001', quantity: 2, unitPrice: 2400, currency: 'USD', locale: 'en-US', klarnaClientId };
}

/** JSON that is safe inside <script>: no "</script>" or "<!--" can close it early. */
const serialize = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export function renderPage(state: CheckoutState): string {
  const app = renderToString(
    <StrictMode>
      <Checkout initial={state} />
    </StrictMode>,
  );
  return `<!doctype html>
<html lang="${state.locale}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>pay-with-klarna, rendered on the server</title>
    <link rel="icon" href="data:," />
    <link rel="modulepreload" href="${KLARNA_SDK_URL}" />
    <script type="module" src="/assets/client.js"></script>
    <style>pay-with-klarna:not(:defined) { display: block; min-height: 4rem; }</style>
  </head>
  <body>
    <div id="root">${app}</div>
    <script type="application/json" id="checkout-state">${serialize(state)}</script>
  </body>
</html>`;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.map': 'application/json' };

export function createCheckoutServer({
  assets,
  klarnaClientId = 'klarna_test_client_ssr',
}: CheckoutServerOptions): Server {
  return createServer(async (request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && pathname === '/') {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(renderPage(loadCart(request, klarnaClientId)));
    } else if (request.method === 'GET' && pathname.startsWith('/assets/')) {
      const file = normalize(pathname.slice('/assets/'.length));
      if (file.startsWith('..')) return void response.writeHead(404).end();
      try {
        const body = await readFile(join(assets, file));
        response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
      } catch {
        response.writeHead(404).end();
      }
    } else if (request.method === 'POST' && pathname === '/api/klarna/initiate') {
      // A stand-in for your backend (demo/server/ has a real one): it would price the cart, call
      // Klarna's Payment Authorize with the session token, and answer as the README describes.
      let raw = '';
      for await (const chunk of request) raw += chunk;
      let body: { cartId?: unknown; klarnaNetworkSessionToken?: unknown } = {};
      try {
        body = JSON.parse(raw);
      } catch {
        // answered below as a bad request
      }
      if (typeof body.cartId !== 'string' || typeof body.klarnaNetworkSessionToken !== 'string') {
        return void response
          .writeHead(400, { 'content-type': 'application/json' })
          .end('{"message":"cartId and klarnaNetworkSessionToken are required"}');
      }
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ paymentRequestId: `krn:payment:us1:request:${body.cartId}` }));
    } else {
      response.writeHead(404).end();
    }
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { build } = await import('vite');
  const assets = mkdtempSync(join(tmpdir(), 'pay-with-klarna-ssr-'));
  const root = fileURLToPath(new URL('.', import.meta.url));
  await build({
    root,
    configFile: join(root, 'vite.config.mjs'),
    base: '/assets/',
    logLevel: 'warn',
    build: { outDir: assets, emptyOutDir: true },
  });
  const port = Number(process.env.PORT) || 5175;
  createCheckoutServer({ assets, klarnaClientId: process.env.KLARNA_CLIENT_ID }).listen(port, '127.0.0.1', () =>
    console.log(`Checkout rendered on the server: http://127.0.0.1:${port}/`),
  );
}
