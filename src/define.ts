import { PayWithKlarna } from './pay-with-klarna.js';
import { loadKlarnaSdk } from './sdk/loader.js';

if (typeof customElements !== 'undefined' && !customElements.get('pay-with-klarna')) {
  // Elements already in the page start Klarna's download before their first render: this microtask
  // is queued ahead of theirs, and still after a configureKlarnaSdk() in the module that imported us.
  queueMicrotask(() => {
    if (typeof document !== 'undefined' && document.querySelector('pay-with-klarna')) loadKlarnaSdk().catch(() => {});
  });
  // Guarded so loading the bundle twice, hot reloads and micro-frontends never throw.
  customElements.define('pay-with-klarna', PayWithKlarna);
}

export { PayWithKlarna };
