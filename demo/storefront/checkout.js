import '/storefront/klarna-sdk.js';
import '/assets/pay-with-klarna.js';
import { api, money, readCart, writeCart } from '/storefront/cart.js';
import { followOrderLog, note } from '/storefront/log.js';

const config = await api('/api/config');
const linesList = document.getElementById('lines');
const message = document.getElementById('message');
let lines = readCart();
if (lines.length === 0) {
  document.querySelector('.checkout').replaceChildren(Object.assign(document.createElement('p'), { textContent: 'Your cart is empty.' }));
  throw new Error('empty cart');
}
let order = await api('/api/orders', { lines });
followOrderLog(order.id);

const klarna = document.createElement('pay-with-klarna');
Object.assign(klarna, { name: 'payment', clientId: config.clientId, currency: order.currency, amount: order.amount, initiateUrl: '/api/klarna/initiate' });
klarna.intents = order.kind === 'subscription' ? ['SUBSCRIBE'] : ['PAY'];
if (order.kind === 'subscription') Object.assign(klarna, { subscriptionBillingInterval: 'MONTH', subscriptionBillingIntervalFrequency: 1 });
klarna.initiateData = () => ({ orderId: order.id });
document.querySelector('[data-payment-method=card]').after(klarna);

function renderLines() {
  linesList.replaceChildren(
    ...order.lines.map((line) => {
      const item = document.createElement('li');
      const quantity = Object.assign(document.createElement('input'), { type: 'number', min: '0', max: '99', value: String(line.quantity) });
      quantity.setAttribute('aria-label', `Quantity of ${line.name}`);
      quantity.addEventListener('change', () => updateQuantity(line.sku, Number(quantity.value)));
      item.append(Object.assign(document.createElement('span'), { textContent: line.name }), quantity, Object.assign(document.createElement('span'), { textContent: money(line.total, order.currency) }));
      return item;
    }),
  );
  document.getElementById('total').textContent = money(order.amount, order.currency);
}

async function updateQuantity(sku, quantity) {
  lines = lines.map((line) => (line.sku === sku ? { ...line, quantity } : line)).filter((line) => line.quantity > 0);
  if (lines.length === 0) return;
  writeCart(lines);
  try {
    order = await api(`/api/orders/${order.id}/lines`, { lines });
    klarna.amount = order.amount; // Klarna's presentation follows the total
    renderLines();
  } catch (error) {
    note('shop', `cart update failed: ${error.message}`);
    // a 409 says, for customers, why the order can no longer change; anything else is for the log
    message.textContent = error.status === 409 ? error.message : 'Your cart could not be updated. Check the quantities (1 to 99) and try again.';
  }
}
renderLines();

if (config.mode === 'simulator') document.getElementById('simulator').hidden = false;
for (const id of ['outcome', 'webhook']) {
  const select = document.getElementById(id);
  select.value = sessionStorage.getItem(`simulator-${id}`) ?? select.value;
  select.addEventListener('change', () => sessionStorage.setItem(`simulator-${id}`, select.value));
}

klarna.addEventListener('klarna-presentation', (event) => note('sdk', `presentation: ${event.detail.instruction}`));
klarna.addEventListener('change', () => note('sdk', klarna.selected ? 'Klarna selected' : 'Klarna deselected'));
klarna.addEventListener('klarna-initiate', () => {
  message.textContent = '';
  note('sdk', 'Klarna button pressed: calling /api/klarna/initiate');
});
klarna.addEventListener('klarna-complete', () => {
  note('sdk', 'complete: Klarna journey finished');
  location.assign(`/orders/${order.id}`);
});
klarna.addEventListener('klarna-abort', () => {
  note('sdk', 'abort: the customer left Klarna');
  message.textContent = 'You left Klarna without paying. You can try again or choose another method.';
});
/**
 * What the customer is told when paying with Klarna fails, with what they can do next. The element's
 * own message is for developers (it names URLs and statuses): it goes to the log. The reference
 * backend's messages for a decline, a 409, Klarna's refusal (422) or its pending answer (503) are written for customers,
 * and the element quotes them after its prefix.
 */
function customerMessage({ phase, reason, retryable, error }) {
  const backendSaid = /^(?:The payment was declined|The backend at \S+ answered (?:409|422|503)): (.+)$/s.exec(error.message)?.[1];
  if (phase === 'initiate' && (reason === 'declined' || reason === 'http') && backendSaid) return backendSaid;
  if (reason === 'declined') return 'Klarna declined this purchase. Please choose another payment method.';
  if (retryable) return "Klarna couldn't be reached. Try again, or choose another payment method.";
  if (phase === 'payment') return "Klarna couldn't complete the payment. Try again, or choose another payment method.";
  return "Klarna couldn't take this payment. Please choose another payment method.";
}
klarna.addEventListener('klarna-error', (event) => {
  const { phase, reason, error } = event.detail;
  note('sdk', `error ${phase}/${reason}: ${error.message}`);
  if (phase === 'initiate' || phase === 'payment') message.textContent = customerMessage(event.detail);
});
document.getElementById('payment').addEventListener('submit', (event) => {
  event.preventDefault();
  const method = new FormData(event.target).get('payment');
  message.textContent = method === 'klarna' ? "Use Klarna's button above to pay." : `This demo only takes Klarna; ${method ?? 'no method'} is here to show Klarna in a real group.`;
});
