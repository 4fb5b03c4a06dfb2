import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startSimulator } from '../../demo/server/main.ts';
import { launch } from './support/browser.mjs';
import { finalAuthorizations, holdWebhooks, startShop, until } from './support/shop.mjs';

/**
 * The demo storefront end to end, as a customer uses it: the real page, the element's script-tag
 * bundle, the reference backend and its database, and the Klarna simulator's hosted journey.
 */
describe('the storefront, offline against the Klarna simulator', () => {
  let browser;
  let shop;
  before(async () => {
    [browser, shop] = await Promise.all([launch(), startShop()]);
  });
  after(async () => {
    await Promise.all([browser?.close(), shop?.stop()]);
  });

  /**
   * A fresh customer's browser: nothing leaves 127.0.0.1, and `violations` collects what the pages'
   * Content-Security-Policy refused (on every page of the journey, popups included).
   */
  async function customer(options = {}) {
    const context = await browser.newContext(options);
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort('blockedbyclient'));
    const violations = [];
    await context.exposeBinding('reportViolation', ({ frame }, violation) =>
      violations.push({ page: new URL(frame.url()).pathname, ...violation }),
    );
    await context.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (event) =>
        window.reportViolation({
          directive: event.effectiveDirective,
          blocked: event.blockedURI,
          sample: event.sample,
        }),
      ),
    );
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    return { context, page, errors, violations };
  }

  /**
   * A fresh customer with `sku` in the cart at checkout, the simulator set to `outcome` and
   * `webhook`, and Klarna selected (unless `select` is false).
   */
  async function checkout({
    sku = 'headphones',
    outcome = 'step-up',
    webhook = 'prompt',
    select = true,
    colorScheme,
  } = {}) {
    const { context, page, errors, violations } = await customer({ colorScheme });
    await page.goto(`${shop.url}/`);
    const product = (await (await fetch(`${shop.url}/api/products`)).json()).find((candidate) => candidate.sku === sku);
    await page
      .getByRole('button', { name: `${product.subscription ? 'Subscribe' : 'Add to cart'}: ${product.name}` })
      .click();
    const created = page.waitForResponse(
      (response) => response.url().endsWith('/api/orders') && response.request().method() === 'POST',
    );
    await page.getByRole('link', { name: 'Cart (1)' }).click();
    const orderId = (await (await created).json()).id;
    await page.getByLabel("Klarna's answer to the first authorization").selectOption(outcome);
    await page.getByLabel('Webhook').selectOption(webhook);
    const klarna = page.getByRole('radio', { name: /Klarna/ });
    if (select) await klarna.click();
    else await klarna.waitFor();
    return { context, page, errors, violations, klarna, orderId };
  }

  /** Presses Klarna's button (named `button`) and returns the journey page it opens. */
  async function openJourney(page, button = 'Pay with Klarna') {
    const popupOpened = page.waitForEvent('popup');
    await page.getByRole('button', { name: button }).click();
    return popupOpened;
  }

  const orderIdOf = (page) => new URL(page.url()).pathname.split('/').pop();
  const orderOf = async (id) => (await fetch(`${shop.url}/api/orders/${id}`)).json();
  /** What the element sends the backend when Klarna's button is pressed next: the order's id, among others. */
  const initiateOf = (page) =>
    page
      .waitForRequest((request) => request.url().endsWith('/api/klarna/initiate'))
      .then((request) => request.postDataJSON());

  it('approved at once: the customer lands on a paid order', async () => {
    const { context, page, errors, violations } = await checkout({ outcome: 'approve' });
    await page.getByRole('button', { name: 'Pay with Klarna' }).click();
    await page.waitForURL(/\/orders\/order-/);
    await page.getByRole('status').filter({ hasText: 'Paid' }).waitFor();
    const order = await orderOf(orderIdOf(page));
    assert.equal(order.status, 'paid');
    assert.match(order.paymentTransactionId, /^krn:payment:us1:transaction:/);
    assert.equal(order.amount, 11800);
    assert.deepEqual(errors, []);
    assert.deepEqual(violations, [], 'nothing the pages need is refused by their Content-Security-Policy');
    await context.close();
  });

  it("step-up: Klarna's journey opens, the customer approves, the order is paid once with its transaction id", async () => {
    const { context, page, violations } = await checkout({ outcome: 'step-up' });
    const journey = await openJourney(page);
    await journey.getByText('Total $118.00').waitFor();
    await journey.getByText('1 × Wireless headphones').waitFor();
    await journey.getByRole('button', { name: 'Approve and pay' }).click();
    await page.waitForURL(/\/orders\/order-/);
    await page.getByRole('status').filter({ hasText: 'Paid' }).waitFor();
    const id = orderIdOf(page);
    const order = await orderOf(id);
    assert.match(order.paymentTransactionId, /^krn:payment:us1:transaction:/);
    await page.getByRole('heading', { name: `Order ${order.number}` }).waitFor(); // the number to quote, not the id in the address
    const customerPanel = page.locator('#order');
    await customerPanel.getByText('Thank you for your order!').waitFor();
    assert.doesNotMatch(
      await customerPanel.innerText(),
      /krn:|transaction/i,
      "no raw id of Klarna's for the customer to puzzle over",
    );
    const finals = finalAuthorizations(shop.sim).filter(
      (call) => call.body.request_payment_transaction.payment_transaction_reference === `${order.number}-tx`,
    );
    assert.equal(finals.length, 1, 'webhook and return together authorize exactly once');
    // the log tells the story, with tokens redacted
    const log = await page.locator('#log').innerText();
    assert.match(log, /STEP_UP_REQUIRED/);
    assert.match(log, /payment\.request\.state-change\.completed/);
    assert.doesNotMatch(log, /session-token:(sim|fin)\.[0-9a-f-]{36}/);
    assert.deepEqual(violations, [], 'nothing the pages need is refused by their Content-Security-Policy');
    await context.close();
  });

  it('declined: the customer is told to choose another method, nothing is paid', async () => {
    const { context, page } = await checkout({ outcome: 'decline' });
    const initiated = initiateOf(page);
    await page.getByRole('button', { name: 'Pay with Klarna' }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'declined' }).waitFor();
    assert.equal(
      await alert.innerText(),
      'Klarna declined this purchase. Please choose another payment method.',
      "the backend's sentence, without the element's developer text",
    );
    const log = page.getByRole('log', { name: 'What happens' });
    await log.getByText('error initiate/declined: The payment was declined: Klarna declined').waitFor();
    // a log to read, not to be read out (each SDK event, each second's backend lines): the alert is the one thing the page announces
    assert.equal(await log.getAttribute('aria-live'), 'off');
    const announced = await page.evaluate(() =>
      [...document.querySelectorAll('[aria-live], [role=alert], [role=status], [role=log]')]
        .filter((region) => region.getAttribute('aria-live') !== 'off')
        .map((region) => region.id),
    );
    assert.deepEqual(announced, ['message']);
    assert.match(page.url(), /\/checkout$/);
    assert.equal((await orderOf((await initiated).orderId)).status, 'declined');
    await context.close();
  });

  it('when paying fails, the alert says what to do next; the technical detail is only in the log', async () => {
    const { context, page } = await checkout({ outcome: 'approve' });
    const alert = page.getByRole('alert');
    const log = page.getByRole('log', { name: 'What happens' });
    const press = async (answer) => {
      await page.unroute('**/api/klarna/initiate');
      await page.route('**/api/klarna/initiate', answer);
      await page.getByRole('button', { name: 'Pay with Klarna' }).click();
    };

    await press((route) =>
      route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>Service Unavailable</h1>' }),
    );
    await alert.filter({ hasText: /\S/ }).waitFor();
    assert.equal(await alert.innerText(), "Klarna couldn't be reached. Try again, or choose another payment method.");
    await log.getByText('error initiate/http: The backend at /api/klarna/initiate answered 503').waitFor();

    await press((route) => route.abort('connectionrefused'));
    await log.getByText('error initiate/network').waitFor();
    assert.equal(await alert.innerText(), "Klarna couldn't be reached. Try again, or choose another payment method.");

    await press((route) =>
      route.fulfill({ status: 409, json: { error: 'A payment for this order is already under way.' } }),
    );
    await alert.filter({ hasText: 'under way' }).waitFor();
    assert.equal(await alert.innerText(), 'A payment for this order is already under way.');
    await log.getByText('answered 409: A payment for this order is already under way.').waitFor();
    await context.close();
  });

  it("cancelled in Klarna's journey: back at checkout, the order cancelled, nothing paid", async () => {
    const { context, page } = await checkout({ outcome: 'step-up' });
    const initiated = initiateOf(page);
    const journey = await openJourney(page);
    await journey.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('alert').filter({ hasText: 'You left Klarna without paying' }).waitFor();
    await page.getByRole('button', { name: 'Pay with Klarna' }).waitFor();
    const log = await page.locator('#log');
    await log.getByText(/Payment request CANCELED/).waitFor();
    const order = await orderOf((await initiated).orderId);
    assert.equal(order.status, 'canceled');
    assert.equal(order.paymentTransactionId, null);
    await context.close();
  });

  it('webhook after the return: the order page finalizes from the payment request; the late webhook changes nothing', async () => {
    // the simulator's webhook is held until the customer is back and the order is paid: "late" is
    // a condition here, never a delay raced against the customer's return
    const webhooks = await holdWebhooks(shop);
    try {
      const { context, page } = await checkout({ outcome: 'step-up', webhook: 'prompt' });
      await (await openJourney(page)).getByRole('button', { name: 'Approve and pay' }).click();
      await page.waitForURL(/\/orders\/order-/);
      await page.getByRole('status').filter({ hasText: 'Paid' }).waitFor();
      const id = orderIdOf(page);
      const log = page.locator('#log');
      await log.getByText(/Customer approved in Klarna \(payment request read\)/).waitFor();
      const completed = await webhooks.next();
      assert.equal(completed.event.metadata.event_type, 'payment.request.state-change.completed');
      assert.equal((await webhooks.deliver(completed)).status, 200, 'the late webhook is acknowledged');
      await log.getByText(/payment\.request\.state-change\.completed/).waitFor();
      const { number } = await orderOf(id);
      const finals = finalAuthorizations(shop.sim).filter(
        (call) => call.body.request_payment_transaction.payment_transaction_reference === `${number}-tx`,
      );
      assert.equal(finals.length, 1, 'the late webhook authorizes nothing again');
      assert.equal((await orderOf(id)).status, 'paid');
      await context.close();
    } finally {
      await webhooks.close();
    }
  });

  it('subscription: paid with a customer token, and a later customer-not-present charge is approved', async () => {
    const { context, page } = await checkout({ sku: 'coffee-club', outcome: 'step-up' });
    const journey = await openJourney(page, 'Subscribe with Klarna');
    await journey.getByText('Subscription: Coffee club').waitFor();
    await journey.getByRole('button', { name: 'Approve and pay' }).click();
    await page.waitForURL(/\/orders\/order-/);
    await page.getByRole('status').filter({ hasText: 'Paid' }).waitFor();
    await page.getByRole('button', { name: 'Charge next period' }).click();
    await page.getByText(/\$19\.00 approved/).waitFor();
    // a second press is refused until period 3 is due; the refusal stays on screen through the page's polls
    await page.getByRole('button', { name: 'Charge next period' }).click();
    const refusal = page.locator('#charge-message').filter({ hasText: /^Period 3 is due on \d{4}-\d{2}-\d{2}/ });
    await refusal.waitFor();
    // the page asks for the order, shows it, then asks again: once the second request after the
    // refusal is out, the first one's answer has been shown
    const polled = (request) =>
      request.url().endsWith(new URL(page.url()).pathname.replace('/orders/', '/api/orders/'));
    await page.waitForRequest(polled);
    await page.waitForRequest(polled);
    assert.equal(await refusal.count(), 1, 'the refusal is still shown after the order was polled again');
    const charge = shop.sim.simulator.log.findLast((call) => call.headers['klarna-customer-token']);
    assert.match(charge.headers['klarna-customer-token'], /^krn:partner:us1:test:identity:customer-token:/);
    assert.equal(charge.headers['klarna-network-session-token'], '');
    const first = shop.sim.simulator.log.find((call) => call.body?.request_customer_token);
    assert.deepEqual(first.body.request_customer_token.scopes, ['payment:customer_not_present']);
    assert.equal(first.body.supplementary_purchase_data.subscriptions[0].billing_plans[0].interval, 'MONTH');
    await context.close();
  });

  it("the pages are served under docs/csp.md's Content-Security-Policy, with frame-ancestors 'none', and it is enforced", async () => {
    // the policy the docs give merchants, directive by directive
    const cspPage = await readFile(new URL('../../docs/csp.md', import.meta.url), 'utf8');
    const recommended = directives(cspPage.match(/```text\n([\s\S]*?)```/)[1]);
    assert.ok(recommended.get('script-src')?.includes('https://js.klarna.com'), "docs/csp.md's policy was found");
    for (const path of ['/', '/checkout', `/orders/order-${crypto.randomUUID()}`]) {
      const response = await fetch(`${shop.url}${path}`);
      const served = directives(response.headers.get('content-security-policy') ?? '');
      for (const [name, sources] of recommended)
        assert.deepEqual(served.get(name), sources, `${path}: ${name} as docs/csp.md gives it`);
      assert.deepEqual(served.get('frame-ancestors'), ["'none'"], `${path}: no site may frame it`);
    }
    // enforced: an inline script (what an injection would add) is refused, and reported
    const { context, page, violations } = await customer();
    await page.goto(`${shop.url}/`);
    await page.evaluate(() =>
      document.head.append(Object.assign(document.createElement('script'), { textContent: 'window.injected = true' })),
    );
    await until(() => violations.length > 0, 'the inline script to be refused');
    assert.deepEqual(
      violations.map(({ directive, blocked }) => [directive, blocked]),
      [['script-src-elem', 'inline']],
    );
    assert.equal(await page.evaluate(() => window.injected), undefined);
    await context.close();
  });

  it("the API refuses a POST whose Origin is not the shop's, even when the Host header names the same site (DNS rebinding)", async () => {
    const { port } = new URL(shop.url);
    const post = (host, origin) =>
      postWithHost(shop.url, '/api/orders', { host, origin }, { lines: [{ sku: 'mug', quantity: 1 }] });
    // a page on a name the attacker rebinds to 127.0.0.1: its requests carry that name in Host and Origin
    assert.equal(await post(`rebound.example:${port}`, `http://rebound.example:${port}`), 403);
    assert.equal(await post(`127.0.0.1:${port}`, `http://rebound.example:${port}`), 403);
    // the shop's own pages, at its address or at localhost on this machine
    assert.equal(await post(`127.0.0.1:${port}`, shop.url), 201);
    assert.equal(await post(`localhost:${port}`, `http://localhost:${port}`), 201);
  });

  /** Types `value` into the quantity box of `name` and leaves it, as a customer does. */
  async function setQuantity(page, name, value) {
    const box = page.getByLabel(`Quantity of ${name}`);
    await box.fill(String(value));
    await box.dispatchEvent('change');
    return box;
  }
  /** Klarna's amount as its presentation shows it: a quarter of the total in the fake's subheader. */
  const instalment = (page, amount) => page.getByText(`4 interest-free payments of $${(amount / 400).toFixed(2)}`);

  it("the cart's quantity changes the total, and Klarna's presentation follows it; a quantity out of range is refused and the box put back", async () => {
    const { context, page, orderId } = await checkout({ sku: 'mug' });
    await setQuantity(page, 'Stoneware mug', 3);
    await page.locator('#total').filter({ hasText: '$72.00' }).waitFor();
    await instalment(page, 7200).waitFor();
    const alert = page.getByRole('alert');
    for (const refused of ['-1', '150', '1.5']) {
      const box = await setQuantity(page, 'Stoneware mug', refused);
      await alert
        .filter({
          hasText: 'The quantity of Stoneware mug must be a whole number from 0 to 99 (0 takes it out of the cart).',
        })
        .waitFor();
      assert.equal(await box.inputValue(), '3', `${refused}: the box shows the quantity the total is for`);
      assert.equal(await page.locator('#total').innerText(), '$72.00');
      await setQuantity(page, 'Stoneware mug', 3); // unchanged: nothing to send, the message stays until the next change
    }
    assert.deepEqual(
      (await orderOf(orderId)).lines.map((line) => line.quantity),
      [3],
      'a quantity refused deletes nothing',
    );
    // the shop fails to update the cart: the customer is told; the next update that works clears it
    await page.route(
      '**/api/orders/*/lines',
      (route) => route.fulfill({ status: 500, json: { error: 'Something went wrong on our side.' } }),
      { times: 1 },
    );
    const box = await setQuantity(page, 'Stoneware mug', 4);
    await alert.filter({ hasText: 'Your cart could not be updated. Please try again.' }).waitFor();
    await page.locator('#total').filter({ hasText: '$72.00' }).waitFor();
    assert.equal(await box.inputValue(), '3');
    await setQuantity(page, 'Stoneware mug', 2);
    await page.locator('#total').filter({ hasText: '$48.00' }).waitFor();
    await instalment(page, 4800).waitFor();
    assert.equal(await alert.innerText(), '', 'the earlier failure is no longer shown');
    await context.close();
  });

  it('quantity 0, then 2: the box, the total and Klarna agree, nothing can be paid at 0, and the amount charged is the one shown', async () => {
    const { context, page } = await checkout({ outcome: 'approve', select: false });
    const klarna = page.getByRole('radio', { name: /Klarna/ });
    await setQuantity(page, 'Wireless headphones', 0);
    await page.getByRole('alert').filter({ hasText: 'Your cart is empty: set a quantity to pay.' }).waitFor();
    assert.equal(await page.locator('#total').innerText(), '$0.00');
    assert.equal(await klarna.getAttribute('aria-disabled'), 'true', 'nothing to pay for');
    assert.equal(await page.getByRole('button', { name: 'Place order' }).isDisabled(), true);
    const box = await setQuantity(page, 'Wireless headphones', 2);
    await page.locator('#total').filter({ hasText: '$236.00' }).waitFor();
    await instalment(page, 23600).waitFor();
    assert.equal(await box.inputValue(), '2');
    assert.equal(await page.getByRole('alert').innerText(), '');
    await klarna.click();
    const initiated = initiateOf(page);
    await page.getByRole('button', { name: 'Pay with Klarna' }).click();
    assert.equal((await initiated).amount, 23600, 'Klarna is asked for the total shown');
    await page.waitForURL(/\/orders\/order-/);
    await page.getByRole('status').filter({ hasText: 'Paid' }).waitFor();
    const order = await orderOf(orderIdOf(page));
    assert.deepEqual([order.amount, order.lines.map((line) => line.quantity)], [23600, [2]]);
    const [authorized] = shop.sim.simulator.log.filter(
      (call) => call.body?.request_payment_transaction?.payment_transaction_reference === `${order.number}-tx`,
    );
    assert.equal(authorized.body.request_payment_transaction.amount, 23600, 'the amount charged');
    await context.close();
  });

  it('quick changes: one update at a time, the last quantity wins, and Klarna cannot be pressed while the total is being updated', async () => {
    const { context, page } = await checkout({ sku: 'mug', outcome: 'approve' });
    // the shop is slow to answer the first change
    let releaseFirst;
    let held;
    const firstHeld = new Promise((resolve) => (held = resolve));
    const released = new Promise((resolve) => (releaseFirst = resolve));
    await page.route('**/api/orders/*/lines', async (route) => (held(), await released, route.continue()), {
      times: 1,
    });
    await setQuantity(page, 'Stoneware mug', 3);
    await firstHeld;
    await page.locator('#total').filter({ hasText: 'Updating…' }).waitFor();
    assert.equal(
      await page.getByRole('radio', { name: /Klarna/ }).getAttribute('aria-disabled'),
      'true',
      "Klarna's button is not pressed for a total not known yet",
    );
    await setQuantity(page, 'Stoneware mug', 2);
    // the page either sends the second change at once (and it overtakes the first) or waits for the first
    const secondAnswered = page.waitForResponse((response) => response.url().endsWith('/lines'));
    await Promise.race([secondAnswered, page.waitForFunction(() => document.getElementById('methods').disabled)]);
    releaseFirst();
    await page.locator('#total').filter({ hasText: '$48.00' }).waitFor();
    await instalment(page, 4800).waitFor();
    await page.waitForFunction(() => !document.getElementById('methods').disabled);
    assert.equal(await page.getByLabel('Quantity of Stoneware mug').inputValue(), '2');
    const initiated = initiateOf(page);
    await page.getByRole('button', { name: 'Pay with Klarna' }).click();
    const { orderId, amount } = await initiated;
    assert.equal(amount, 4800);
    await page.waitForURL(/\/orders\/order-/);
    assert.deepEqual(
      (await orderOf(orderId)).lines.map((line) => line.quantity),
      [2],
      'the shop has the last quantity too',
    );
    await context.close();
  });

  it('an empty cart at checkout: a message that says so, and no error', async () => {
    const { context, page, errors } = await customer();
    await page.goto(`${shop.url}/checkout`);
    await page.getByRole('heading', { name: 'Your cart is empty' }).waitFor();
    await page.getByRole('link', { name: 'Continue shopping' }).first().waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('the catalogue adds at most 99 of a product, and says so', async () => {
    const { context, page, errors } = await customer();
    await page.goto(`${shop.url}/`);
    await page.evaluate(() =>
      localStorage.setItem('pay-with-klarna-demo-cart', JSON.stringify([{ sku: 'mug', quantity: 98 }])),
    );
    await page.reload();
    const add = page.getByRole('button', { name: 'Add to cart: Stoneware mug' });
    await add.click();
    await page.getByRole('link', { name: 'Cart (99)' }).waitFor();
    await add.click();
    await page.getByText('Your cart holds 99, the most one order takes.').waitFor();
    await page.getByRole('link', { name: 'Cart (99)' }).waitFor();
    assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem('pay-with-klarna-demo-cart'))), [
      { sku: 'mug', quantity: 99 },
    ]);
    assert.deepEqual(errors, []);
    await context.close();
  });

  for (const [what, cart] of [
    [
      'a product the shop no longer sells',
      [
        { sku: 'discontinued-lamp', quantity: 1 },
        { sku: 'mug', quantity: 1 },
      ],
    ],
    ['more of one product than an order takes', [{ sku: 'mug', quantity: 100 }]],
  ]) {
    it(`a cart the shop refuses (${what}): told in customers' words, and it can be emptied`, async () => {
      const { context, page, errors } = await customer();
      await page.goto(`${shop.url}/`);
      await page.evaluate((lines) => localStorage.setItem('pay-with-klarna-demo-cart', JSON.stringify(lines)), cart);
      await page.goto(`${shop.url}/checkout`);
      await page.getByRole('heading', { name: 'Your cart could not be checked out' }).waitFor();
      const said = await page.locator('.checkout').innerText();
      assert.match(said, /no longer be ordered as it is/);
      assert.doesNotMatch(said, /lines\[|sku|quantity must|The shop said/, 'no developer wording');
      await page.getByRole('link', { name: 'Continue shopping' }).last().waitFor();
      await page.getByRole('button', { name: 'Empty the cart' }).click();
      await page.getByRole('heading', { name: 'Your cart is empty' }).waitFor();
      assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem('pay-with-klarna-demo-cart'))), []);
      await page.goto(`${shop.url}/`);
      await page.getByRole('link', { name: 'Cart (0)' }).waitFor();
      assert.deepEqual(errors, []);
      await context.close();
    });
  }

  it('an order address the shop does not know: "Order not found", and the page stops asking', async () => {
    const { context, page } = await customer();
    await page.clock.install();
    await page.addInitScript(() => {
      const fetch = window.fetch;
      window.orderRequests = 0;
      window.fetch = (input, ...rest) => (
        String(input).includes('/api/orders/') && window.orderRequests++,
        fetch(input, ...rest)
      );
    });
    await page.goto(`${shop.url}/orders/order-${crypto.randomUUID()}`);
    await page.getByRole('heading', { name: 'Order not found' }).waitFor();
    assert.equal(await page.getByText('Status:').count(), 0);
    await page.clock.runFor(10_000); // ten seconds of the page's clock: a page still polling would ask ten times
    assert.equal(await page.evaluate(() => window.orderRequests), 1);
    await context.close();
  });

  it("a decline inside Klarna's journey is told as a decline", async () => {
    const { context, page } = await checkout({ outcome: 'step-up' });
    const journey = await openJourney(page);
    await journey.getByRole('button', { name: 'Decline' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Klarna declined this purchase. Please choose another payment method.' })
      .waitFor();
    await page
      .locator('#log')
      .getByText(/Payment request DECLINED/)
      .waitFor();
    assert.doesNotMatch(await page.getByRole('alert').innerText(), /You left Klarna/);
    await context.close();
  });

  it('"Place order" is for the other methods: with Klarna selected, Klarna\'s button is the only one to press', async () => {
    const { context, page } = await checkout({ select: false });
    const placeOrder = page.getByRole('button', { name: 'Place order' });
    await page.getByRole('radio', { name: 'Card' }).check();
    assert.equal(await placeOrder.isVisible(), true);
    await page.getByRole('radio', { name: /Klarna/ }).click();
    await page.getByRole('button', { name: 'Pay with Klarna' }).waitFor();
    assert.equal(await placeOrder.isVisible(), false);
    await page.getByRole('radio', { name: 'PayPal' }).check();
    await placeOrder.waitFor();
    assert.equal(await page.getByRole('button', { name: 'Pay with Klarna' }).count(), 0);
    await context.close();
  });

  it('with nothing selected, the payment group is one Tab stop, as a native radio group', async () => {
    const { context, page } = await checkout({ select: false });
    /** Where each Tab (or Shift+Tab) from `from` stops, up to `to`. */
    const stops = async (from, key, to) => {
      await from.focus();
      const seen = [];
      for (let press = 0; press < 8; press++) {
        await page.keyboard.press(key);
        const here = await page.evaluate(() => {
          const focused = document.activeElement;
          if (focused?.localName === 'pay-with-klarna') return `Klarna: ${focused.shadowRoot.activeElement?.id}`;
          return (
            focused?.id ||
            focused?.labels?.[0]?.textContent.trim() ||
            focused?.getAttribute('aria-label') ||
            focused?.localName
          );
        });
        if (here === to) return seen;
        seen.push(here);
      }
      return [...seen, '(never got there)'];
    };
    const quantity = page.getByLabel('Quantity of Wireless headphones');
    const placeOrder = page.getByRole('button', { name: 'Place order' });
    assert.deepEqual(await stops(quantity, 'Tab', 'place-order'), ['Card']);
    // back into a group with nothing checked, browsers differ on which radio takes focus (Chromium:
    // the first, Firefox: the last); either way, one stop
    const back = await stops(placeOrder, 'Shift+Tab', 'Quantity of Wireless headphones');
    assert.equal(back.length, 1, back.join(' → '));
    assert.match(back[0], /^(Card|PayPal)$/);
    await context.close();
  });

  it("the journey's window opens within the press, before the backend answers, as Klarna's SDK does; it closes when the press fails", async () => {
    const { context, page } = await checkout({ outcome: 'step-up' });
    /** Holds the next initiate until `answer` is called with what to do with it. */
    const holdInitiate = async () => {
      let route;
      let arrived;
      const held = new Promise((resolve) => (arrived = resolve));
      await page.route('**/api/klarna/initiate', (request) => ((route = request), arrived()), { times: 1 });
      return { held, answer: (how) => how(route) };
    };
    // the backend has not answered yet, and the window is open
    let initiate = await holdInitiate();
    let opened = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Pay with Klarna' }).click();
    await initiate.held;
    const journey = await opened;
    await journey.getByText('Opening Klarna…').waitFor();
    initiate.answer((route) => route.continue());
    await journey.waitForURL(/\/journey\//);
    await journey.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('alert').filter({ hasText: 'You left Klarna without paying' }).waitFor();
    // a press whose backend call fails leaves no window behind
    initiate = await holdInitiate();
    opened = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Pay with Klarna' }).click();
    await initiate.held;
    const second = await opened;
    const closed = second.waitForEvent('close');
    initiate.answer((route) => route.fulfill({ status: 503, body: 'unavailable' }));
    await closed;
    await page.getByRole('alert').filter({ hasText: "Klarna couldn't be reached" }).waitFor();
    await context.close();
  });
});

describe('the backend restarts between the step-up and the webhook', () => {
  it('nothing is lost: the retried webhook completes the order after the restart', async () => {
    const browser = await launch();
    // Klarna retries a webhook for a long time; so does this simulator (every 300 ms for a minute),
    // so that however long the restart takes on a busy machine, a retry comes after it
    const sim = await startSimulator({ retryDelaysMs: Array(200).fill(300) });
    const shop = await startShop({ simulator: sim });
    try {
      const context = await browser.newContext();
      await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort('blockedbyclient'));
      const page = await context.newPage();
      const { id } = await (
        await fetch(`${shop.url}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: shop.url },
          body: JSON.stringify({ lines: [{ sku: 'backpack', quantity: 1 }] }),
        })
      ).json();
      // The customer starts paying in the browser: Klarna asks for a step-up.
      const initiate = await fetch(`${shop.url}/api/klarna/initiate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: shop.url, 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({
          orderId: id,
          amount: 8900,
          currency: 'USD',
          paymentOptionId: 'KLARNA',
          klarnaNetworkSessionToken: 'krn:network:us1:test:session-token:sim.step-up.prompt.x',
        }),
      });
      const { paymentRequestUrl } = await initiate.json();
      await shop.restartBackend(0, async () => {
        // While the backend is down, the customer approves: the webhook cannot be delivered yet.
        await page.goto(paymentRequestUrl);
        await page.getByRole('button', { name: 'Approve and pay' }).click();
        await until(
          () => sim.simulator.deliveries.some((delivery) => typeof delivery.status !== 'number'),
          'a delivery to fail: nobody is listening',
        );
      });
      // read the database directly: the order page would also reconcile, which is not what this tests
      const order = await until(async () => {
        const now = await shop.backend.store.order(id);
        return now.status === 'paid' && now;
      }, 'the retried webhook to pay the order');
      assert.match(order.paymentTransactionId, /^krn:payment:us1:transaction:/);
      assert.ok(sim.simulator.deliveries.some((delivery) => delivery.status === 200));
      await context.close();
    } finally {
      await browser.close();
      await shop.stop();
      await sim.stop();
    }
  });
});

/** A Content-Security-Policy's directives: name → sources. */
function directives(policy) {
  return new Map(
    policy
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name, sources]),
  );
}

/** A POST with the Host and Origin headers given (fetch cannot set Host); resolves to the status. */
function postWithHost(base, path, headers, body) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { hostname, port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        response.resume();
        resolve(response.statusCode);
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}
