/** The shop's API for its pages: its settings and products, an order's creation, cart changes and page. */
import type { Hono } from 'hono';
import type { BackendConfig } from '../backend-config.js';
import { CURRENCY, PRODUCTS, product } from '../catalog.js';
import { BadRequest, orderIdParam, readJson } from '../http.js';
import type { Payments } from '../payments.js';
import type { Order, OrderLine } from '../store.js';

const MAX_LINES = 20;

/** The lines a page sent, priced from the catalogue (never from the page). */
function priceLines(input: unknown): OrderLine[] {
  if (!Array.isArray(input) || input.length === 0) {
    throw new BadRequest(400, 'lines must be a non-empty array of { sku, quantity }', 'lines');
  }
  if (input.length > MAX_LINES) throw new BadRequest(400, `lines may hold at most ${MAX_LINES} products`, 'lines');
  const seen = new Set<string>();
  return input.map((line, index) => {
    const found = typeof line?.sku === 'string' ? product(line.sku) : undefined;
    const field = `lines[${index}]`;
    if (!found) throw new BadRequest(400, `${field}.sku is not a product of this shop`, `${field}.sku`);
    // one line per product, so that its quantity (at most 99) is the whole of it
    if (seen.has(found.sku)) {
      throw new BadRequest(400, `${field}.sku repeats ${found.sku}: give each product one line`, `${field}.sku`);
    }
    seen.add(found.sku);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > 99) {
      throw new BadRequest(400, `${field}.quantity must be a whole number from 1 to 99`, `${field}.quantity`);
    }
    const total = found.price * line.quantity;
    return { sku: found.sku, name: found.name, quantity: line.quantity, unitPrice: found.price, total };
  });
}

/** An order as the shop's pages see it. */
export function orderView(order: Order) {
  return {
    id: order.id,
    number: order.purchaseReference,
    kind: order.kind,
    status: order.status,
    reason: order.reason,
    amount: order.amount,
    currency: order.currency,
    lines: order.lines,
    paymentTransactionId: order.paymentTransactionId,
    paymentRequestId: order.paymentRequestId,
    /**
     * Goes up with each change of the lines: a press may send it back (as `cartVersion`) to be taken only on this very
     * cart.
     */
    cartVersion: order.cartVersion,
    subscriptionActive: order.kind === 'subscription' && order.status === 'paid' && Boolean(order.customerToken),
  };
}

export function orderRoutes(app: Hono, payments: Payments, config: BackendConfig) {
  app.get('/api/config', (c) =>
    c.json({ mode: config.mode, clientId: config.clientId, currency: CURRENCY, simulatorUrl: config.simulatorUrl?.() }),
  );
  app.get('/api/products', (c) => c.json(PRODUCTS));

  app.post('/api/orders', async (c) => {
    const lines = priceLines((await readJson(c)).lines);
    return c.json(orderView(await payments.createOrder(lines)), 201);
  });

  // The cart changes on the checkout page: reprice while nothing is under way.
  app.post('/api/orders/:id/lines', async (c) => {
    const lines = priceLines((await readJson(c)).lines);
    const changed = await payments.changeLines(orderIdParam(c), lines);
    if (changed.kind === 'unknown-order') throw new BadRequest(404, 'No such order.');
    if (changed.kind === 'locked') throw new BadRequest(409, 'This order can no longer be changed.');
    return c.json(orderView(changed.order));
  });

  app.get('/api/orders/:id', async (c) => {
    const details = await payments.orderDetails(orderIdParam(c));
    if (!details) return c.json({ error: 'No such order.' }, 404);
    const { order, events, charges } = details;
    // renewFromPage: the order page offers "Charge next period" (not in live mode: a scheduler charges)
    return c.json({ ...orderView(order), events, charges, renewFromPage: !config.live });
  });
}
