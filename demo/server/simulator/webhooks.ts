/**
 * Klarna's webhooks from the simulator: signed, sent when a payment request changes state, retried until answered 2xx.
 */
import { randomUUID } from 'node:crypto';
import { signWebhook } from '../signing.js';
import type { PaymentRequest, SimulatorState } from './state.js';

export interface WebhookOptions {
  url: () => string | undefined;
  signingKeyId: string;
  secret: string;
  delayMs?: number;
  retryDelaysMs?: number[];
}

export interface Delivery {
  eventId: string;
  eventType: string;
  attempt: number;
  status: number | string;
}

const SIMULATED_ACCOUNT = 'krn:partner:global:account:test:SIMULATE';
const DEFAULT_RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 16000];

export function createWebhooks(options: WebhookOptions, state: SimulatorState, live: boolean) {
  const deliveries: Delivery[] = [];

  function event(request: PaymentRequest, eventType: string, eventId: string) {
    const metadata = {
      event_type: eventType,
      event_id: eventId,
      event_version: 'v2',
      occurred_at: request.updatedAt,
      correlation_id: randomUUID(),
      subject_account_id: SIMULATED_ACCOUNT,
      recipient_account_id: SIMULATED_ACCOUNT,
      webhook_id: 'krn:partner:global:notification:webhook:simulator',
      live,
    };
    const payload = {
      payment_request_id: request.id,
      payment_request_reference: request.reference,
      state: request.state,
      previous_state: request.previousState,
      ...(request.sessionToken ? { klarna_network_session_token: request.sessionToken } : {}),
      state_context: state.describe(request).state_context,
      ...(request.customerToken ? { klarna_customer: { customer_token: request.customerToken } } : {}),
    };
    return JSON.stringify({ metadata, payload });
  }

  async function deliver(request: PaymentRequest, attempt = 1, eventId = randomUUID()) {
    const url = options.url();
    if (!url) return;
    const eventType = `payment.request.state-change.${request.state.toLowerCase().replace('_', '-')}`;
    const body = event(request, eventType, eventId);
    const headers = {
      'content-type': 'application/json',
      'Klarna-Signature': signWebhook(body, options.secret),
      'Klarna-Signing-Key-Id': options.signingKeyId,
    };
    let status: number | string;
    try {
      status = (await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) })).status;
    } catch (error) {
      status = (error as Error).message;
    }
    deliveries.push({ eventId, eventType, attempt, status });
    if (typeof status === 'number' && status >= 200 && status < 300) return;
    const delay = (options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS)[attempt - 1];
    if (delay !== undefined) state.later(delay, () => void deliver(request, attempt + 1, eventId));
  }

  return {
    deliveries,
    /**
     * The request changed state: its webhook goes out (at once, a little later, or never, as its session token asked).
     */
    announce(request: PaymentRequest) {
      if (request.webhookMode === 'lost') return;
      state.later(request.webhookMode === 'delayed' ? (options.delayMs ?? 3000) : 0, () => void deliver(request));
    },
  };
}
