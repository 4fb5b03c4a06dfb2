import { PayWithKlarnaError, klarnaErrorCode, messageOf } from '../errors.js';
import { answerWithin, sleep } from '../internal/async.js';
import { KlarnaSession } from './session.js';
import type { KlarnaSdkModule, SdkConfig } from './types.js';

/** Klarna requires the SDK to come from its CDN at run time: never bundled, never self-hosted. */
export const KLARNA_SDK_URL = 'https://js.klarna.com/web-sdk/v2/klarna.mjs';
const KLARNA_ORIGIN = 'https://js.klarna.com';

export interface KlarnaSdkOptions {
  /**
   * Where the SDK module comes from. Leave unset in production: the element imports
   * `KLARNA_SDK_URL`. Tests, demos and offline development pass the testing kit's fake here,
   * either as the module itself or as a function that imports it.
   */
  sdk?: KlarnaSdkModule | (() => Promise<unknown>);
  /** Longest wait for each of: loading the SDK (all attempts together), `KlarnaSDK()`, `presentation()`. */
  timeoutMs?: number;
  /**
   * Pauses before each retry of a failed SDK download; its length is the number of retries. When the
   * script-tag bundle's own import was the first try and failed, the first retry comes at once and
   * the first pause is skipped (so `[]` still asks once more).
   */
  retryDelaysMs?: number[];
}

interface ResolvedOptions {
  sdk?: KlarnaSdkOptions['sdk'];
  timeoutMs: number;
  retryDelaysMs: number[];
}

interface SharedState {
  options: ResolvedOptions;
  /** The SDK module under "sdk", one session per configuration under its JSON key. */
  loads: Map<string, Promise<unknown>>;
  /** Set by the script-tag bundle: settles once the modules that import it have run. */
  ready?: Promise<void>;
  /** The script-tag bundle's own import of the SDK, until the first load takes it as its first try. */
  early?: { module: Promise<unknown>; csp: CspWatch };
  /** How many times this page has asked for Klarna's SDK (optional: an older copy may have made the state). */
  tries?: number;
}

const DEFAULTS: ResolvedOptions = { timeoutMs: 15_000, retryDelaysMs: [500, 1_500] };

// Kept on globalThis under a registered symbol so two copies of this package on one page
// (a bundle loaded twice, micro-frontends) still share one import and one KlarnaSDK() per configuration.
const STATE_KEY = Symbol.for('pay-with-klarna.sdk');

function shared(): SharedState {
  const holder = globalThis as { [STATE_KEY]?: SharedState };
  return (holder[STATE_KEY] ??= { options: { ...DEFAULTS }, loads: new Map() });
}

/**
 * Sets where the SDK comes from and how long to wait for it. Call it before the first element
 * connects. Setting `sdk` (even to the same value) forgets every loaded SDK and instance, so the
 * next element starts afresh; timeouts and retries alone apply to what starts after the call.
 */
export function configureKlarnaSdk(options: KlarnaSdkOptions): void {
  const state = shared();
  state.options = {
    sdk: 'sdk' in options ? options.sdk : state.options.sdk,
    timeoutMs: options.timeoutMs ?? state.options.timeoutMs,
    retryDelaysMs: options.retryDelaysMs ?? state.options.retryDelaysMs,
  };
  if ('sdk' in options) state.loads.clear();
}

/**
 * The script-tag bundle is an async module (it may wait for Klarna's SDK before it registers the
 * element), so the modules that import it run after its elements have connected. Until a task
 * later, elements leave the SDK alone: a configureKlarnaSdk() in such a module still comes first.
 */
export function waitForImporters(): void {
  shared().ready = sleep(0);
}

/** Settles once a configureKlarnaSdk() in a module that imports the script-tag bundle has run. */
export function importersRan(): Promise<void> {
  return shared().ready ?? Promise.resolve();
}

