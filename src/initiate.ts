import { PayWithKlarnaError, klarnaErrorCode, messageOf } from './errors.js';
import { answerWithin, newUuid } from './internal/async.js';
import type { InitiateResult, PresentationRequest } from './sdk/types.js';

/** The JSON body the element POSTs to `initiate-url`: the presented context, plus whatever `initiateData` adds. */
export interface InitiateRequestBody extends PresentationRequest {
  klarnaNetworkSessionToken?: string;
  /** Left out when neither the SDK nor the presentation gave one. */
  paymentOptionId?: string;
  [key: string]: unknown;
}

/** What a custom `initiate` function receives. */
export interface InitiateContext extends InitiateRequestBody {
  /** New for each payment attempt, the same when that attempt is retried: send it to your backend. */
  idempotencyKey: string;
  /** Aborted when the element's timeout passes or it leaves the page. */
  signal: AbortSignal;
}

/** Replaces the built-in backend call; resolve with one of the answers the SDK accepts. */
export type InitiateHandler = (context: InitiateContext) => unknown;

/** What the element holds for the backend call, read at the press. */
export interface BackendSettings {
  initiateUrl?: string;
  initiate?: InitiateHandler;
  initiateData?: Record<string, unknown> | (() => Record<string, unknown>);
  requestInit?: Omit<RequestInit, 'body' | 'method' | 'signal'>;
  initiateTimeout: number;
}

/**
 * The backend call of one element's presses: the body, its idempotency key, one timeout, one
 * classification of what went wrong. One payment attempt keeps its key while it is retried after a
 * failure that may pass; a success, a final failure or a different request starts a new attempt.
 */
export class BackendCall {
  // The current attempt: the request it was made for, its key, and whether its next request may reuse the key.
  #fingerprint?: string;
  #key = '';
  #reusable = false;

  /**
   * Asks your backend (`initiateUrl`, or the custom `initiate`) for what starts Klarna's journey, once
   * `pressed` has given the press's fields (it throws an AbortError when the page stops the press).
   * Resolves with what the SDK accepts; rejects with a `PayWithKlarnaError` of phase `initiate`, or
   * with the AbortError of a press stopped by the page or by `signal` (the element left the page).
   */
  async initiate(
    settings: BackendSettings,
    pressed: () => Promise<InitiateRequestBody>,
    signal: AbortSignal,
  ): Promise<InitiateResult> {
    const { initiate, initiateUrl, initiateData } = settings;
    // The call's signal also aborts at the timeout, after the element's own timeout error: that is
    // what is reported, whatever the call then throws.
    const timedOut = new AbortController();
    const callSignal = AbortSignal.any([signal, timedOut.signal]);
    try {
      const fields = await pressed();
      // initiateData comes first: it adds to what was presented and pressed, and never replaces it.
      const body: InitiateRequestBody = {
        ...(typeof initiateData === 'function' ? initiateData() : initiateData),
        ...fields,
      };
      const idempotencyKey = this.#keyFor(body);
      const answer = await answerWithin(
        () =>
          initiate
            ? initiate({ ...body, idempotencyKey, signal: callSignal })
            : postInitiate(initiateUrl!, body, idempotencyKey, settings.requestInit, callSignal),
        settings.initiateTimeout,
        'initiate',
        initiate ? 'The initiate function' : `The backend at ${initiateUrl}`,
      );
      const result = toSdkAnswer(answer);
      this.#reusable = false;
      return result;
    } catch (error) {
      timedOut.abort(error);
      // Stopped by leaving the page or by the page (klarna-initiate cancelled): nothing failed.
      if (signal.aborted) throw signal.reason;
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      const failure =
        error instanceof PayWithKlarnaError
          ? error
          : new PayWithKlarnaError('initiate', 'initiate', `initiate failed: ${messageOf(error)}`, {
              cause: error,
              code: klarnaErrorCode(error),
            });
      this.#reusable = failure.retryable;
      throw failure;
    }
  }

  #keyFor(body: InitiateRequestBody): string {
    const fingerprint = JSON.stringify(body);
    if (!this.#reusable || this.#fingerprint !== fingerprint) {
      this.#fingerprint = fingerprint;
      this.#key = newUuid();
      this.#reusable = true;
    }
    return this.#key;
  }
}

