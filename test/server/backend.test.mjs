import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { afterIntervals } from '../../demo/server/payments.ts';
import { finalAuthorizations } from '../e2e/support/shop.mjs';
import { Store, openDatabase } from '../../demo/server/store.ts';
import { shopApi, startShop, until } from '../e2e/support/shop.mjs';

/** The backend's failure cases (S1–S18 of the reliability brief) against the running reference backend and the Klarna simulator, over HTTP. */
describe('the reference backend', () => {
  let shop;
  const logLines = [];
  before(async () => {
    shop = await startShop({ log: (line) => logLines.push(line) });
  });
  after(() => shop?.stop());

  const { post, get, json, newOrder, token, initiate, callsFor, webhook, deliver } = shopApi(() => shop);
  const orderNow = (id) => shop.backend.store.order(id);
  /** The return URL set on an order's payment request: its return route, with Klarna's template variables. */
  const returnUrlOf = (order) =>
    `${shop.url}/orders/${order.id}/return?payment_request_id={klarna.payment_request.id}&state={klarna.payment_request.state}&klarna_network_session_token={klarna.payment_request.klarna_network_session_token}`;
  /** A sweep pass once the pause after the last look has gone by (a look that failed waits 5 s, then longer each time). */
  const sweepLater = async () => {
    await shop.backend.store.sql.query(
      "update orders set last_look_at = last_look_at - interval '1 hour', next_look_at = next_look_at - interval '1 hour'",
    );
    await shop.backend.sweep();
  };

  it('APPROVED at once: the order is paid and the element is sent to the order page', async () => {
    const order = await newOrder();
    const { status, body } = await json(await initiate(order, { outcome: 'approve' }));
    assert.equal(status, 200);
    assert.equal(body.returnUrl, `${shop.url}/orders/${order.id}`);
    assert.equal((await orderNow(order.id)).status, 'paid');
    const [call] = callsFor(order);
    assert.equal(call.headers['klarna-network-session-token'].includes('sim.approve'), true);
    assert.equal(call.body.request_payment_transaction.amount, 11800);
    assert.equal(call.body.request_payment_transaction.payment_option_id, 'KLARNA');
    assert.equal(call.body.supplementary_purchase_data.purchase_reference, order.number);
    assert.deepEqual(call.body.supplementary_purchase_data.line_items, [
      { name: 'Wireless headphones', quantity: 1, unit_price: 11800, total_amount: 11800, reference: 'headphones' },
    ]);
    assert.equal(call.body.step_up_config.customer_interaction_config.return_url, returnUrlOf(order));
    assert.match(call.headers['klarna-idempotency-key'], /^[0-9a-f-]{36}$/);
    assert.equal(call.headers.authorization, 'valid', 'the API key is the Basic credential');
  });

  it("STEP_UP_REQUIRED: answers Klarna's payment_request_url exactly as given, never wrapped", async () => {
    const order = await newOrder();
    const { status, body } = await json(await initiate(order));
    assert.equal(status, 200);
    assert.equal(body.paymentRequestUrl, `${shop.sim.url}/journey/${encodeURIComponent(body.paymentRequestId)}`);
    assert.equal((await orderNow(order.id)).status, 'pending');
  });

  it("S1: a client amount different from the server's price is refused, and Klarna is not called", async () => {
    const order = await newOrder();
    const { status, body } = await json(await initiate(order, { amount: 100 }));
    assert.equal(status, 409);
    assert.match(
      body.error,
      /^The total changed: the order is \$118\.00, the page showed \$1\.00\. Please review your cart\.$/,
    );
    const odd = await json(await initiate(order, { currency: 'dollars' }));
    assert.deepEqual(
      [odd.status, odd.body.error],
      [409, 'The total changed: the order is $118.00, the page showed 11800 dollars. Please review your cart.'],
    );
    assert.equal(callsFor(order).length, 0);
    const lines = await json(await post('/api/orders', { lines: [{ sku: 'headphones', quantity: 1, price: 1 }] }));
    assert.equal(lines.body.amount, 11800, 'a price sent by the browser is ignored');
  });

  it('S2: malformed bodies get a 400 that names the field; nothing is stored; the body size is bounded', async () => {
    const order = await newOrder();
    const key = () => ({ 'idempotency-key': crypto.randomUUID() });
    const cases = [
      [await post('/api/klarna/initiate', '{not json', key()), 400, /JSON object/],
      [await post('/api/klarna/initiate', { amount: 1, currency: 'USD' }, key()), 400, /orderId/],
      [
        await post('/api/klarna/initiate', { orderId: order.id, amount: '11800', currency: 'USD' }, key()),
        400,
        /amount/,
      ],
      [
        await post('/api/klarna/initiate', { orderId: order.id, amount: 11800, currency: 'USD' }),
        400,
        /Idempotency-Key/,
      ],
      [
        await post(
          '/api/klarna/initiate',
          { orderId: order.id, amount: 11800, currency: 'USD', pad: 'x'.repeat(20000) },
          key(),
        ),
        413,
        /larger than/,
      ],
      [await post('/api/orders', { lines: [{ sku: 'unicorn', quantity: 1 }] }), 400, /lines\[0\]\.sku/],
      [await post('/api/orders', { lines: [{ sku: 'mug', quantity: 1.5 }] }), 400, /lines\[0\]\.quantity/],
    ];
    // A body streamed in chunks without a Content-Length, and without end, is cut off at the limit rather than read for ever.
    for (const path of ['/api/klarna/initiate', '/api/klarna/webhooks']) {
      const endless = new ReadableStream({
        pull: (controller) => controller.enqueue(new TextEncoder().encode('x'.repeat(4096))),
      });
      const headers = { 'content-type': 'application/json', origin: shop.url, ...key() };
      // (the server ends the connection after its 413, and with it the upload)
      cases.push([
        await fetch(`${shop.url}${path}`, {
          method: 'POST',
          headers,
          body: endless,
          duplex: 'half',
          signal: AbortSignal.timeout(5000),
        }),
        413,
        /larger than \d+ bytes/,
      ]);
    }
    for (const [response, status, message] of cases) {
      const { status: got, body } = await json(response);
      assert.equal(got, status, JSON.stringify(body));
      assert.match(body.error, message);
    }
    assert.equal(callsFor(order).length, 0);
    assert.equal((await orderNow(order.id)).status, 'open');
  });

  it("S2: a NUL character in an id (which Postgres cannot hold) is a 400 or 404 naming the field, never a 500; an unknown order's lines are a 404", async () => {
    const order = await newOrder();
    const key = () => ({ 'idempotency-key': crypto.randomUUID() });
    const initiateWith = (fields) =>
      post('/api/klarna/initiate', { orderId: order.id, amount: order.amount, currency: 'USD', ...fields }, key());
    const cases = [
      [await get('/api/orders/%00'), 404, 'id'],
      [await get(`/api/orders/${order.id}%00`), 404, 'id'],
      [await post('/api/orders/a%00b/lines', { lines: [{ sku: 'mug', quantity: 1 }] }), 404, 'id'],
      [await post('/api/orders/a%00b/charge', {}, key()), 404, 'id'],
      [await initiateWith({ orderId: 'a\u0000b' }), 400, 'orderId'],
      [await initiateWith({ klarnaNetworkSessionToken: 'krn:\u0000' }), 400, 'klarnaNetworkSessionToken'],
      [await initiateWith({ paymentOptionId: 'KLARNA\u0000' }), 400, 'paymentOptionId'],
    ];
    for (const [response, status, field] of cases) {
      const { status: got, body } = await json(response);
      assert.deepEqual([got, body.field], [status, field], JSON.stringify(body));
    }
    const unknown = await json(
      await post(`/api/orders/order-${crypto.randomUUID()}/lines`, { lines: [{ sku: 'mug', quantity: 1 }] }),
    );
    assert.deepEqual(unknown, { status: 404, body: { error: 'No such order.' } });
    assert.equal(callsFor(order).length, 0);
    assert.equal((await orderNow(order.id)).status, 'open');
  });

  it('S20: a currency Postgres cannot hold (a NUL, a lone surrogate) is a 400 naming it, never a 500', async () => {
    const order = await newOrder();
    for (const currency of ['US\u0000D', 'US\uD800', '\uDC00SD']) {
      const { status, body } = await json(await initiate(order, { currency }));
      assert.deepEqual([status, body.field], [400, 'currency'], JSON.stringify(body));
      assert.equal(body.error, 'currency must not contain a NUL character or a lone surrogate');
    }
    assert.equal(callsFor(order).length, 0);
    assert.equal((await orderNow(order.id)).status, 'open');
  });

  it('S20: a session token that cannot be an HTTP header value is a 400 naming it; the order is not held for a call that cannot leave', async () => {
    const order = await newOrder();
    for (const klarnaNetworkSessionToken of [
      'krn:network:us1:test:session-token:\u2603',
      'krn:network:us1:test:session-token:a\r\nX-Injected: 1',
      'krn:network:us1:test:session-token:\u00e9t\u00e9',
      'krn:network session token',
      'krn:\tx',
    ]) {
      const { status, body } = await json(await initiate(order, { klarnaNetworkSessionToken }));
      assert.deepEqual(
        [status, body.field],
        [400, 'klarnaNetworkSessionToken'],
        JSON.stringify(klarnaNetworkSessionToken),
      );
      assert.match(body.error, /^klarnaNetworkSessionToken must be printable ASCII without spaces/);
    }
    assert.equal(callsFor(order).length, 0);
    assert.equal((await orderNow(order.id)).status, 'open', 'not held: the customer can pay');
    assert.equal((await json(await initiate(order, { outcome: 'approve' }))).status, 200);
  });

  it("S20: an attempt left with such a token (by an earlier version) fails at the sweep's first look, as not sent: never held as Klarna's silence", async () => {
    const order = await newOrder();
    await shop.backend.store.sql.query(
      "update orders set status = 'authorizing', attempt_key = $2, attempt_token = $3, attempt_started_at = now(), updated_at = now() - interval '3 minutes' where id = $1",
      [order.id, crypto.randomUUID(), 'krn:network:us1:test:session-token:\u2603'],
    );
    await shop.backend.sweep();
    const after = await orderNow(order.id);
    assert.equal(after.status, 'failed', 'nothing was sent, so nothing can have been paid: the customer may pay again');
    assert.match(
      after.reason,
      /Klarna-Network-Session-Token holds a character an HTTP header cannot carry; nothing was sent to Klarna/,
    );
    const events = await eventsOf(order);
    assert.ok(
      events.some((text) => text.startsWith('Payment Authorize not sent: ')),
      JSON.stringify(events),
    );
    assert.ok(!events.some((text) => text.includes('Klarna did not answer')), JSON.stringify(events));
    assert.equal(callsFor(order).length, 0);
    assert.equal((await json(await initiate(order, { outcome: 'approve' }))).status, 200);
  });

  it('S20: a signed webhook whose event_id, event_type or payment_request_id Postgres cannot hold is a 400 naming it, never a 500', async () => {
    const cases = [
      [webhook({ payment_request_id: 'krn:payment:us1:request:x' }, { eventId: 'event\u0000id' }), 'metadata.event_id'],
      [webhook({ payment_request_id: 'krn:payment:us1:request:x' }, { eventId: 'event\uD800' }), 'metadata.event_id'],
      [
        webhook(
          { payment_request_id: 'krn:payment:us1:request:x' },
          { type: 'payment.request.state-change.completed\u0000' },
        ),
        'metadata.event_type',
      ],
      [webhook({ payment_request_id: 'krn:payment:us1:request:\u0000' }), 'payload.payment_request_id'],
      [webhook({ payment_request_id: { id: 'x' } }), 'payload.payment_request_id'],
    ];
    for (const [event, field] of cases) {
      const { status, body } = await json(await deliver(event));
      assert.deepEqual([status, body.field], [400, field], JSON.stringify(body));
    }
  });

  it('S3: the same idempotency key twice gives the same answer and one authorization', async () => {
    const order = await newOrder();
    const key = crypto.randomUUID();
    const body = {
      orderId: order.id,
      amount: order.amount,
      currency: 'USD',
      paymentOptionId: 'KLARNA',
      klarnaNetworkSessionToken: token(),
    };
    const first = await json(await post('/api/klarna/initiate', body, { 'idempotency-key': key }));
    const second = await json(await post('/api/klarna/initiate', body, { 'idempotency-key': key }));
    assert.deepEqual(second, first);
    assert.equal(callsFor(order).length, 1);
  });

  it('S4: the same key with a different body is a 422 and leaves the original alone', async () => {
    const order = await newOrder();
    const key = crypto.randomUUID();
    const first = await json(await initiate(order, { key }));
    const other = await json(await initiate(order, { key, paymentOptionId: 'OTHER' }));
    assert.equal(other.status, 422);
    assert.equal(callsFor(order).length, 1);
    assert.equal((await orderNow(order.id)).paymentRequestId, first.body.paymentRequestId);
  });

  it('S5: an order that is already paid is a 409 with no second authorization', async () => {
    const order = await newOrder();
    await initiate(order, { outcome: 'approve' });
    const again = await json(await initiate(order, { outcome: 'approve' }));
    assert.equal(again.status, 409);
    assert.match(again.body.error, /already paid/);
    assert.equal(callsFor(order).length, 1);
  });

  it('S6: Klarna answering 5xx is retried with the same Klarna-Idempotency-Key; when it stays down the order is held until the same call is answered', async () => {
    const order = await newOrder();
    await shop.sim.control('fail', { count: 2 });
    const ok = await json(await initiate(order));
    assert.equal(ok.status, 200);
    const keys = callsFor(order).map((call) => call.headers['klarna-idempotency-key']);
    assert.equal(keys.length, 3);
    assert.equal(new Set(keys).size, 1);

    const down = await newOrder();
    await shop.sim.control('fail', { count: 3 });
    const failed = await json(await initiate(down, { outcome: 'approve' }));
    assert.equal(failed.status, 503);
    assert.match(failed.body.message, /not confirmed yet and will not be taken twice/);
    assert.equal((await orderNow(down.id)).status, 'authorizing', 'not payable again while the outcome is unknown');
    // The customer presses again: a new attempt key and a new session token, but the backend repeats the unanswered call.
    const retried = await json(await initiate(down, { outcome: 'step-up' }));
    assert.equal(retried.status, 200);
    assert.ok(retried.body.returnUrl, "the first call's answer (approved at once) stands");
    const calls = callsFor(down);
    assert.equal(new Set(calls.map((call) => call.headers['klarna-idempotency-key'])).size, 1);
    assert.equal(new Set(calls.map((call) => call.headers['klarna-network-session-token'])).size, 1);
    assert.equal((await orderNow(down.id)).status, 'paid');
  });

  /** The next Klarna call for this order fails so (other orders' calls, a late webhook's say, are left alone). */
  const failNext = (mode, order) => shop.sim.control('fail', { count: 1, mode, match: order.number });
  /** Klarna refuses the order's next call (429) through every retry the backend makes (the test shop tries 3 times). */
  const refuseNext = (order) => shop.sim.control('fail', { count: 3, mode: '429', match: order.number });
  /** The order's log, read from the store: a GET of a pending order would also look at Klarna. */
  const eventsOf = async (order) => (await shop.backend.store.events(order.id)).map((event) => event.text);

  it('S6: an answer the backend cannot read (a 200 page from a proxy, Klarna having approved) is no decline: the same call is repeated and the order is paid once', async () => {
    const order = await newOrder();
    await failNext('garbled', order);
    const first = await json(await initiate(order, { outcome: 'approve' }));
    assert.equal(first.status, 503);
    assert.match(first.body.message, /will not be taken twice/);
    assert.equal((await orderNow(order.id)).status, 'authorizing', 'not declined: Klarna may have approved');
    assert.ok(
      (await eventsOf(order)).some((text) =>
        /^Payment Authorize: Klarna answered without a result this backend can act on \(none\); the same call/.test(
          text,
        ),
      ),
    );
    assert.ok(
      logLines.some(
        (line) =>
          line ===
          `order ${order.number}: Payment Authorize: Klarna answered without a result this backend can act on (none)`,
      ),
      'logged for the operator',
    );
    // The customer presses again (a new attempt to the element): the backend repeats the very call, and Klarna's first answer stands.
    const again = await json(await initiate(order, { outcome: 'decline' }));
    assert.equal(again.status, 200);
    assert.equal(again.body.returnUrl, `${shop.url}/orders/${order.id}`);
    const calls = callsFor(order);
    assert.equal(calls.length, 2);
    assert.equal(
      new Set(calls.map((call) => call.headers['klarna-idempotency-key'])).size,
      1,
      'one Klarna-Idempotency-Key: one payment',
    );
    assert.equal((await orderNow(order.id)).status, 'paid');
  });

  it('S6: a first Payment Authorize refused (429) through the retries answers a retryable 503 that is not kept: the retry with the same key is served', async () => {
    const order = await newOrder();
    const { request, headers } = approvingPress(order);
    await refuseNext(order);
    const refused = await json(await post('/api/klarna/initiate', request, headers));
    assert.equal(refused.status, 503, 'retryable, so the element keeps the key');
    assert.match(refused.body.message, /not confirmed yet and will not be taken twice/);
    const retried = await json(await post('/api/klarna/initiate', request, headers));
    assert.deepEqual(retried, {
      status: 200,
      body: { returnUrl: `${shop.url}/orders/${order.id}`, orderId: order.id },
    });
    assert.equal((await orderNow(order.id)).status, 'paid');
    assert.equal(
      new Set(callsFor(order).map((call) => call.headers['klarna-idempotency-key'])).size,
      1,
      'the retry repeats the same Klarna call',
    );
  });

  it('a first Payment Authorize Klarna refuses as invalid answers a non-retryable 422 with a message; the next attempt may pay', async () => {
    const order = await newOrder();
    await failNext('400', order);
    const refused = await json(await initiate(order, { outcome: 'approve' }));
    assert.equal(refused.status, 422, 'not a 5xx: retrying the same request would be refused again');
    assert.equal(
      refused.body.message,
      'Klarna refused this payment request, so nothing was charged. Please choose another payment method, or contact the shop.',
    );
    assert.equal((await orderNow(order.id)).status, 'failed');
    assert.ok(
      logLines.some((line) =>
        line.startsWith(`order ${order.number}: Payment Authorize refused: Klarna answered 400: VALIDATION_ERROR`),
      ),
      'logged for the operator',
    );
    assert.equal(callsFor(order).length, 1, 'a refusal is not retried');
    assert.equal((await initiate(order, { outcome: 'approve' })).status, 200);
    assert.equal((await orderNow(order.id)).status, 'paid');
  });

  /** An order whose Payment Authorize Klarna answered unreadably (having approved it), then, with `set`, moved in time. */
  const unansweredFor = async (set) => {
    const order = await newOrder();
    await failNext('garbled', order);
    assert.equal((await initiate(order, { outcome: 'approve' })).status, 503);
    if (set) await shop.backend.store.sql.query(`update orders set ${set} where id = $1`, [order.id]);
    return order;
  };
  const UNCONFIRMED =
    'Klarna never confirmed this payment. The shop is checking it with Klarna; please contact the shop before you pay again.';

  it('S6: a Payment Authorize still unanswered after 23 hours (Klarna keeps its key for 24) is neither repeated nor tried afresh: the operator checks it', async () => {
    // Klarna garbled its answer (having approved: the simulator took the payment); a day goes by, every repeat unanswered
    const order = await unansweredFor(
      "attempt_started_at = now() - interval '23 hours 1 minute', updated_at = now() - interval '3 minutes'",
    );
    await shop.backend.sweep();
    const after = await orderNow(order.id);
    assert.deepEqual([after.status, after.reason], ['unconfirmed', UNCONFIRMED]);
    assert.equal(callsFor(order).length, 1, 'no second Payment Authorize');
    assert.ok(
      logLines.some(
        (line) =>
          line.startsWith(`order ${order.number}: Payment Authorize: no answer from Klarna since`) &&
          line.endsWith(`Check transaction reference ${after.transactionReference} in the Klarna Portal.`),
      ),
      'logged for the operator, with the reference to look up',
    );
    // the customer presses again (a new attempt, with a new key): refused, and Klarna is not called
    const pressed = await json(await initiate(order, { outcome: 'approve' }));
    assert.deepEqual([pressed.status, pressed.body.error], [409, UNCONFIRMED]);
    await shop.backend.sweep();
    assert.equal(callsFor(order).length, 1);
    assert.equal((await orderNow(order.id)).status, 'unconfirmed');
  });

  it('S6: a refusal of the repeat (429 through the retries) is no refusal of the payment: the order stays held, and the next repeat is paid once', async () => {
    const order = await unansweredFor();
    await refuseNext(order);
    const refused = await json(await initiate(order, { outcome: 'approve' }));
    assert.equal(refused.status, 503);
    assert.equal((await orderNow(order.id)).status, 'authorizing', 'not failed: the first call may have paid');
    assert.ok(
      logLines.some((line) => line === `order ${order.number}: Payment Authorize: Klarna answered 429 (3 tries)`),
      'logged for the operator',
    );
    assert.equal((await initiate(order, { outcome: 'approve' })).status, 200);
    assert.equal((await orderNow(order.id)).status, 'paid');
    assert.equal(
      new Set(callsFor(order).map((call) => call.headers['klarna-idempotency-key'])).size,
      1,
      'one key: one payment',
    );
  });

  it("S6: a sweep's stale copy of an earlier attempt never settles the attempt that followed it", async () => {
    // Attempt A: Klarna declined, but its answer was unreadable; a sweep reads the order then.
    const order = await newOrder();
    await failNext('garbled', order);
    assert.equal((await initiate(order, { outcome: 'decline' })).status, 503);
    const stale = await orderNow(order.id);
    assert.equal((await initiate(order, { outcome: 'decline' })).status, 402, 'the repeat gets the decline');
    // Attempt B: Klarna approved, its answer unreadable too; then the sweep goes on with its copy of A.
    await failNext('garbled', order);
    assert.equal((await initiate(order, { outcome: 'approve' })).status, 503);
    await shop.backend.payments.authorize(stale, { repeat: true });
    const now = await orderNow(order.id);
    assert.notEqual(now.attemptKey, stale.attemptKey);
    assert.equal(now.status, 'authorizing', "A's decline did not land on B");
    assert.equal((await initiate(order, { outcome: 'approve' })).status, 200);
    assert.equal((await orderNow(order.id)).status, 'paid');
  });

  it('S6: an order claimed before attempts had a start time is held the same way, from its claim', async () => {
    const order = await unansweredFor("attempt_started_at = null, updated_at = now() - interval '23 hours 1 minute'");
    await shop.backend.sweep();
    assert.equal((await orderNow(order.id)).status, 'unconfirmed');
    assert.equal(callsFor(order).length, 1);
  });

  /** An order whose final authorization Klarna approved, with an answer the backend could not read. */
  const unreadableFinal = async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    const request = shop.sim.simulator.decide(body.paymentRequestId, 'approve');
    await failNext('garbled', order);
    await deliver(
      webhook({
        payment_request_id: request.id,
        state: 'COMPLETED',
        klarna_network_session_token: request.sessionToken,
      }),
    );
    await until(
      async () =>
        (await eventsOf(order)).some((text) => /^Final authorization: Klarna answered without a result/.test(text)),
      'the unreadable answer to be noted',
    );
    return order;
  };

  it('S6: a refusal of a repeated final authorization (429 through the retries) is no refusal: the order waits, and the next look is paid once', async () => {
    const order = await unreadableFinal();
    await refuseNext(order);
    await shop.backend.sweep();
    assert.equal(
      (await orderNow(order.id)).status,
      'pending',
      'not failed: the first final authorization may have paid',
    );
    await sweepLater();
    assert.equal((await orderNow(order.id)).status, 'paid');
    assert.equal(
      new Set(
        callsFor(order)
          .slice(1)
          .map((call) => call.headers['klarna-idempotency-key']),
      ).size,
      1,
    );
  });

  /** A step-up order the customer has approved in Klarna's journey, whose webhook is yet to come: `complete()` delivers it. */
  const approvedInJourney = async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    const request = shop.sim.simulator.decide(body.paymentRequestId, 'approve');
    const complete = () =>
      deliver(
        webhook({
          payment_request_id: request.id,
          state: 'COMPLETED',
          klarna_network_session_token: request.sessionToken,
        }),
      );
    return { order, complete };
  };
  const failFor = (order, failure) => shop.sim.control('fail', { count: 1, match: order.number, ...failure });

  it('S6: a rate limit (429) on the final authorization is retried after its Retry-After, with the same key: the customer who approved is paid', async () => {
    const { order, complete } = await approvedInJourney();
    await failFor(order, { mode: '429', retryAfter: 1 });
    await complete();
    await until(
      async () => (await orderNow(order.id)).status !== 'finalizing' && (await orderNow(order.id)).status !== 'pending',
      'the final authorization to settle',
    );
    assert.equal((await orderNow(order.id)).status, 'paid', 'not failed: Klarna did not process the refused call');
    const finals = callsFor(order).slice(1);
    assert.equal(finals.length, 2);
    assert.equal(new Set(finals.map((call) => call.headers['klarna-idempotency-key'])).size, 1);
    assert.ok(
      finals[1].at - finals[0].at >= 1000,
      `waited ${finals[1].at - finals[0].at} ms, not the 1 s Klarna asked`,
    );
  });

  it('S6: a final authorization refused (429) past the retries goes back to pending, not failed, and the next look pays it; a Retry-After beyond the cap is not waited for', async () => {
    const { order, complete } = await approvedInJourney();
    await failFor(order, { mode: '429', retryAfter: 3600 });
    const started = Date.now();
    await complete();
    await until(
      async () => (await eventsOf(order)).some((text) => text.startsWith('Final authorization: Klarna answered 429')),
      'the refusal to be noted',
    );
    assert.ok(Date.now() - started < 3000, 'an hour-long Retry-After is not waited for in the request');
    const held = await orderNow(order.id);
    assert.deepEqual([held.status, held.reason], ['pending', null]);
    assert.equal(callsFor(order).length, 2, 'one final authorization, not retried against the Retry-After');
    await shop.backend.sweep();
    assert.equal((await orderNow(order.id)).status, 'paid');
    assert.equal(
      new Set(
        callsFor(order)
          .slice(1)
          .map((call) => call.headers['klarna-idempotency-key']),
      ).size,
      1,
      'the repeat is the same call',
    );
  });

  it('S6: a final authorization sent within the 60 minutes is repeated after them, not expired: Klarna answers it from its key', async () => {
    const order = await unreadableFinal();
    await shop.backend.store.transition(order.id, ['pending'], {
      completedAt: new Date(Date.now() - 61 * 60_000).toISOString(),
    });
    await shop.backend.sweep();
    assert.equal((await orderNow(order.id)).status, 'paid', 'not expired: the customer would pay again');
  });

  it('S6: a final authorization unanswered for 23 hours is not repeated: the order waits for the operator', async () => {
    const order = await unreadableFinal();
    await shop.backend.store.sql.query(
      "update orders set final_sent_at = now() - interval '23 hours 1 minute' where id = $1",
      [order.id],
    );
    const calls = callsFor(order).length;
    await shop.backend.sweep();
    assert.equal((await orderNow(order.id)).status, 'unconfirmed');
    assert.equal(callsFor(order).length, calls, 'no repeat');
    assert.ok(
      logLines.some((line) =>
        line.startsWith(`order ${order.number}: Final authorization: no answer from Klarna since`),
      ),
    );
  });

  it('S6: an unreadable answer to the final authorization puts the order back to pending; the next look repeats it with the same token', async () => {
    const order = await unreadableFinal();
    assert.equal((await orderNow(order.id)).status, 'pending', 'neither declined nor paid');
    const { body: view } = await json(await get(`/api/orders/${order.id}`));
    assert.equal(view.status, 'paid');
    const finals = callsFor(order).slice(1);
    assert.equal(finals.length, 2);
    assert.equal(new Set(finals.map((call) => call.headers['klarna-idempotency-key'])).size, 1);
    assert.equal(new Set(finals.map((call) => call.headers['klarna-network-session-token'])).size, 1);
  });

  it('S14: the 60 minutes run from the first completion known: a later completion without a time does not restart them', async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    const request = shop.sim.simulator.decide(body.paymentRequestId, 'approve');
    // An earlier look saw the completion 61 minutes ago, and Klarna did not answer the final authorization then.
    await shop.backend.store.transition(order.id, ['pending'], {
      completedAt: new Date(Date.now() - 61 * 60_000).toISOString(),
    });
    await deliver(
      webhook(
        { payment_request_id: request.id, state: 'COMPLETED', klarna_network_session_token: request.sessionToken },
        { occurredAt: null },
      ),
    );
    const expired = await until(
      async () => ((await orderNow(order.id)).status === 'expired' ? orderNow(order.id) : undefined),
      'the order to expire',
    );
    assert.match(expired.reason, /more than 60 minutes ago/);
    assert.equal(callsFor(order).length, 1, 'no final authorization was attempted');
  });

  /** One press of an order's approving payment: its body and headers, the same when the element retries it. */
  const approvingPress = (order) => ({
    request: {
      orderId: order.id,
      amount: order.amount,
      currency: order.currency,
      paymentOptionId: 'KLARNA',
      klarnaNetworkSessionToken: token('approve'),
    },
    headers: { 'idempotency-key': crypto.randomUUID() },
  });

  /**
   * Gives what `run` gives while the store's `method` throws for the calls `failsFor(...args)` picks
   * (a database lost mid-request); other callers, such as other tests' late webhooks, are served.
   */
  async function whileStoreFails(method, failsFor, run) {
    const { store } = shop.backend;
    const real = store[method];
    store[method] = async (...args) => {
      if (failsFor(...args)) throw new Error('connection to the database lost');
      return real.apply(store, args);
    };
    try {
      return await run();
    } finally {
      store[method] = real;
    }
  }

  it('when Klarna approved but the answer could not be kept, the retry of that attempt gets its success, not "already paid"', async () => {
    const order = await newOrder();
    const { request, headers } = approvingPress(order);
    const failed = await whileStoreFails(
      'storeReply',
      (name) => name === `initiate:${headers['idempotency-key']}`,
      () => post('/api/klarna/initiate', request, headers),
    );
    assert.equal(failed.status, 500);
    assert.equal((await orderNow(order.id)).status, 'paid');
    const retried = await json(await post('/api/klarna/initiate', request, headers));
    assert.deepEqual(retried, {
      status: 200,
      body: { returnUrl: `${shop.url}/orders/${order.id}`, orderId: order.id },
    });
    const other = await json(await initiate(order, { outcome: 'approve' }));
    assert.equal(other.status, 409, 'another attempt on a paid order is still refused');
    assert.equal(callsFor(order).length, 1);
  });

  it('a request that fails inside the backend (its database, say) leaves its Idempotency-Key free: the retry with it is served', async () => {
    const order = await newOrder();
    const { request, headers } = approvingPress(order);
    const failed = await whileStoreFails(
      'order',
      (id) => id === order.id,
      () => post('/api/klarna/initiate', request, headers),
    );
    assert.equal(failed.status, 500);
    const retried = await json(await post('/api/klarna/initiate', request, headers));
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal((await orderNow(order.id)).status, 'paid');
  });

  it('an Idempotency-Key left claimed by a request that died mid-call is free again once no request can still be running: the retry repeats the same Klarna call', async () => {
    const order = await newOrder();
    const { request, headers } = approvingPress(order);
    const name = `initiate:${headers['idempotency-key']}`;
    // Klarna approves, its answer is lost, and the process dies before it can free the key
    await failNext('garbled', order);
    const died = await whileStoreFails(
      'releaseKey',
      (key) => key === name,
      () => post('/api/klarna/initiate', request, headers),
    );
    assert.equal(died.status, 500);
    const young = await json(await post('/api/klarna/initiate', request, headers));
    assert.equal(young.status, 409, 'a claim this young may be a request still running');
    await shop.backend.store.sql.query(
      "update idempotency_keys set created_at = now() - interval '3 minutes' where key = $1",
      [name],
    );
    const retried = await json(await post('/api/klarna/initiate', request, headers));
    assert.deepEqual(retried, {
      status: 200,
      body: { returnUrl: `${shop.url}/orders/${order.id}`, orderId: order.id },
    });
    assert.equal((await orderNow(order.id)).status, 'paid');
    const calls = callsFor(order);
    assert.equal(calls.length, 2);
    assert.equal(
      new Set(calls.map((call) => call.headers['klarna-idempotency-key'])).size,
      1,
      'the same Klarna call again, not a second payment',
    );
  });

  it('a stop lets the requests under way finish before it closes the database: the customer gets the answer', async () => {
    const order = await newOrder();
    const { request, headers } = approvingPress(order);
    // the first try hangs until the backend's 2 s timeout, the retry is answered: a request 2 s long
    await failNext('hang', order);
    const answer = post('/api/klarna/initiate', request, headers);
    await until(() => callsFor(order).length === 1, 'the call to reach Klarna');
    await shop.restartBackend(0);
    assert.deepEqual(await json(await answer), {
      status: 200,
      body: { returnUrl: `${shop.url}/orders/${order.id}`, orderId: order.id },
    });
    assert.equal((await orderNow(order.id)).status, 'paid');
    assert.equal(callsFor(order).length, 2);
  });

  it('an initiate is answered within its bound (under the element\'s initiate-timeout): past it, a retryable 503 "not confirmed", while the same call goes on, and a retry after it gets its answer', async () => {
    const bounded = await startShop({ requestBoundMs: 500 });
    try {
      const api = shopApi(() => bounded);
      const order = await api.newOrder();
      const { request, headers } = approvingPress(order);
      // Klarna's first try hangs until the backend's 2 s timeout; its retry is answered
      await bounded.sim.control('fail', { count: 1, mode: 'hang', match: order.number });
      const started = performance.now();
      const first = await api.json(await api.post('/api/klarna/initiate', request, headers));
      assert.ok(performance.now() - started < 1500, `answered after ${Math.round(performance.now() - started)} ms`);
      assert.equal(first.status, 503, 'retryable: the element keeps the key');
      assert.match(first.body.message, /not confirmed yet and will not be taken twice/);
      // the element's retry while the call is still under way waits for it, and is bounded too
      assert.equal((await api.post('/api/klarna/initiate', request, headers)).status, 503);
      await until(
        async () => (await bounded.backend.store.order(order.id)).status === 'paid',
        'the call to go on to its answer',
      );
      const retried = await api.json(await api.post('/api/klarna/initiate', request, headers));
      assert.deepEqual(retried, {
        status: 200,
        body: { returnUrl: `${bounded.url}/orders/${order.id}`, orderId: order.id },
      });
      const calls = api.callsFor(order);
      assert.equal(calls.length, 2, "the hung try and its retry: the element's retries made no call of their own");
      assert.equal(new Set(calls.map((call) => call.headers['klarna-idempotency-key'])).size, 1);
    } finally {
      await bounded.stop();
    }
  });

  it('a second initiate while a payment request is open reuses it instead of opening another', async () => {
    const order = await newOrder();
    const first = await json(await initiate(order));
    const second = await json(await initiate(order));
    assert.equal(second.body.paymentRequestUrl, first.body.paymentRequestUrl);
    assert.equal(callsFor(order).length, 1);
    shop.sim.simulator.decide(first.body.paymentRequestId, 'approve');
    await until(async () => (await orderNow(order.id)).status === 'paid', 'the webhook to pay the order');
  });

  it('an order left mid-call by a crash is settled by the sweep: authorizing repeats the call, finalizing re-reads the request', async () => {
    const crashed = await newOrder();
    await shop.backend.store.sql.query(
      "update orders set status = 'authorizing', attempt_key = $2, attempt_token = $3, updated_at = now() - interval '3 minutes' where id = $1",
      [crashed.id, crypto.randomUUID(), token('approve')],
    );
    const stepped = await newOrder();
    const { body } = await json(await initiate(stepped, { webhook: 'lost' }));
    shop.sim.simulator.decide(body.paymentRequestId, 'approve');
    await shop.backend.store.sql.query(
      "update orders set status = 'finalizing', updated_at = now() - interval '3 minutes' where id = $1",
      [stepped.id],
    );
    await shop.backend.sweep();
    assert.equal((await orderNow(crashed.id)).status, 'paid');
    assert.equal((await orderNow(stepped.id)).status, 'paid');
  });

  it('C26: back from a journey that left the page, with no webhook and no event, the return route confirms the order from the server, once', async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    // The customer approves in Klarna's journey, which sends them back to the return URL with its template variables filled in.
    const page = await (
      await fetch(body.paymentRequestUrl, { method: 'POST', body: new URLSearchParams({ decision: 'approve' }) })
    ).text();
    const back = new URL(
      /<a id="return" href="([^"]+)"/.exec(page)[1].replace(/&#(\d+);/g, (_, code) => String.fromCharCode(code)),
    );
    const request = shop.sim.simulator.decide(body.paymentRequestId, 'approve'); // already completed: gives its state
    assert.equal(`${back.origin}${back.pathname}`, `${shop.url}/orders/${order.id}/return`);
    assert.deepEqual(Object.fromEntries(back.searchParams), {
      payment_request_id: body.paymentRequestId,
      state: 'COMPLETED',
      klarna_network_session_token: request.sessionToken,
    });
    assert.equal((await orderNow(order.id)).status, 'pending', 'nothing has told the backend yet');
    const returned = await fetch(back, { redirect: 'manual' });
    assert.equal(returned.status, 303);
    assert.equal(
      returned.headers.get('location'),
      `/orders/${order.id}`,
      'on to the order page, without the token in its address',
    );
    assert.equal(returned.headers.get('referrer-policy'), 'no-referrer');
    assert.equal((await orderNow(order.id)).status, 'paid', 'confirmed by the time the order page loads');
    // coming back twice (a reload) authorizes nothing more
    assert.equal((await fetch(back, { redirect: 'manual' })).status, 303);
    assert.equal(
      finalAuthorizations(shop.sim).filter(
        (call) => call.headers['klarna-network-session-token'] === request.sessionToken,
      ).length,
      1,
    );
  });

  it('C26: the return route takes nothing from its URL: a token or payment request id made up there changes nothing', async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    const forged = new URLSearchParams({
      payment_request_id: body.paymentRequestId,
      state: 'COMPLETED',
      klarna_network_session_token: 'krn:network:us1:test:session-token:made-up',
    });
    assert.equal((await fetch(`${shop.url}/orders/${order.id}/return?${forged}`, { redirect: 'manual' })).status, 303);
    assert.equal((await orderNow(order.id)).status, 'pending', 'Klarna says the journey is still open');
    assert.equal(callsFor(order).length, 1, 'no final authorization with the made-up token');
    assert.equal(
      (await fetch(`${shop.url}/orders/order-${crypto.randomUUID()}/return`, { redirect: 'manual' })).status,
      303,
      'an unknown order: its page says so',
    );
  });

  it('S7 and S9: a valid webhook is acknowledged at once and processed once; a duplicate changes nothing', async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    const request = shop.sim.simulator.decide(body.paymentRequestId, 'approve');
    const event = webhook({
      payment_request_id: request.id,
      state: 'COMPLETED',
      klarna_network_session_token: request.sessionToken,
    });
    const started = performance.now();
    const first = await deliver(event);
    assert.equal(first.status, 200);
    assert.ok(performance.now() - started < 500, 'acknowledged quickly');
    const paid = await until(
      async () => ((await orderNow(order.id)).status === 'paid' ? orderNow(order.id) : undefined),
      'the order to be paid',
    );
    assert.match(paid.paymentTransactionId, /transaction/);
    const duplicate = await json(await deliver(event));
    assert.deepEqual(duplicate, { status: 200, body: { received: true, duplicate: true } });
    // out of order: a cancellation arriving after the payment never moves it backwards
    await deliver(
      webhook({ payment_request_id: request.id, state: 'CANCELED' }, { type: 'payment.request.state-change.canceled' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await orderNow(order.id)).status, 'paid');
    assert.equal(callsFor(order).length, 2, 'one step-up, one final authorization');
  });

  it('S8: a bad, missing or unknown signature, or a re-serialized body, is a 400 and changes nothing', async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    const request = shop.sim.simulator.decide(body.paymentRequestId, 'approve');
    const event = webhook({
      payment_request_id: request.id,
      state: 'COMPLETED',
      klarna_network_session_token: request.sessionToken,
    });
    const reserialized = JSON.stringify(JSON.parse(event.body), null, 2);
    const attempts = [
      { body: event.body, headers: { ...event.headers, 'Klarna-Signature': '00'.repeat(32) } },
      { body: event.body, headers: { 'Klarna-Signing-Key-Id': event.headers['Klarna-Signing-Key-Id'] } },
      { body: event.body, headers: { ...event.headers, 'Klarna-Signing-Key-Id': 'no-such-key' } },
      { body: reserialized, headers: event.headers },
      webhook({ payment_request_id: request.id }, { secret: 'not-the-secret' }),
    ];
    for (const attempt of attempts) assert.equal((await deliver(attempt)).status, 400);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await orderNow(order.id)).status, 'pending');
  });

  it('S10: during a key rotation both keys verify; a removed key is refused', async () => {
    shop.signingKeys.set('rotated-key', 'a-new-secret');
    try {
      const event = webhook(
        { payment_request_id: 'krn:payment:us1:request:unknown' },
        { keyId: 'rotated-key', secret: 'a-new-secret' },
      );
      assert.equal((await deliver(event)).status, 200);
      assert.equal((await deliver(webhook({ payment_request_id: 'krn:payment:us1:request:unknown' }))).status, 200);
    } finally {
      shop.signingKeys.delete('rotated-key');
    }
    assert.equal(
      (await deliver(webhook({ payment_request_id: 'x' }, { keyId: 'rotated-key', secret: 'a-new-secret' }))).status,
      400,
    );
  });

  it('S11: a webhook whose live flag does not match this environment is refused and logged', async () => {
    const response = await deliver(webhook({ payment_request_id: 'x' }, { live: true }));
    assert.equal(response.status, 400);
    assert.ok(logLines.some((line) => /live=true does not match this test environment/.test(line)));
  });

  it('S12: the webhook and the returning customer at the same moment authorize exactly once', async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    const request = shop.sim.simulator.decide(body.paymentRequestId, 'approve');
    await Promise.all([
      deliver(
        webhook({
          payment_request_id: request.id,
          state: 'COMPLETED',
          klarna_network_session_token: request.sessionToken,
        }),
      ),
      get(`/api/orders/${order.id}`),
      get(`/api/orders/${order.id}`),
    ]);
    await until(async () => (await orderNow(order.id)).status === 'paid', 'the order to be paid');
    assert.equal(callsFor(order).length, 2);
  });

  it("the order page's polling reads Klarna's payment request at most once every few seconds", async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    const reads = () =>
      shop.sim.simulator.log.filter(
        (call) => call.method === 'GET' && decodeURIComponent(call.path).endsWith(body.paymentRequestId),
      ).length;
    for (let poll = 0; poll < 5; poll++)
      assert.equal((await json(await get(`/api/orders/${order.id}`))).body.status, 'pending');
    assert.equal(reads(), 1);
  });

  /** Gives what `run` gives with the simulator's clock moved by `minutes`, and moves it back after. */
  async function atSimulatorTime(minutes, run) {
    const move = (advanceMinutes) => shop.sim.control('clock', { advanceMinutes });
    await move(minutes);
    try {
      return await run();
    } finally {
      await move(-minutes);
    }
  }

  it("S14: approved more than 60 minutes ago by the backend's own clock: expired without calling Klarna", async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    // completed, as far as the payment request says, 61 minutes ago
    await atSimulatorTime(-61, () => shop.sim.simulator.decide(body.paymentRequestId, 'approve'));
    const { body: view } = await json(await get(`/api/orders/${order.id}`));
    assert.equal(view.status, 'expired');
    assert.equal(callsFor(order).length, 1, 'no final authorization was attempted');
  });

  it('S14: after an expiry the customer pays again, with 60 minutes of their own', async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    await atSimulatorTime(-61, () => shop.sim.simulator.decide(body.paymentRequestId, 'approve'));
    assert.equal((await json(await get(`/api/orders/${order.id}`))).body.status, 'expired');
    const again = await json(await initiate(order, { webhook: 'lost' }));
    assert.equal(again.status, 200);
    assert.notEqual(again.body.paymentRequestId, body.paymentRequestId, 'a new payment request');
    shop.sim.simulator.decide(again.body.paymentRequestId, 'approve');
    await shop.backend.sweep();
    assert.equal((await orderNow(order.id)).status, 'paid');
  });

  it('S14: a klarna_network_session_token that Klarna finds expired expires the order with a clear reason, without retrying', async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    shop.sim.simulator.decide(body.paymentRequestId, 'approve');
    await atSimulatorTime(61, async () => {
      const { body: view } = await json(await get(`/api/orders/${order.id}`));
      assert.equal(view.status, 'expired');
      assert.match(view.reason, /more than 60 minutes ago/);
      const calls = callsFor(order).length;
      await get(`/api/orders/${order.id}`);
      assert.equal(callsFor(order).length, calls, 'no retry loop');
    });
  });

  it('S23: a payment request Klarna no longer knows (404) expires its order once, with a way out: the cart can change and a new press pays', async () => {
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    shop.sim.simulator.forget(body.paymentRequestId);
    const reads = () =>
      shop.sim.simulator.log.filter(
        (call) => call.method === 'GET' && decodeURIComponent(call.path).endsWith(body.paymentRequestId),
      ).length;
    const { body: view } = await json(await get(`/api/orders/${order.id}`));
    assert.deepEqual(
      [view.status, view.reason],
      [
        'expired',
        'Klarna no longer knows this payment request, so it can no longer be completed, and nothing was charged. Please pay again.',
      ],
    );
    assert.ok(
      logLines.includes(
        `order ${order.number}: Klarna answered 404 for payment request ${body.paymentRequestId}: it no longer knows it, so the order expired (nothing was charged)`,
      ),
    );
    await sweepLater();
    await get(`/api/orders/${order.id}`);
    assert.equal(reads(), 1, 'read once, not again and again');
    const changed = await json(await post(`/api/orders/${order.id}/lines`, { lines: [{ sku: 'mug', quantity: 2 }] }));
    assert.deepEqual([changed.status, changed.body.status, changed.body.amount], [200, 'open', 4800]);
    assert.equal((await initiate({ ...order, amount: 4800 }, { outcome: 'approve' })).status, 200);
    assert.equal((await orderNow(order.id)).status, 'paid');
  });

  it('S15: DECLINED is a 402 the shop can show; nothing is marked paid', async () => {
    const order = await newOrder();
    const { status, body } = await json(await initiate(order, { outcome: 'decline' }));
    assert.equal(status, 402);
    assert.match(body.message, /choose another payment method/);
    assert.equal((await orderNow(order.id)).status, 'declined');
  });

  it('S16: a cross-site POST is refused', async () => {
    const order = await newOrder();
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site', origin: '' }]) {
      const response = await post(
        '/api/klarna/initiate',
        { orderId: order.id, amount: order.amount, currency: 'USD' },
        { 'idempotency-key': crypto.randomUUID(), ...headers },
      );
      assert.equal(response.status, 403);
    }
    const form = await fetch(`${shop.url}/api/klarna/initiate`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: shop.url },
      body: 'orderId=x',
    });
    assert.equal(form.status, 415);
    assert.equal(callsFor(order).length, 0);
  });

  it('S17: neither the API key nor the signing key is in the bundle, the served files or the logs', async () => {
    const secrets = [shop.sim.apiKey, shop.sim.secret];
    const order = await newOrder();
    const served = [
      '/',
      '/checkout',
      `/orders/${order.id}`,
      '/api/config',
      '/api/products',
      `/api/orders/${order.id}`,
      '/assets/pay-with-klarna.js',
      '/assets/klarna-fake.mjs',
      '/storefront/klarna-sdk.js',
    ];
    for (const file of readdirSync(new URL('../../demo/storefront/', import.meta.url)))
      served.push(`/storefront/${file}`);
    const texts = await Promise.all(
      served.map(async (path) => [path, await (await fetch(`${shop.url}${path}`)).text()]),
    );
    for (const file of readdirSync(new URL('../../dist/', import.meta.url)).filter((name) => /\.m?js$/.test(name)))
      texts.push([file, readFileSync(new URL(`../../dist/${file}`, import.meta.url), 'utf8')]);
    texts.push(['logs', logLines.join('\n')]);
    for (const [where, text] of texts)
      for (const secret of secrets) assert.ok(!text.includes(secret), `a secret is in ${where}`);
    assert.ok(texts.length > 15);
  });

  it("an order's id, which opens the order, reaches Klarna only as the return URL and no log line: they get its order number", async () => {
    const paidAtOnce = await newOrder();
    await initiate(paidAtOnce, { outcome: 'approve' });
    const steppedUp = await newOrder();
    const { body } = await json(await initiate(steppedUp, { webhook: 'lost' }));
    const request = shop.sim.simulator.decide(body.paymentRequestId, 'approve');
    await deliver(
      webhook({
        payment_request_id: request.id,
        state: 'COMPLETED',
        klarna_network_session_token: request.sessionToken,
      }),
    );
    await until(async () => (await orderNow(steppedUp.id)).status === 'paid', 'the stepped-up order to be paid');
    const subscribed = await newOrder([{ sku: 'coffee-club', quantity: 1 }]);
    await initiate(subscribed, { outcome: 'approve' });
    assert.equal(
      (await post(`/api/orders/${subscribed.id}/charge`, {}, { 'idempotency-key': crypto.randomUUID() })).status,
      200,
    );
    assert.equal(
      (await post(`/api/orders/${subscribed.id}/lines`, { lines: [] }, { origin: 'https://evil.example' })).status,
      403,
    );
    const orders = [paidAtOnce, steppedUp, subscribed];
    for (const order of orders) assert.match(order.number, /^PWK-[0-9A-HJKMNP-TV-Z]{10}$/);
    assert.equal(new Set(orders.map((order) => order.number)).size, 3);
    const taken = await shop.backend.store.createOrder({
      id: `order-${crypto.randomUUID()}`,
      kind: 'purchase',
      amount: 1,
      currency: 'USD',
      lines: [],
      purchaseReference: paidAtOnce.number,
      transactionReference: 'taken-tx',
    });
    assert.equal(taken, undefined, 'an order number is never given twice');
    for (const order of orders) {
      const calls = shop.sim.simulator.log.filter((call) => JSON.stringify(call).includes(order.number));
      assert.ok(calls.length >= (order === paidAtOnce ? 1 : 2), `Klarna got ${order.number}`);
      for (const call of shop.sim.simulator.log) {
        const returnUrl = call.body?.step_up_config?.customer_interaction_config?.return_url;
        if (returnUrl?.includes(order.id)) assert.equal(returnUrl, returnUrlOf(order));
        const { return_url, ...interaction } = call.body?.step_up_config?.customer_interaction_config ?? {};
        const rest = {
          ...call,
          body: {
            ...call.body,
            step_up_config: { ...call.body?.step_up_config, customer_interaction_config: interaction },
          },
        };
        assert.ok(
          !JSON.stringify(rest).includes(order.id),
          `${order.number}'s id went to Klarna in ${call.method} ${call.path}`,
        );
      }
      assert.ok(!logLines.some((line) => line.includes(order.id)), `${order.number}'s id is in a log line`);
    }
    assert.ok(
      logLines.some((line) => line.includes(steppedUp.number)),
      'the logs name orders by number',
    );
    assert.ok(
      logLines.some((line) => line === 'refused a cross-site POST to /api/orders/…/lines from https://evil.example'),
    );
    assert.equal((await json(await get(`/api/orders/${subscribed.id}`))).body.number, subscribed.number);
  });

  it('S18: a burst of concurrent initiates: no errors, no duplicate payments', async () => {
    const orders = await Promise.all(Array.from({ length: 20 }, () => newOrder()));
    const answers = await Promise.all(orders.map((order) => initiate(order)));
    assert.deepEqual(
      answers.map((response) => response.status),
      orders.map(() => 200),
    );
    const same = orders[0];
    const key = crypto.randomUUID();
    const body = {
      orderId: same.id,
      amount: same.amount,
      currency: 'USD',
      paymentOptionId: 'KLARNA',
      klarnaNetworkSessionToken: token(),
    };
    const fresh = await newOrder();
    const burst = await Promise.all(
      Array.from({ length: 20 }, () =>
        post('/api/klarna/initiate', { ...body, orderId: fresh.id }, { 'idempotency-key': key }),
      ),
    );
    const statuses = burst.map((response) => response.status);
    assert.ok(
      statuses.every((status) => status === 200 || status === 409),
      statuses.join(),
    );
    assert.equal(callsFor(fresh).length, 1, 'one payment request for one attempt');
    // and many attempts (different keys) on one order at once still open one payment request
    const contested = await newOrder();
    const attempts = await Promise.all(Array.from({ length: 10 }, () => initiate(contested)));
    assert.ok(attempts.every((response) => response.status === 200 || response.status === 409));
    assert.equal(callsFor(contested).length, 1);
  });

  it('a subscription period is charged once, however many times the button is pressed at once', async () => {
    const order = await newOrder([{ sku: 'coffee-club', quantity: 1 }]);
    await initiate(order, { outcome: 'approve' });
    const presses = await Promise.all(
      Array.from({ length: 5 }, () =>
        post(`/api/orders/${order.id}/charge`, {}, { 'idempotency-key': crypto.randomUUID() }),
      ),
    );
    // Each press gets period 2's approval, or, once it is recorded, the answer that period 3 is not due.
    const answers = await Promise.all(
      presses.map(async (response) => [response.status, (await response.json()).period]),
    );
    assert.ok(
      answers.some(([status]) => status === 200),
      JSON.stringify(answers),
    );
    for (const answer of answers)
      assert.ok(
        [
          [200, 2],
          [409, 3],
        ].some((allowed) => allowed.join() === answer.join()),
        JSON.stringify(answers),
      );
    const charges = await shop.backend.store.charges(order.id);
    assert.deepEqual(
      charges.map((charge) => [charge.period, charge.status]),
      [[2, 'approved']],
    );
    const chargeCalls = shop.sim.simulator.log.filter(
      (call) =>
        call.headers['klarna-customer-token'] &&
        call.body.request_payment_transaction.payment_transaction_reference.startsWith(order.number),
    );
    assert.equal(new Set(chargeCalls.map((call) => call.headers['klarna-idempotency-key'])).size, 1);
  });

  it('live, the order page offers no charge and the route is gone: a scheduler charges, not whoever has the URL', async () => {
    const live = await startShop({ live: true });
    try {
      const api = shopApi(() => live);
      const order = await api.newOrder([{ sku: 'coffee-club', quantity: 1 }]);
      await api.initiate(order, { outcome: 'approve' });
      assert.equal((await api.json(await api.get(`/api/orders/${order.id}`))).body.renewFromPage, false);
      const press = await api.post(`/api/orders/${order.id}/charge`, {}, { 'idempotency-key': crypto.randomUUID() });
      assert.equal(press.status, 404);
      assert.equal(
        live.sim.simulator.log.filter((call) => call.headers['klarna-customer-token']).length,
        0,
        'Klarna was not asked to charge',
      );
    } finally {
      await live.stop();
    }
    // and in the test environment the button is there
    const order = await newOrder([{ sku: 'coffee-club', quantity: 1 }]);
    assert.equal((await json(await get(`/api/orders/${order.id}`))).body.renewFromPage, true);
  });

  it('answers with nosniff and same-origin framing only, and the API is never cached', async () => {
    const order = await newOrder();
    for (const path of [
      '/',
      '/checkout',
      `/orders/${order.id}`,
      '/assets/pay-with-klarna.js',
      `/api/orders/${order.id}`,
    ]) {
      const response = await get(path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('x-frame-options'), 'SAMEORIGIN', path);
      // Klarna's journey may open a popup that reports back to the page: no opener policy cuts it off
      assert.equal(response.headers.get('cross-origin-opener-policy'), null, path);
      assert.equal(response.headers.get('x-powered-by'), null, path);
      await response.arrayBuffer();
    }
    assert.equal((await get(`/api/orders/${order.id}`)).headers.get('cache-control'), 'no-store');
  });

  /** A subscription bought now (paid at once with a customer token), and its charge calls to Klarna. */
  const subscription = async () => {
    const order = await newOrder([{ sku: 'coffee-club', quantity: 1 }]);
    await initiate(order, { outcome: 'approve' });
    const charges = () =>
      shop.sim.simulator.log.filter((call) =>
        call.body?.request_payment_transaction?.payment_transaction_reference?.startsWith(`${order.number}-period-`),
      );
    return { order, charges };
  };
  const charge = (order) => post(`/api/orders/${order.id}/charge`, {}, { 'idempotency-key': crypto.randomUUID() });

  it('offline, a period may be charged at most one period ahead of its due date; pressing again is refused with the date', async () => {
    const { order, charges } = await subscription();
    assert.equal((await charge(order)).status, 200);
    const early = await json(await charge(order));
    assert.equal(early.status, 409);
    const due = new Date((await orderNow(order.id)).createdAt);
    due.setUTCMonth(due.getUTCMonth() + 2);
    assert.equal(
      early.body.error,
      `Period 3 is due on ${due.toISOString().slice(0, 10)}; it cannot be charged before then.`,
    );
    assert.equal(charges().length, 1, 'Klarna was not asked');
  });

  it("periods fall on the plan's day of the month, or the last day of a shorter month, counted from the start", () => {
    const monthly = { interval: 'MONTH', frequency: 1 };
    const dates = [1, 2, 3, 12].map((count) =>
      afterIntervals(new Date('2027-01-31T10:00:00Z'), monthly, count).toISOString().slice(0, 10),
    );
    assert.deepEqual(dates, ['2027-02-28', '2027-03-31', '2027-04-30', '2028-01-31']);
    assert.equal(
      afterIntervals(new Date('2028-02-29T10:00:00Z'), { interval: 'YEAR', frequency: 1 }, 1)
        .toISOString()
        .slice(0, 10),
      '2029-02-28',
    );
  });

  it('with credentials, a period is charged only once it is due', async () => {
    const { order, charges } = await subscription();
    const { payments } = shop.backend;
    const start = new Date((await orderNow(order.id)).createdAt);
    const dueAt = new Date(start);
    dueAt.setUTCMonth(dueAt.getUTCMonth() + 1);
    assert.deepEqual(
      await payments.chargeNextPeriod(await orderNow(order.id), { now: new Date(dueAt.getTime() - 1000) }),
      { kind: 'not-due', period: 2, dueAt: dueAt.toISOString() },
    );
    assert.equal(charges().length, 0);
    const paid = await payments.chargeNextPeriod(await orderNow(order.id), { now: dueAt });
    assert.equal(paid.kind, 'approved');
    assert.equal(paid.period, 2);
    assert.equal(
      (await payments.chargeNextPeriod(await orderNow(order.id), { now: dueAt })).kind,
      'not-due',
      'period 3 is a month later',
    );
  });

  const chargeRows = async (order) =>
    (await shop.backend.store.charges(order.id)).map((row) => [row.period, row.attempt, row.status]);

  it('a charge whose answer cannot be read is not recorded as declined: the next press repeats the same charge', async () => {
    const { order, charges } = await subscription();
    await failNext('garbled', order);
    const unknown = await json(await charge(order));
    assert.equal(unknown.status, 503);
    assert.match(unknown.body.message, /Nothing is charged twice/);
    assert.deepEqual(await chargeRows(order), [[2, 1, 'unknown']]);
    const again = await json(await charge(order));
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'approved');
    assert.deepEqual(await chargeRows(order), [[2, 1, 'approved']], 'the same attempt, now with its outcome');
    assert.equal(charges().length, 2);
    assert.equal(
      new Set(charges().map((call) => call.headers['klarna-idempotency-key'])).size,
      1,
      'the repeat is the same Klarna request',
    );
  });

  it('a charge whose outcome could not be stored (the database lost mid-request) stays unknown: the next press repeats it', async () => {
    const { order, charges } = await subscription();
    const lost = await whileStoreFails(
      'addCharge',
      (row) => row.orderId === order.id && row.status !== 'unknown',
      () => charge(order),
    );
    assert.equal(lost.status, 500);
    assert.deepEqual(await chargeRows(order), [[2, 1, 'unknown']], 'recorded as unknown before Klarna was called');
    assert.equal((await json(await charge(order))).body.status, 'approved');
    assert.deepEqual(await chargeRows(order), [[2, 1, 'approved']]);
    assert.equal(
      new Set(charges().map((call) => call.headers['klarna-idempotency-key'])).size,
      1,
      'one Klarna request: one charge',
    );
  });

  it('a charge crashed mid-call is not repeated 23 hours later either: the window runs from that first try', async () => {
    const { order, charges } = await subscription();
    assert.equal(
      (
        await whileStoreFails(
          'addCharge',
          (row) => row.orderId === order.id && row.status !== 'unknown',
          () => charge(order),
        )
      ).status,
      500,
    );
    await shop.backend.store.sql.query(
      "update charges set created_at = now() - interval '23 hours 1 minute' where order_id = $1",
      [order.id],
    );
    assert.equal((await charge(order)).status, 409);
    assert.equal(charges().length, 1);
  });

  it('a refused first try of a charge stays unknown too: a press racing it may have sent its key and been charged', async () => {
    const { order, charges } = await subscription();
    await refuseNext(order);
    assert.equal((await charge(order)).status, 503);
    assert.deepEqual(await chargeRows(order), [[2, 1, 'unknown']]);
    assert.equal((await json(await charge(order))).body.status, 'approved');
    assert.deepEqual(await chargeRows(order), [[2, 1, 'approved']]);
    assert.equal(
      new Set(charges().map((call) => call.headers['klarna-idempotency-key'])).size,
      1,
      'the same key, not a fresh attempt',
    );
  });

  it('a refusal of a charge repeat (429 through the retries) is no refusal of the charge: it stays unknown, and the next press repeats it', async () => {
    const { order, charges } = await subscription();
    await failNext('garbled', order);
    assert.equal((await charge(order)).status, 503);
    await refuseNext(order);
    assert.equal((await charge(order)).status, 503);
    assert.deepEqual(await chargeRows(order), [[2, 1, 'unknown']], 'not failed: a fresh attempt could charge twice');
    assert.equal((await json(await charge(order))).body.status, 'approved');
    assert.deepEqual(await chargeRows(order), [[2, 1, 'approved']]);
    assert.equal(new Set(charges().map((call) => call.headers['klarna-idempotency-key'])).size, 1);
  });

  it('a charge still unanswered after 23 hours is neither repeated nor tried afresh: the operator checks it', async () => {
    const { order, charges } = await subscription();
    await failNext('garbled', order);
    assert.equal((await charge(order)).status, 503);
    await shop.backend.store.sql.query(
      "update charges set created_at = now() - interval '23 hours 1 minute' where order_id = $1",
      [order.id],
    );
    const reference = `${order.number}-period-2-1`;
    for (let press = 0; press < 2; press++) {
      const refused = await json(await charge(order));
      assert.equal(refused.status, 409);
      assert.match(
        refused.body.error,
        new RegExp(
          `^Klarna never confirmed period 2's charge of \\d{4}-\\d{2}-\\d{2}\\. Check transaction reference ${reference} in the Klarna Portal before charging again\\.$`,
        ),
      );
    }
    assert.equal(
      charges().length,
      1,
      'Klarna was asked once: neither the same key after its 24 hours nor a new attempt',
    );
    assert.deepEqual(await chargeRows(order), [[2, 1, 'unknown']]);
    assert.ok(
      logLines.some(
        (line) =>
          line.startsWith(`order ${order.number}: period 2: no answer from Klarna since`) && line.includes(reference),
      ),
      'logged for the operator',
    );
  });

  it('a decline saying the customer token is no longer usable ends the subscription: the token is forgotten, and a press is refused without calling Klarna', async () => {
    // the customer withdrew consent (Klarna forgets the token), or Klarna names the token in another reason
    const revoked = await subscription();
    await shop.sim.control('revoke', { reference: revoked.order.number });
    const expired = await subscription();
    await shop.sim.control('fail', {
      count: 1,
      mode: 'decline',
      reason: 'CUSTOMER_TOKEN_EXPIRED',
      match: expired.order.number,
    });
    for (const [{ order, charges }, reason] of [
      [revoked, 'CUSTOMER_TOKEN_INVALID'],
      [expired, 'CUSTOMER_TOKEN_EXPIRED'],
    ]) {
      const declined = await json(await charge(order));
      assert.equal(declined.status, 402);
      assert.deepEqual([declined.body.status, declined.body.period, declined.body.reason], ['declined', 2, reason]);
      const { body: view } = await json(await get(`/api/orders/${order.id}`));
      assert.equal(view.subscriptionActive, false);
      assert.equal(view.status, 'paid', 'the first period stays paid');
      assert.ok(
        view.events.some(
          (event) =>
            event.text ===
            `Subscription ended: Klarna declined period 2 (${reason}), so its customer token can no longer be charged; it is forgotten, and no further period is charged.`,
        ),
        JSON.stringify(view.events),
      );
      assert.equal((await orderNow(order.id)).customerToken, null);
      for (let press = 0; press < 2; press++) {
        const refused = await json(await charge(order));
        assert.equal(refused.status, 409);
        assert.equal(
          refused.body.error,
          `This subscription has ended: Klarna declined period 2 (${reason}), so its customer token can no longer be charged. The customer can subscribe again.`,
        );
      }
      assert.equal(charges().length, 1, 'Klarna was asked once: the decline is not replayed');
      assert.deepEqual(await chargeRows(order), [[2, 1, 'declined']]);
    }
  });

  it('a declined period is tried at most three times, once per press and never by itself; then a press is refused without calling Klarna', async () => {
    const { order, charges } = await subscription();
    await shop.sim.control('fail', { count: 3, mode: 'decline', match: order.number });
    for (let press = 1; press <= 3; press++) {
      const declined = await json(await charge(order));
      assert.equal(declined.status, 402);
      assert.deepEqual(
        [declined.body.status, declined.body.period, declined.body.reason],
        ['declined', 2, 'PAYMENT_DECLINED'],
      );
      assert.equal(charges().length, press, 'one Klarna call per press, no retry of its own');
    }
    assert.deepEqual(await chargeRows(order), [
      [2, 1, 'declined'],
      [2, 2, 'declined'],
      [2, 3, 'declined'],
    ]);
    assert.equal(new Set(charges().map((call) => call.headers['klarna-idempotency-key'])).size, 3, 'three attempts');
    for (let press = 0; press < 2; press++) {
      const refused = await json(await charge(order));
      assert.equal(refused.status, 409);
      assert.equal(
        refused.body.error,
        'Klarna declined period 2 three times; it is not tried again. Ask the customer to check their Klarna payment method, or end the subscription.',
      );
    }
    assert.equal(charges().length, 3, 'no fourth call: the simulator would have approved it');
    const { body: view } = await json(await get(`/api/orders/${order.id}`));
    assert.equal(view.subscriptionActive, true, 'such declines do not end the subscription');
    assert.ok(
      view.events.some((event) => event.text === 'Period 2: Klarna declined all 3 attempts; it is not tried again.'),
      JSON.stringify(view.events),
    );
  });

  it('a charge is answered within the same bound as an initiate: past it, a retryable 503, while the same charge goes on to its outcome', async () => {
    const bounded = await startShop({ requestBoundMs: 500 });
    try {
      const api = shopApi(() => bounded);
      const order = await api.newOrder([{ sku: 'coffee-club', quantity: 1 }]);
      await api.initiate(order, { outcome: 'approve' });
      // Klarna's first try hangs until the backend's 2 s timeout; its retry is answered
      await bounded.sim.control('fail', { count: 1, mode: 'hang', match: order.number });
      const started = performance.now();
      const first = await api.json(
        await api.post(`/api/orders/${order.id}/charge`, {}, { 'idempotency-key': crypto.randomUUID() }),
      );
      assert.ok(performance.now() - started < 1500, `answered after ${Math.round(performance.now() - started)} ms`);
      assert.equal(first.status, 503);
      assert.match(first.body.message, /Nothing is charged twice/);
      const rows = async () =>
        (await bounded.backend.store.charges(order.id)).map((row) => [row.period, row.attempt, row.status]);
      await until(async () => (await rows()).join() === [2, 1, 'approved'].join(), 'the charge to go on to its answer');
      const calls = bounded.sim.simulator.log.filter((call) =>
        call.body?.request_payment_transaction?.payment_transaction_reference?.startsWith(`${order.number}-period-`),
      );
      assert.equal(calls.length, 2, "the hung try and the client's retry of it");
      assert.equal(new Set(calls.map((call) => call.headers['klarna-idempotency-key'])).size, 1);
      const next = await api.json(
        await api.post(`/api/orders/${order.id}/charge`, {}, { 'idempotency-key': crypto.randomUUID() }),
      );
      assert.deepEqual([next.status, next.body.period], [409, 3], 'period 2 is charged; period 3 is not due');
    } finally {
      await bounded.stop();
    }
  });
});

