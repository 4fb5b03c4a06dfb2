import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEER_MODULE, renderPage } from './pages.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The benchmark's web server on 127.0.0.1 and a free port:
 * - /page?… a generated checkout page (see pages.mjs),
 * - /dist/… the built bundle, /peer.js the guide's integration written by hand (pages.mjs),
 * - /api/payment-methods?delay=ms the merchant's own payment methods, answered after `delay`,
 * - POST /api/klarna/initiate?delay=ms the merchant backend, answered after `delay`.
 */
export async function startServer() {
  const files = {}; // path → the file's bytes (a promise of them), for this server's life
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    const delay = Number(url.searchParams.get('delay')) || 0;
    const noStore = { 'cache-control': 'no-store' };
    if (url.pathname === '/page') {
      response.writeHead(200, { 'content-type': types['.html'], ...noStore }).end(renderPage(url.searchParams));
      return;
    }
    if (url.pathname === '/peer.js') {
      response.writeHead(200, { 'content-type': types['.js'], ...noStore }).end(PEER_MODULE);
      return;
    }
    if (url.pathname === '/api/payment-methods') {
      await sleep(delay);
      const methods = [
        { id: 'card', label: 'Card' },
        { id: 'paypal', label: 'PayPal' },
      ];
      response.writeHead(200, { 'content-type': types['.json'], ...noStore }).end(JSON.stringify(methods));
      return;
    }
    if (url.pathname === '/api/klarna/initiate' && request.method === 'POST') {
      for await (const _chunk of request);
      await sleep(delay);
      response.writeHead(200, { 'content-type': types['.json'], ...noStore });
      response.end(JSON.stringify({ paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/bench/start' }));
      return;
    }
    const path = normalize(url.pathname).replace(/^\/+/, '');
    if (!/^dist\/[\w.-]+\.m?js$/.test(path)) {
      response.writeHead(404).end();
      return;
    }
    try {
      // read once, then served from memory as /peer.js is: both integrations' scripts answer alike
      // (a failed read is not kept: the file may be there at the next request)
      const body = await (files[path] ??= readFile(join(root, path)).catch((error) => {
        delete files[path];
        throw error;
      }));
      response.writeHead(200, { 'content-type': types[extname(path)], ...noStore }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