/** POSTs the body as JSON and returns the parsed answer, or throws a `PayWithKlarnaError` of phase `initiate`. */
async function postInitiate(
  url: string,
  body: InitiateRequestBody,
  idempotencyKey: string,
  requestInit: RequestInit | undefined,
  signal: AbortSignal,
): Promise<unknown> {
  const headers = new Headers(requestInit?.headers);
  headers.set('Content-Type', 'application/json');
  headers.set('Accept', 'application/json');
  headers.set('Idempotency-Key', idempotencyKey);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      credentials: 'same-origin',
      ...requestInit,
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal,
    });
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw signal.reason; // the timeout, or the element left the page
    throw new PayWithKlarnaError(
      'initiate',
      'network',
      `The backend at ${url} could not be reached: ${messageOf(error)}`,
      { retryable: true, cause: error },
    );
  }
  if (!response.ok) throw httpError(url, response.status, text);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new PayWithKlarnaError(
      'initiate',
      'invalid-response',
      `The backend at ${url} answered ${response.status} without valid JSON.`,
      { cause: error },
    );
  }
}

function httpError(url: string, status: number, text: string): PayWithKlarnaError {
  let detail = '';
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    const said = parsed.message ?? parsed.error;
    if (typeof said === 'string') detail = `: ${said}`;
  } catch {
    // not JSON: the status says enough
  }
  if (status === 402) {
    return new PayWithKlarnaError(
      'initiate',
      'declined',
      `The payment was declined${detail || '. Please choose another payment method.'}`,
      {
        code: '402',
      },
    );
  }
  const retryable = status >= 500 || status === 408 || status === 429;
  return new PayWithKlarnaError('initiate', 'http', `The backend at ${url} answered ${status}${detail}`, {
    retryable,
    code: String(status),
  });
}

/**
 * Keeps only what the SDK accepts from an initiate answer, so it is never handed anything else:
 * `paymentRequestUrl` or `paymentRequestId` (each with an optional `shippingConfig`), `returnUrl`
 * (made absolute against the page's URL) or `paymentRequestData`.
 */
export function toSdkAnswer(answer: unknown): InitiateResult {
  if (answer && typeof answer === 'object') {
    const { paymentRequestUrl, paymentRequestId, returnUrl, paymentRequestData, shippingConfig } = answer as Record<
      string,
      unknown
    >;
    const shipping = shippingConfig && typeof shippingConfig === 'object' ? { shippingConfig } : {};
    if (paymentRequestUrl !== undefined) {
      // the SDK reads Klarna's region and access from it: it must be the absolute URL Klarna gave
      const url = urlOf(paymentRequestUrl);
      if (url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK.includes(url.hostname)))
        return { paymentRequestUrl, ...shipping } as InitiateResult;
      throw new PayWithKlarnaError(
        'initiate',
        'invalid-response',
        `paymentRequestUrl must be an absolute https: URL (got ${JSON.stringify(paymentRequestUrl)}).`,
      );
    }
    if (typeof paymentRequestId === 'string' && paymentRequestId) return { paymentRequestId, ...shipping };
    if (
      paymentRequestData &&
      typeof paymentRequestData === 'object' &&
      typeof (paymentRequestData as { currency?: unknown }).currency === 'string'
    ) {
      return paymentRequestData as Record<string, unknown>;
    }
    // made absolute against the page's URL: the SDK needs absolute URLs
    const url = urlOf(returnUrl, globalThis.location?.href);
    if (url?.protocol === 'https:' || url?.protocol === 'http:') return { returnUrl: url.href };
  }
  throw new PayWithKlarnaError(
    'initiate',
    'invalid-response',
    "The backend's answer has no paymentRequestUrl, paymentRequestId, returnUrl or paymentRequestData.",
  );
}

/** http: is let through on this machine only, where the demo's offline simulator runs its journey. */
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

function urlOf(value: unknown, base?: string): URL | undefined {
  try {
    return typeof value === 'string' ? new URL(value, base) : undefined;
  } catch {
    return undefined;
  }
}
