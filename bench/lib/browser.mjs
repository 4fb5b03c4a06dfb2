import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { KLARNA_SDK_URL } from './pages.mjs';
import { probe } from './probe.mjs';

let fakeModule; // read at the first page, after run.mjs has made sure dist/ is built
const fake = () => (fakeModule ??= readFileSync(new URL('../../dist/klarna-fake.mjs', import.meta.url), 'utf8'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The same Chromium and flags as the end-to-end tests (test/e2e/support/browser.mjs). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Every request that tried to leave 127.0.0.1, across all pages (each was refused). */
export const refused = [];

/**
 * A context and page where nothing leaves the machine: every off-machine request is refused, and
 * Klarna's SDK URL is answered with the testing kit's fake after `net.sdkDelayMs` (or by
 * `net.klarna(route)`). `net` is read at each request, so one page serves runs with different
 * latencies. `cpu` > 1 slows the page's CPU through the DevTools protocol (it stays across navigations).
 */
export async function openPage(browser, { cpu = 1, net = {}, contextOptions = {} } = {}) {
  fake();
  const context = await browser.newContext({ viewport: { width: 800, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  const sdkRequests = [];
  // Playwright tries the last registered route first: the catch-all refusal goes in first.
  await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => {
    refused.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  await page.route(KLARNA_SDK_URL, async (route) => {
    sdkRequests.push(route.request().url());
    try {
      if (net.klarna) return await net.klarna(route);
      if (net.sdkDelayMs) await sleep(net.sdkDelayMs);
      await route.fulfill({
        status: 200,
        contentType: 'text/javascript',
        headers: { 'access-control-allow-origin': '*', 'timing-allow-origin': '*', 'cache-control': 'no-store' },
        body: fake(),
      });
    } catch {
      // the page went away while the answer was delayed
    }
  });
  await page.addInitScript(probe);
  if (cpu !== 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
  }
  return { context, page, sdkRequests, net };
}

/** Builds /page?… for the server; `fake` (the testing kit's options) is read by the probe. */
export function pageUrl(server, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== false) query.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return `${server.url}/page?${query}`;
}

/** Navigates, waits for the probe to see Klarna (and the merchant's methods) painted, returns the figures. */
export async function loadAndMeasure(page, url, { timeoutMs = 15_000 } = {}) {
  const done = page.waitForEvent('console', { predicate: (message) => message.text() === 'bench:done', timeout: timeoutMs }).then(
    () => true,
    () => false,
  );
  await page.goto(url, { waitUntil: 'commit' });
  const finished = await done;
  return page.evaluate(async ([sdkUrl, finished]) => {
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
  }, [KLARNA_SDK_URL, finished]);
}
