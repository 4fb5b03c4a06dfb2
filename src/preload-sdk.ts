import { resolveLocale, sdkConfigFor } from './config.js';
import { sleep } from './internal/async.js';
import { KLARNA_SDK_URL, getKlarnaSession, importersRan, loadKlarnaSdk, waitForImporters } from './sdk/loader.js';

// The script-tag bundle's first act, before Lit and the element are even evaluated, when the page
// already has a <pay-with-klarna>. With the page's own hint for klarna.mjs, Klarna goes first (see
// klarnaFirst). Without one, ask the browser to fetch Klarna's SDK now (a modulepreload fetches and
// parses, and runs nothing; the element's import() later takes that download), then yield one task,
// so that Lit and the element are evaluated in a task of their own, not in the one that began loading.
const first = globalThis.document?.querySelector('pay-with-klarna');
let preload: Promise<Event> | undefined;
// The page's own hint in <head>: Klarna's download started with the page and may be done already.
// (A second copy of the bundle on the page takes the first copy's link for one: it shares that
// download and the one KlarnaSDK(), but starts them before its own importers have run.)
if (first && document.querySelector(`link[href="${KLARNA_SDK_URL}"]`)) await klarnaFirst(first);
else if (first) {
  const link = Object.assign(document.createElement('link'), { rel: 'modulepreload', href: KLARNA_SDK_URL });
  // The element's import() waits for its load or error event, so that it never asks for klarna.mjs
  // again on top of a preload that has failed: that failure is the first try, and the import() the
  // first retry. A link that the page removes from <head> still loads and fires them (in Chromium,
  // tested). A browser without modulepreload fires neither event and gives up at the load timeout;
  // it lacks AbortSignal.any as well, so it could not pay anyway.
  // (The cast: a link's onerror gets an event, but is typed as window.onerror, string or event.)
  preload = new Promise((settled) => (link.onload = link.onerror = settled as OnErrorEventHandlerNonNull));
  document.head.append(link);
  await sleep(0);
}
// From here on, this module runs to its end (Lit, the element, its registration) without waiting.
waitForImporters();
// The element's download, which waits for that preload: begun here, before any element asks for
// it, so that every element takes this one.
if (preload) importersRan().then(() => loadKlarnaSdk(preload).catch(() => {}));

/**
 * Klarna before Lit: starts `KlarnaSDK()` for the element's attributes (the element takes that same
 * instance), then waits, at most 50 ms, for the SDK module, so that on a slow device the SDK runs
 * and its initialisation goes out while Lit and the element are evaluated, not after them. Modules
 * that import the bundle wait for it too (top-level await).
 */
async function klarnaFirst(element: Element): Promise<void> {
  // the configuration the element asks for, so that it takes this instance
  const locale = resolveLocale(element, element.getAttribute('locale'));
  const sdkConfig = sdkConfigFor({ clientId: element.getAttribute('client-id'), partnerAccountId: element.getAttribute('partner-account-id') }, locale);
  if (!sdkConfig) return; // the element reports it
  getKlarnaSession(sdkConfig).catch(() => {}); // a failure is the element's to report, when it asks
  await Promise.race([loadKlarnaSdk().catch(() => {}), sleep(50)]);
}
