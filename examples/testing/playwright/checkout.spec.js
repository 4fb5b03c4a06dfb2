// A checkout page, as a customer uses it, with Klarna's SDK replaced by the testing kit's fake at the
// network layer: the page itself is unchanged (the script-tag bundle imports Klarna's real URL).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const KLARNA_SDK_URL = 'https://js.klarna.com/web-sdk/v2/klarna.mjs';
const file = (specifier) => readFileSync(fileURLToPath(import.meta.resolve(specifier)));
const bundle = file('pay-with-klarna/pay-with-klarna.js');
const fakeKlarna = file('pay-with-klarna/testing/klarna.mjs');

const checkoutPage = `<!doctype html>
<html lang="en-US">
  <head>
    <meta charset="utf-8" />
    <title>Checkout</title>
    <script type="module" src="/assets/pay-with-klarna.js"></script>
  </head>
  <body>
    <form>
      <label><input type="radio" name="payment" value="card" /> Card</label>
      <pay-with-klarna name="payment" client-id="klarna_test_client_example" amount="11800" currency="USD" initiate-url="/api/klarna/initiate"></pay-with-klarna>
    </form>
    <p role="status"></p>
    <script type="module">
      const status = document.querySelector('[role=status]');
      document.addEventListener('klarna-complete', (event) => (status.textContent = 'Paid: ' + event.detail.paymentRequest.paymentRequestId));
    </script>
  </body>
</html>`;

/** The shop: the page, the bundle, and a backend that answers the initiate call as yours would. */
let server;
let shop;
test.beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/') return response.writeHead(200, { 'content-type': 'text/html' }).end(checkoutPage);
    if (request.url === '/assets/pay-with-klarna.js')
      return response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    if (request.method === 'POST' && request.url === '/api/klarna/initiate') {
      return response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ paymentRequestId: 'krn:payment:eu1:request:playwright-1' }));
    }
    response.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  shop = `http://127.0.0.1:${server.address().port}/`;
});
test.afterAll(() => server.close());

test.beforeEach(async ({ page }) => {
  // Playwright tries the last route first: the catch-all (nothing leaves the machine) goes in first.
  await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort('blockedbyclient'));
  await page.route(KLARNA_SDK_URL, (route) =>
    route.fulfill({
      contentType: 'text/javascript',
      headers: { 'access-control-allow-origin': '*' },
      body: fakeKlarna,
    }),
  );
  // the fake's options, before the page loads it
  await page.addInitScript(() => (globalThis[Symbol.for('pay-with-klarna.fake-options')] = { journey: 'complete' }));
});

test('pays with Klarna: choose it, press its button, the page says it is paid', async ({ page }) => {
  await page.goto(shop);
  await page.getByRole('radio', { name: 'Pay with Klarna' }).click();
  await page.getByRole('button', { name: 'Pay with Klarna' }).click();
  // the page's own status is the only one: the element's live region has no role
  await expect(page.getByRole('status')).toHaveText('Paid: krn:payment:eu1:request:playwright-1');
});

test('the fake recorded what the page asked Klarna for', async ({ page }) => {
  await page.goto(shop);
  await expect(page.getByRole('radio', { name: 'Pay with Klarna' })).toBeVisible();
  const asked = await page.evaluate(() =>
    globalThis[Symbol.for('pay-with-klarna.fake')].presentationCalls.map(({ amount, currency }) => ({
      amount,
      currency,
    })),
  );
  expect(asked).toEqual([{ amount: 11800, currency: 'USD' }]);
});
