/**
 * Klarna's CDN on this machine, for engines whose drivers cannot answer a request themselves
 * (WebKit through WebDriver classic) and for running one test in every engine the same way: an
 * HTTP proxy on 127.0.0.1 that the browser is told to use. It takes the browser's tunnel to
 * js.klarna.com:443 itself, with a certificate made for the run (the browser is told to accept it:
 * acceptInsecureCerts), and answers https://js.klarna.com/web-sdk/v2/klarna.mjs as each test says;
 * a tunnel to any other host is refused, so nothing leaves the machine. The element imports
 * Klarna's real URL, unchanged: the requests are real, only the server is ours.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { klarnaCertificate } from '../../support/klarna-certificate.mjs';

export const KLARNA_SDK_URL = 'https://js.klarna.com/web-sdk/v2/klarna.mjs';
const fakeModule = readFileSync(new URL('../../../dist/klarna-fake.mjs', import.meta.url), 'utf8');

/** The answers a test can give: the testing kit's fake module, or a failure with a status. */
export const serveFake = () => ({ status: 200, body: fakeModule });
export const failWith = (status) => () => ({ status, body: 'unavailable' });

/**
 * Starts the proxy. `answer(handler)` sets how klarna.mjs requests are answered from now on:
 * `handler(url, n)` gets the requested URL and its number (from 1) and gives `{ status, body }`.
 * `requests` lists every URL asked of js.klarna.com since the last `answer()`.
 */
export async function startKlarnaProxy() {
  let handler = serveFake;
  const requests = [];
  const klarna = https.createServer(klarnaCertificate('the end-to-end tests'), (request, response) => {
    const url = `https://js.klarna.com${request.url}`;
    requests.push(url);
    const { status, body } =
      new URL(url).pathname === '/web-sdk/v2/klarna.mjs'
        ? handler(url, requests.length)
        : { status: 404, body: 'not found' };
    response
      .writeHead(status, {
        'content-type': 'text/javascript',
        'access-control-allow-origin': '*',
        'cache-control': 'no-store',
      })
      .end(body);
  });
  // Pages on 127.0.0.1 bypass the proxy (each engine is told so); a plain request for any host is refused.
  const proxy = http.createServer((request, response) => response.writeHead(403).end());
  proxy.on('connect', (request, socket, head) => {
    socket.on('error', () => {});
    if (request.url !== 'js.klarna.com:443') return void socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    klarna.emit('connection', socket);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address();
  return {
    host: `127.0.0.1:${port}`,
    port,
    requests,
    answer(next) {
      handler = next;
      requests.length = 0;
    },
    stop: () => {
      proxy.closeAllConnections();
      klarna.closeAllConnections();
      return new Promise((resolve) => proxy.close(resolve));
    },
  };
}