export function sdkTimeoutMs(): number {
  return shared().options.timeoutMs;
}

/** The promise kept under `key`, made by `create` if there is none; a failure is forgotten so a later call retries. */
function remember<T>(key: string, create: (options: ResolvedOptions) => Promise<T>): Promise<T> {
  const { loads, options } = shared();
  let promise = loads.get(key) as Promise<T> | undefined;
  if (!promise) {
    const created: Promise<T> = create(options).catch((error: unknown) => {
      if (loads.get(key) === created) loads.delete(key);
      throw error;
    });
    loads.set(key, (promise = created));
  }
  return promise;
}

/**
 * The script-tag bundle's first act on a page without a hint: imports Klarna's SDK before anything
 * else is computed, and watches for a Content-Security-Policy that blocks it, whose report would
 * otherwise come before anyone listens. The first load takes this import as its first try, unless
 * `sdk` is configured by then.
 */
export function importEarly(): void {
  const state = shared();
  if (state.early || state.loads.has('sdk')) return; // a second copy of the bundle: the first one's
  const csp = watchContentSecurityPolicy();
  const module = importOnce(undefined);
  module.catch(() => {}); // the load reports a failure
  state.early = { module, csp };
}

/** Starts downloading the SDK module, once per page. */
export function loadKlarnaSdk(): Promise<KlarnaSdkModule> {
  return remember('sdk', importWithRetries);
}

/** One initialised SDK per distinct configuration, shared by every element that uses it. */
export function getKlarnaSession(config: SdkConfig): Promise<KlarnaSession> {
  const key = JSON.stringify(config); // made by sdkConfigFor: the same keys in the same order
  return remember(key, (options) => createSession(config, options.timeoutMs));
}

async function createSession(config: SdkConfig, timeoutMs: number): Promise<KlarnaSession> {
  const sdk = await loadKlarnaSdk();
  const sdkConfig: SdkConfig = { ...config, products: ['PAYMENT'] };
  let klarna;
  try {
    klarna = await answerWithin(() => sdk.KlarnaSDK(sdkConfig), timeoutMs, 'init', 'KlarnaSDK()');
  } catch (error) {
    if (error instanceof PayWithKlarnaError) throw error;
    const code = klarnaErrorCode(error);
    throw new PayWithKlarnaError(
      'init',
      'init',
      `KlarnaSDK() rejected${code ? ` with ${code}` : ''}: ${messageOf(error)}. Check the client id, and that this domain is allowlisted for it.`,
      { code, cause: error },
    );
  }
  if (
    !klarna ||
    typeof klarna.Payment?.presentation !== 'function' ||
    typeof (klarna.Payment.on ?? klarna.Payment.onComplete) !== 'function'
  ) {
    throw new PayWithKlarnaError('init', 'invalid-sdk', 'KlarnaSDK() gave no usable Payment API.');
  }
  return new KlarnaSession(klarna);
}

async function importWithRetries(options: ResolvedOptions): Promise<KlarnaSdkModule> {
  let settled = false;
  const state = shared();
  const early = state.early;
  state.early = undefined;
  if (options.sdk) early?.csp.stop(); // a configured source replaces Klarna's
  const first = options.sdk ? undefined : early;
  const csp = first?.csp ?? watchContentSecurityPolicy();
  const attempts = (async () => {
    // Once the load has settled (a timeout during a wait, say), nothing more is asked for.
    for (let attempt = 0; !settled; attempt++) {
      const taken = attempt === 0 && first !== undefined;
      try {
        return asSdkModule(await (taken ? first.module : importOnce(options.sdk)));
      } catch (error) {
        await sleep(0); // a CSP report may be queued just behind the failed import
        const failure = csp.violation ?? classifyLoadError(error);
        // The bundle's own import was a first try made before this load began: its retry comes at
        // once, and the first pause is skipped.
        const delay = taken ? 0 : options.retryDelaysMs[attempt];
        if (!failure.retryable || delay === undefined) throw failure;
        await sleep(delay);
      }
    }
  })() as Promise<KlarnaSdkModule>; // it ends without a module only once the load has settled
  try {
    return await answerWithin(() => Promise.race([attempts, csp.blocked]), options.timeoutMs, 'load', "Klarna's SDK");
  } finally {
    settled = true;
    csp.stop();
  }
}

