import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { shopApi, startShop } from '../e2e/support/shop.mjs';

/** What a cart's lines make of an order: its kind goes with them, and each product is one line of at most 99. */
describe("an order's lines", () => {
  let shop;
  before(async () => {
    shop = await startShop();
  });
  after(() => shop?.stop());
  const { post, get, json, newOrder, initiate, callsFor } = shopApi(() => shop);
  const charge = (order) => post(`/api/orders/${order.id}/charge`, {}, { 'idempotency-key': crypto.randomUUID() });
  const changeLines = async (order, lines) => json(await post(`/api/orders/${order.id}/lines`, { lines }));

  it('a subscription cart changed to a mug alone is sold as a one-off purchase, with nothing to renew', async () => {
    const order = await newOrder([{ sku: 'coffee-club', quantity: 1 }]);
    assert.equal(order.kind, 'subscription');
    const changed = await changeLines(order, [{ sku: 'mug', quantity: 1 }]);
    assert.deepEqual([changed.status, changed.body.kind], [200, 'purchase']);
    assert.equal((await initiate(changed.body, { outcome: 'approve' })).status, 200);
    const [call] = callsFor(order);
    assert.equal(call.body.request_customer_token, undefined, 'no customer token is asked for a mug');
    const page = (await json(await get(`/api/orders/${order.id}`))).body;
    assert.deepEqual([page.status, page.kind, page.subscriptionActive], ['paid', 'purchase', false]);
    assert.equal((await charge(order)).status, 409, 'a purchase has no next period to charge');
  });

  it('a mug cart that gains a subscription is a subscription, which renews', async () => {
    const order = await newOrder([{ sku: 'mug', quantity: 1 }]);
    assert.equal(order.kind, 'purchase');
    const changed = await changeLines(order, [
      { sku: 'mug', quantity: 1 },
      { sku: 'coffee-club', quantity: 1 },
    ]);
    assert.deepEqual([changed.status, changed.body.kind], [200, 'subscription']);
    assert.equal((await initiate(changed.body, { outcome: 'approve' })).status, 200);
    assert.equal((await charge(order)).status, 200, 'its next period is charged');
  });

  it('a product given on two lines is refused with 400 naming the repeated line, when ordered and when changed', async () => {
    const twice = [
      { sku: 'mug', quantity: 1 },
      { sku: 'mug', quantity: 99 },
    ];
    const created = await json(await post('/api/orders', { lines: twice }));
    assert.equal(created.status, 400);
    assert.equal(created.body.field, 'lines[1].sku');
    assert.match(created.body.error, /^lines\[1\]\.sku repeats mug/);
    const order = await newOrder([{ sku: 'mug', quantity: 99 }]);
    const changed = await changeLines(order, [{ sku: 'backpack', quantity: 1 }, ...twice]);
    assert.deepEqual([changed.status, changed.body.field], [400, 'lines[2].sku']);
    assert.equal((await shop.backend.store.order(order.id)).lines[0].quantity, 99, 'the order keeps its lines');
  });
});
