import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const KLARNA_SDK_URL = 'https://js.klarna.com/web-sdk/v2/klarna.mjs';
const fakeModule = readFileSync(new URL('../../../dist/klarna-fake.mjs', import.meta.url), 'utf8');

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** Serves the testing kit's fake module in place of Klarna's. */
export const serveFake = (route) =>
  route.fulfill({
    status: 200,
    contentType: 'text/javascript',
    headers: { 'access-control-allow-origin': '*' },
    body: fakeModule,
  });

/**
 * A fresh page where nothing leaves the machine: Klarna's URL is answered by `klarna` (the fake
 * by default), every other off-machine request is refused. Records Klarna requests and page errors.
 */
export async function openPage(browser, { klarna = serveFake, fakeOptions } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const klarnaRequests = [];
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  // Playwright tries the last registered route first: the catch-all goes in first.
  await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort('blockedbyclient'));
  // Klarna's URL with any query: the element's retries ask for klarna.mjs?retry=N
  await page.route(
    (url) => `${url.origin}${url.pathname}` === KLARNA_SDK_URL,
    (route) => {
      klarnaRequests.push(route.request().url());
      return klarna(route, klarnaRequests.length);
    },
  );
  if (fakeOptions) {
    await page.addInitScript((options) => {
      globalThis[Symbol.for('pay-with-klarna.fake-options')] = options;
    }, fakeOptions);
  }
  // Every klarna-error from the very start of the page, before any test code can listen.
  await page.addInitScript(() => {
    window.__klarnaErrors = [];
    document.addEventListener('klarna-error', (event) => {
      const { phase, reason, retryable, error } = event.detail;
      window.__klarnaErrors.push({
        phase,
        reason,
        retryable,
        message: error.message,
        directive: error.directive,
        at: performance.now(),
      });
    });
  });
  return { page, context, klarnaRequests, errors };
}

/** The first klarna-error the page reported, as { phase, reason, retryable, message, directive, at }. */
export async function firstKlarnaError(page) {
  await page.waitForFunction(() => window.__klarnaErrors.length > 0);
  return page.evaluate(() => window.__klarnaErrors[0]);
}
