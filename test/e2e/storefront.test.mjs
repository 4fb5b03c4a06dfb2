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
    await context.exposeBinding('reportViolation', ({ frame }, violation) => violations.push({ page: new URL(frame.url()).pathname, ...violation }));
    await context.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (event) => window.reportViolation({ directive: event.effectiveDirective, blocked: event.blockedURI, sample: event.sample })),
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
  async function checkout({ sku = 'headphones', outcome = 'step-up', webhook = 'prompt', select = true, colorScheme } = {}) {
    const { context, page, errors, violations } = await customer({ colorScheme });
    await page.goto(`${shop.url}/`);
    const product = (await (await fetch(`${shop.url}/api/products`)).json()).find((candidate) => candidate.sku === sku);
    await page.getByRole('button', { name: `${product.subscription ? 'Subscribe' : 'Add to cart'}: ${product.name}` }).click();
    await page.getByRole('link', { name: 'Cart (1)' }).click();
    await page.getByLabel("Klarna's answer to the first authorization").selectOption(outcome);
    await page.getByLabel('Webhook').selectOption(webhook);
    const klarna = page.getByRole('radio', { name: /Klarna/ });
    if (select) await klarna.click();
    else await klarna.waitFor();
    return { context, page, errors, violations, klarna };
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
  const initiateOf = (page) => page.waitForRequest((request) => request.url().endsWith('/api/klarna/initiate')).then((request) => request.postDataJSON());

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

  it('step-up: Klarna\'s journey opens, the customer approves, the order is paid once with its transaction id', async () => {
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
    await page.getByText(`Klarna transaction ${order.paymentTransactionId}`).waitFor();
    await page.getByRole('heading', { name: `Order ${order.number}` }).waitFor(); // the number to quote, not the id in the address
    const finals = finalAuthorizations(shop.sim).filter((call) => call.body.request_payment_transaction.payment_transaction_reference === `${order.number}-tx`);
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
    assert.equal(await alert.innerText(), 'Klarna declined this purchase. Please choose another payment method.', "the backend's sentence, without the element's developer text");
    const log = page.getByRole('log', { name: 'What happens' });
    await log.getByText('error initiate/declined: The payment was declined: Klarna declined').waitFor();
    // a log to read, not to be read out (each SDK event, each second's backend lines): the alert is the one thing the page announces
    assert.equal(await log.getAttribute('aria-live'), 'off');
    const announced = await page.evaluate(() =>
      [...document.querySelectorAll('[aria-live], [role=alert], [role=status], [role=log]')].filter((region) => region.getAttribute('aria-live') !== 'off').map((region) => region.id),
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

    await press((route) => route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>Service Unavailable</h1>' }));
    await alert.filter({ hasText: /\S/ }).waitFor();
    assert.equal(await alert.innerText(), "Klarna couldn't be reached. Try again, or choose another payment method.");
    await log.getByText('error initiate/http: The backend at /api/klarna/initiate answered 503').waitFor();

    await press((route) => route.abort('connectionrefused'));
    await log.getByText('error initiate/network').waitFor();
    assert.equal(await alert.innerText(), "Klarna couldn't be reached. Try again, or choose another payment method.");

    await press((route) => route.fulfill({ status: 409, json: { error: 'A payment for this order is already under way.' } }));
    await alert.filter({ hasText: 'under way' }).waitFor();
    assert.equal(await alert.innerText(), 'A payment for this order is already under way.');
    await log.getByText('answered 409: A payment for this order is already under way.').waitFor();
    await context.close();
  });

  it('cancelled in Klarna\'s journey: back at checkout, the order cancelled, nothing paid', async () => {
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
      const finals = finalAuthorizations(shop.sim).filter((call) => call.body.request_payment_transaction.payment_transaction_reference === `${number}-tx`);
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
    const polled = (request) => request.url().endsWith(new URL(page.url()).pathname.replace('/orders/', '/api/orders/'));
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

  it("the pages are served under the README's Content-Security-Policy, with frame-ancestors 'none', and it is enforced", async () => {
    // the policy the README gives merchants, directive by directive
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Content Security Policy'));
    const recommended = directives(section.match(/```\n([\s\S]*?)```/)[1]);
    assert.ok(recommended.get('script-src')?.includes('https://js.klarna.com'), "the README's policy was found");
    for (const path of ['/', '/checkout', `/orders/order-${crypto.randomUUID()}`]) {
      const response = await fetch(`${shop.url}${path}`);
      const served = directives(response.headers.get('content-security-policy') ?? '');
      for (const [name, sources] of recommended) assert.deepEqual(served.get(name), sources, `${path}: ${name} as the README gives it`);
      assert.deepEqual(served.get('frame-ancestors'), ["'none'"], `${path}: no site may frame it`);
    }
    // enforced: an inline script (what an injection would add) is refused, and reported
    const { context, page, violations } = await customer();
    await page.goto(`${shop.url}/`);
    await page.evaluate(() => document.head.append(Object.assign(document.createElement('script'), { textContent: 'window.injected = true' })));
    await until(() => violations.length > 0, 'the inline script to be refused');
    assert.deepEqual(violations.map(({ directive, blocked }) => [directive, blocked]), [['script-src-elem', 'inline']]);
    assert.equal(await page.evaluate(() => window.injected), undefined);
    await context.close();
  });

  it('the API refuses a POST whose Origin is not the shop\'s, even when the Host header names the same site (DNS rebinding)', async () => {
    const { port } = new URL(shop.url);
    const post = (host, origin) => postWithHost(shop.url, '/api/orders', { host, origin }, { lines: [{ sku: 'mug', quantity: 1 }] });
    // a page on a name the attacker rebinds to 127.0.0.1: its requests carry that name in Host and Origin
    assert.equal(await post(`rebound.example:${port}`, `http://rebound.example:${port}`), 403);
    assert.equal(await post(`127.0.0.1:${port}`, `http://rebound.example:${port}`), 403);
    // the shop's own pages, at its address or at localhost on this machine
    assert.equal(await post(`127.0.0.1:${port}`, shop.url), 201);
    assert.equal(await post(`localhost:${port}`, `http://localhost:${port}`), 201);
  });

  it('the cart\'s quantity changes the total, and Klarna\'s presentation follows it', async () => {
    const { context, page } = await checkout({ sku: 'mug' });
    await page.getByLabel('Quantity of Stoneware mug').fill('3');
    await page.getByLabel('Quantity of Stoneware mug').dispatchEvent('change');
    await page.locator('#total').filter({ hasText: '$72.00' }).waitFor();
    await page.getByText('4 interest-free payments of $18.00').waitFor();
    // a quantity the shop refuses: the customer is told what to fix, the backend's field error is logged
    await page.getByLabel('Quantity of Stoneware mug').fill('150');
    await page.getByLabel('Quantity of Stoneware mug').dispatchEvent('change');
    await page.getByRole('alert').filter({ hasText: 'Your cart could not be updated. Check the quantities (1 to 99) and try again.' }).waitFor();
    await page.getByRole('log', { name: 'What happens' }).getByText('cart update failed: lines[0].quantity must be a whole number from 1 to 99').waitFor();
    assert.equal(await page.locator('#total').innerText(), '$72.00');
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
      const { id } = await (await fetch(`${shop.url}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json', origin: shop.url }, body: JSON.stringify({ lines: [{ sku: 'backpack', quantity: 1 }] }) })).json();
      // The customer starts paying in the browser: Klarna asks for a step-up.
      const initiate = await fetch(`${shop.url}/api/klarna/initiate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: shop.url, 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({ orderId: id, amount: 8900, currency: 'USD', paymentOptionId: 'KLARNA', klarnaNetworkSessionToken: 'krn:network:us1:test:session-token:sim.step-up.prompt.x' }),
      });
      const { paymentRequestUrl } = await initiate.json();
      await shop.restartBackend(0, async () => {
        // While the backend is down, the customer approves: the webhook cannot be delivered yet.
        await page.goto(paymentRequestUrl);
        await page.getByRole('button', { name: 'Approve and pay' }).click();
        await until(() => sim.simulator.deliveries.some((delivery) => typeof delivery.status !== 'number'), 'a delivery to fail: nobody is listening');
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
    const request = http.request({ hostname, port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}
