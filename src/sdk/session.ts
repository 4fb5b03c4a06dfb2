import type { Klarna, KlarnaPayment, PaymentEventName, PaymentPresentation, PaymentRequest } from './types.js';

/** What an element offers to receive Klarna's payment events. */
export interface PaymentEventTarget {
  /** Returns false when the merchant asked the SDK not to continue. */
  paymentCompleted(paymentRequest: PaymentRequest): boolean;
  paymentAborted(paymentRequest: PaymentRequest): void;
  paymentFailed(error: unknown, paymentRequest?: PaymentRequest): void;
  /** Klarna sent a newer version of the presentation shown (r6's presentationupdate). */
  presentationUpdated(presentation: PaymentPresentation): void;
}

const CALLBACK_NAMES = { complete: 'onComplete', abort: 'onAbort', error: 'onError' } as const;

/** `Payment.on(event, …)`, or the `onComplete` / `onAbort` / `onError` one reference page lists instead. */
function listen(payment: KlarnaPayment, event: PaymentEventName, callback: (...args: any[]) => unknown): void {
  if (typeof payment.on === 'function') payment.on(event, callback);
  else payment[CALLBACK_NAMES[event]]?.(callback);
}

/**
 * One initialised SDK instance. Klarna's payment events are registered here once, before any
 * button is mounted, and routed to the element whose button started the flow.
 */
/** The network session token of a completed payment request, under any of the keys Klarna has used. */
export function networkSessionTokenOf(paymentRequest: PaymentRequest): string | undefined {
  const context = paymentRequest.stateContext as Record<string, unknown> | undefined;
  const token =
    context?.klarnaNetworkSessionToken ?? context?.klarna_network_session_token ?? context?.interoperabilityToken;
  return typeof token === 'string' && token ? token : undefined;
}

export class KlarnaSession {
  readonly #targets = new Set<PaymentEventTarget>();
  /** The page's answer for each payment request already completed: Klarna may report one twice. */
  readonly #completed = new Map<string, boolean>();
  #owner?: PaymentEventTarget;
  /** The element that started the flow has left the page: its events have no one to go to. */
  #ownerLeft = false;

  declare readonly klarna: Klarna;

  constructor(klarna: Klarna) {
    this.klarna = klarna;
    const payment = klarna.Payment;
    listen(payment, 'complete', async (paymentRequest: PaymentRequest | undefined) => {
      const request = paymentRequest ?? {};
      const id = request.paymentRequestId;
      // a repeat gets the first answer, and no second klarna-complete
      if (id && this.#completed.has(id)) return this.#completed.get(id);
      const answer = this.#recipients().every((target) => target.paymentCompleted(request));
      if (id) this.#completed.set(id, answer);
      return answer;
    });
    listen(payment, 'abort', async (paymentRequest: PaymentRequest | undefined) => {
      const request = paymentRequest ?? {};
      // A request the customer left while still SUBMITTED would stay open until it expires.
      if (request.state === 'SUBMITTED' && request.paymentRequestId && typeof payment.cancel === 'function') {
        payment.cancel(request.paymentRequestId).catch(() => {}); // it expires anyway
      }
      for (const target of this.#recipients()) target.paymentAborted(request);
    });
    listen(payment, 'error', async (error: unknown, paymentRequest?: PaymentRequest) => {
      for (const target of this.#recipients()) target.paymentFailed(error, paymentRequest);
    });
    try {
      // r6 sends newer texts this way; later revisions keep their components current themselves
      payment.on?.('presentationupdate', (presentation: PaymentPresentation) => {
        for (const target of this.#targets) target.presentationUpdated(presentation);
      });
    } catch {
      // a revision that does not know the event
    }
  }

  attach(target: PaymentEventTarget): void {
    this.#targets.add(target);
  }

  detach(target: PaymentEventTarget): void {
    this.#targets.delete(target);
    if (this.#owner === target) {
      this.#owner = undefined;
      this.#ownerLeft = true;
    }
  }

  /** Called when a button's initiate runs: that element receives the flow's events. */
  startFlow(target: PaymentEventTarget): void {
    this.#owner = target;
    this.#ownerLeft = false;
  }

  /** Who hears an event: the element that started the flow, or, after a redirect back, every element. */
  #recipients(): PaymentEventTarget[] {
    if (this.#owner) return [this.#owner];
    return this.#ownerLeft ? [] : [...this.#targets];
  }

  /** The network session token, for SDK revisions whose initiate callback passes none. */
  async sessionToken(): Promise<string | undefined> {
    const source = this.klarna.Network?.Session ?? this.klarna.Interoperability;
    if (!source || typeof source.token !== 'function') return undefined;
    const token = await source.token();
    return typeof token === 'string' && token ? token : undefined;
  }
}
