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
  /** The longest `Retry-After` waited for before a retry; a longer one ends the retries (the caller repeats the call later). */
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

export function createKlarnaClient(options: KlarnaClientOptions) {
  const root = options.partnerAccountId ? `/v2/accounts/${encodeURIComponent(options.partnerAccountId)}/payment` : '/v2/payment';
  const retryDelays = options.retryDelaysMs ?? [300, 1000];
  const maxRetryAfter = options.maxRetryAfterMs ?? 5_000;

  async function call(method: 'GET' | 'POST', path: string, init: { body?: unknown; headers?: Record<string, string | undefined> } = {}): Promise<KlarnaAnswer> {
    const headers: Record<string, string> = { Authorization: `Basic ${options.apiKey}`, Accept: 'application/json' };
    for (const [name, value] of Object.entries(init.headers ?? {})) if (value) headers[name] = value;
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      try {
        response = await fetch(`${options.baseUrl}${root}${path}`, {
          method,
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
      } catch {
        response = undefined; // timeout or network: worth the same request again
      }
      if (response && !tryAgain(response.status)) {
        const body = await response.json().catch(() => ({}));
        if (!response.ok) throw new KlarnaRequestError(response.status, body);
        return { status: response.status, body };
      }
      await response?.body?.cancel().catch(() => {});
      // Klarna's own pause, if it asks for one, when it is no longer than the cap; a longer one ends the retries.
      const asked = response ? retryAfterMs(response.headers.get('retry-after')) : undefined;
      const delay = retryDelays[attempt] === undefined || (asked !== undefined && asked > maxRetryAfter) ? undefined : Math.max(retryDelays[attempt]!, asked ?? 0);
      if (delay === undefined) throw new KlarnaUnavailableError(response ? `Klarna answered ${response.status} (${attempt + 1} ${attempt ? 'tries' : 'try'})` : 'Klarna did not answer', response?.status);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  return {
    /** Payment Authorize. Retries keep the same idempotency key, so Klarna never sees two payments. */
    authorize(body: unknown, headers: { idempotencyKey: string; networkSessionToken?: string; customerToken?: string }) {
      return call('POST', '/authorize', {
        body,
        headers: {
          'Klarna-Idempotency-Key': headers.idempotencyKey,
          'Klarna-Network-Session-Token': headers.networkSessionToken,
          'Klarna-Customer-Token': headers.customerToken,
        },
      });
    },
    readPaymentRequest(paymentRequestId: string) {
      return call('GET', `/requests/${encodeURIComponent(paymentRequestId)}`);
    },
  };
}

export type KlarnaClient = ReturnType<typeof createKlarnaClient>;
