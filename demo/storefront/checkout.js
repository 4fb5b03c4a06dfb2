import '/storefront/klarna-sdk.js';
import '/assets/pay-with-klarna.js';
import { api, money, readCart, writeCart } from '/storefront/cart.js';
import { followOrderLog, note } from '/storefront/log.js';

const checkoutPanels = document.querySelector('.checkout');
const linesList = document.getElementById('lines');
const totalText = document.getElementById('total');
const methods = document.getElementById('methods');
const placeOrder = document.getElementById('place-order');
const message = document.getElementById('message');
const say = (text) => (message.textContent = text);
const DECLINED = 'Klarna declined this purchase. Please choose another payment method.';
const LEFT = 'You left Klarna without paying. You can try again or choose another method.';

/**
 * What the checkout shows in place of itself: an empty cart, or a cart the shop could not price,
 * with what the customer can do (`actions`, beside "Continue shopping").
 */
function showInstead(heading, text, actions = []) {
  const panel = Object.assign(document.createElement('div'), { className: 'panel' });
  const link = Object.assign(document.createElement('a'), { href: '/', textContent: 'Continue shopping' });
  const next = Object.assign(document.createElement('p'), { className: 'actions' });
  next.append(...actions, link);
  panel.append(
    Object.assign(document.createElement('h2'), { textContent: heading }),
    Object.assign(document.createElement('p'), { textContent: text }),
    next,
  );
  checkoutPanels.replaceChildren(panel);
}

const showEmpty = () => showInstead('Your cart is empty', 'Add something from the shop to check out.');

/** A cart the shop refuses (a product it no longer sells, more of one than an order takes): it can be emptied. */
function showRefused() {
  const empty = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Empty the cart' });
  empty.addEventListener('click', () => {
    writeCart([]);
    showEmpty();
  });
  const text =
    'Something in your cart can no longer be ordered as it is: a product we no longer sell, or more of one item than an order takes (99). Empty the cart and add what you want again.';
  showInstead('Your cart could not be checked out', text, [empty]);
}

let order;
let config;
if (readCart().length === 0) {
  showEmpty();
} else {
  try {
    [config, order] = await Promise.all([api('/api/config'), api('/api/orders', { lines: readCart() })]);
  } catch (error) {
    // the shop's own words are for developers; a cart kept from an older visit may name a product the shop no longer sells
    console.warn(`checkout: the shop refused the cart: ${error.message}`);
    if (error.status === 400) showRefused();
    else
      showInstead('Your cart could not be checked out', 'The shop could not be reached. Please try again in a moment.');
  }
}
if (order) startCheckout();

