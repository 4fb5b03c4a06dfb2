// The script-tag build: registers <pay-with-klarna> and exposes the same API as the npm package.
import { definePayWithKlarna } from './register.js';
import { loadKlarnaSdk } from './sdk/loader.js';

export * from './index.js';

// Klarna's download is the longest wait on the page, so it starts before the heavier work of
// registering the element and upgrading the elements already parsed: on a slow phone that work
// takes long enough to count. One microtask late, so that a configureKlarnaSdk() in a module that
// imported this one applies; then the element is registered (await customElements.whenDefined()
// before calling its methods from such a module).
if (typeof document !== 'undefined') {
  queueMicrotask(() => {
    if (document.querySelector('pay-with-klarna')) loadKlarnaSdk().catch(() => {});
    definePayWithKlarna();
  });
}
