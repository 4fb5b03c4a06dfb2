import { PayWithKlarnaError, messageOf } from './errors.js';
import { newUuid } from './internal/async.js';
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

/**
 * One payment attempt keeps its idempotency key while it is retried after a failure that may
 * pass; a success, a final failure or a different request starts a new attempt.
 */
export class PaymentAttempts {
  // The current attempt, in private fields (the bundle shortens their names): the request it was
  // made for, its key, and whether its next request may reuse the key.
  #fingerprint?: string;
  #key = '';
  #reusable = false;

  keyFor(body: InitiateRequestBody): string {
    const fingerprint = JSON.stringify(body);
    if (!this.#reusable || this.#fingerprint !== fingerprint) {
      this.#fingerprint = fingerprint;
      this.#key = newUuid();
      this.#reusable = true;
    }
    return this.#key;
  }

  settle(retryable: boolean): void {
    this.#reusable = retryable;
  }
}

export interface PostOptions {
  idempotencyKey: string;
  requestInit?: RequestInit;
  timeoutMs: number;
  signal: AbortSignal;
}

/** POSTs the body as JSON and returns the parsed answer, or throws a `PayWithKlarnaError` of phase `initiate`. */
export async function postInitiate(url: string, body: InitiateRequestBody, options: PostOptions): Promise<unknown> {
  const headers = new Headers(options.requestInit?.headers);
  headers.set('Content-Type', 'application/json');
  headers.set('Accept', 'application/json');
  headers.set('Idempotency-Key', options.idempotencyKey);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  try {
    const response = await fetch(url, {
      credentials: 'same-origin',
      ...options.requestInit,
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal,
    });
    const text = await response.text();
    if (!response.ok) throw httpError(url, response.status, text);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new PayWithKlarnaError('initiate', 'invalid-response', `The backend at ${url} answered ${response.status} without valid JSON.`, {
        cause: error,
      });
    }
  } catch (error) {
    if (error instanceof PayWithKlarnaError) throw error;
    if (options.signal.aborted) throw options.signal.reason ?? new DOMException('The payment was abandoned.', 'AbortError');
    if (timeout.aborted) {
      throw new PayWithKlarnaError('initiate', 'timeout', `The backend at ${url} did not answer within ${options.timeoutMs} ms.`, {
        retryable: true,
        cause: error,
      });
    }
    throw new PayWithKlarnaError('initiate', 'network', `The backend at ${url} could not be reached: ${messageOf(error)}`, {
      retryable: true,
      cause: error,
    });
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
    return new PayWithKlarnaError('initiate', 'declined', `The payment was declined${detail || '. Please choose another payment method.'}`, {
      code: '402',
    });
  }
  const retryable = status >= 500 || status === 408 || status === 429;
  return new PayWithKlarnaError('initiate', 'http', `The backend at ${url} answered ${status}${detail}`, { retryable, code: String(status) });
}

/**
 * Keeps only what the SDK accepts from an initiate answer, so it is never handed anything else:
 * `paymentRequestUrl` or `paymentRequestId` (each with an optional `shippingConfig`), `returnUrl`
 * (made absolute against the page's URL) or `paymentRequestData`.
 */
export function toSdkAnswer(answer: unknown): InitiateResult {
  if (answer && typeof answer === 'object') {
    const { paymentRequestUrl, paymentRequestId, returnUrl, paymentRequestData, shippingConfig } = answer as Record<string, unknown>;
    const shipping = shippingConfig && typeof shippingConfig === 'object' ? { shippingConfig } : {};
    if (paymentRequestUrl !== undefined) {
      // the SDK reads Klarna's region and access from it: it must be the absolute URL Klarna gave
      const url = urlOf(paymentRequestUrl);
      if (url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK.includes(url.hostname))) return { paymentRequestUrl, ...shipping } as InitiateResult;
      throw new PayWithKlarnaError('initiate', 'invalid-response', `paymentRequestUrl must be an absolute https: URL (got ${JSON.stringify(paymentRequestUrl)}).`);
    }
    if (typeof paymentRequestId === 'string' && paymentRequestId) return { paymentRequestId, ...shipping };
    if (paymentRequestData && typeof paymentRequestData === 'object' && typeof (paymentRequestData as { currency?: unknown }).currency === 'string') {
      return paymentRequestData as Record<string, unknown>;
    }
    // made absolute against the page's URL: the SDK needs absolute URLs
    const url = urlOf(returnUrl, globalThis.location?.href);
    if (url?.protocol === 'https:' || url?.protocol === 'http:') return { returnUrl: url.href };
  }
  throw new PayWithKlarnaError(
    'initiate',
    'invalid-response',
    "The backend's answer has no paymentRequestUrl, paymentRequestId, returnUrl (http/https) or paymentRequestData.",
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
