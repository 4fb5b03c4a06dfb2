/** @jsxRuntime automatic @jsxImportSource react */
// (tsx runs this file in Node with the root tsconfig, which leaves demo/frameworks to
// test/types/tsconfig.json, checked after the build: the JSX runtime is named here.)
// The checkout, rendered to HTML on the server (server.tsx) and hydrated in the browser (client.tsx).
// State drives the attributes, the amount updates live, the element's events are handled.
import { useCallback, useEffect, useState } from 'react';
import { definePayWithKlarna } from 'pay-with-klarna';
import type { KlarnaCompleteEvent, KlarnaErrorEvent, KlarnaPresentationEvent, PayWithKlarna } from 'pay-with-klarna';
import type {} from 'pay-with-klarna/react'; // the element's JSX types

/** What the server knows when it renders, serialized into the page so the browser hydrates the same tree. */
export interface CheckoutState {
  cartId: string;
  quantity: number;
  unitPrice: number; // minor units
  currency: string;
  locale: string;
  klarnaClientId: string;
}

export function Checkout({ initial }: { initial: CheckoutState }) {
  const [quantity, setQuantity] = useState(initial.quantity);
  const [method, setMethod] = useState('none');
  const [status, setStatus] = useState('');
  const amount = initial.unitPrice * quantity;

  // Objects and listeners go on the element once React has hydrated it: React 19 renders only
  // attributes on the server, and while hydrating it neither sets properties nor adds the
  // listeners of on<event-name> props on custom elements (it does on later renders). React's own
  // onChange is delegated, so it works as written.
  const klarna = useCallback(
    (element: PayWithKlarna | null) => {
      if (!element) return;
      element.initiateData = { cartId: initial.cartId };
      const onPresentation = (event: KlarnaPresentationEvent) => setStatus(`Klarna: ${event.detail.instruction}`);
      const onComplete = (event: KlarnaCompleteEvent) =>
        setStatus(`Paid: ${event.detail.paymentRequest.paymentRequestId}`);
      const onError = (event: KlarnaErrorEvent) => setStatus(`Error: ${event.detail.reason}`);
      element.addEventListener('klarna-presentation', onPresentation);
      element.addEventListener('klarna-complete', onComplete);
      element.addEventListener('klarna-error', onError);
      return () => {
        element.removeEventListener('klarna-presentation', onPresentation);
        element.removeEventListener('klarna-complete', onComplete);
        element.removeEventListener('klarna-error', onError);
      };
    },
    [initial.cartId],
  );

  // Register the element only after hydration: it adds Klarna's components as its light-DOM
  // children, which React would count as a mismatch with the server's HTML if they came first.
  // The class comes with this module (importing it registers nothing), so no extra fetch waits here.
  useEffect(() => definePayWithKlarna(), []);

  return (
    <main>
      <h1>Checkout, rendered on the server</h1>
      <label>
        Mugs{' '}
        <input
          type="number"
          min={1}
          value={quantity}
          onChange={(event) => setQuantity(Number(event.target.value) || 1)}
        />
      </label>
      <p id="total">{`Total: ${(amount / 100).toFixed(2)} ${initial.currency}`}</p>
      <form>
        <label>
          <input type="radio" name="payment" value="card" onChange={() => setMethod('card')} /> Card
        </label>
        <pay-with-klarna
          ref={klarna}
          name="payment"
          client-id={initial.klarnaClientId}
          amount={amount}
          currency={initial.currency}
          locale={initial.locale}
          initiate-url="/api/klarna/initiate"
          onChange={(event) => event.currentTarget.selected && setMethod('klarna')}
        />
      </form>
      <p id="method">{`Payment method: ${method}`}</p>
      <p role="status">{status}</p>
    </main>
  );
}
