import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shopApi, startShop, until } from '../e2e/support/shop.mjs';

/**
 * A klarna_network_session_token approved for one order never pays another: Klarna's APPROVED must be for this
 * order's amount, currency and transaction reference, and one Klarna transaction pays one order only.
 */
describe('an approval pays the order it was given for, and no other', () => {
  describe('with the Klarna simulator', () => {
    let shop;
    const logLines = [];
    before(async () => {
      shop = await startShop({ log: (line) => logLines.push(line) });
    });
    after(() => shop?.stop());
    const { json, newOrder, initiate, get } = shopApi(() => shop);
    const orderNow = (id) => shop.backend.store.order(id);

    it("a $24 order's completion token, pressed for an $11,682 order, is refused and pays nothing", async () => {
      const mug = await newOrder([{ sku: 'mug', quantity: 1 }]);
      const { body } = await json(await initiate(mug));
      const request = shop.sim.simulator.decide(body.paymentRequestId, 'approve');
      // the customer is back from the journey: the return URL settles the order at once
      await get(`/orders/${mug.id}/return?payment_request_id=${body.paymentRequestId}`);
      const paidMug = await until(async () => {
        const now = await orderNow(mug.id);
        return now.status === 'paid' && now;
      }, 'the mug order to be paid');
      assert.match(request.sessionToken, /:fin\./);

      const big = await newOrder([{ sku: 'headphones', quantity: 99 }]);
      assert.equal(big.amount, 1168200);
      const pressed = await json(await initiate(big, { klarnaNetworkSessionToken: request.sessionToken }));
      assert.notEqual(pressed.status, 200, 'not answered as paid');
      const now = await orderNow(big.id);
      assert.notEqual(now.status, 'paid');
      assert.notEqual(now.paymentTransactionId, paidMug.paymentTransactionId);
      assert.equal((await orderNow(mug.id)).status, 'paid', 'the mug order stays paid');
    });
  });

  describe("with a Klarna that approves what it should not (the backend's own checks)", () => {
    /** A stand-in for Klarna whose answers each test sets: `answer(body, headers)` gives the JSON. */
    let answer;
    let klarna;
    let shop;
    const logLines = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'pwk-approval-'));
    const fake = {
      apiKey: 'fake-key',
      signingKeyId: 'fake-signing-key',
      secret: 'fake-secret',
      simulator: { log: [] },
    };
    before(async () => {
      klarna = http.createServer(async (request, response) => {
        let raw = '';
        for await (const chunk of request) raw += chunk;
        const reply = answer(raw ? JSON.parse(raw) : undefined, request.headers, request.url);
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
      });
      await new Promise((resolve) => klarna.listen(0, '127.0.0.1', resolve));
      fake.url = `http://127.0.0.1:${klarna.address().port}`;
      const backend = await startShop.backend({
        sim: fake,
        dataDir,
        port: 0,
        log: (line) => logLines.push(line),
        signingKeys: new Map([[fake.signingKeyId, fake.secret]]),
      });
      shop = { backend, sim: fake, url: backend.url };
    });
    after(async () => {
      await shop?.backend.stop();
      await new Promise((resolve) => klarna.close(resolve));
      rmSync(dataDir, { recursive: true, force: true });
    });
    const { json, newOrder, initiate, webhook, deliver } = shopApi(() => shop);
    const orderNow = (id) => shop.backend.store.order(id);
    const approve = (transaction) => ({
      payment_transaction_response: { result: 'APPROVED', payment_transaction: transaction },
    });
    /** Klarna's APPROVED as it answers for `body`, with these fields changed. */
    const approvedFor = (body, changes = {}) =>
      approve({
        payment_transaction_id: `krn:payment:us1:transaction:${crypto.randomUUID()}`,
        payment_transaction_reference: body.request_payment_transaction.payment_transaction_reference,
        amount: body.request_payment_transaction.amount,
        currency: body.currency,
        ...changes,
      });

    it('an APPROVED for another amount, currency or transaction reference is a refusal with its reason, logged', async () => {
      for (const changes of [
        { amount: 2400 },
        { currency: 'EUR' },
        { payment_transaction_reference: 'PWK-OTHER-tx' },
      ]) {
        answer = (body) => approvedFor(body, changes);
        const order = await newOrder([{ sku: 'headphones', quantity: 99 }]);
        const { status, body } = await json(await initiate(order, { outcome: 'approve' }));
        assert.equal(status, 402, JSON.stringify(changes));
        assert.equal(body.error, 'declined');
        const now = await orderNow(order.id);
        assert.equal(now.status, 'declined');
        assert.equal(now.paymentTransactionId, null);
        assert.match(now.reason, /approval was for another purchase/);
        assert.ok(
          logLines.some((line) => line.includes(order.number) && line.includes('APPROVED answer refused')),
          'the operator is told',
        );
      }
    });

    it('one Klarna transaction pays one order: a second order given the same transaction id is not paid', async () => {
      const transactionId = `krn:payment:us1:transaction:${crypto.randomUUID()}`;
      answer = (body) => approvedFor(body, { payment_transaction_id: transactionId });
      const first = await newOrder();
      assert.equal((await initiate(first, { outcome: 'approve' })).status, 200);
      assert.equal((await orderNow(first.id)).paymentTransactionId, transactionId);
      const second = await newOrder();
      const { status } = await initiate(second, { outcome: 'approve' });
      assert.equal(status, 402);
      const now = await orderNow(second.id);
      assert.notEqual(now.status, 'paid');
      assert.equal(now.paymentTransactionId, null);
      assert.ok(
        logLines.some((line) => line.includes(second.number) && line.includes('has paid another order already')),
      );
      assert.equal((await orderNow(first.id)).status, 'paid');
    });

    it("the final authorization's APPROVED for another amount does not pay the order", async () => {
      const requestId = `pr-${crypto.randomUUID()}`;
      answer = (body, headers) =>
        String(headers['klarna-network-session-token']).includes(':fin.')
          ? approvedFor(body, { amount: 2400 })
          : {
              payment_transaction_response: { result: 'STEP_UP_REQUIRED' },
              payment_request: {
                payment_request_id: requestId,
                state: 'SUBMITTED',
                state_context: {
                  customer_interaction: {
                    method: 'SDK',
                    payment_request_id: requestId,
                    payment_request_url: `${fake.url}/journey/${requestId}`,
                  },
                },
              },
            };
      const order = await newOrder([{ sku: 'headphones', quantity: 99 }]);
      assert.equal((await initiate(order)).status, 200);
      assert.equal((await orderNow(order.id)).status, 'pending');
      const token = `krn:network:us1:test:session-token:fin.${crypto.randomUUID()}`;
      assert.equal(
        (
          await deliver(
            webhook({ payment_request_id: requestId, state: 'COMPLETED', klarna_network_session_token: token }),
          )
        ).status,
        200,
      );
      const settled = await until(async () => {
        const now = await orderNow(order.id);
        return !['pending', 'finalizing'].includes(now.status) && now;
      }, 'the final authorization to settle the order');
      assert.equal(settled.status, 'declined');
      assert.equal(settled.paymentTransactionId, null);
      assert.match(settled.reason, /approval was for another purchase/);
    });
  });
});
