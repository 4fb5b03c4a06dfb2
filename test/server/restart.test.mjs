import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { newSessionToken } from '../../demo/server/simulator.ts';
import { until } from '../e2e/support/shop.mjs';
import { startStorefront, stopStorefront } from '../support/storefront-process.mjs';

/** S23: `npm start` offline (the server and its Klarna simulator) restarted in the middle of a payment. */
describe('the offline storefront restarted mid-payment', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pwk-restart-'));
  const runs = [];
  after(async () => {
    await Promise.all(runs.map((run) => stopStorefront(run, 'SIGKILL')));
    rmSync(dataDir, { recursive: true, force: true });
  });
  const start = async () => {
    const run = await startStorefront({ DATA_DIR: dataDir });
    runs.push(run);
    assert.ok(run.url, run.output);
    return run;
  };
  const post = (url, path, body, headers = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url, ...headers },
      body: JSON.stringify(body),
    });
  const press = async (url, order) =>
    (
      await post(
        url,
        '/api/klarna/initiate',
        {
          orderId: order.id,
          amount: order.amount,
          currency: 'USD',
          paymentOptionId: 'KLARNA',
          klarnaNetworkSessionToken: newSessionToken('step-up', 'lost'),
        },
        { 'idempotency-key': crypto.randomUUID() },
      )
    ).json();

  it('the payment under way goes on: the same payment request, a journey that opens, and the order paid once the customer approves', async () => {
    let run = await start();
    const order = await (await post(run.url, '/api/orders', { lines: [{ sku: 'headphones', quantity: 1 }] })).json();
    const first = await press(run.url, order);
    assert.match(first.paymentRequestId, /^krn:payment:us1:request:/);
    assert.equal(await stopStorefront(run), 0);

    run = await start();
    // The customer presses again: the payment request Klarna opened before the restart, not a new one.
    const again = await press(run.url, order);
    assert.equal(again.paymentRequestId, first.paymentRequestId);
    const journey = await fetch(again.paymentRequestUrl);
    assert.equal(journey.status, 200);
    assert.match(await journey.text(), /Pay \$118\.00/);
    // The customer approves in Klarna's journey (its webhook is lost): the order page's look finalizes it.
    const decided = await fetch(again.paymentRequestUrl, {
      method: 'POST',
      body: new URLSearchParams({ decision: 'approve' }),
      headers: { origin: new URL(again.paymentRequestUrl).origin },
    });
    assert.equal(decided.status, 200);
    await until(
      async () => (await (await fetch(`${run.url}/api/orders/${order.id}`)).json()).status === 'paid',
      'the order to be paid after the restart',
    );
    assert.doesNotMatch(run.output, /failed|404/, 'no read of a forgotten payment request');
  });
});
