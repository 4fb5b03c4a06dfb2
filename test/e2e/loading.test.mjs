import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KLARNA_SDK_URL, firstKlarnaError, openPage, serveFake } from './support/browser.mjs';
import { useBrowserAndServer } from './support/suite.mjs';

/** Loading Klarna's SDK from its real URL, with the network answering as each case needs. */
describe('loading klarna.mjs over the network', () => {
  const shared = useBrowserAndServer();

  async function visit(path, klarna, fakeOptions) {
    const opened = await openPage(shared.browser, { klarna, fakeOptions });
    await opened.page.goto(`${shared.server.url}${path}`, { waitUntil: 'commit' });
    return {
      ...opened,
      get failure() {
        return firstKlarnaError(opened.page);
      },
    };
  }

  const heightOf = (page) =>
    page
      .locator('pay-with-klarna')
      .first()
      .evaluate((element) => element.getBoundingClientRect().height);

  it('C1: blocked by an ad-blocker: unavailable (network), the other methods usable', async () => {
    const { page, failure, klarnaRequests, context } = await visit('/test/e2e/pages/checkout.html', (route) =>
      route.abort('blockedbyclient'),
    );
    const error = await failure;
    assert.deepEqual([error.phase, error.reason, error.retryable], ['load', 'network', true]);
    assert.equal(await heightOf(page), 0);
    await page.getByLabel('Card').check();
    assert.deepEqual(
      klarnaRequests,
      [KLARNA_SDK_URL, `${KLARNA_SDK_URL}?retry=1`, `${KLARNA_SDK_URL}?retry=2`],
      'one try and two retries, each for a URL of its own',
    );
    await context.close();
  });

  it('C2: answers 500 twice, then loads: the retries with backoff bring Klarna', async () => {
    const { page, klarnaRequests, context } = await visit('/test/e2e/pages/checkout.html', (route, n) =>
      n <= 2 ? route.fulfill({ status: 500, body: 'oops' }) : serveFake(route),
    );
    await page.getByRole('radio', { name: 'Pay with Klarna' }).waitFor();
    assert.equal(klarnaRequests.length, 3);
    await context.close();
  });

  it("C2: the bundle's own first try fails: asked again at once, then after the second pause", async () => {
    const at = [];
    // pauses of 60 s and 1.5 s: "at once" is then told from "after the first pause" however busy the machine
    const { page, klarnaRequests, context } = await visit('/test/e2e/pages/first-pause.html', (route, n) => {
      at.push(Date.now());
      return n <= 2 ? route.fulfill({ status: 500, body: 'oops' }) : serveFake(route);
    });
    await page.getByRole('radio', { name: 'Pay with Klarna' }).waitFor();
    assert.equal(klarnaRequests.length, 3);
    // the first pause is skipped, as the bundle's try came before the load
    assert.ok(at[1] - at[0] < 30_000, `the first retry came ${at[1] - at[0]} ms after the first try`);
    assert.ok(at[2] - at[1] >= 1450, `the second retry came ${at[2] - at[1]} ms after the first`);
    await context.close();
  });

  it('C2: answers 404 every time: unavailable after the retries; refresh() later loads it', async () => {
    let healthy = false;
    const { page, failure, klarnaRequests, context } = await visit('/test/e2e/pages/checkout.html', (route) =>
      healthy ? serveFake(route) : route.fulfill({ status: 404, body: 'not found' }),
    );
    const error = await failure;
    assert.equal(error.reason, 'network');
    assert.equal(klarnaRequests.length, 3);
    healthy = true;
    await page.locator('pay-with-klarna').evaluate((element) => element.refresh());
    await page.getByRole('radio', { name: 'Pay with Klarna' }).waitFor();
    assert.deepEqual(klarnaRequests.slice(3), [`${KLARNA_SDK_URL}?retry=3`]);
    await context.close();
  });

  it('C3: never answers: unavailable at the configured timeout', async () => {
    const { failure, context, page } = await visit('/test/e2e/pages/short-timeout.html', () => new Promise(() => {}));
    const error = await failure;
    assert.deepEqual([error.phase, error.reason], ['load', 'timeout']);
    assert.ok(error.at < 7_500, `gave up at ${Math.round(error.at)} ms, not at the default 15 s`);
    assert.equal(await heightOf(page), 0);
    await context.close();
  });

  it('C3: a failure that arrives after the timeout asks for nothing more', async () => {
    // klarna.mjs fails only once the element has given up at the page's 600 ms timeout
    let timedOut;
    const afterTimeout = new Promise((resolve) => (timedOut = resolve));
    const { page, failure, klarnaRequests, context } = await visit(
      '/test/e2e/pages/short-timeout.html',
      async (route) => {
        await afterTimeout;
        await route.fulfill({ status: 404, body: 'not found' });
      },
    );
    const error = await failure;
    timedOut();
    assert.deepEqual([error.phase, error.reason], ['load', 'timeout']);
    // the bundle's import of it fails now; a retry would follow within a few tasks of it
    await page.waitForFunction(() =>
      performance
        .getEntriesByName('https://js.klarna.com/web-sdk/v2/klarna.mjs')
        .some((entry) => entry.responseEnd > 0),
    );
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    assert.equal(klarnaRequests.length, 1, 'no request after the element reported the timeout');
    await context.close();
  });

  it('C4: the module has no KlarnaSDK: invalid-sdk', async () => {
    const { failure, context } = await visit('/test/e2e/pages/checkout.html', (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: 'export const somethingElse = 1;' }),
    );
    assert.equal((await failure).reason, 'invalid-sdk');
    await context.close();
  });

  it('C4: the module throws while evaluating: invalid-sdk, not retried', async () => {
    const { failure, context, klarnaRequests } = await visit('/test/e2e/pages/checkout.html', (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: 'throw new Error("broken build");' }),
    );
    assert.equal((await failure).reason, 'invalid-sdk');
    assert.equal(klarnaRequests.length, 1);
    await context.close();
  });

  it("C6: the page's CSP blocks js.klarna.com: csp, at once, naming the directive", async () => {
    const { failure, context, klarnaRequests } = await visit('/test/e2e/pages/checkout.html?csp=no-klarna', serveFake);
    const error = await failure;
    assert.deepEqual([error.phase, error.reason, error.retryable], ['load', 'csp', false]);
    assert.match(error.directive, /^script-src/);
    assert.match(error.message, /Add https:\/\/js\.klarna\.com to script-src/);
    assert.ok(error.at < 7_500, `reported at ${Math.round(error.at)} ms, not at the 15 s timeout`);
    assert.equal(klarnaRequests.length, 0, 'the browser never asked for it');
    await context.close();
  });

  it("C6: the CSP blocks the bundle's own first try: csp from that one report, with no retry", async () => {
    const { page, context, klarnaRequests } = await openPage(shared.browser, { klarna: serveFake });
    await page.addInitScript(() => {
      window.__blocked = [];
      document.addEventListener('securitypolicyviolation', (event) => window.__blocked.push(event.blockedURI));
    });
    await page.goto(`${shared.server.url}/test/e2e/pages/checkout.html?csp=no-klarna`, { waitUntil: 'commit' });
    const error = await firstKlarnaError(page);
    assert.equal(error.reason, 'csp');
    // a retry would have been blocked too, and reported a second time to the merchant's report-uri
    assert.deepEqual(await page.evaluate(() => window.__blocked), ['https://js.klarna.com/web-sdk/v2/klarna.mjs']);
    assert.equal(klarnaRequests.length, 0);
    await context.close();
  });

  it('C6: a report-only CSP that would block Klarna blocks nothing: Klarna shows', async () => {
    const { page, context } = await visit('/test/e2e/pages/checkout.html?csp=report-only', serveFake);
    await page.getByRole('radio', { name: 'Pay with Klarna' }).waitFor();
    assert.deepEqual(await page.evaluate(() => window.__klarnaErrors), []);
    await context.close();
  });

  it('C17: under a strict CSP without unsafe-inline, the element renders and is styled', async () => {
    const { page, context, errors } = await visit('/test/e2e/pages/checkout.html?csp=strict', serveFake);
    const radio = page.getByRole('radio', { name: 'Pay with Klarna' });
    await radio.waitFor();
    const style = await page.locator('pay-with-klarna').evaluate((element) => {
      const option = element.shadowRoot.querySelector('[part=option]');
      const computed = getComputedStyle(option);
      return { radius: computed.borderTopLeftRadius, border: computed.borderTopStyle };
    });
    assert.deepEqual(style, { radius: '8px', border: 'solid' });
    // (the fake's own <style> elements are refused under style-src 'self'; Klarna's real ones are its business)
    assert.deepEqual(
      errors.filter((text) => /script-src/.test(text)),
      [],
      'no inline script is needed',
    );
    await context.close();
  });

  it('on a page that enforces Trusted Types, the element renders, selects and pays without a violation', async () => {
    const { page, context, errors } = await openPage(shared.browser, {
      klarna: serveFake,
      fakeOptions: { journey: 'complete' },
    });
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        window.__violations.push(`${event.effectiveDirective}: ${event.sample}`),
      );
    });
    await page.goto(`${shared.server.url}/test/e2e/pages/checkout.html?csp=trusted-types`, { waitUntil: 'commit' });
    const radio = page.getByRole('radio', { name: 'Pay with Klarna' });
    await radio.click();
    assert.equal(await radio.getAttribute('aria-checked'), 'true');
    await page.getByRole('button', { name: 'Pay with Klarna' }).click();
    await page.getByText(/^Paid: krn:payment:/).waitFor();
    const trustedTypes = (text) => /trusted/i.test(text);
    assert.deepEqual((await page.evaluate(() => window.__violations)).filter(trustedTypes), []);
    assert.deepEqual(errors.filter(trustedTypes), []);
    await context.close();
  });
});
