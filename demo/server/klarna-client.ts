/**
 * The backend's client for Klarna's payment APIs. The same code talks to the offline simulator and
 * to https://api-global.test.klarna.com: only the base URL and credentials differ.
 */
export interface KlarnaClientOptions {
  baseUrl: string;
  apiKey: string;
  partnerAccountId?: string;
  timeoutMs?: number;
  /** Pauses before retrying a 429, a 5xx or a timeout, with the same Klarna-Idempotency-Key. */
  retryDelaysMs?: number[];
  /**
   * The longest `Retry-After` waited for before a retry; a longer one ends the retries (the caller repeats the call
   * later).
   */
  maxRetryAfterMs?: number;
}

export interface KlarnaAnswer<T = any> {
  status: number;
  body: T;
}

/**
 * Klarna did not answer, answered 5xx, or refused the call unprocessed (429), and kept doing so
 * through the retries: the same call (same key) may be repeated later. `status` is Klarna's last.
 */
export class KlarnaUnavailableError extends Error {
  override readonly name = 'KlarnaUnavailableError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * The call could not be made: a header value that HTTP cannot carry (a character above U+00FF, CR,
 * LF, NUL), found before anything was sent. Not Klarna's silence: nothing reached Klarna, and the
 * same call can never leave, so it is not repeated.
 */
export class KlarnaCallInvalid extends Error {
  override readonly name = 'KlarnaCallInvalid';
}

/** What an HTTP header value may hold (the Fetch standard's rule): no NUL, CR or LF, nothing above U+00FF. */
export const headerSafe = (value: string) => /^[\t\x20-\x7E\x80-\xFF]*$/.test(value);

/** Klarna's answers that say "not processed, try again": a rate limit (429) or a server error (5xx). */
const tryAgain = (status: number) => status === 429 || status >= 500;

/** `Retry-After` in ms (seconds or an HTTP date), or undefined when absent or unreadable. */
function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export class KlarnaRequestError extends Error {
  override readonly name = 'KlarnaRequestError';
  constructor(
    readonly status: number,
    readonly body: any,
  ) {
    super(`Klarna answered ${status}: ${body?.error_code ?? ''} ${body?.error_message ?? ''}`.trim());
  }
}

/** Waits `ms`, or less when `signal` aborts (the loop then sees it). */
function pause(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

export function createKlarnaClient(options: KlarnaClientOptions) {
  const root = options.partnerAccountId
    ? `/v2/accounts/${encodeURIComponent(options.partnerAccountId)}/payment`
    : '/v2/payment';
  const retryDelays = options.retryDelaysMs ?? [300, 1000];
  const maxRetryAfter = options.maxRetryAfterMs ?? 5_000;

  /**
   * One Klarna call, retried (same request, same key) on a 429, a 5xx, a timeout or a network
   * failure. `signal` ends the wait for good (a sweep out of time, a stop): the outcome is then
   * unknown, as for a timeout, and nothing more is tried.
   */
  async function call(
    method: 'GET' | 'POST',
    path: string,
    init: { body?: unknown; headers?: Record<string, string | undefined>; signal?: AbortSignal } = {},
  ): Promise<KlarnaAnswer> {
    const headers: Record<string, string> = { Authorization: `Basic ${options.apiKey}`, Accept: 'application/json' };
    for (const [name, value] of Object.entries(init.headers ?? {})) {
      if (!value) continue;
      if (!headerSafe(value))
        throw new KlarnaCallInvalid(
          `${name} holds a character an HTTP header cannot carry; nothing was sent to Klarna`,
        );
      headers[name] = value;
    }
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const timeoutMs = options.timeoutMs ?? 15_000;
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      if (init.signal?.aborted)
        throw new KlarnaUnavailableError(
          `stopped waiting for Klarna: ${String(init.signal.reason?.message ?? init.signal.reason)}`,
        );
      try {
        const timeout = AbortSignal.timeout(timeoutMs);
        response = await fetch(`${options.baseUrl}${root}${path}`, {
          method,
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: init.signal ? AbortSignal.any([timeout, init.signal]) : timeout,
        });
      } catch (error) {
        if (init.signal?.aborted)
          throw new KlarnaUnavailableError(
            `stopped waiting for Klarna: ${String(init.signal.reason?.message ?? init.signal.reason)}`,
          );
        // A timeout or a network failure ("fetch failed") is worth the same request again; any
        // other error is fetch refusing the request itself, before anything was sent.
        const local = error instanceof TypeError && error.message !== 'fetch failed';
        if (local)
          throw new KlarnaCallInvalid(`the call could not be made: ${error.message}; nothing was sent to Klarna`);
        response = undefined;
      }
      if (response && !tryAgain(response.status)) {
        const body = await response.json().catch(() => ({}));
        if (!response.ok) throw new KlarnaRequestError(response.status, body);
        return { status: response.status, body };
      }
      await response?.body?.cancel().catch(() => {});
      // Klarna's own pause, if it asks for one, when it is no longer than the cap; a longer one ends the retries.
      const asked = response ? retryAfterMs(response.headers.get('retry-after')) : undefined;
      const delay =
        retryDelays[attempt] === undefined || (asked !== undefined && asked > maxRetryAfter)
          ? undefined
          : Math.max(retryDelays[attempt]!, asked ?? 0);
      if (delay === undefined)
        throw new KlarnaUnavailableError(
          response
            ? `Klarna answered ${response.status} (${attempt + 1} ${attempt ? 'tries' : 'try'})`
            : 'Klarna did not answer',
          response?.status,
        );
      await pause(delay, init.signal);
    }
  }

  return {
    /** Payment Authorize. Retries keep the same idempotency key, so Klarna never sees two payments. */
    authorize(
      body: unknown,
      headers: { idempotencyKey: string; networkSessionToken?: string; customerToken?: string },
      signal?: AbortSignal,
    ) {
      return call('POST', '/authorize', {
        body,
        signal,
        headers: {
          'Klarna-Idempotency-Key': headers.idempotencyKey,
          'Klarna-Network-Session-Token': headers.networkSessionToken,
          'Klarna-Customer-Token': headers.customerToken,
        },
      });
    },
    readPaymentRequest(paymentRequestId: string, signal?: AbortSignal) {
      return call('GET', `/requests/${encodeURIComponent(paymentRequestId)}`, { signal });
    },
  };
}

export type KlarnaClient = ReturnType<typeof createKlarnaClient>;
