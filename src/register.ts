import { PayWithKlarna } from './pay-with-klarna.js';

/** Registers <pay-with-klarna>, guarded so loading twice, hot reloads and micro-frontends never throw. */
export function definePayWithKlarna(): void {
  if (typeof customElements !== 'undefined' && !customElements.get('pay-with-klarna')) {
    customElements.define('pay-with-klarna', PayWithKlarna);
  }
}
