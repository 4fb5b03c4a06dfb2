/**
 * What a merchant's server does with Klarna, as Klarna's guides describe it: authorize with
 * step-up, finalize with the klarna_network_session_token within 60 minutes (exactly once, whether
 * the webhook or the customer comes back first), and charge a stored customer token later.
 */
import { createHash } from 'node:crypto';
import { product } from './catalog.js';
import { KlarnaCallInvalid, KlarnaRequestError, KlarnaUnavailableError, headerSafe, type KlarnaClient } from './klarna-client.js';
import type { Order, OrderStatus, Store } from './store.js';

const SIXTY_MINUTES = 60 * 60 * 1000;
/**
 * How long a Klarna call without a known outcome (a first or final authorization, a subscription
 * charge) is repeated with its Klarna-Idempotency-Key. Klarna keeps a key for 24 hours: a repeat
 * after that could be a second payment. An hour short of it, for clocks.
 */
const REPEAT_WINDOW_MS = 23 * 60 * 60 * 1000;
const REFUSED = 'Klarna refused this payment request, so nothing was charged. Please choose another payment method, or contact the shop.';
const UNCONFIRMED = 'Klarna never confirmed this payment. The shop is checking it with Klarna; please contact the shop before you pay again.';
const NOT_SENT = 'This payment could not be sent to Klarna, so nothing was charged. Please try again, or choose another payment method.';
const FORGOTTEN = 'Klarna no longer knows this payment request, so it can no longer be completed, and nothing was charged. Please pay again.';
/** How long after a look at Klarna for an order (a payment request read, a repeated call) the next may begin, in any instance. */
export const LOOK_GAP_MS = 5_000;
/** Looks that keep failing wait longer each time: LOOK_GAP_MS, doubling, up to this. */
const MAX_LOOK_BACKOFF_MS = 10 * 60 * 1000;
/** How long a look is leased to the instance that began it, at least: longer than a look takes. */
const LOOK_LEASE_MS = 2 * 60 * 1000;
/** Orders claimed by one sweep pass, and how many of them are looked at together. */
const SWEEP_BATCH = 50;
const SWEEP_CONCURRENCY = 8;
/** A call left in flight this long (a crash, a hung connection) is repeated by the sweep, with its key. */
export const STUCK_AFTER_MS = 2 * 60 * 1000;
/**
 * How many attempts a period's charge gets: each declined one is a press of its own (a scheduler's
 * run), never an automatic retry. Klarna: "Declines should not be replayed without change of context".
 */
export const ATTEMPTS_PER_PERIOD = 3;
/**
 * A charge's decline that names the token (CUSTOMER_TOKEN_INVALID, as the simulator answers for a
 * token it does not know, or CUSTOMER_TOKEN_EXPIRED, TOKEN_REVOKED…): the customer token, the one
 * token a charge sends, can no longer be charged, and no attempt can change that.
 */
export const tokenUnusable = (reason: string | null | undefined) => /(^|_)TOKEN(_|$)/i.test(reason ?? '');
/** What the operator is told of a call left unrepeated at the end of that window. */
const notRepeated = (call: string, since: string, reference: string) =>
  `${call}: no answer from Klarna since ${since}, and Klarna keeps a Klarna-Idempotency-Key for 24 hours, so a repeat now could pay twice: not repeated, and no new attempt is made. Check transaction reference ${reference} in the Klarna Portal.`;
/**
 * Where Klarna's answer to a first Payment Authorize settles an order: also after the window closed
 * on a repeat in flight, or after another instance's first try of the same attempt was refused.
 * Always for the attempt that asked (its key): a sweep's stale copy of an earlier attempt must not
 * settle a later one, nor an answer land on an order that a new attempt has claimed.
 */
const ANSWERABLE: OrderStatus[] = ['authorizing', 'unconfirmed', 'failed'];

/**
 * The query of the return URL set on a payment request: Klarna's template variables, which Klarna
 * fills in when its journey sends the customer back (after a redirect, or from a phone's Klarna
 * app, where no event reaches the page that started it). The return route reads the outcome from
 * Klarna itself: these values come through the browser, so it trusts none of them.
 */
export const RETURN_TEMPLATE =
  'payment_request_id={klarna.payment_request.id}&state={klarna.payment_request.state}&klarna_network_session_token={klarna.payment_request.klarna_network_session_token}';

