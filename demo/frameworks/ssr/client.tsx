// The browser's side: hydrate the server's HTML with the state the server rendered it from.
import { StrictMode } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { Checkout, type CheckoutState } from './Checkout.js';

const initial = JSON.parse(document.getElementById('checkout-state')!.textContent!) as CheckoutState;

hydrateRoot(
  document.getElementById('root')!,
  <StrictMode>
    <Checkout initial={initial} />
  </StrictMode>,
);
