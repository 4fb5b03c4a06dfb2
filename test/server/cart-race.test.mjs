import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator } from '../../demo/server/main.ts';
import { shopApi, startShop } from '../e2e/support/shop.mjs';
import { startPostgres } from '../support/postgres.mjs';

/**
 * S19: the cart changes while a press is on its way. Klarna must be asked for exactly the amount,
 * currency and lines that were pressed, or the press gets 409 "the total changed": decided in the
 * one statement that claims the order. Run on the embedded database and on a PostgreSQL server.
 */
for (const database of ['PGlite', 'PostgreSQL']) {
  describe(`a cart change racing a press (${database})`, () => {
    let postgres;
    let sim;
    let backend;
    const dataDir = mkdtempSync(join(tmpdir(), 'pwk-cart-race-'));
    before(async () => {
      if (database === 'PostgreSQL') postgres = await startPostgres();
      sim = await startSimulator();
      backend = await startShop.backend({
        sim,
        dataDir: postgres ? undefined : dataDir,
        databaseUrl: postgres?.url,
        port: 0,
        log: () => {},
        signingKeys: new Map([[sim.signingKeyId, sim.secret]]),
      });
    });
    after(async () => {
      await backend?.stop();
      await sim?.stop();
      await postgres?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const api = shopApi(() => ({ url: backend.url, sim }));
    const ONE_MUG = [{ sku: 'mug', quantity: 1 }];
    const THREE_MUGS = [{ sku: 'mug', quantity: 3 }];
    /** What Klarna was asked to authorize for this order: [amount, currency, line quantities]. */
    const asked = (order) =>
      api
        .callsFor(order)
        .map((call) => [
          call.body.request_payment_transaction.amount,
          call.body.currency,
          call.body.supplementary_purchase_data.line_items.map((line) => `${line.quantity} × ${line.reference}`).join(),
        ]);

    it('the change committed between the check of the total and the claim: 409 "the total changed", and Klarna is not asked', async () => {
      const order = await api.newOrder(ONE_MUG);
      // The initiate reads the order (the page's $24.00 matches it); the cart changes to $72.00 right then.
      const { store } = backend;
      const read = store.order;
      let changed;
      store.order = async (id) => {
        const found = await read.call(store, id);
        if (id === order.id && !changed)
          changed = await api.json(await api.post(`/api/orders/${order.id}/lines`, { lines: THREE_MUGS }));
        return found;
      };
      let press;
      try {
        press = await api.json(await api.initiate(order, { outcome: 'approve' }));
      } finally {
        store.order = read;
      }
      assert.equal(changed.status, 200, 'the cart change went through, before the claim');
      assert.deepEqual(press, {
        status: 409,
        body: { error: 'The total changed: the order is $72.00, the page showed $24.00. Please review your cart.' },
      });
      assert.deepEqual(asked(order), [], 'Klarna was not asked for $72.00');
      const now = await store.order(order.id);
      assert.deepEqual([now.status, now.amount], ['open', 7200]);
      // the customer reviews the cart and presses again: that total is paid
      assert.equal((await api.initiate({ ...order, amount: 7200 }, { outcome: 'approve' })).status, 200);
      assert.deepEqual(asked(order), [[7200, 'USD', '3 × mug']]);
    });

    it('a press naming its cart version is taken only on that cart, even at the same total', async () => {
      const order = await api.newOrder([{ sku: 'mug', quantity: 2 }]);
      assert.equal(order.cartVersion, 1);
      const changed = (
        await api.json(await api.post(`/api/orders/${order.id}/lines`, { lines: [{ sku: 'mug', quantity: 2 }] }))
      ).body;
      assert.deepEqual([changed.cartVersion, changed.amount], [2, 4800]);
      const stale = await api.json(await api.initiate(order, { outcome: 'approve', cartVersion: 1 }));
      assert.deepEqual(stale, {
        status: 409,
        body: { error: 'Your cart changed after this page showed it. Please review your cart.' },
      });
      assert.deepEqual(asked(order), []);
      assert.equal((await api.initiate(order, { outcome: 'approve', cartVersion: 2 })).status, 200);
      assert.deepEqual(asked(order), [[4800, 'USD', '2 × mug']]);
    });

    it('200 presses, each racing a change of its cart from $24.00 to $72.00: Klarna is only ever asked for what was pressed', async () => {
      const outcomes = { paid: 0, refused: 0 };
      for (let trial = 0; trial < 200; trial++) {
        const order = await api.newOrder(ONE_MUG);
        // both sent at once, in either order
        const sends = [
          () => api.initiate(order, { outcome: 'approve' }).then(api.json),
          () => api.post(`/api/orders/${order.id}/lines`, { lines: THREE_MUGS }),
        ];
        if (trial % 2) sends.reverse();
        const sent = sends.map((send) => send());
        const [press, change] = trial % 2 ? (await Promise.all(sent)).reverse() : await Promise.all(sent);
        const now = await backend.store.order(order.id);
        if (press.status === 200) {
          outcomes.paid++;
          assert.equal(change.status, 409, 'the cart of an order under way cannot change');
          assert.deepEqual([now.status, now.amount, now.lines.map((line) => line.quantity)], ['paid', 2400, [1]]);
          assert.deepEqual(asked(order), [[2400, 'USD', '1 × mug']]);
        } else {
          outcomes.refused++;
          assert.deepEqual(
            press,
            {
              status: 409,
              body: {
                error: 'The total changed: the order is $72.00, the page showed $24.00. Please review your cart.',
              },
            },
            `trial ${trial}`,
          );
          assert.equal(change.status, 200);
          assert.deepEqual([now.status, now.amount], ['open', 7200]);
          assert.deepEqual(asked(order), [], `trial ${trial}: Klarna was asked though the press was refused`);
        }
      }
      assert.equal(outcomes.paid + outcomes.refused, 200, JSON.stringify(outcomes));
    });
  });
}