/** A stable UUID-shaped key for one logical Klarna call, so every retry of it is the same request to Klarna. */
export function klarnaIdempotencyKey(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Shows enough of a token to follow it in a log, never enough to use it. */
export function redact(token: string | undefined | null): string {
  if (!token) return '(none)';
  return `${token.slice(0, Math.min(token.lastIndexOf(':') + 1, 24)) || token.slice(0, 6)}…${token.slice(-4)}`;
}

export function purchaseData(order: Order) {
  const subscriptions = order.lines
    .map((line) => ({ line, plan: product(line.sku)?.subscription }))
    .filter(({ plan }) => plan)
    .map(({ line, plan }) => ({
      subscription_reference: `${order.purchaseReference}:${line.sku}`,
      name: line.name,
      free_trial: 'INACTIVE',
      billing_plans: [
        { billing_amount: line.total, currency: order.currency, from: order.createdAt.slice(0, 10), interval: plan!.interval, interval_count: plan!.frequency },
      ],
    }));
  return {
    purchase_reference: order.purchaseReference,
    line_items: order.lines.map((line) => ({ name: line.name, quantity: line.quantity, unit_price: line.unitPrice, total_amount: line.total, reference: line.sku })),
    ...(subscriptions.length ? { subscriptions } : {}),
  };
}

function authorizeBody(order: Order, paymentOptionId: string | null) {
  return {
    currency: order.currency,
    supplementary_purchase_data: purchaseData(order),
    request_payment_transaction: {
      amount: order.amount,
      ...(paymentOptionId ? { payment_option_id: paymentOptionId } : {}),
      payment_transaction_reference: order.transactionReference,
    },
    ...(order.kind === 'subscription' ? { request_customer_token: { scopes: ['payment:customer_not_present'], customer_token_reference: order.purchaseReference } } : {}),
  };
}

/** Klarna's customer token, wherever this answer carries it (the field's exact shape is not settled in Klarna's docs). */
export function customerTokenOf(answer: any): string | undefined {
  const candidates = [answer?.customer_token_response?.customer_token, answer?.state_context?.klarna_customer, answer?.klarna_customer, answer?.customer_token];
  for (const candidate of candidates) {
    const token = typeof candidate === 'string' ? candidate : candidate?.customer_token;
    // kept only if it can be sent back as the Klarna-Customer-Token header (and stored)
    if (typeof token === 'string' && token && sendable(token)) return token;
  }
  return undefined;
}

/** A token Klarna gave that can go back to Klarna in a header and be stored: printable ASCII, as Klarna's tokens are. */
export const sendable = (token: string) => /^[\x21-\x7E]+$/.test(token) && headerSafe(token);

/**
 * Klarna refused a repeat of a call whose outcome was unknown (a 429, or a 401 during a key rotation,
 * say): that refusal is of the repeat, and says nothing of whether the first call paid.
 */
export class RefusedRepeat extends Error {
  override readonly name = 'RefusedRepeat';
  constructor(readonly refusal: KlarnaRequestError) {
    super(`Klarna refused the repeat (${refusal.message}); the first call's outcome is still unknown`);
  }
}

/** Klarna answered 5xx, timed out, says the same request is still being processed, or refused a repeat: the outcome is not known yet. */
export const outcomeUnknown = (error: unknown) =>
  error instanceof KlarnaUnavailableError || error instanceof UnreadableAnswer || error instanceof RefusedRepeat || (error instanceof KlarnaRequestError && error.status === 409);

/** Klarna refused the request as such (a validation error): sending it again cannot change that. */
const refusesTheRequest = (error: unknown) => error instanceof KlarnaRequestError && (error.status === 400 || error.status === 422);

/** A refusal of a repeat is no refusal of the call it repeats. */
const asRepeat = (error: unknown, repeat: boolean) => (repeat && error instanceof KlarnaRequestError ? new RefusedRepeat(error) : error);

/** The earlier of two ISO times, either of which may be missing or unreadable. */
function earliest(...times: Array<string | null | undefined>): string | undefined {
  const known = times.filter((time): time is string => typeof time === 'string' && !Number.isNaN(Date.parse(time)));
  return known.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

type KnownResult = 'APPROVED' | 'STEP_UP_REQUIRED' | 'DECLINED';

/**
 * The result of a Payment Authorize answer, if it is one of `expected` and complete enough to act on
 * (a step-up needs its payment request and URL); otherwise an UnreadableAnswer.
 */
function resultOf(answer: any, expected: KnownResult[]): KnownResult {
  const result = answer?.payment_transaction_response?.result;
  if (!expected.includes(result)) throw new UnreadableAnswer(result);
  if (result === 'STEP_UP_REQUIRED') {
    const request = answer.payment_request;
    if (typeof request?.payment_request_id !== 'string' || typeof request.state_context?.customer_interaction?.payment_request_url !== 'string') {
      throw new UnreadableAnswer('STEP_UP_REQUIRED without its payment request');
    }
  }
  return result;
}

/**
 * Klarna answered, but with no result this backend knows (a body that is not JSON, a result it does
 * not list): it may have approved, so it is no decline. The very same call is repeated instead, as
 * for no answer at all; a new attempt (a new idempotency key) could pay twice.
 */
export class UnreadableAnswer extends Error {
  override readonly name = 'UnreadableAnswer';
  constructor(readonly result: unknown) {
    super(`Klarna answered without a result this backend can act on (${typeof result === 'string' ? result : result === undefined ? 'none' : JSON.stringify(result)})`);
  }
}

export type ChargeOutcome =
  | { kind: 'approved' | 'declined'; period: number; amount: number; transactionId?: string; reason?: string }
  | { kind: 'not-due'; period: number; dueAt: string }
  /** No customer token to charge: `reason` is the decline that ended the subscription, if one did. */
  | { kind: 'ended'; period: number; reason?: string }
  /** The period was declined ATTEMPTS_PER_PERIOD times: not tried again. */
  | { kind: 'exhausted'; period: number; attempts: number; reason?: string }
  | { kind: 'unconfirmed'; period: number; reference: string; since: string };

/**
 * `count` billing intervals after `start`, always from the start (so periods never drift), on the
 * same day of the month, or the month's last day when it is shorter: a plan begun on 31 January is
 * due on 28 (or 29) February, 31 March, 30 April.
 */
export function afterIntervals(start: Date, plan: { interval: 'MONTH' | 'YEAR'; frequency: number }, count: number): Date {
  const months = plan.frequency * count * (plan.interval === 'YEAR' ? 12 : 1);
  const date = new Date(start);
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(start.getUTCDate(), lastDay));
  return date;
}

export type InitiateOutcome =
  | { kind: 'approved'; order: Order }
  | { kind: 'step-up'; order: Order; paymentRequestUrl: string; paymentRequestId: string }
  | { kind: 'declined'; order: Order; reason: string }
  | { kind: 'unavailable'; order: Order }
  | { kind: 'rejected' | 'unconfirmed'; order: Order; message: string };

export class Payments {
  /** Payment Authorize calls under way in this process, by order: a repeat meanwhile gets that call's answer. */
  private readonly authorizing = new Map<string, Promise<InitiateOutcome>>();

  constructor(
    private readonly store: Store,
    private readonly klarna: KlarnaClient,
    private readonly publicUrl: () => string,
    private readonly log: (line: string) => void = console.log,
    /** How long a call may stay in flight before the sweep repeats it (STUCK_AFTER_MS; tests shorten it). */
    private readonly stuckAfterMs = STUCK_AFTER_MS,
  ) {}

  /**
   * The first Payment Authorize, from the element's initiate. The caller has claimed the order
   * ('authorizing') with its attempt key and token, so the very same call can be repeated, with the
   * same Klarna-Idempotency-Key, until Klarna gives a definite answer.
   */
  async authorize(order: Order, { repeat = false, signal }: { repeat?: boolean; signal?: AbortSignal } = {}): Promise<InitiateOutcome> {
    // A call for this order is under way (one whose initiate was answered "not confirmed yet" at the
    // bound, say): a repeat now would be the same call, so it waits for that one's answer.
    const running = this.authorizing.get(order.id);
    if (running) return running;
    const call = this.authorizeOnce(order, repeat, signal).finally(() => this.authorizing.delete(order.id));
    this.authorizing.set(order.id, call);
    return call;
  }

  private async authorizeOnce(order: Order, repeat: boolean, signal?: AbortSignal): Promise<InitiateOutcome> {
    // Orders claimed before attempt_started_at existed: nothing moves an 'authorizing' order after its claim.
    const since = order.attemptStartedAt ?? order.updatedAt;
    if (Date.now() - Date.parse(since) > REPEAT_WINDOW_MS) return this.stopRepeating(order, since);
    const networkSessionToken = order.attemptToken ?? undefined;
    const attemptKey = order.attemptKey ?? order.id;
    const body = {
      ...authorizeBody(order, order.paymentOptionId),
      step_up_config: {
        payment_request_reference: order.purchaseReference,
        customer_interaction_config: { method: 'SDK', return_url: `${this.publicUrl()}/orders/${order.id}/return?${RETURN_TEMPLATE}` },
      },
    };
    await this.store.note(order.id, 'backend', `Payment Authorize for ${order.amount} ${order.currency}, session token ${redact(networkSessionToken)}`);
    let answer: any;
    let result: KnownResult;
    try {
      ({ body: answer } = await this.klarna.authorize(body, { idempotencyKey: klarnaIdempotencyKey('authorize', order.id, attemptKey), networkSessionToken }, signal));
      result = resultOf(answer, ['APPROVED', 'STEP_UP_REQUIRED', 'DECLINED']);
    } catch (thrown) {
      if (thrown instanceof KlarnaCallInvalid) {
        // Nothing left this process, and this call never can: the attempt ends, nothing was taken.
        const failed = await this.store.transition(order.id, ['authorizing'], { status: 'failed', reason: thrown.message }, order.attemptKey);
        await this.store.note(order.id, 'backend', `Payment Authorize not sent: ${thrown.message}`);
        this.log(`order ${order.purchaseReference}: Payment Authorize not sent: ${thrown.message}`);
        return { kind: 'rejected', order: failed ?? order, message: NOT_SENT };
      }
      const error = asRepeat(thrown, repeat);
      if (outcomeUnknown(error)) {
        // Klarna may or may not have acted: the order cannot be paid again until the same call gets an answer.
        await this.heldForAnswer(order, error, 'Payment Authorize');
        return { kind: 'unavailable', order };
      }
      // A definite refusal of the first call (invalid, unauthorized): nothing was taken, and the same
      // request would be refused again. The order may start a new attempt; the operator is told.
      const failed = await this.store.transition(order.id, ['authorizing'], { status: 'failed', reason: (error as Error).message }, order.attemptKey);
      await this.store.note(order.id, 'klarna', `Refused: ${(error as Error).message}`);
      this.log(`order ${order.purchaseReference}: Payment Authorize refused: ${(error as Error).message}`);
      return { kind: 'rejected', order: failed ?? order, message: REFUSED };
    }
    if (result === 'APPROVED') {
      const transactionId = answer.payment_transaction_response.payment_transaction?.payment_transaction_id;
      const paid = await this.store.transition(order.id, ANSWERABLE, { status: 'paid', paymentTransactionId: transactionId, customerToken: customerTokenOf(answer) ?? null, reason: null }, order.attemptKey);
      await this.store.note(order.id, 'klarna', `APPROVED: transaction ${transactionId}`);
      return { kind: 'approved', order: paid ?? order };
    }
    if (result === 'STEP_UP_REQUIRED') {
      const request = answer.payment_request;
      const url = request.state_context.customer_interaction.payment_request_url;
      const pending = await this.store.transition(order.id, ANSWERABLE, { status: 'pending', paymentRequestId: request.payment_request_id, paymentRequestUrl: url, reason: null }, order.attemptKey);
      await this.store.note(order.id, 'klarna', `STEP_UP_REQUIRED: payment request ${request.payment_request_id}; the customer continues in Klarna's journey`);
      return { kind: 'step-up', order: pending ?? order, paymentRequestUrl: url, paymentRequestId: request.payment_request_id };
    }
    const reason = answer.payment_transaction_response.result_reason ?? 'DECLINED';
    const declined = await this.store.transition(order.id, ANSWERABLE, { status: 'declined', reason }, order.attemptKey);
    await this.store.note(order.id, 'klarna', `DECLINED (${reason})`);
    return { kind: 'declined', order: declined ?? order, reason };
  }

  /**
   * Final authorization with the token Klarna issued on completion. Exactly once: only the caller
   * that moves the order from 'pending' to 'finalizing' calls Klarna.
   */
  async finalize(order: Order, networkSessionToken: string | undefined, details: { completedAt?: string; customerToken?: string; via: string; signal?: AbortSignal }): Promise<Order | undefined> {
    if (networkSessionToken !== undefined && (typeof networkSessionToken !== 'string' || !sendable(networkSessionToken))) {
      // It could never be sent to Klarna (nor stored): as good as none, and another source may give a usable one.
      await this.store.note(order.id, 'backend', `The klarna_network_session_token from the ${details.via} cannot be sent to Klarna; it is ignored`);
      networkSessionToken = undefined;
    }
    if (details.customerToken !== undefined && (typeof details.customerToken !== 'string' || !sendable(details.customerToken))) details = { ...details, customerToken: undefined };
    // The 60 minutes run from the first completion time known: a later look (or one without a time) never restarts them.
    const completedAt = earliest(order.completedAt, details.completedAt) ?? new Date().toISOString();
    const claimed = await this.store.transition(order.id, ['pending'], { status: 'finalizing', customerToken: details.customerToken ?? order.customerToken, completedAt });
    if (!claimed) return this.store.order(order.id);
    await this.store.note(order.id, 'backend', `Customer approved in Klarna (${details.via}); final Payment Authorize with session token ${redact(networkSessionToken)}`);
    const approvedAt = Date.parse(completedAt);
    if (!networkSessionToken) {
      await this.store.note(order.id, 'backend', 'No klarna_network_session_token came with the completion; waiting for another source');
      return this.store.transition(order.id, ['finalizing'], { status: 'pending' });
    }
    // A final authorization sent before, its outcome unknown: Klarna answers the repeat from its key
    // (so the 60 minutes no longer decide), and a refusal of the repeat is no refusal.
    const sentAt = claimed.finalSentAt;
    if (sentAt) {
      if (Date.now() - Date.parse(sentAt) > REPEAT_WINDOW_MS) return this.holdUnconfirmed(claimed, sentAt, 'finalizing', 'Final authorization');
    } else {
      if (Date.now() - approvedAt > SIXTY_MINUTES) return this.expire(order.id);
      await this.store.transition(order.id, ['finalizing'], { finalSentAt: new Date().toISOString() });
    }
    let answer: any;
    let result: KnownResult;
    try {
      ({ body: answer } = await this.klarna.authorize(
        authorizeBody(claimed, claimed.paymentOptionId),
        { idempotencyKey: klarnaIdempotencyKey('finalize', order.id, networkSessionToken), networkSessionToken },
        details.signal,
      ));
      result = resultOf(answer, ['APPROVED', 'DECLINED']);
    } catch (thrown) {
      const error = asRepeat(thrown, sentAt !== null);
      // The customer approved and the token holds for 60 minutes: only a refusal of the request
      // itself (invalid, 400 or 422) fails the order. Anything else (a 429 or 5xx through the
      // retries, a 401 while a key is rotated) was not processed: back to pending, the next look repeats it.
      if (outcomeUnknown(error) || !refusesTheRequest(error)) {
        await this.heldForAnswer(order, error, 'Final authorization');
        return this.store.transition(order.id, ['finalizing'], { status: 'pending' });
      }
      await this.store.note(order.id, 'klarna', `Final authorization refused: ${(error as Error).message}`);
      return this.store.transition(order.id, ['finalizing'], { status: 'failed', reason: (error as Error).message });
    }
    const { result_reason, payment_transaction } = answer.payment_transaction_response;
    if (result === 'APPROVED') {
      await this.store.note(order.id, 'klarna', `APPROVED: transaction ${payment_transaction?.payment_transaction_id}`);
      return this.store.transition(order.id, ['finalizing'], { status: 'paid', paymentTransactionId: payment_transaction?.payment_transaction_id, customerToken: customerTokenOf(answer) ?? claimed.customerToken, reason: null });
    }
    const reason = result_reason ?? 'DECLINED';
    // Klarna declines an expired token; past 60 minutes by our own clock that is what a decline means.
    if (reason === 'SESSION_TOKEN_EXPIRED' || Date.now() - approvedAt > SIXTY_MINUTES) return this.expire(order.id);
    await this.store.note(order.id, 'klarna', `Final authorization DECLINED (${reason})`);
    return this.store.transition(order.id, ['finalizing'], { status: 'declined', reason });
  }

  /**
   * Klarna has not answered this attempt within its idempotency window: the call is not repeated,
   * and no new attempt may start ('unconfirmed'), until the operator has checked with Klarna whether
   * the first call paid. A late answer to a repeat still in flight settles the order.
   */
  private async stopRepeating(order: Order, since: string): Promise<InitiateOutcome> {
    const held = await this.holdUnconfirmed(order, since, 'authorizing', 'Payment Authorize');
    return { kind: 'unconfirmed', order: held ?? order, message: UNCONFIRMED };
  }

  /** Moves the order from `from` to 'unconfirmed', and tells the operator what to look up. */
  private async holdUnconfirmed(order: Order, since: string, from: OrderStatus, call: string): Promise<Order | undefined> {
    const held = await this.store.transition(order.id, [from], { status: 'unconfirmed', reason: UNCONFIRMED }, order.attemptKey);
    if (held) {
      const what = notRepeated(call, since, order.transactionReference);
      this.log(`order ${order.purchaseReference}: ${what}`);
      await this.store.note(order.id, 'backend', what);
    }
    return held;
  }

  /** Klarna's outcome is not known: noted on the order, and logged for the operator when Klarna did answer, with something new. */
  private async heldForAnswer(order: Order, error: unknown, call: string) {
    const answered = error instanceof UnreadableAnswer || error instanceof RefusedRepeat || error instanceof KlarnaRequestError || (error instanceof KlarnaUnavailableError && error.status !== undefined);
    // the error's own words: "Klarna did not answer" only when it did not (a timeout, a network failure)
    const what = `${call}: ${error instanceof Error ? error.message : 'Klarna did not answer'}`;
    if (answered) this.log(`order ${order.purchaseReference}: ${what}`);
    await this.store.note(order.id, 'backend', `${what}; the same call (same key, same token) will be repeated until Klarna answers, for 23 hours at most`);
  }

  private async expire(orderId: string) {
    const reason = 'Klarna approved this purchase more than 60 minutes ago, so it can no longer be finalized. Nothing was charged; please pay again.';
    await this.store.note(orderId, 'backend', 'The klarna_network_session_token is older than 60 minutes: order expired');
    return this.store.transition(orderId, ['finalizing'], { status: 'expired', reason });
  }

  /** A payment request ended without payment: move a pending order, never one already further along. */
  async ended(order: Order, state: string, via: string) {
    const status = state === 'CANCELED' ? 'canceled' : state === 'EXPIRED' ? 'expired' : 'declined';
    const moved = await this.store.transition(order.id, ['pending'], { status, reason: `Klarna payment request ${state.toLowerCase()}` });
    if (moved) await this.store.note(order.id, 'klarna', `Payment request ${state} (${via})`);
    return moved ?? this.store.order(order.id);
  }

  /** The customer is back (or a press finds the order pending) before the webhook: read the payment request and act on it. */
  async reconcile(order: Order, { signal }: { signal?: AbortSignal } = {}): Promise<Order | undefined> {
    return (await this.readAndSettle(order, signal)).order;
  }

  /**
   * The customer's order page asks every second: the payment request is read at most once every
   * LOOK_GAP_MS per order, whichever instance serves the page, and not while a sweep is looking.
   */
  async look(order: Order): Promise<Order | undefined> {
    const claimed = await this.store.claimLook(order.id, { leaseMs: LOOK_LEASE_MS, gapMs: LOOK_GAP_MS });
    if (!claimed) return order;
    let answered = false;
    try {
      const settled = await this.readAndSettle(claimed);
      answered = settled.answered;
      return settled.order;
    } finally {
      // (also when the look failed here: the lease is not left to run out)
      await this.store.lookDone(order.id, answered ? 'answered' : 'failed', { backoffMs: LOOK_GAP_MS, maxBackoffMs: MAX_LOOK_BACKOFF_MS });
    }
  }

  /**
   * Reads the order's payment request and acts on it. `answered` is false when Klarna gave nothing
   * to act on (the read failed, or the final authorization went unanswered): the next look waits longer.
   */
  private async readAndSettle(order: Order, signal?: AbortSignal): Promise<{ order: Order | undefined; answered: boolean }> {
    if (order.status !== 'pending' || !order.paymentRequestId) return { order, answered: true };
    let request;
    try {
      ({ body: request } = await this.klarna.readPaymentRequest(order.paymentRequestId, signal));
    } catch (error) {
      if (error instanceof KlarnaRequestError && error.status === 404) return { order: await this.forgotten(order), answered: true };
      this.log(`order ${order.purchaseReference}: reading payment request ${order.paymentRequestId} failed: ${(error as Error).message}`);
      return { order, answered: false }; // the webhook or the next look settles it
    }
    if (request?.state === 'COMPLETED') {
      const settled = await this.finalize(order, request.state_context?.klarna_network_session_token, {
        completedAt: request.updated_at,
        customerToken: customerTokenOf(request),
        via: 'payment request read',
        signal,
      });
      return { order: settled, answered: settled?.status !== 'pending' };
    }
    if (['CANCELED', 'EXPIRED', 'DECLINED'].includes(request?.state)) return { order: await this.ended(order, request.state, 'payment request read'), answered: true };
    // Still open: the journey's address as Klarna gives it now (the offline simulator's changes with its port).
    const url = request?.state_context?.customer_interaction?.payment_request_url;
    if (typeof url === 'string' && url !== order.paymentRequestUrl && /^https?:\/\/[\x21-\x7E]+$/.test(url)) {
      return { order: (await this.store.transition(order.id, ['pending'], { paymentRequestUrl: url }, order.attemptKey)) ?? order, answered: true };
    }
    return { order, answered: true };
  }

  /**
   * Klarna answers 404 for the order's payment request: it no longer knows it (it was never created
   * there, or is gone), so nothing can complete it or charge for it. Repeating the read would loop
   * for ever: the order expires, its cart may change again, and a new press starts a new attempt.
   */
  private async forgotten(order: Order): Promise<Order | undefined> {
    const expired = await this.store.transition(order.id, ['pending'], { status: 'expired', reason: FORGOTTEN }, order.attemptKey);
    if (expired) {
      const what = `Klarna answered 404 for payment request ${order.paymentRequestId}: it no longer knows it, so the order expired (nothing was charged)`;
      this.log(`order ${order.purchaseReference}: ${what}`);
      await this.store.note(order.id, 'klarna', what);
    }
    return expired ?? this.store.order(order.id);
  }

  /**
   * One sweep pass: looks again at orders still pending (a webhook that never came) and at orders
   * left mid-call by a crash or a Klarna outage, claimed through the database so that two
   * instances never look at the same order at once. Bounded: it ends within `budgetMs` (or when
   * `signal` aborts, as a stop does): calls still waiting for Klarna then are abandoned (each is the
   * same call, with the same key, next time: nothing is paid twice), and the orders it did not
   * reach are handed back, first in line for the next pass.
   */
  async sweep({ budgetMs = 30_000, signal }: { budgetMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const timeUp = AbortSignal.timeout(budgetMs);
    const pass = signal ? AbortSignal.any([timeUp, signal]) : timeUp;
    if (pass.aborted) return;
    const orders = await this.store.claimSweep({ limit: SWEEP_BATCH, leaseMs: Math.max(LOOK_LEASE_MS, 2 * budgetMs), stuckAfterMs: this.stuckAfterMs, gapMs: LOOK_GAP_MS });
    const backoff = { backoffMs: LOOK_GAP_MS, maxBackoffMs: MAX_LOOK_BACKOFF_MS };
    const next = () => orders.shift();
    const worker = async () => {
      for (let order = next(); order; order = next()) {
        if (pass.aborted) {
          await this.store.lookDone(order.id, 'skipped', { ...backoff, previousLook: order.previousLook });
          continue;
        }
        let answered = false;
        try {
          answered = await this.sweepOne(order, pass);
        } catch (error) {
          this.log(`sweep: order ${order.purchaseReference}: ${(error as Error).message}`);
        }
        await this.store.lookDone(order.id, answered ? 'answered' : 'failed', backoff);
      }
    };
    await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, worker));
  }

  /** One order's look in a sweep: true when Klarna gave an answer to act on. */
  private async sweepOne(order: Order, signal: AbortSignal): Promise<boolean> {
    if (order.status === 'authorizing') {
      // A request of this process is repeating that very call already: it settles the order.
      if (this.authorizing.has(order.id)) return true;
      return (await this.authorize(order, { repeat: true, signal })).kind !== 'unavailable';
    }
    if (order.status === 'finalizing') {
      const pending = await this.store.transition(order.id, ['finalizing'], { status: 'pending' });
      if (!pending) return true;
      order = pending;
    }
    return (await this.readAndSettle(order, signal)).answered;
  }

  /**
   * A subscription's next period, with the customer not present: APPROVED or DECLINED, never a step-up.
   * Once per period, and not before the period is due (with `aheadOnePeriod`, up to one billing
   * interval early: the offline demo's way to show a renewal without waiting a month). A declined
   * period gets ATTEMPTS_PER_PERIOD attempts, one per call; a decline naming the customer token ends
   * the subscription. After either, Klarna is not called again for it.
   */
  async chargeNextPeriod(order: Order, { aheadOnePeriod = false, now = new Date() } = {}): Promise<ChargeOutcome> {
    const subscriptionLines = order.lines.filter((line) => product(line.sku)?.subscription);
    const plan = subscriptionLines[0] && product(subscriptionLines[0].sku)?.subscription;
    if (!plan) throw new Error(`order ${order.purchaseReference} has no subscription`);
    const amount = subscriptionLines.reduce((sum, line) => sum + line.total, 0);
    // Period 1 was the first purchase. A period is charged once; after a decline it may be tried again.
    const charges = await this.store.charges(order.id);
    const period = charges.filter((charge) => charge.status === 'approved').length + 2;
    // A decline naming the customer token ended the subscription: checked before the order's token,
    // which a press racing that decline may still have read (and which a crash right after the
    // decline was recorded may have left in place: forgotten now).
    const ending = charges.find((charge) => charge.status === 'declined' && tokenUnusable(charge.reason));
    if (ending) {
      await this.endSubscription(order, ending.period, ending.reason);
      return { kind: 'ended', period: ending.period, reason: ending.reason ?? undefined };
    }
    if (!order.customerToken) return { kind: 'ended', period };
    // The plan starts on the day the first purchase tells Klarna (its billing plan's `from`).
    const started = new Date(order.createdAt);
    const dueAt = afterIntervals(started, plan, period - 1);
    const chargeableFrom = aheadOnePeriod ? afterIntervals(started, plan, period - 2) : dueAt;
    if (now.getTime() < chargeableFrom.getTime()) return { kind: 'not-due', period, dueAt: dueAt.toISOString() };
    const ofPeriod = charges.filter((charge) => charge.period === period);
    // An attempt without a known outcome is repeated with its key, while Klarna keeps that key.
    const unanswered = ofPeriod.find((charge) => charge.status === 'unknown');
    // Real time, not `now` (a scheduler's date for what is due): Klarna's 24 hours are real ones.
    if (unanswered && Date.now() - Date.parse(unanswered.created_at) > REPEAT_WINDOW_MS) {
      const since = new Date(unanswered.created_at).toISOString();
      this.log(`order ${order.purchaseReference}: ${notRepeated(`period ${period}`, since, unanswered.id)}`);
      return { kind: 'unconfirmed', period, reference: unanswered.id, since };
    }
    const declines = ofPeriod.filter((charge) => charge.status === 'declined');
    if (!unanswered && declines.length >= ATTEMPTS_PER_PERIOD) return { kind: 'exhausted', period, attempts: declines.length, reason: declines.at(-1)?.reason ?? undefined };
    const attempt = unanswered?.attempt ?? ofPeriod.length + 1;
    // the same for a repeated press: one Klarna request (and Klarna's reference for it, so the number, not the id)
    const chargeId = unanswered?.id ?? `${order.purchaseReference}-period-${period}-${attempt}`;
    const record = (outcome: { status: string; paymentTransactionId?: string; reason?: string }) =>
      this.store.addCharge({ id: chargeId, orderId: order.id, period, attempt, amount, ...outcome });
    // 'unknown' before the call (or kept, with its time, for a repeat): a crash mid-call leaves it so.
    // Whether this is a repeat is what that write says, not what was read before it: two presses
    // that both read no row send the same key, and only one of them makes the first try.
    const repeat = !(await record({ status: 'unknown' }));
    let answer: any;
    let result: KnownResult;
    try {
      ({ body: answer } = await this.klarna.authorize(
        {
          currency: order.currency,
          supplementary_purchase_data: { ...purchaseData({ ...order, lines: subscriptionLines }), purchase_reference: `${order.purchaseReference}-renewal` },
          request_payment_transaction: { amount, payment_transaction_reference: chargeId },
        },
        { idempotencyKey: klarnaIdempotencyKey('charge', order.id, String(period), String(attempt)), customerToken: order.customerToken ?? undefined },
      ));
      result = resultOf(answer, ['APPROVED', 'DECLINED']);
    } catch (error) {
      // The row stays 'unknown', so the next press repeats this very charge with its key: also after
      // a refusal, as a press racing this one may have sent that key too and been charged.
      throw asRepeat(error, repeat);
    }
    const transactionId = answer.payment_transaction_response.payment_transaction?.payment_transaction_id;
    const reason = result === 'APPROVED' ? undefined : (answer.payment_transaction_response.result_reason ?? 'DECLINED');
    const recorded = await record({ status: result === 'APPROVED' ? 'approved' : 'declined', paymentTransactionId: transactionId, reason });
    if (recorded) await this.store.note(order.id, 'klarna', `Period ${period}, customer not present: ${result}${transactionId ? ` (transaction ${transactionId})` : ` (${reason})`}`);
    if (result === 'DECLINED' && tokenUnusable(reason)) await this.endSubscription(order, period, reason);
    else if (recorded && result === 'DECLINED' && attempt >= ATTEMPTS_PER_PERIOD) {
      const what = `Period ${period}: Klarna declined all ${attempt} attempts; it is not tried again.`;
      this.log(`order ${order.purchaseReference}: ${what}`);
      await this.store.note(order.id, 'backend', what);
    }
    return { kind: result === 'APPROVED' ? 'approved' : 'declined', period, amount, transactionId, reason };
  }

  /**
   * Klarna declined a charge because of its customer token: the token is forgotten (the order stays
   * paid for its first period; `subscriptionActive` is false), and no further period is charged.
   */
  private async endSubscription(order: Order, period: number, reason: string | null | undefined) {
    if (!(await this.store.forgetCustomerToken(order.id))) return; // already forgotten, by a press racing this one
    const what = `Subscription ended: Klarna declined period ${period} (${reason}), so its customer token can no longer be charged; it is forgotten, and no further period is charged.`;
    this.log(`order ${order.purchaseReference}: ${what}`);
    await this.store.note(order.id, 'backend', what);
  }
}
