import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createCheckoutServer } from '../../demo/frameworks/ssr/server.tsx';
import { KLARNA_SDK_URL, launch, openPage } from './support/browser.mjs';
import { buildExample } from './support/examples.mjs';

/** The attributes of the first `<tag …>` in `html`, as { name: value }. */
function attributesOf(html, tag) {
  const open = html.match(new RegExp(`<${tag}\\b([^>]*)>`));
  assert.ok(open, `<${tag}> in the server's HTML`);
  return Object.fromEntries(
    [...open[1].matchAll(/([^\s=]+)(?:="([^"]*)")?/g)].map(([, name, value = '']) => [name, value]),
  );
}

describe('a page rendered on the server with react-dom/server and hydrated (React 19)', () => {
  let browser;
  let assets;
  let server;
  let url;
  before(async () => {
    [browser, assets] = await Promise.all([launch(), buildExample('ssr')]);
    server = createCheckoutServer({ assets });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${server.address().port}/`;
  });
  after(async () => {
    await browser?.close();
    server?.close();
    if (assets) rmSync(assets, { recursive: true, force: true });
  });

  it('the HTML has the element with its attributes, and the state it was rendered from, before any script runs', async () => {
    const response = await fetch(url);
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.deepEqual(attributesOf(html, 'pay-with-klarna'), {
      name: 'payment',
      'client-id': 'klarna_test_client_ssr',
      amount: '4800',
      currency: 'USD',
      locale: 'en-US',
      'initiate-url': '/api/klarna/initiate',
    });
    assert.match(html, /<pay-with-klarna[^>]*><\/pay-with-klarna>/, 'no children: Klarna adds its own in the browser');
    assert.match(html, /Total: 48\.00 USD/);
    const state = html.match(/<script type="application\/json" id="checkout-state">([^<]*)<\/script>/);
    assert.deepEqual(JSON.parse(state[1]), {
      cartId: 'cart-1001',
      quantity: 2,
      unitPrice: 2400,
      currency: 'USD',
      locale: 'en-US',
      klarnaClientId: 'klarna_test_client_ssr',
    });
    assert.ok(
      html.includes(`<link rel="modulepreload" href="${KLARNA_SDK_URL}" />`),
      "Klarna's SDK is preloaded from the head",
    );
  });

  it("hydrates the server's element without a mismatch; Klarna follows the quantity; events reach React; one SDK load", async () => {
    const { page, klarnaRequests, errors, context } = await openPage(browser);
    // openPage fails on console errors; React's hydration warnings fail too, whatever their level.
    page.on(
      'console',
      (message) => message.type() !== 'error' && /hydrat/i.test(message.text()) && errors.push(message.text()),
    );
    // The <pay-with-klarna> the HTML parser created: hydration must keep it, not render a new one.
    await page.addInitScript(() => {
      new MutationObserver((records, observer) => {
        for (const record of records) {
          for (const node of record.addedNodes) {
            if (node.localName === 'pay-with-klarna') {
              window.__serverElement = node;
              observer.disconnect();
            }
          }
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(url);
    await page.getByRole('radio', { name: 'Pay with Klarna' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Klarna: SHOW_KLARNA' }).waitFor();
    await page.getByText('4 interest-free payments of $12.00').waitFor();
    assert.ok(
      await page.evaluate(() => document.querySelector('pay-with-klarna') === window.__serverElement),
      'hydrated, not re-rendered',
    );

    await page.getByLabel('Mugs').fill('3');
    await page.getByText('Total: 72.00 USD').waitFor();
    await page.getByText('4 interest-free payments of $18.00').waitFor();
    assert.equal(await page.locator('pay-with-klarna').evaluate((element) => element.amount), 7200);

    await page.getByRole('radio', { name: 'Card' }).check();
    await page.getByText('Payment method: card').waitFor();
    await page.getByRole('radio', { name: 'Pay with Klarna' }).click();
    await page.getByText('Payment method: klarna').waitFor();
    await page.getByRole('button', { name: 'Pay with Klarna' }).click();
    await page.getByRole('status').filter({ hasText: 'Paid: krn:payment:us1:request:cart-1001' }).waitFor();

    const fake = await page.evaluate(() => {
      const { sdkCalls, presentationCalls } = globalThis[Symbol.for('pay-with-klarna.fake')];
      return { sdkCalls: sdkCalls.length, amounts: presentationCalls.map((call) => call.amount) };
    });
    assert.deepEqual(fake.amounts, [4800, 7200], "one presentation for the server's amount, one for the new quantity");
    assert.equal(fake.sdkCalls, 1);
    assert.equal(klarnaRequests.length, 1);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
