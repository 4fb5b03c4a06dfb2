import https from 'node:https';
import { klarnaCertificate } from '../../test/support/klarna-certificate.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Klarna's CDN, played on 127.0.0.1: an HTTPS server that the browser reaches for js.klarna.com
 * through its host resolver (see browser.mjs), so that no request is intercepted and every page's
 * own files travel as fast as they would without a benchmark. It answers klarna.mjs with the
 * testing kit's fake after the latency of the page that asked: each browser context's user agent
 * ends in `bench-page/<id>`, naming its entry in `pages` (an extra header would make the import
 * a CORS request with a preflight).
 */
export async function startKlarnaCdn(fakeModule) {
  const pages = new Map();
  const server = https.createServer(klarnaCertificate('the benchmark'), async (request, response) => {
    const net = pages.get(/bench-page\/(\S+)$/.exec(request.headers['user-agent'] ?? '')?.[1]);
    if (!net || new URL(request.url, 'https://js.klarna.com').pathname !== '/web-sdk/v2/klarna.mjs') {
      response.writeHead(404).end();
      return;
    }
    net.sdkRequests.push(Date.now());
    if (net.sdkDelayMs) await sleep(net.sdkDelayMs);
    if (net.klarna) return net.klarna(response);
    response.writeHead(200, {
      'content-type': 'text/javascript',
      'access-control-allow-origin': '*',
      'timing-allow-origin': '*',
      'cache-control': 'no-store',
    });
    response.end(fakeModule());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    pages,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
