import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ENGINES, launchEngine } from './support/engines.mjs';
import { KLARNA_SDK_URL, failWith, serveFake, startKlarnaProxy } from './support/klarna-proxy.mjs';
import { startServer } from './support/server.mjs';
import { startShop } from './support/shop.mjs';

// In the page: whether the element shows Klarna's option.
const klarnaShown = () =>
  Boolean(document.querySelector('pay-with-klarna')?.shadowRoot?.getElementById('standard-radio')?.checkVisibility());
const statusText = () => document.getElementById('status').textContent;

/**
 * What a customer does, in each engine the README names, with the script-tag bundle, Klarna's real
 * URL and real requests (answered by the Klarna proxy), and the demo storefront.
 */
let shop;
before(async () => {
  shop = await startShop();
});
after(() => shop?.stop());

for (const engine of ENGINES) {
  describe(`in ${engine}`, () => {
    let browser;
    let proxy;
    let server;
    let page;
    before(async () => {
      proxy = await startKlarnaProxy();
      [browser, server] = await Promise.all([launchEngine(engine, proxy), startServer()]);
    });
    afterEach(async () => {
      await page?.close();
      page = undefined;
    });
    after(async () => {
      await browser?.close();
      await Promise.all([proxy?.stop(), server?.close()]);
    });

    it('the script-tag bundle on a plain page: Klarna shows, is chosen by keyboard, its button pays', async () => {
      proxy.answer(serveFake);
      page = await browser.newPage();
      await page.goto(`${server.url}/test/e2e/pages/checkout.html`);
      await page.waitFor(klarnaShown);
      // the customer clicks Card, then moves to Klarna with the arrow key, as between native radios
      await page.click(() => document.querySelector('input[value=card]'));
      assert.equal(await page.evaluate(() => document.activeElement?.value), 'card');
      await page.press('ArrowDown');
      await page.waitFor(
        () =>
          document
            .querySelector('pay-with-klarna')
            .shadowRoot.getElementById('standard-radio')
            .getAttribute('aria-checked') === 'true',
      );
      assert.deepEqual(
        await page.evaluate(() => ({
          card: document.querySelector('input[value=card]').checked,
          focused: document.activeElement.localName,
        })),
        { card: false, focused: 'pay-with-klarna' },
      );
      await page.click(() => document.querySelector('klarna-fake-payment-button').shadowRoot.querySelector('button'));
      assert.match(
        await page.waitFor(
          () =>
            /^Paid: /.test(document.getElementById('status').textContent) &&
            document.getElementById('status').textContent,
        ),
        /^Paid: krn:payment:/,
      );
      assert.equal(server.initiations.length, 1);
      assert.equal(server.initiations[0].body.amount, 11800);
      assert.deepEqual(proxy.requests, [KLARNA_SDK_URL]);
      assert.deepEqual(page.errors, []);
    });

    it('klarna.mjs fails once (503), then loads: the retry asks Klarna again, for a URL of its own', async () => {
      proxy.answer((url, n) => (n === 1 ? failWith(503)() : serveFake()));
      page = await browser.newPage();
      await page.goto(`${server.url}/test/e2e/pages/checkout.html`);
      await page.waitFor(klarnaShown);
      assert.deepEqual(proxy.requests, [KLARNA_SDK_URL, `${KLARNA_SDK_URL}?retry=1`]);
      assert.match(await page.evaluate(statusText), /^Presented: SHOW_KLARNA/);
    });

    it('klarna.mjs fails through every retry; once it answers again, refresh() brings Klarna back', async () => {
      let healthy = false;
      proxy.answer(() => (healthy ? serveFake() : failWith(503)()));
      page = await browser.newPage();
      await page.goto(`${server.url}/test/e2e/pages/checkout.html`);
      assert.match(
        await page.waitFor(
          () =>
            /^Error: /.test(document.getElementById('status').textContent) &&
            document.getElementById('status').textContent,
        ),
        /^Error: load\/network/,
      );
      assert.equal(proxy.requests.length, 3, 'one try and two retries');
      healthy = true;
      await page.evaluate(() => document.querySelector('pay-with-klarna').refresh());
      await page.waitFor(klarnaShown);
      assert.deepEqual(proxy.requests.slice(3), [`${KLARNA_SDK_URL}?retry=3`]);
    });

    it('the demo storefront: a customer puts a product in the cart, clicks Klarna, pays, and lands on a paid order', async () => {
      const product = (await (await fetch(`${shop.url}/api/products`)).json()).find(
        (candidate) => candidate.sku === 'headphones',
      );
      page = await browser.newPage();
      await page.goto(`${shop.url}/`);
      // the storefront's own names: each product's button is labelled "Add to cart: <name>"; the cart link is #cart-link
      const addToCart = (label) => document.querySelector(`button[aria-label="${label}"]`);
      await page.waitFor(
        (label) => Boolean(document.querySelector(`button[aria-label="${label}"]`)),
        `Add to cart: ${product.name}`,
      );
      await page.click(addToCart, `Add to cart: ${product.name}`);
      await page.waitFor(() => document.getElementById('cart-link').textContent === 'Cart (1)');
      await page.click(() => document.getElementById('cart-link'));
      await page.waitFor(
        () =>
          location.pathname === '/checkout' &&
          Boolean(
            document.querySelector('pay-with-klarna')?.shadowRoot?.getElementById('standard-radio')?.checkVisibility(),
          ),
      );
      // the simulator's control (not the customer's): Klarna approves at once, so no journey window opens
      await page.evaluate(() => {
        const outcome = document.getElementById('outcome');
        outcome.value = 'approve';
        outcome.dispatchEvent(new Event('change', { bubbles: true }));
      });
      await page.click(() => document.querySelector('pay-with-klarna').shadowRoot.getElementById('standard-radio'));
      await page.waitFor(() => document.querySelector('pay-with-klarna').selected);
      await page.click(() => document.querySelector('klarna-fake-payment-button').shadowRoot.querySelector('button'));
      await page.waitFor(
        () => location.pathname.startsWith('/orders/') && document.getElementById('status')?.dataset.status === 'paid',
      );
      const id = new URL(await page.url()).pathname.split('/').pop();
      const order = await (await fetch(`${shop.url}/api/orders/${id}`)).json();
      assert.deepEqual([order.status, order.amount], ['paid', product.price]);
      assert.match(order.paymentTransactionId, /^krn:payment:us1:transaction:/);
      assert.deepEqual(page.errors, []);
    });
  });
}
