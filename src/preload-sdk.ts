import { KLARNA_SDK_URL } from './sdk/loader.js';

// The script-tag bundle's first act, before Lit and the element are even evaluated: when the page
// already has a <pay-with-klarna>, ask the browser to fetch Klarna's SDK now (a modulepreload
// fetches and parses, and runs nothing; a second one for the same URL, or the page's own hint, is
// the same download). The element's import() later takes it, so compiling, registering and
// upgrading the element no longer come before it.
if (globalThis.document?.querySelector('pay-with-klarna')) {
  document.head.append(Object.assign(document.createElement('link'), { rel: 'modulepreload', href: KLARNA_SDK_URL }));
}
