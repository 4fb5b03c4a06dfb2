import { PayWithKlarna } from './pay-with-klarna.js';

// Guarded so loading the bundle twice, hot reloads and micro-frontends never throw.
if (typeof customElements !== 'undefined' && !customElements.get('pay-with-klarna')) {
  customElements.define('pay-with-klarna', PayWithKlarna);
}

export { PayWithKlarna };
