/**
 * Benchmark 9: the reference backend's initiate endpoint under a burst of concurrent requests
 * against the Klarna simulator, on 127.0.0.1. Run by bench/run.mjs in a child process
 * (`node --import tsx bench/lib/backend.mjs`), since the backend is TypeScript; prints JSON.
 *
 * Each request is a different customer's payment attempt on its own order (the step-up path), and
 * every order also gets a duplicate of its request with the same Idempotency-Key, as a double
 * click would send: duplicate payments are payment requests Klarna was asked to open twice.
 */
import { startShop } from '../../test/e2e/support/shop.mjs';
import { summary } from './stats.mjs';

const ORDERS = Number(process.env.BENCH_BACKEND_ORDERS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_BACKEND_CONCURRENCY ?? 50);

const shop = await startShop();
try {
  const post = (path, body, headers = {}) =>
    fetch(`${shop.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: shop.url, ...headers },
      body: JSON.stringify(body),
    });
  const orders = [];
  for (let i = 0; i < ORDERS; i++)
    orders.push(await (await post('/api/orders', { lines: [{ sku: 'mug', quantity: 1 + (i % 3) }] })).json());

  const jobs = orders.flatMap((order) => {
    const key = crypto.randomUUID();
    const body = {
      orderId: order.id,
      amount: order.amount,
      currency: order.currency,
      paymentOptionId: 'KLARNA',
      klarnaNetworkSessionToken: `krn:network:us1:test:session-token:sim.step-up.lost.${key}`,
    };
    return [
      { body, key },
      { body, key },
    ];
  });
  const latencies = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const { body, key } = jobs[next++];
        const begin = performance.now();
        const response = await post('/api/klarna/initiate', body, { 'idempotency-key': key });
        await response.arrayBuffer();
        latencies.push(performance.now() - begin);
        // 409 is the double click's twin while the first is under way: expected, not an error
        if (response.status !== 200 && response.status !== 409) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const opened = shop.sim.simulator.log.filter((call) => call.path.endsWith('/payment/authorize'));
  const perOrder = new Map();
  for (const call of opened) {
    const reference = call.body.supplementary_purchase_data.purchase_reference;
    perOrder.set(reference, (perOrder.get(reference) ?? 0) + 1);
  }
  const duplicates = [...perOrder.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
  const latency = summary(latencies);
  const p99 = [...latencies].sort((a, b) => a - b)[Math.ceil(0.99 * latencies.length) - 1];
  console.log(
    JSON.stringify({
      requests: jobs.length,
      orders: ORDERS,
      concurrency: CONCURRENCY,
      requestsPerSecond: Math.round(jobs.length / seconds),
      p50Ms: latency.median,
      p99Ms: Math.round(p99 * 10) / 10,
      errors,
      duplicatePayments: duplicates,
      paymentRequestsOpened: opened.length,
    }),
  );
} finally {
  await shop.stop();
}
