import { PayWithKlarna } from './pay-with-klarna.js';

// Guarded so loading the bundle twice, hot reloads and micro-frontends never throw. Elements already
// in the page upgrade here and start Klarna's download in their first update, a microtask later.
if (typeof customElements !== 'undefined' && !customElements.get('pay-with-klarna')) {
  customElements.define('pay-with-klarna', PayWithKlarna);
}

export { PayWithKlarna };