describe('the database of an earlier version', () => {
  it("gains the attempt columns and the order numbers' unique index on start, and an order that may have sent its final authorization counts as having sent it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pwk-old-db-'));
    try {
      const old = await openDatabase({ dataDir, log: () => {} });
      // as the version before these columns left it: an order back to pending after a final authorization
      for (const column of ['attempt_started_at', 'final_sent_at'])
        await old.query(`alter table orders drop column ${column}`);
      await old.query(
        `insert into orders (id, kind, status, amount, currency, lines, purchase_reference, transaction_reference, completed_at)
         values ('old', 'purchase', 'pending', 100, 'USD', '[]', 'p', 't', now() - interval '30 minutes'), ('fresh', 'purchase', 'open', 100, 'USD', '[]', 'p2', 't2', null)`,
      );
      await old.close();
      const sql = await openDatabase({ dataDir, log: () => {} });
      const rows = await sql.query(
        'select id, attempt_started_at, final_sent_at = completed_at as repeats from orders order by id',
      );
      const again = await new Store(sql).createOrder({
        id: 'newer',
        kind: 'purchase',
        amount: 100,
        currency: 'USD',
        lines: [],
        purchaseReference: 'p',
        transactionReference: 't3',
      });
      await sql.close();
      assert.deepEqual(
        rows.map((row) => [row.id, row.attempt_started_at, row.repeats]),
        [
          ['fresh', null, null],
          ['old', null, true],
        ],
      );
      assert.equal(again, undefined, 'an order number already taken before the unique index is not given again');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
