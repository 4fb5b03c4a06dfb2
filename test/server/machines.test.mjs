import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator } from '../../demo/server/main.ts';
import { finalAuthorizations, shopApi } from '../e2e/support/shop.mjs';
import { startBackendProcess } from '../support/backend-process.mjs';
import { startPostgres } from '../support/postgres.mjs';

/**
 * S24: the reference backend on two machines, here two processes, behind one load balancer and on
 * one PostgreSQL server: the webhook, the returning customer and both sweeps race across them,
 * and one of them is killed with `kill -9` in the middle of three Klarna calls (a first
 * authorization, a final authorization and a subscription charge).
 */
describe('two backend processes on one PostgreSQL server, one killed mid-flow', () => {
  let postgres;
  let sim;
  const machines = {};
  before(async () => {
    postgres = await startPostgres();
    sim = await startSimulator({ retryDelaysMs: [200, 400, 800, 1600], webhookDelayMs: 500 });
    // Each has its own partner account id, so that Klarna's log says which one made a call.
    const start = (name) =>
      startBackendProcess({
        databaseUrl: postgres.url,
        publicUrl: 'https://shop.test',
        mode: 'simulator',
        klarna: {
          baseUrl: sim.url,
          apiKey: sim.apiKey,
          partnerAccountId: `krn:partner:global:account:test:${name}`,
          clientId: 'klarna_test_client_offline_simulator',
          signingKeys: [[sim.signingKeyId, sim.secret]],
          retryDelaysMs: [50, 100],
          timeoutMs: 2000,
        },
        sweepMs: 300,
        stuckAfterMs: 3000,
      });
    [machines.a, machines.b] = await Promise.all([start('A'), start('B')]);
    sim.webhookUrl = `${machines.a.url}/api/klarna/webhooks`;
  });
  after(async () => {
    // DEBUG_MACHINES=1 prints what each machine logged
    if (process.env.DEBUG_MACHINES)
      for (const [name, machine] of Object.entries(machines)) console.log(`${name}:\n${machine.lines.join('\n')}`);
    await Promise.all(Object.values(machines).map((machine) => machine.kill()));
    await sim?.stop();
    await postgres?.stop();
  });

  // both behind one public origin, as two machines behind a load balancer are
  const a = shopApi(() => ({ url: machines.a.url, sim, origin: 'https://shop.test' }));
  const b = shopApi(() => ({ url: machines.b.url, sim, origin: 'https://shop.test' }));
  /** The machine whose Klarna call this was. */
  const caller = (call) => /account:test:([AB])\//.exec(decodeURIComponent(call.path))?.[1];
  const orderAtB = async (order) => (await b.json(await b.get(`/api/orders/${order.id}`))).body;
  /** Waits (polling the survivor, as a returning customer's page would) until `check` holds, up to 60 s. */
  async function eventually(check, what) {
    for (const started = Date.now(); Date.now() - started < 60_000;) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`timed out waiting for ${what}`);
  }
  const charge = (api, order, key = crypto.randomUUID()) =>
    api.post(`/api/orders/${order.id}/charge`, {}, { 'idempotency-key': key });
  const chargeCalls = (order) =>
    sim.simulator.log.filter(
      (call) =>
        call.headers['klarna-customer-token'] &&
        call.body?.request_payment_transaction?.payment_transaction_reference?.startsWith(`${order.number}-period-`),
    );

  it('exactly one final authorization per order, one charge per period, no order lost, and Idempotency-Keys honoured across them', async () => {
    // Step-up orders placed and pressed at either machine, and subscriptions paid at once.
    const orders = await Promise.all(Array.from({ length: 10 }, (_, index) => [a, b][index % 2].newOrder()));
    const requests = await Promise.all(
      orders.map(
        async (order, index) =>
          (await [a, b][index % 2].json(await [a, b][index % 2].initiate(order))).body.paymentRequestId,
      ),
    );
    const subscriptions = await Promise.all(
      [a, b, a].map((api) => api.newOrder([{ sku: 'coffee-club', quantity: 1 }])),
    );
    await Promise.all(
      subscriptions.map(async (order, index) =>
        assert.equal((await [a, b][index % 2].initiate(order, { outcome: 'approve' })).status, 200),
      ),
    );
    // Period 2 of the first subscription, pressed at both machines at once, twice each.
    const presses = await Promise.all([a, b, a, b].map(async (api) => (await charge(api, subscriptions[0])).status));
    assert.ok(presses.includes(200) && presses.every((status) => status === 200 || status === 409), presses.join());

    // From here, Klarna holds every call machine A makes: A is mid-call on all it does when it dies.
    await sim.control('fail', { count: 1_000_000, mode: 'hang', match: 'test%3AA/payment/' });
    const callsOfA = (order) =>
      sim.simulator.log.filter(
        (call) => caller(call) === 'A' && JSON.stringify(call.body ?? '').includes(order.number),
      );
    // A press at A (its element will retry it at B with the same Idempotency-Key), a charge at A...
    const pressed = await b.newOrder([{ sku: 'backpack', quantity: 1 }]);
    const press = {
      orderId: pressed.id,
      amount: pressed.amount,
      currency: 'USD',
      paymentOptionId: 'KLARNA',
      klarnaNetworkSessionToken: a.token('approve'),
    };
    const pressKey = crypto.randomUUID();
    // (each ends when A dies: caught at once, so that no rejection waits unhandled)
    const underWay = [
      a.post('/api/klarna/initiate', press, { 'idempotency-key': pressKey }),
      charge(a, subscriptions[1]),
    ].map((request) => request.catch((error) => error));
    // ...and the customers approve in Klarna's journeys: the webhooks go to A, the customers come back to B.
    for (const request of requests) sim.simulator.decide(request, 'approve');
    underWay.push(...orders.map((order) => b.get(`/api/orders/${order.id}`).catch((error) => error)));
    await eventually(
      () =>
        callsOfA(pressed).length && callsOfA(subscriptions[1]).length && orders.some((order) => callsOfA(order).length),
      'A to be waiting on Klarna for a press, a charge and a final authorization',
    );
    const finalizingAtA = orders.filter((order) => callsOfA(order).length);

    // A dies with all that under way; the load balancer sends everything to B from now on.
    assert.equal(await machines.a.kill('SIGKILL'), 'SIGKILL');
    sim.webhookUrl = `${machines.b.url}/api/klarna/webhooks`;
    await sim.control('fail', { count: 0 });
    await Promise.all(underWay);

    // The element retries the press at B with its key: refused while A's claim on it may still be running...
    const retried = await b.json(await b.post('/api/klarna/initiate', press, { 'idempotency-key': pressKey }));
    assert.deepEqual(
      [retried.status, retried.body.error],
      [409, 'A request with this Idempotency-Key is still running.'],
    );
    // ...and once that claim is older than any request runs (2 minutes: moved back here), served: the same Klarna call, or its outcome.
    await postgresQuery("update idempotency_keys set created_at = now() - interval '3 minutes' where key = $1", [
      `initiate:${pressKey}`,
    ]);
    const served = await b.json(await b.post('/api/klarna/initiate', press, { 'idempotency-key': pressKey }));
    assert.deepEqual(served, {
      status: 200,
      body: { returnUrl: `https://shop.test/orders/${pressed.id}`, orderId: pressed.id },
    });
    // The charge A left unanswered is repeated by the next press, at B.
    let repeated;
    await eventually(
      async () => (repeated = await b.json(await charge(b, subscriptions[1]))).status === 200,
      'the held charge to be repeated at B',
    );
    assert.equal(repeated.body.period, 2);

    // No order is lost: every one is paid, B's sweep and the returning customers finishing what A left.
    const all = [...orders, pressed];
    await eventually(
      async () => (await Promise.all(all.map(orderAtB))).every((order) => order.status === 'paid'),
      'every order to be paid',
    );

    // Exactly one final authorization per order: one Klarna-Idempotency-Key (the repeats of A's held call reuse it) and one transaction.
    for (const order of orders) {
      const finals = finalAuthorizations(sim).filter(
        (call) => call.body.supplementary_purchase_data.purchase_reference === order.number,
      );
      assert.equal(
        new Set(finals.map((call) => call.headers['klarna-idempotency-key'])).size,
        1,
        `${order.number}: ${finals.length} final calls`,
      );
      assert.match((await orderAtB(order)).paymentTransactionId, /^krn:payment:us1:transaction:/);
    }
    for (const order of finalizingAtA) {
      const finals = finalAuthorizations(sim).filter(
        (call) => call.body.supplementary_purchase_data.purchase_reference === order.number,
      );
      assert.ok(
        finals.some((call) => caller(call) === 'B'),
        `${order.number}: the final authorization A left was repeated by B`,
      );
    }
    const firsts = sim.simulator.log.filter(
      (call) =>
        call.path.endsWith('/authorize') &&
        call.body.supplementary_purchase_data?.purchase_reference === pressed.number,
    );
    assert.equal(
      new Set(firsts.map((call) => call.headers['klarna-idempotency-key'])).size,
      1,
      'the press is one Klarna call, however often repeated',
    );
    assert.ok(
      firsts.some((call) => caller(call) === 'B'),
      'B repeated it',
    );
    // One charge per period: one approved row and one Klarna-Idempotency-Key per period.
    for (const subscription of subscriptions.slice(0, 2)) {
      const { charges } = await orderAtB(subscription);
      assert.deepEqual(
        charges.map((row) => [row.period, row.status]),
        [[2, 'approved']],
        subscription.number,
      );
      assert.equal(
        new Set(chargeCalls(subscription).map((call) => call.headers['klarna-idempotency-key'])).size,
        1,
        subscription.number,
      );
    }
  });

  /** A query on the shared database, as an operator would run it. */
  async function postgresQuery(text, params) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows;
    } finally {
      await client.end();
    }
  }
});
