import { resolveLocale, sdkConfigFor } from './config.js';
import { sleep } from './internal/async.js';
import { KLARNA_SDK_URL, getKlarnaSession, importEarly, loadKlarnaSdk, waitForImporters } from './sdk/loader.js';

// The script-tag bundle's first act, before Lit and the element are even evaluated, when the page
// already has a <pay-with-klarna>. With the page's own hint for klarna.mjs, Klarna goes first (see
// klarnaFirst). Without one, import Klarna's SDK now, before anything else is computed, then yield
// one task, so that Lit and the element are evaluated in a task of their own, not in the one that
// began loading.
const first = globalThis.document?.querySelector('pay-with-klarna');
// The page's own hint in <head>: Klarna's download started with the page and may be done already.
// (A second copy of the bundle on the page shares the first copy's download and its one KlarnaSDK().)
if (first && document.querySelector(`link[href="${KLARNA_SDK_URL}"]`)) await klarnaFirst(first);
else if (first) {
  // The element's load, begun when it connects (a task later, see waitForImporters), takes this
  // import as its first try: it is never asked for twice at once, and a failure is retried at once. The SDK module runs as soon as it arrives, as it would for
  // the element; KlarnaSDK() still waits for the modules that import the bundle, which may put
  // the testing kit's fake in its place (configureKlarnaSdk).
  importEarly();
  await sleep(0);
}
// From here on, this module runs to its end (Lit, the element, its registration) without waiting.
waitForImporters();

/**
 * Klarna before Lit: starts `KlarnaSDK()` for the element's attributes (the element takes that same
 * instance), then waits, at most 50 ms, for the SDK module, so that on a slow device the SDK runs
 * and its initialisation goes out while Lit and the element are evaluated, not after them. Modules
 * that import the bundle wait for it too (top-level await).
 */
async function klarnaFirst(element: Element): Promise<void> {
  // the configuration the element asks for, so that it takes this instance
  const locale = resolveLocale(element, element.getAttribute('locale'));
  const attribute = (name: string) => element.getAttribute(name);
  const sdkConfig = sdkConfigFor(
    {
      clientId: attribute('client-id'),
      partnerAccountId: attribute('partner-account-id'),
      sdkToken: attribute('sdk-token'),
    },
    locale,
  );
  if (!sdkConfig) return; // the element reports it
  getKlarnaSession(sdkConfig).catch(() => {}); // a failure is the element's to report, when it asks
  await Promise.race([loadKlarnaSdk().catch(() => {}), sleep(50)]);
}
