/**
 * The backend's client for Klarna's payment APIs. The same code talks to the offline simulator and
 * to https://api-global.test.klarna.com: only the base URL and credentials differ.
 */
export interface KlarnaClientOptions {
  baseUrl: string;
  apiKey: string;
  partnerAccountId?: string;
  timeoutMs?: number;
  /** Pauses before retrying a 5xx or a timeout, with the same Klarna-Idempotency-Key. */
  retryDelaysMs?: number[];
}

export interface KlarnaAnswer<T = any> {
  status: number;
  body: T;
}

export class KlarnaUnavailableError extends Error {
  override readonly name = 'KlarnaUnavailableError';
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
      if (response && response.status < 500) {
        const body = await response.json().catch(() => ({}));
        if (!response.ok) throw new KlarnaRequestError(response.status, body);
        return { status: response.status, body };
      }
      const delay = retryDelays[attempt];
      if (delay === undefined) throw new KlarnaUnavailableError(response ? `Klarna answered ${response.status}` : 'Klarna did not answer');
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
