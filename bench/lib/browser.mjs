import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startKlarnaCdn } from './klarna-cdn.mjs';
import { KLARNA_SDK_URL } from './pages.mjs';
import { probe } from './probe.mjs';

let fakeModule; // read at the first page, after run.mjs has made sure dist/ is built
const fake = () => (fakeModule ??= readFileSync(new URL('../../dist/klarna-fake.mjs', import.meta.url), 'utf8'));

/** Every request that tried to leave 127.0.0.1 (other than for Klarna's SDK), across all pages (none got out). */
export const refused = [];

/**
 * The same Chromium as the end-to-end tests (test/e2e/support/browser.mjs), with V8 flags of its
 * own (below, each with its reason), and the network set up at the host resolver instead of by
 * request interception, which would add a round trip to Playwright for every request of every
 * page (6–34 ms each on this machine): js.klarna.com resolves to the benchmark's stand-in for Klarna's CDN (klarna-cdn.mjs), and every
 * other name but 127.0.0.1 resolves to nothing, so nothing leaves the machine.
 */
export async function launch() {
  const cdn = await startKlarnaCdn(fake);
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--no-proxy-server', // a system proxy would bypass the host resolver's rules
      // Every load a first visit: V8 compiles each page's scripts afresh instead of reusing its
      // compilation from the last load of the same page, which a customer's first checkout never has
      // and which flattered the larger script (at 4× CPU, the element's bundle by about 30 ms, the
      // guide's sample by about 5). The responses are no-store, so there is no code cache either.
      // Source positions made as code is compiled, not later on demand: Playwright keeps DevTools'
      // network domain on, which records the script stack of every request (no customer's browser
      // does), and V8 then placed a frame of a module's top level by parsing the whole module again:
      // the bundle's import() of klarna.mjs took 7-16 ms at 4× CPU, 0.4-6 ms with this flag.
      '--js-flags=--no-compilation-cache --no-enable-lazy-source-positions',
      `--host-resolver-rules=MAP ${new URL(KLARNA_SDK_URL).hostname} 127.0.0.1:${cdn.port}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`,
    ],
  });
  const probeContext = await browser.newContext();
  const userAgent = await (await probeContext.newPage()).evaluate(() => navigator.userAgent);
  await probeContext.close();
  browser.on('disconnected', () => cdn.close());
  return Object.assign(browser, { cdn, defaultUserAgent: userAgent });
}

let pageIds = 0;

/**
 * A context and page whose requests for Klarna's SDK URL are answered by the stand-in CDN with the
 * testing kit's fake after `net.sdkDelayMs` (or by `net.klarna(response)`). `net` is read at each
 * request, so one page serves runs with different latencies. `cpu` > 1 slows the page's CPU
 * through the DevTools protocol (it stays across navigations).
 */
export async function openPage(browser, { cpu = 1, net = {}, contextOptions = {} } = {}) {
  fake();
  const id = String(++pageIds);
  Object.assign(net, { sdkRequests: [] });
  browser.cdn.pages.set(id, net);
  const context = await browser.newContext({
    viewport: { width: 800, height: 900 },
    ignoreHTTPSErrors: true, // the stand-in CDN's certificate is self-signed
    userAgent: `${browser.defaultUserAgent} bench-page/${id}`,
    ...contextOptions,
  });
  context.on('close', () => browser.cdn.pages.delete(id));
  const page = await context.newPage();
  page.on('request', (request) => {
    const { hostname } = new URL(request.url());
    // Klarna's URL with a query is the element's retry of it (?retry=N), answered by the stand-in CDN too
    const klarna = request.url().split('?')[0] === KLARNA_SDK_URL;
    if (/^https?:/.test(request.url()) && hostname !== '127.0.0.1' && !klarna) refused.push(request.url());
  });
  await page.addInitScript(probe);
  if (cpu !== 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
  }
  return { context, page, sdkRequests: net.sdkRequests, net };
}

/** Builds /page?… for the server; `fake` (the testing kit's options) is read by the probe. */
export function pageUrl(server, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== false)
      query.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return `${server.url}/page?${query}`;
}

/** Navigates, waits for the probe to see Klarna (and the merchant's methods) painted, returns the figures. */
export async function loadAndMeasure(page, url, { timeoutMs = 15_000 } = {}) {
  const done = page
    .waitForEvent('console', { predicate: (message) => message.text() === 'bench:done', timeout: timeoutMs })
    .then(
      () => true,
      () => false,
    );
  await page.goto(url, { waitUntil: 'commit' });
  const finished = await done;
  return page.evaluate(
    async ([sdkUrl, finished]) => {
      const bench = window.__bench;
      const navigation = performance.getEntriesByType('navigation')[0];
      const fake = globalThis[Symbol.for('pay-with-klarna.fake')];
      return {
        finished,
        responseStart: navigation.responseStart,
        sdkFetches: performance
          .getEntriesByType('resource')
          .filter((entry) => entry.name === sdkUrl)
          .map((entry) => ({ start: entry.startTime, end: entry.responseEnd, initiator: entry.initiatorType })),
        syncAt: bench.syncAt,
        klarnaAt: bench.klarnaAt,
        klarnaFrameAt: bench.klarnaFrameAt,
        merchantAt: bench.merchantAt,
        errors: bench.errors,
        sdkCalls: fake ? fake.sdkCalls.length : 0,
        presentationCalls: fake ? fake.presentationCalls.length : 0,
      };
    },
    [KLARNA_SDK_URL, finished],
  );
}
