import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBackend, startSimulator } from '../../demo/server/main.ts';
import { shopApi, startShop, until } from '../e2e/support/shop.mjs';

/**
 * The sweep, which finalizes what a lost webhook left and repeats calls a crash or an outage left
 * unanswered, when many orders are stuck (S21), and a stop while it waits for Klarna (S26).
 */
describe('the sweep', () => {
  let shop;
  before(async () => {
    shop = await startShop();
  });
  after(() => shop?.stop());
  const { json, newOrder, initiate, callsFor, post } = shopApi(() => shop);
  const sql = (text, params) => shop.backend.store.sql.query(text, params);
  const orderNow = (id) => shop.backend.store.order(id);
  /** Klarna fails every call that names a backpack (the stuck orders' product), as `mode` says. */
  const failBackpacks = (mode) => shop.sim.control('fail', { count: 1_000_000, mode, match: 'backpack' });

  it('S21: 50 orders stuck in a Klarna outage do not keep an approved order from being finalized in the next pass; a pass ends within its time; every stuck order gets its turn', async () => {
    // 50 presses that Klarna never answered (503 through the retries): held, the same call to be repeated
    await failBackpacks('503');
    const stuck = await Promise.all(Array.from({ length: 50 }, () => newOrder([{ sku: 'backpack', quantity: 1 }])));
    const pressed = await Promise.all(
      stuck.map(async (order) => (await initiate(order, { outcome: 'approve' })).status),
    );
    assert.deepEqual(new Set(pressed), new Set([503]));
    // ...for longer than a call runs, and through a pass already: they have failed looks behind them
    await sql("update orders set updated_at = now() - interval '3 minutes' where id = any($1)", [
      stuck.map((order) => order.id),
    ]);
    await shop.backend.payments.sweep({ budgetMs: 10_000 });
    assert.deepEqual(
      new Set(await Promise.all(stuck.map(async (order) => (await orderNow(order.id)).status))),
      new Set(['authorizing']),
    );
    // Their pause is over (they are due again), and Klarna now hangs on them, as in a real outage.
    await sql(
      "update orders set next_look_at = null, last_look_at = last_look_at - interval '1 hour' where id = any($1)",
      [stuck.map((order) => order.id)],
    );
    await failBackpacks('hang');
    const callsBefore = new Map(stuck.map((order) => [order.id, callsFor(order).length]));
    const tried = () => stuck.filter((order) => callsFor(order).length > callsBefore.get(order.id)).length;

    // A customer approves in Klarna's journey; the webhook is lost.
    const order = await newOrder();
    const { body } = await json(await initiate(order, { webhook: 'lost' }));
    shop.sim.simulator.decide(body.paymentRequestId, 'approve');
    const started = performance.now();
    const pass = shop.backend.payments.sweep({ budgetMs: 2000 });
    await until(
      async () => (await orderNow(order.id)).status === 'paid',
      'the approved order to be finalized while the stuck ones hang',
    );
    await pass;
    assert.ok(
      performance.now() - started < 2000 + 3000,
      `the pass took ${Math.round(performance.now() - started)} ms, past its 2 s`,
    );
    assert.ok(tried() > 0 && tried() < 50, `${tried()} of the stuck orders were tried in that pass`);

    // The ones it did not reach come first in the next passes: each gets its turn, none is starved.
    for (let passes = 0; passes < 20 && tried() < 50; passes++) await shop.backend.payments.sweep({ budgetMs: 1000 });
    assert.equal(tried(), 50, 'every stuck order was tried again');
    await shop.sim.control('fail', { count: 0 });
  });

  it('S26: a stop while a sweep waits on a slow Klarna ends the pass at once and returns well within its 30 s', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pwk-stop-'));
    const sim = await startSimulator();
    // Klarna's own timeout here is 20 s, three tries: a sweep left to finish would wait a minute.
    const backend = await startBackend({
      dataDir,
      mode: 'simulator',
      klarna: {
        baseUrl: sim.url,
        apiKey: sim.apiKey,
        clientId: 'klarna_test_client_offline_simulator',
        signingKeys: new Map([[sim.signingKeyId, sim.secret]]),
        retryDelaysMs: [50, 100],
        timeoutMs: 20_000,
      },
      sweepMs: 60_000,
      log: () => {},
    });
    try {
      const api = shopApi(() => ({ url: backend.url, sim }));
      const order = await api.newOrder();
      await sim.control('fail', { count: 10, mode: 'hang', match: order.number });
      // the press is answered at its bound, its call going on; the process then restarts and the call is left to the sweep
      await backend.store.sql.query(
        "update orders set status = 'authorizing', attempt_key = $2, attempt_token = $3, attempt_started_at = now(), updated_at = now() - interval '3 minutes' where id = $1",
        [order.id, crypto.randomUUID(), api.token('approve')],
      );
      const sweeping = backend.sweep();
      await until(() => api.callsFor(order).length === 1, 'the sweep to be waiting on Klarna');
      const started = performance.now();
      await backend.stop();
      const took = performance.now() - started;
      assert.ok(took < 5000, `stop() took ${Math.round(took)} ms`);
      await sweeping;
      assert.equal(api.callsFor(order).length, 1, 'nothing more was tried after the stop');
    } finally {
      await backend.stop().catch(() => {});
      await sim.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("a stuck order's pause grows with each failed look, and a look that Klarna answers ends it", async () => {
    const order = await newOrder([{ sku: 'backpack', quantity: 2 }]);
    await failBackpacks('503');
    assert.equal((await initiate(order, { outcome: 'approve' })).status, 503);
    await sql("update orders set updated_at = now() - interval '3 minutes' where id = $1", [order.id]);
    for (const pause of [5, 10, 20, 40]) {
      await sql('update orders set next_look_at = null, last_look_at = null where id = $1', [order.id]);
      await shop.backend.payments.sweep({ budgetMs: 10_000 });
      // The pause runs from the end of the look, which came between its start and now.
      const [row] = await sql(
        'select extract(epoch from next_look_at - last_look_at) as most, extract(epoch from next_look_at - now()) as least from orders where id = $1',
        [order.id],
      );
      assert.ok(
        Number(row.least) <= pause && pause <= Number(row.most),
        `a pause of ${pause} s: between ${row.least} and ${row.most}`,
      );
    }
    await shop.sim.control('fail', { count: 0 });
    await sql('update orders set next_look_at = null, last_look_at = null where id = $1', [order.id]);
    await shop.backend.payments.sweep({ budgetMs: 10_000 });
    assert.equal((await orderNow(order.id)).status, 'paid');
    // and a lines change is refused on the paid order, as ever
    assert.equal((await post(`/api/orders/${order.id}/lines`, { lines: [{ sku: 'mug', quantity: 1 }] })).status, 409);
  });
});
