import { api, money, writeCart } from '/storefront/cart.js';
import { followOrderLog } from '/storefront/log.js';

const orderId = location.pathname.split('/').pop();
const $ = (id) => document.getElementById(id);
const LABELS = {
  open: 'Awaiting payment',
  authorizing: 'Starting payment…',
  pending: 'Waiting for Klarna…',
  finalizing: 'Confirming with Klarna…',
  paid: 'Paid',
  declined: 'Declined',
  canceled: 'Cancelled',
  expired: 'Expired',
  failed: 'Failed',
  unconfirmed: 'Being checked by the shop',
};

function render(order) {
  $('order-number').textContent = order.number; // the id in the address opens the order: the number is what to quote
  $('status').textContent = LABELS[order.status] ?? order.status;
  $('status').dataset.status = order.status;
  $('reason').textContent = order.reason ?? '';
  $('lines').replaceChildren(
    ...order.lines.map((line) =>
      Object.assign(document.createElement('li'), {
        textContent: `${line.quantity} × ${line.name} — ${money(line.total, order.currency)}`,
      }),
    ),
  );
  $('total').textContent = money(order.amount, order.currency);
  $('thanks').hidden = order.status !== 'paid';
  $('subscription').hidden = !order.subscriptionActive;
  $('charge').hidden = !order.renewFromPage;
  $('charges').replaceChildren(
    ...order.charges.map((charge) =>
      Object.assign(document.createElement('li'), {
        textContent: `${new Date(charge.created_at).toLocaleString()}: ${money(charge.amount, order.currency)} ${charge.status}${charge.reason ? ` (${charge.reason})` : ''}`,
      }),
    ),
  );
  if (order.status === 'paid') writeCart([]);
}

function notFound() {
  document.title = 'Order not found · Northwind Goods';
  $('order').replaceChildren(
    Object.assign(document.createElement('h1'), { textContent: 'Order not found' }),
    Object.assign(document.createElement('p'), {
      textContent:
        'There is no order at this address. Check the link you followed, or contact the shop with your order number.',
    }),
  );
}

followOrderLog(orderId, render, notFound);
$('charge').addEventListener('click', async () => {
  $('charge').disabled = true;
  $('charge-message').textContent = '';
  try {
    await api(`/api/orders/${orderId}/charge`, {}, { 'Idempotency-Key': crypto.randomUUID() });
  } catch (error) {
    $('charge-message').textContent = error.message; // not #reason, which each poll rewrites from the order
  } finally {
    $('charge').disabled = false;
  }
});
