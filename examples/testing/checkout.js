// The page under test in these examples: a merchant's checkout module, as an app has it. It renders
// a payment-method group with Klarna, and says on the page what happened (its own role="status").
import 'pay-with-klarna/define';

/** Renders the checkout into `root`; `initiate` stands for your backend (see README's "Your backend"). */
export function renderCheckout(root, { amount = 11800, initiate } = {}) {
  root.innerHTML = `
    <form>
      <fieldset>
        <legend>Payment method</legend>
        <label><input type="radio" name="payment" value="card" /> Card</label>
        <pay-with-klarna name="payment" client-id="klarna_test_client_example" amount="${amount}" currency="USD" locale="en-US"
          initiate-url="/api/klarna/initiate"></pay-with-klarna>
      </fieldset>
    </form>
    <p role="status"></p>`;
  const klarna = root.querySelector('pay-with-klarna');
  const status = root.querySelector('[role=status]');
  if (initiate) klarna.initiate = initiate;
  klarna.addEventListener(
    'klarna-complete',
    (event) => (status.textContent = `Paid: ${event.detail.paymentRequest.paymentRequestId}`),
  );
  klarna.addEventListener(
    'klarna-error',
    (event) =>
      (status.textContent = `Klarna is unavailable (${event.detail.reason}). Please choose another payment method.`),
  );
  return klarna;
}
