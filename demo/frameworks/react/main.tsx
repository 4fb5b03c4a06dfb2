// A React 19 checkout: state drives the attributes, the amount updates live, the element's events
// are handled, and StrictMode's double mount costs nothing (one SDK download, one KlarnaSDK()).
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'pay-with-klarna/define';
import type {} from 'pay-with-klarna/react'; // the element's JSX types: attributes, properties, typed on<event> handlers

function Checkout() {
  const [quantity, setQuantity] = useState(1);
  const [status, setStatus] = useState('');
  const amount = 2400 * quantity;
  return (
    <main>
      <h1>React checkout</h1>
      <label>
        Mugs{' '}
        <input
          type="number"
          min={1}
          value={quantity}
          onChange={(event) => setQuantity(Number(event.target.value) || 1)}
        />
      </label>
      <p id="total">Total: {(amount / 100).toFixed(2)} USD</p>
      <form>
        <label>
          <input type="radio" name="payment" value="card" /> Card
        </label>
        <pay-with-klarna
          name="payment"
          client-id="klarna_test_client_react"
          amount={amount}
          currency="USD"
          locale="en-US"
          initiate-url="/api/klarna/initiate"
          initiateData={{ cart: 'react-demo' }}
          onklarna-presentation={(event) => setStatus(`Klarna: ${event.detail.instruction}`)}
          onklarna-complete={(event) => setStatus(`Paid: ${event.detail.paymentRequest.paymentRequestId}`)}
          onklarna-error={(event) => setStatus(`Error: ${event.detail.reason}`)}
        />
      </form>
      <p role="status">{status}</p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Checkout />
  </StrictMode>,
);