function startCheckout() {
  // Klarna's SDK says only that its journey ended (abort): whether Klarna declined the customer in it
  // is the payment request's state, which the shop learns from Klarna (its webhook, or by reading it).
  let journeyLeft = false;
  let declinedInJourney = false; // once known, an older answer cannot take it back
  const tell = (seen) => {
    if (!journeyLeft) return;
    declinedInJourney ||= seen?.status === 'declined';
    say(declinedInJourney ? DECLINED : LEFT);
  };
  followOrderLog(order.id, (seen) => seen.status === 'declined' && tell(seen));
  const klarna = document.createElement('pay-with-klarna');
  Object.assign(klarna, {
    name: 'payment',
    clientId: config.clientId,
    currency: order.currency,
    amount: order.amount,
    initiateUrl: '/api/klarna/initiate',
  });
  klarna.intents = order.kind === 'subscription' ? ['SUBSCRIBE'] : ['PAY'];
  if (order.kind === 'subscription')
    Object.assign(klarna, { subscriptionBillingInterval: 'MONTH', subscriptionBillingIntervalFrequency: 1 });
  klarna.initiateData = () => ({ orderId: order.id });
  // Klarna's default (dark) button would vanish into a dark page: its light theme there.
  const dark = matchMedia('(prefers-color-scheme: dark)');
  const followScheme = () => (klarna.buttonTheme = dark.matches ? 'light' : undefined);
  followScheme();
  dark.addEventListener('change', followScheme);
  document.querySelector('[data-payment-method=card]').after(klarna);

  // The cart as the customer edits it (a quantity of 0 stays listed until they leave), and the
  // order as the shop last priced it. Box, total and Klarna's amount always show the same cart.
  const lines = order.lines.map(({ sku, name, unitPrice, quantity }) => ({ sku, name, unitPrice, quantity }));
  const wanted = () => lines.filter((line) => line.quantity > 0).map(({ sku, quantity }) => ({ sku, quantity }));
  const sameCart = (one, two) =>
    JSON.stringify([...one].sort((a, b) => a.sku.localeCompare(b.sku))) ===
    JSON.stringify([...two].sort((a, b) => a.sku.localeCompare(b.sku)));
  let updating = false;

  function render() {
    linesList.replaceChildren(
      ...lines.map((line) => {
        const item = document.createElement('li');
        const quantity = Object.assign(document.createElement('input'), {
          type: 'number',
          min: '0',
          max: '99',
          value: String(line.quantity),
        });
        quantity.setAttribute('aria-label', `Quantity of ${line.name}`);
        quantity.addEventListener('change', () => changeQuantity(line, quantity));
        item.append(
          Object.assign(document.createElement('span'), { textContent: line.name }),
          quantity,
          Object.assign(document.createElement('span'), {
            textContent: money(line.unitPrice * line.quantity, order.currency),
          }),
        );
        return item;
      }),
    );
    const empty = wanted().length === 0;
    totalText.textContent = updating ? 'Updating…' : money(empty ? 0 : order.amount, order.currency);
    // nothing is paid for a cart being repriced (its total is not known yet) or an empty one
    methods.disabled = placeOrder.disabled = updating || empty;
  }

  function changeQuantity(line, input) {
    const quantity = Number(input.value);
    if (input.value.trim() === '' || !Number.isInteger(quantity) || quantity < 0 || quantity > 99) {
      input.value = String(line.quantity);
      say(`The quantity of ${line.name} must be a whole number from 0 to 99 (0 takes it out of the cart).`);
      return;
    }
    line.quantity = quantity;
    writeCart(wanted());
    if (wanted().length === 0) {
      say('Your cart is empty: set a quantity to pay.');
      render();
      return;
    }
    void reprice();
  }

  /** Sends the cart until the shop has priced the latest one; one request at a time, so that answers never arrive out of order. */
  async function reprice() {
    if (updating) return; // the running loop sends the latest cart next
    updating = true;
    render();
    try {
      while (
        wanted().length > 0 &&
        !sameCart(
          wanted(),
          order.lines.map(({ sku, quantity }) => ({ sku, quantity })),
        )
      ) {
        order = await api(`/api/orders/${order.id}/lines`, { lines: wanted() });
        klarna.amount = order.amount; // Klarna's presentation follows the total
        say('');
      }
    } catch (error) {
      note('shop', `cart update failed: ${error.message}`);
      // back to the cart the shop has priced, so that the boxes and the total agree again
      for (const line of lines) line.quantity = order.lines.find((priced) => priced.sku === line.sku)?.quantity ?? 0;
      writeCart(wanted());
      // a 409 says, for customers, why the order can no longer change; anything else is for the log
      say(error.status === 409 ? error.message : 'Your cart could not be updated. Please try again.');
    } finally {
      updating = false;
      render();
    }
  }
  render();

  if (config.mode === 'simulator') document.getElementById('simulator').hidden = false;
  for (const id of ['outcome', 'webhook']) {
    const select = document.getElementById(id);
    select.value = sessionStorage.getItem(`simulator-${id}`) ?? select.value;
    select.addEventListener('change', () => sessionStorage.setItem(`simulator-${id}`, select.value));
  }

  klarna.addEventListener('klarna-presentation', (event) => note('sdk', `presentation: ${event.detail.instruction}`));
  klarna.addEventListener('change', () => note('sdk', klarna.selected ? 'Klarna selected' : 'Klarna deselected'));
  klarna.addEventListener('klarna-initiate', () => {
    journeyLeft = declinedInJourney = false;
    say('');
    note('sdk', 'Klarna button pressed: calling /api/klarna/initiate');
  });
  klarna.addEventListener('klarna-complete', () => {
    note('sdk', 'complete: Klarna journey finished');
    location.assign(`/orders/${order.id}`);
  });
  klarna.addEventListener('klarna-abort', async () => {
    note('sdk', 'abort: the customer left Klarna');
    journeyLeft = true;
    tell(await api(`/api/orders/${order.id}`).catch(() => undefined));
  });
  klarna.addEventListener('klarna-error', (event) => {
    const { phase, reason, error } = event.detail;
    note('sdk', `error ${phase}/${reason}: ${error.message}`);
    if (phase === 'initiate' || phase === 'payment') say(customerMessage(event.detail));
  });
  document.getElementById('payment').addEventListener('submit', (event) => {
    event.preventDefault();
    const method = new FormData(event.target).get('payment');
    say(
      method === 'klarna'
        ? "Use Klarna's button above to pay."
        : `This demo only takes Klarna; ${method ?? 'no method'} is here to show Klarna in a real group.`,
    );
  });
}

/**
 * What the customer is told when paying with Klarna fails, with what they can do next. The element's
 * own message is for developers (it names URLs and statuses): it goes to the log. The reference
 * backend's messages for a decline, a 409, Klarna's refusal (422) or its pending answer (503) are written for customers,
 * and the element quotes them after its prefix.
 */
function customerMessage({ phase, reason, retryable, error }) {
  const backendSaid = /^(?:The payment was declined|The backend at \S+ answered (?:409|422|503)): (.+)$/s.exec(
    error.message,
  )?.[1];
  if (phase === 'initiate' && (reason === 'declined' || reason === 'http') && backendSaid) return backendSaid;
  if (reason === 'declined') return DECLINED;
  if (retryable) return "Klarna couldn't be reached. Try again, or choose another payment method.";
  if (phase === 'payment') return "Klarna couldn't complete the payment. Try again, or choose another payment method.";
  return "Klarna couldn't take this payment. Please choose another payment method.";
}