function importOnce(source: ResolvedOptions['sdk']): Promise<unknown> {
  if (typeof source === 'function') return source();
  if (source) return Promise.resolve(source);
  const url = nextSdkUrl();
  // Kept opaque to merchants' bundlers: the SDK must be fetched from Klarna at run time.
  return import(/* @vite-ignore */ /* webpackIgnore: true */ url);
}

/**
 * Klarna's URL for the page's first try, then `?retry=N` for its Nth try after that. Firefox keeps
 * a failed import() of a URL in its module map for the page's life (as the HTML spec says) and
 * never asks for that URL again: a retry, or a refresh() once the network is back, must ask for a
 * URL the page has not tried. The first try's URL is the one the page's own hint preloads.
 */
function nextSdkUrl(): string {
  const state = shared();
  const tries = state.tries ?? 0;
  state.tries = tries + 1;
  return tries === 0 ? KLARNA_SDK_URL : `${KLARNA_SDK_URL}?retry=${tries}`;
}

function asSdkModule(candidate: unknown): KlarnaSdkModule {
  if (candidate && typeof (candidate as Partial<KlarnaSdkModule>).KlarnaSDK === 'function') {
    return candidate as KlarnaSdkModule;
  }
  throw new PayWithKlarnaError('load', 'invalid-sdk', `${KLARNA_SDK_URL} loaded without a KlarnaSDK export.`);
}

function classifyLoadError(error: unknown): PayWithKlarnaError {
  if (error instanceof PayWithKlarnaError) return error;
  // Chromium, Firefox and Safari word a failed module download differently; all are TypeErrors.
  if (error instanceof TypeError && /fetch|load|import/i.test(error.message)) {
    return new PayWithKlarnaError('load', 'network', `Klarna's SDK could not be downloaded from ${KLARNA_SDK_URL}.`, {
      retryable: true,
      cause: error,
    });
  }
  return new PayWithKlarnaError('load', 'invalid-sdk', `Klarna's SDK failed while loading: ${messageOf(error)}`, {
    cause: error,
  });
}

interface CspWatch {
  violation?: PayWithKlarnaError;
  blocked: Promise<never>;
  stop(): void;
}

/**
 * Turns the page's report of a blocked Klarna script into an immediate `csp` failure. Only ever
 * called in a browser: the SDK is loaded for a connected element, or by the script-tag bundle for
 * one already on the page.
 */
function watchContentSecurityPolicy(): CspWatch {
  let reject!: (violation: PayWithKlarnaError) => void;
  const watch: CspWatch = {
    blocked: new Promise<never>((_, rejectBlocked) => (reject = rejectBlocked)),
    stop: () => document.removeEventListener('securitypolicyviolation', onViolation),
  };
  const onViolation = (event: SecurityPolicyViolationEvent) => {
    // A report-only policy blocks nothing: only an enforced one makes Klarna unavailable.
    if (event.disposition !== 'enforce' || !event.blockedURI.startsWith(KLARNA_ORIGIN)) return;
    watch.violation = new PayWithKlarnaError(
      'load',
      'csp',
      `Content-Security-Policy ${event.effectiveDirective} blocks Klarna's SDK. Add ${KLARNA_ORIGIN} to script-src.`,
      { directive: event.effectiveDirective },
    );
    reject(watch.violation);
  };
  document.addEventListener('securitypolicyviolation', onViolation);
  watch.blocked.catch(() => {}); // observed through the race; never an unhandled rejection
  return watch;
}
