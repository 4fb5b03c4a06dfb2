import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator } from '../../demo/server/main.ts';
import { shopApi, startShop, until } from '../e2e/support/shop.mjs';
import { startPostgres } from '../support/postgres.mjs';

/**
 * The reference backend as it runs in production: on a PostgreSQL server (DATABASE_URL), two
 * instances behind one load balancer, each request going to either. The single-process tests
 * (backend.test.mjs) use the embedded database; these check what only a shared server can show.
 */
describe('two instances of the reference backend on one PostgreSQL server', () => {
  let postgres;
  let sim;
  const instances = [];
  const signingKeys = new Map();
  const logs = [[], []]; // each instance's log lines
  // The address customers know the shop by, in front of both (as PUBLIC_URL is in production).
  const publicUrl = 'https://shop.test';
  before(async () => {
    postgres = await startPostgres();
    sim = await startSimulator({ webhookDelayMs: 2500 });
    signingKeys.set(sim.signingKeyId, sim.secret);
    // Both start at the same moment on an empty database, as two replicas of a deploy do.
    const started = await Promise.allSettled(
      logs.map((log) =>
        startShop.backend({
          sim,
          databaseUrl: postgres.url,
          publicUrl,
          port: 0,
          log: (line) => log.push(line),
          signingKeys,
        }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') instances.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    sim.webhookUrl = `${instances[0].url}/api/klarna/webhooks`;
  });
  after(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await sim?.stop();
    await postgres?.stop();
  });

  const [a, b] = [0, 1].map((index) => shopApi(() => ({ url: instances[index].url, sim })));

  it('an order placed at one instance and paid at once there is paid at the other', async () => {
    const order = await a.newOrder();
    const { status, body } = await a.json(await a.initiate(order, { outcome: 'approve' }));
    assert.equal(status, 200);
    assert.equal(body.returnUrl, `${publicUrl}/orders/${order.id}`);
    const { body: seen } = await b.json(await b.get(`/api/orders/${order.id}`));
    assert.deepEqual(
      { status: seen.status, amount: seen.amount, lines: seen.lines.map((line) => line.sku) },
      { status: 'paid', amount: 11800, lines: ['headphones'] },
    );
  });

  it('the webhook at one instance and the returning customer at the other, at the same moment: one final authorization', async () => {
    const order = await a.newOrder();
    const { body } = await a.json(await a.initiate(order, { webhook: 'lost' }));
    const request = sim.simulator.decide(body.paymentRequestId, 'approve');
    const completed = a.webhook({
      payment_request_id: request.id,
      state: 'COMPLETED',
      klarna_network_session_token: request.sessionToken,
    });
    await Promise.all([
      a.deliver(completed),
      b.deliver(completed),
      b.get(`/api/orders/${order.id}`),
      a.get(`/api/orders/${order.id}`),
      b.get(`/api/orders/${order.id}`),
    ]);
    await until(async () => (await instances[1].store.order(order.id)).status === 'paid', 'the order to be paid');
    assert.equal(a.callsFor(order).length, 2, 'the authorization, then one final authorization');
  });

  it('the same Idempotency-Key at both instances at once: one authorization; the other answer is the same or "still running"', async () => {
    const order = await a.newOrder();
    const key = crypto.randomUUID();
    // 'lost': no webhook from this step-up arrives during a later test
    const body = {
      orderId: order.id,
      amount: order.amount,
      currency: 'USD',
      paymentOptionId: 'KLARNA',
      klarnaNetworkSessionToken: a.token('step-up', 'lost'),
    };
    const answers = await Promise.all(
      [a, b].map(async (api) => api.json(await api.post('/api/klarna/initiate', body, { 'idempotency-key': key }))),
    );
    const first = answers.find((answer) => answer.status === 200);
    assert.ok(first, JSON.stringify(answers));
    for (const answer of answers) {
      if (answer.status === 409) assert.match(answer.body.error, /still running/);
      else assert.deepEqual(answer, first);
    }
    assert.equal(a.callsFor(order).length, 1);
  });

  it('a burst of presses spread over both instances, two per order at once: no errors, each order paid once', async () => {
    const orders = await Promise.all(Array.from({ length: 20 }, () => a.newOrder()));
    const answers = await Promise.all(
      orders.flatMap((order) => [a, b].map(async (api) => api.json(await api.initiate(order, { outcome: 'approve' })))),
    );
    // A press either pays (or, repeating the other's very call, is told of the same payment) or is told why not.
    for (const answer of answers) {
      if (answer.status === 200) assert.match(answer.body.returnUrl, /^https:\/\/shop\.test\/orders\//);
      else
        assert.deepEqual(
          [answer.status, /already (under way|paid)/.test(answer.body.error)],
          [409, true],
          JSON.stringify(answer),
        );
    }
    for (const order of orders) {
      assert.equal((await instances[1].store.order(order.id)).status, 'paid');
      // however many calls reached Klarna, they were one attempt: one Klarna-Idempotency-Key
      const attempts = new Set(a.callsFor(order).map((call) => call.headers['klarna-idempotency-key']));
      assert.equal(attempts.size, 1, `order ${order.id} was authorized in one attempt`);
    }
  });

  /** Reads of this payment request that Klarna got, from either instance. */
  const readsOf = (paymentRequestId) =>
    sim.simulator.log.filter(
      (call) => call.method === 'GET' && decodeURIComponent(call.path).endsWith(paymentRequestId),
    ).length;

  it("the order page polled at both instances reads Klarna's payment request once in 5 s, not once per instance", async () => {
    const order = await a.newOrder();
    const { body } = await a.json(await a.initiate(order, { webhook: 'lost' }));
    for (let poll = 0; poll < 6; poll++)
      assert.equal(
        (await [a, b][poll % 2].json(await [a, b][poll % 2].get(`/api/orders/${order.id}`))).body.status,
        'pending',
      );
    assert.equal(readsOf(body.paymentRequestId), 1);
  });

  it('both instances sweeping at the same moment look at each order once between them', async () => {
    const orders = await Promise.all(Array.from({ length: 12 }, () => a.newOrder()));
    const requests = await Promise.all(
      orders.map(async (order) => (await a.json(await a.initiate(order, { webhook: 'lost' }))).body.paymentRequestId),
    );
    await Promise.all(instances.map((instance) => instance.sweep()));
    assert.deepEqual(
      requests.map(readsOf),
      requests.map(() => 1),
    );
    // and once their 5 s have gone by, the next pass looks again
    await instances[0].store.sql.query(
      "update orders set last_look_at = last_look_at - interval '1 minute' where id = any($1)",
      [orders.map((order) => order.id)],
    );
    await Promise.all(instances.map((instance) => instance.sweep()));
    assert.deepEqual(
      requests.map(readsOf),
      requests.map(() => 2),
    );
  });

  it('the database ends every connection (a restart, a failover): both instances log it, stay up and go on serving', async () => {
    // every instance has connections open, idle in its pool
    await Promise.all([a, b].map((api) => api.newOrder()));
    const dropped = await postgres.dropConnections();
    // Each instance hears of each of its connections, as the server's notice of the end arrives; a
    // query given a connection before that notice fails, as it would in production during a failover.
    const lost = () => logs.map((lines) => lines.filter((line) => line.startsWith('database connection lost')).length);
    await until(() => lost()[0] + lost()[1] === dropped, `all ${dropped} connections to be noticed`);
    assert.ok(
      lost().every((count) => count > 0),
      `both instances logged it: ${lost()}`,
    );
    for (const api of [a, b]) {
      const order = await api.newOrder();
      const { status } = await api.json(await api.initiate(order, { outcome: 'approve' }));
      assert.equal(status, 200);
    }
  });
});
