/**
 * An offline stand-in for Klarna's servers: the Payment Authorize and Payment Request endpoints
 * with Klarna's request and answer shapes, a hosted purchase journey, klarna_network_session_tokens
 * that expire after 60 minutes on a clock tests can move, customer tokens, and signed webhooks
 * delivered with retries. Nothing here is Klarna's code; it follows Klarna's published guides.
 *
 * The outcome of a payment is chosen by the session token the (fake) SDK hands out:
 * `krn:network:us1:test:session-token:sim.<outcome>[.<webhook>].<nonce>` where outcome is
 * `approve`, `step-up` (default) or `decline`, and webhook is `prompt` (default), `delayed` or `lost`.
 *
 * Its parts, in simulator/: what it knows and keeps (state.ts), Klarna's API (klarna-api.ts), the
 * webhooks it sends (webhooks.ts), the purchase journey (journey.ts) and the tests' controls (controls.ts).
 */
import { Hono } from 'hono';
import { controlRoutes } from './simulator/controls.js';
import { journeyRoutes, type JourneyDecision } from './simulator/journey.js';
import { klarnaApiRoutes, type Call, type Failures } from './simulator/klarna-api.js';
import { SimulatorState, type PaymentRequest } from './simulator/state.js';
import { createWebhooks, type WebhookOptions } from './simulator/webhooks.js';

export { fillReturnUrl } from './simulator/journey.js';
export { newSessionToken } from './simulator/klarna-api.js';
export type { SimOutcome, SimWebhookMode } from './simulator/state.js';

export interface SimulatorOptions {
  apiKey: string;
  /**
   * The key to the `/_sim/*` controls (outages, declines, the clock, consent, the call log):
   * `Authorization: Bearer <controlKey>`. Made up for each start by the process that starts the
   * simulator, which alone drives them (its tests); never sent to a browser.
   */
  controlKey: string;
  /** Where the simulator itself is reachable (for payment_request_url). */
  publicUrl: () => string;
  webhook: WebhookOptions;
  /** Klarna's live flag on webhooks; tests flip it to check the backend refuses a mismatch. */
  live?: boolean;
  /**
   * Where the simulator keeps what Klarna would keep (payment requests, session and customer
   * tokens, answers by idempotency key, its clock), so that a restart of `npm start` loses none of
   * it. In memory only when absent (the tests' own simulators).
   */
  stateFile?: string;
}

const OUTCOME_OF: Record<JourneyDecision, PaymentRequest['state']> = {
  approve: 'COMPLETED',
  decline: 'DECLINED',
  cancel: 'CANCELED',
};

export function createSimulator(options: SimulatorOptions) {
  const state = new SimulatorState(options.stateFile, options.publicUrl);
  const webhooks = createWebhooks(options.webhook, state, options.live ?? false);
  const calls: Call[] = [];
  const failures: { current: Failures } = { current: { count: 0, mode: '503' } };

  /**
   * The customer's answer in the journey: an open request completes, is declined or is canceled (anything else
   * cancels).
   */
  function decide(request: PaymentRequest, decision: string) {
    if (request.state !== 'SUBMITTED' && request.state !== 'IN_PROGRESS') return;
    state.move(request, Object.hasOwn(OUTCOME_OF, decision) ? OUTCOME_OF[decision as JourneyDecision] : 'CANCELED');
    webhooks.announce(request);
  }

  const app = new Hono();
  klarnaApiRoutes(app, { apiKey: options.apiKey, state, calls, failures });
  journeyRoutes(app, state, decide);
  controlRoutes(app, { controlKey: options.controlKey, state, calls, deliveries: webhooks.deliveries, failures });

  return {
    app,
    /** Decides the customer's answer in the journey without a browser (for tests). */
    decide(paymentRequestId: string, decision: JourneyDecision) {
      const request = state.requests.get(paymentRequestId);
      if (request) decide(request, decision);
      return request;
    },
    stop() {
      state.stop();
    },
    /** Klarna no longer knows this payment request (purged, or another Klarna): reads of it answer 404 (for tests). */
    forget(paymentRequestId: string) {
      state.requests.delete(paymentRequestId);
      state.save();
    },
    /** The port of the last run, to listen on again, so that the journey addresses given out stay the same. */
    get savedPort() {
      return state.savedPort;
    },
    rememberPort(listening: number) {
      state.port = listening;
      state.save();
    },
    log: calls,
    deliveries: webhooks.deliveries,
  };
}

export type Simulator = ReturnType<typeof createSimulator>;
