/**
 * Every decision about an order, as Klarna's guides describe a merchant's server: create and
 * reprice it, take a press (claim the order, authorize with step-up), finalize with the
 * klarna_network_session_token within 60 minutes (exactly once, whether the webhook or the
 * customer comes back first), look again at orders Klarna left open (the sweep), and charge a
 * stored customer token later. The routes parse requests, call one method here, and map its
 * outcome to HTTP; the order's states and moves are order-states.ts's table, which the store enforces.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CURRENCY, money, product } from './catalog.js';
import { KlarnaCallInvalid, KlarnaRequestError, KlarnaUnavailableError, type KlarnaClient } from './klarna-client.js';
import { ANSWERABLE, CHANGEABLE, type OrderStatus } from './order-states.js';
import {
  REPEAT_WINDOW_MS,
  RETURN_TEMPLATE,
  UnreadableAnswer,
  RefusedRepeat,
  asRepeat,
  authorizeBody,
  customerTokenOf,
  klarnaIdempotencyKey,
  notRepeated,
  outcomeUnknown,
  redact,
  refusesTheRequest,
  resultOf,
  sendable,
  type KnownResult,
} from './payments/klarna-calls.js';
import { Subscriptions, type ChargeOutcome } from './payments/subscriptions.js';
import type { Order, OrderLine, Store } from './store.js';

export * from './payments/klarna-calls.js';
export * from './payments/subscriptions.js';

const SIXTY_MINUTES = 60 * 60 * 1000;
const REFUSED =
  'Klarna refused this payment request, so nothing was charged. ' +
  'Please choose another payment method, or contact the shop.';
const UNCONFIRMED =
  'Klarna never confirmed this payment. ' +
  'The shop is checking it with Klarna; please contact the shop before you pay again.';
const NOT_SENT =
  'This payment could not be sent to Klarna, so nothing was charged. ' +
  'Please try again, or choose another payment method.';
const FORGOTTEN =
  'Klarna no longer knows this payment request, so it can no longer be completed, and nothing was charged. ' +
  'Please pay again.';
/**
 * How long after a look at Klarna for an order (a payment request read, a repeated call) the next may begin, in any
 * instance.
 */
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

/** The earlier of two ISO times, either of which may be missing or unreadable. */
function earliest(...times: Array<string | null | undefined>): string | undefined {
  const known = times.filter((time): time is string => typeof time === 'string' && !Number.isNaN(Date.parse(time)));
  return known.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

const NOT_THIS_ORDER =
  "Klarna's approval was for another purchase, so this order is not paid and nothing was charged for it. " +
  'Please pay again, or contact the shop.';

/**
 * Why an APPROVED answer does not pay this order, if it does not: Klarna answers a session token with what it approved
 * for it, which must be this order's amount and currency, and (where Klarna echoes it) this order's transaction
 * reference. A token approved for another order (a cheap one) never pays this one.
 */
export function approvedElsewhere(order: Order, answer: any): string | undefined {
  const transaction = answer?.payment_transaction_response?.payment_transaction;
  if (!transaction || typeof transaction !== 'object') return 'the answer carries no payment transaction';
  if (transaction.amount !== order.amount || transaction.currency !== order.currency) {
    return (
      `Klarna approved ${transaction.amount} ${transaction.currency}, ` +
      `this order is ${order.amount} ${order.currency}`
    );
  }
  const reference = transaction.payment_transaction_reference;
  if (reference !== undefined && reference !== null && reference !== order.transactionReference)
    return `Klarna approved transaction reference ${reference}, this order's is ${order.transactionReference}`;
  return undefined;
}

/** A subscription when any line is one (its customer token is asked for), a one-off purchase otherwise. */
const kindOf = (lines: OrderLine[]): Order['kind'] =>
  lines.some((line) => product(line.sku)?.subscription) ? 'subscription' : 'purchase';

/** PWK- and 10 characters of Crockford's base32 (no I, L, O or U to misread): 50 random bits. */
function orderNumber(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return `PWK-${Array.from(randomBytes(10), (byte) => alphabet[byte & 31]).join('')}`;
}

/** A press of Klarna's button, as the element's initiate sends it. */
export interface Press {
  orderId: string;
  /** The element's Idempotency-Key: the payment attempt's key, with which its Klarna call is repeated. */
  key: string;
  klarnaNetworkSessionToken?: string;
  paymentOptionId?: string;
  /** The total and (when the page sends it) the cart version the page showed. */
  amount: number;
  currency: string;
  cartVersion?: number;
}

export type InitiateOutcome =
  | { kind: 'approved'; order: Order }
  | { kind: 'step-up'; order: Order; paymentRequestUrl: string; paymentRequestId: string }
  | { kind: 'declined'; order: Order; reason: string }
  | { kind: 'unavailable'; order: Order }
  | { kind: 'rejected' | 'unconfirmed'; order: Order; message: string };

/** What a press comes to: a Payment Authorize's outcome, or why none was made. */
export type PressOutcome =
  | InitiateOutcome
  | { kind: 'unknown-order' }
  | { kind: 'already-paid' | 'finalizing' | 'under-way' }
  | { kind: 'cart-changed'; message: string };

/** What a subscription charge comes to: its outcome, or why none was made. */
export type ChargeResult = ChargeOutcome | { kind: 'inactive' } | { kind: 'unavailable' };

/** A webhook from Klarna, verified and checked by the route. */
export interface WebhookEvent {
  metadata: { event_id: string; event_type: string; occurred_at?: string; live?: boolean };
  payload: any;
}

/** Whether a press was made on the order's cart as it is: its total, and its version when the page sent one. */
const samePress = (order: Order, press: Press) =>
  order.amount === press.amount &&
  order.currency === press.currency &&
  (press.cartVersion === undefined || press.cartVersion === order.cartVersion);

/** What the customer is told of a press made on a cart that has changed since. */
const cartChanged = (order: Order, press: Press) =>
  order.amount === press.amount && order.currency === press.currency
    ? `Your cart changed after this page showed it. Please review your cart.`
    : `The total changed: the order is ${money(order.amount, order.currency)}, ` +
      `the page showed ${money(press.amount, press.currency)}. Please review your cart.`;

export class Payments {
  /** Payment Authorize calls under way in this process, by order: a repeat meanwhile gets that call's answer. */
  private readonly authorizing = new Map<string, Promise<InitiateOutcome>>();
  private readonly subscriptions: Subscriptions;

  constructor(
    private readonly store: Store,
    private readonly klarna: KlarnaClient,
    private readonly publicUrl: () => string,
    private readonly log: (line: string) => void = console.log,
    /** How long a call may stay in flight before the sweep repeats it (STUCK_AFTER_MS; tests shorten it). */
    private readonly stuckAfterMs = STUCK_AFTER_MS,
  ) {
    this.subscriptions = new Subscriptions(store, klarna, log);
  }

  /** A new order for priced lines, under an order number of its own (Klarna's and the logs' name for it). */
  async createOrder(lines: OrderLine[]): Promise<Order> {
    const amount = lines.reduce((sum, line) => sum + line.total, 0);
    const id = `order-${randomUUID()}`; // unguessable: the order's page and its API take the id alone
    const kind = kindOf(lines);
    let order: Order | undefined;
    // Klarna, the logs and the customer get an order number instead, which opens nothing
    for (let tries = 0; !order; tries++) {
      if (tries === 5) throw new Error('no free order number after 5 tries');
      const number = orderNumber();
      const transactionReference = `${number}-tx`;
      order = await this.store.createOrder({
        id,
        kind,
        amount,
        currency: CURRENCY,
        lines,
        purchaseReference: number,
        transactionReference,
      });
    }
    const bought = lines.map((line) => `${line.quantity} × ${line.sku}`).join(', ');
    await this.store.note(id, 'backend', `Order created: ${bought}, total ${amount} ${CURRENCY}`);
    return order;
  }

  /** The cart changes on the checkout page: repriced while nothing is under way. */
  async changeLines(
    id: string,
    lines: OrderLine[],
  ): Promise<{ kind: 'changed'; order: Order } | { kind: 'unknown-order' } | { kind: 'locked' }> {
    const amount = lines.reduce((sum, line) => sum + line.total, 0);
    // its kind goes with its lines: a cart that lost its subscription is a purchase, one that gained one a subscription
    const order = await this.store.changeLines(id, CHANGEABLE, lines, amount, kindOf(lines));
    if (order) return { kind: 'changed', order };
    return (await this.store.order(id)) ? { kind: 'locked' } : { kind: 'unknown-order' };
  }

  /**
   * The order as its page shows it, with its history and charges. The page asks every second:
   * Klarna's payment request is read at most every few seconds per order, across all instances
   * (the database keeps the time of the last look).
   */
  async orderDetails(id: string) {
    let order = await this.store.order(id);
    if (!order) return undefined;
    if (order.status === 'pending') order = (await this.look(order)) ?? order;
    return { order, events: await this.store.events(order.id), charges: await this.store.charges(order.id) };
  }

  /**
   * The customer is back from Klarna's journey (the return URL): the outcome is read from Klarna,
   * never taken from the URL, which anyone can type. The payment request id in it only decides
   * whether the read happens at once (it is the order's own) or as the order page's throttled look.
   */
  async customerReturned(id: string, paymentRequestId: string | undefined): Promise<void> {
    const order = await this.store.order(id);
    if (order?.status !== 'pending') return;
    if (order.paymentRequestId && paymentRequestId === order.paymentRequestId) await this.reconcile(order);
    else await this.look(order);
  }

  /**
   * A press of Klarna's button (the element's initiate): reuses the payment request already open
   * for the order, answers again for the attempt that paid, repeats an attempt left without an
   * answer, or claims the order for a new attempt on the very cart pressed, and authorizes.
   */
  async press(press: Press): Promise<PressOutcome> {
    let order = await this.store.order(press.orderId);
    if (!order) return { kind: 'unknown-order' };
    if (order.status === 'pending') {
      // A payment request is already open for this order: settle or reuse it, never open a second one.
      order = (await this.reconcile(order)) ?? order;
      if (order.status === 'pending' && order.paymentRequestUrl) {
        // (for the cart it was opened for: a page showing another total is told so)
        if (!samePress(order, press)) return { kind: 'cart-changed', message: cartChanged(order, press) };
        const { paymentRequestUrl, paymentRequestId } = order;
        return { kind: 'step-up', order, paymentRequestUrl, paymentRequestId: paymentRequestId! };
      }
    }
    // The retry of the very attempt that paid (its answer was lost to a failure here) gets that attempt's success.
    if (order.status === 'paid' && order.attemptKey === press.key) return { kind: 'approved', order };
    if (order.status === 'paid') return { kind: 'already-paid' };
    if (order.status === 'finalizing') return { kind: 'finalizing' };
    if (order.status === 'unconfirmed') return { kind: 'unconfirmed', order, message: order.reason ?? UNCONFIRMED };
    if (!samePress(order, press)) return { kind: 'cart-changed', message: cartChanged(order, press) };
    // An earlier attempt got no answer from Klarna: repeat that very call (same key, same token), never a new one.
    if (order.status === 'authorizing') return this.authorize(order, { repeat: true });
    // The check above read the order; the claim checks the pressed total again in the same
    // statement that takes the order, so a cart change in between cannot reach Klarna.
    const claimed = await this.store.claimAttempt(order.id, CHANGEABLE, press, {
      status: 'authorizing',
      paymentOptionId: press.paymentOptionId ?? null,
      attemptKey: press.key,
      attemptToken: press.klarnaNetworkSessionToken ?? null,
      attemptStartedAt: new Date().toISOString(),
      // a new attempt: nothing of the last one's payment request, nor its 60 minutes, carries over
      paymentRequestId: null,
      paymentRequestUrl: null,
      completedAt: null,
      finalSentAt: null,
    });
    if (claimed) return this.authorize(claimed);
    const now = await this.store.order(order.id);
    if (now && !samePress(now, press)) return { kind: 'cart-changed', message: cartChanged(now, press) };
    return { kind: 'under-way' };
  }

  /**
   * The first Payment Authorize, from the element's initiate. The caller has claimed the order
   * ('authorizing') with its attempt key and token, so the very same call can be repeated, with the
   * same Klarna-Idempotency-Key, until Klarna gives a definite answer.
   */
  async authorize(
    order: Order,
    { repeat = false, signal }: { repeat?: boolean; signal?: AbortSignal } = {},
  ): Promise<InitiateOutcome> {
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
        customer_interaction_config: {
          method: 'SDK',
          return_url: `${this.publicUrl()}/orders/${order.id}/return?${RETURN_TEMPLATE}`,
        },
      },
    };
    await this.store.note(
      order.id,
      'backend',
      `Payment Authorize for ${order.amount} ${order.currency}, session token ${redact(networkSessionToken)}`,
    );
    let answer: any;
    let result: KnownResult;
    try {
      ({ body: answer } = await this.klarna.authorize(
        body,
        { idempotencyKey: klarnaIdempotencyKey('authorize', order.id, attemptKey), networkSessionToken },
        signal,
      ));
      result = resultOf(answer, ['APPROVED', 'STEP_UP_REQUIRED', 'DECLINED']);
    } catch (thrown) {
      if (thrown instanceof KlarnaCallInvalid) {
        // Nothing left this process, and this call never can: the attempt ends, nothing was taken.
        const failed = await this.store.transition(
          order.id,
          ['authorizing'],
          { status: 'failed', reason: thrown.message },
          order.attemptKey,
        );
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
      const failed = await this.store.transition(
        order.id,
        ['authorizing'],
        { status: 'failed', reason: (error as Error).message },
        order.attemptKey,
      );
      await this.store.note(order.id, 'klarna', `Refused: ${(error as Error).message}`);
      this.log(`order ${order.purchaseReference}: Payment Authorize refused: ${(error as Error).message}`);
      return { kind: 'rejected', order: failed ?? order, message: REFUSED };
    }
    const notThisOrder = result === 'APPROVED' ? approvedElsewhere(order, answer) : undefined;
    if (notThisOrder) {
      const refused = await this.refuseApproval(order, ANSWERABLE, notThisOrder);
      return { kind: 'declined', order: refused ?? order, reason: NOT_THIS_ORDER };
    }
    if (result === 'APPROVED') {
      const transactionId = answer.payment_transaction_response.payment_transaction?.payment_transaction_id;
      await this.store.note(order.id, 'klarna', `APPROVED: transaction ${transactionId}`);
      const paid = await this.markPaid(order, ANSWERABLE, transactionId, customerTokenOf(answer) ?? null);
      if (paid.refused) return { kind: 'declined', order: paid.order ?? order, reason: NOT_THIS_ORDER };
      // (undefined: another request settled the order first, with this very answer when it repeated this call)
      return { kind: 'approved', order: paid.order ?? order };
    }
    if (result === 'STEP_UP_REQUIRED') {
      const request = answer.payment_request;
      const url = request.state_context.customer_interaction.payment_request_url;
      const pending = await this.store.transition(
        order.id,
        ANSWERABLE,
        { status: 'pending', paymentRequestId: request.payment_request_id, paymentRequestUrl: url, reason: null },
        order.attemptKey,
      );
      await this.store.note(
        order.id,
        'klarna',
        `STEP_UP_REQUIRED: payment request ${request.payment_request_id}; the customer continues in Klarna's journey`,
      );
      return {
        kind: 'step-up',
        order: pending ?? order,
        paymentRequestUrl: url,
        paymentRequestId: request.payment_request_id,
      };
    }
    const reason = answer.payment_transaction_response.result_reason ?? 'DECLINED';
    const declined = await this.store.transition(
      order.id,
      ANSWERABLE,
      { status: 'declined', reason },
      order.attemptKey,
    );
    await this.store.note(order.id, 'klarna', `DECLINED (${reason})`);
    return { kind: 'declined', order: declined ?? order, reason };
  }

  /**
   * Final authorization with the token Klarna issued on completion. Exactly once: only the caller
   * that moves the order from 'pending' to 'finalizing' calls Klarna.
   */
  async finalize(
    order: Order,
    networkSessionToken: string | undefined,
    details: { completedAt?: string; customerToken?: string; via: string; signal?: AbortSignal },
  ): Promise<Order | undefined> {
    if (
      networkSessionToken !== undefined &&
      (typeof networkSessionToken !== 'string' || !sendable(networkSessionToken))
    ) {
      // It could never be sent to Klarna (nor stored): as good as none, and another source may give a usable one.
      await this.store.note(
        order.id,
        'backend',
        `The klarna_network_session_token from the ${details.via} cannot be sent to Klarna; it is ignored`,
      );
      networkSessionToken = undefined;
    }
    if (
      details.customerToken !== undefined &&
      (typeof details.customerToken !== 'string' || !sendable(details.customerToken))
    )
      details = { ...details, customerToken: undefined };
    // The 60 minutes run from the first completion time known: a later look (or one without a time) never restarts
    // them.
    const completedAt = earliest(order.completedAt, details.completedAt) ?? new Date().toISOString();
    const claimed = await this.store.transition(order.id, ['pending'], {
      status: 'finalizing',
      customerToken: details.customerToken ?? order.customerToken,
      completedAt,
    });
    if (!claimed) return this.store.order(order.id);
    await this.store.note(
      order.id,
      'backend',
      `Customer approved in Klarna (${details.via}); ` +
        `final Payment Authorize with session token ${redact(networkSessionToken)}`,
    );
    const approvedAt = Date.parse(completedAt);
    if (!networkSessionToken) {
      await this.store.note(
        order.id,
        'backend',
        'No klarna_network_session_token came with the completion; waiting for another source',
      );
      return this.store.transition(order.id, ['finalizing'], { status: 'pending' });
    }
    // A final authorization sent before, its outcome unknown: Klarna answers the repeat from its key
    // (so the 60 minutes no longer decide), and a refusal of the repeat is no refusal.
    const sentAt = claimed.finalSentAt;
    if (sentAt) {
      if (Date.now() - Date.parse(sentAt) > REPEAT_WINDOW_MS)
        return this.holdUnconfirmed(claimed, sentAt, 'finalizing', 'Final authorization');
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
    const notThisOrder = result === 'APPROVED' ? approvedElsewhere(claimed, answer) : undefined;
    if (notThisOrder) return this.refuseApproval(claimed, ['finalizing'], notThisOrder);
    if (result === 'APPROVED') {
      await this.store.note(order.id, 'klarna', `APPROVED: transaction ${payment_transaction?.payment_transaction_id}`);
      const paid = await this.markPaid(
        claimed,
        ['finalizing'],
        payment_transaction?.payment_transaction_id,
        customerTokenOf(answer) ?? claimed.customerToken,
      );
      return paid.order;
    }
    const reason = result_reason ?? 'DECLINED';
    // Klarna declines an expired token; past 60 minutes by our own clock that is what a decline means.
    if (reason === 'SESSION_TOKEN_EXPIRED' || Date.now() - approvedAt > SIXTY_MINUTES) return this.expire(order.id);
    await this.store.note(order.id, 'klarna', `Final authorization DECLINED (${reason})`);
    return this.store.transition(order.id, ['finalizing'], { status: 'declined', reason });
  }

  /**
   * Marks the order paid with Klarna's transaction, in one UPDATE that the database refuses when that transaction paid
   * another order already (a unique index): the order is then not paid but declined (`refused`), and the operator is
   * told. `order` is undefined when the order was no longer in `from` (another request settled it).
   */
  private async markPaid(
    order: Order,
    from: OrderStatus[],
    transactionId: string | undefined,
    customerToken: string | null,
  ): Promise<{ order: Order | undefined; refused: boolean }> {
    const attempt = from.includes('finalizing') ? undefined : order.attemptKey;
    try {
      const paid = await this.store.transition(
        order.id,
        from,
        { status: 'paid', paymentTransactionId: transactionId, customerToken, reason: null },
        attempt,
      );
      return { order: paid, refused: false };
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      const why = `Klarna's transaction ${transactionId} has paid another order already`;
      return { order: await this.refuseApproval(order, from, why), refused: true };
    }
  }

  /** Klarna's APPROVED is not for this order (see approvedElsewhere): the order is not paid, and that is said why. */
  private async refuseApproval(order: Order, from: OrderStatus[], why: string): Promise<Order | undefined> {
    const what = `APPROVED answer refused: ${why}; the order is not paid`;
    this.log(`order ${order.purchaseReference}: ${what}`);
    await this.store.note(order.id, 'backend', what);
    const attempt = from.includes('finalizing') ? undefined : order.attemptKey;
    return (
      (await this.store.transition(order.id, from, { status: 'declined', reason: NOT_THIS_ORDER }, attempt)) ??
      this.store.order(order.id)
    );
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
  private async holdUnconfirmed(
    order: Order,
    since: string,
    from: OrderStatus,
    call: string,
  ): Promise<Order | undefined> {
    const held = await this.store.transition(
      order.id,
      [from],
      { status: 'unconfirmed', reason: UNCONFIRMED },
      order.attemptKey,
    );
    if (held) {
      const what = notRepeated(call, since, order.transactionReference);
      this.log(`order ${order.purchaseReference}: ${what}`);
      await this.store.note(order.id, 'backend', what);
    }
    return held;
  }

  /**
   * Klarna's outcome is not known: noted on the order, and logged for the operator when Klarna did answer, with
   * something new.
   */
  private async heldForAnswer(order: Order, error: unknown, call: string) {
    const answered =
      error instanceof UnreadableAnswer ||
      error instanceof RefusedRepeat ||
      error instanceof KlarnaRequestError ||
      (error instanceof KlarnaUnavailableError && error.status !== undefined);
    // the error's own words: "Klarna did not answer" only when it did not (a timeout, a network failure)
    const what = `${call}: ${error instanceof Error ? error.message : 'Klarna did not answer'}`;
    if (answered) this.log(`order ${order.purchaseReference}: ${what}`);
    await this.store.note(
      order.id,
      'backend',
      `${what}; the same call (same key, same token) will be repeated until Klarna answers, for 23 hours at most`,
    );
  }

  private async expire(orderId: string) {
    const reason =
      'Klarna approved this purchase more than 60 minutes ago, so it can no longer be finalized. ' +
      'Nothing was charged; please pay again.';
    await this.store.note(
      orderId,
      'backend',
      'The klarna_network_session_token is older than 60 minutes: order expired',
    );
    return this.store.transition(orderId, ['finalizing'], { status: 'expired', reason });
  }

  /** A payment request ended without payment: move a pending order, never one already further along. */
  async ended(order: Order, state: string, via: string) {
    const status = state === 'CANCELED' ? 'canceled' : state === 'EXPIRED' ? 'expired' : 'declined';
    const moved = await this.store.transition(order.id, ['pending'], {
      status,
      reason: `Klarna payment request ${state.toLowerCase()}`,
    });
    if (moved) await this.store.note(order.id, 'klarna', `Payment request ${state} (${via})`);
    return moved ?? this.store.order(order.id);
  }

  /**
   * The customer is back (or a press finds the order pending) before the webhook: read the payment request and act on
   * it.
   */
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
      await this.store.lookDone(order.id, answered ? 'answered' : 'failed', {
        backoffMs: LOOK_GAP_MS,
        maxBackoffMs: MAX_LOOK_BACKOFF_MS,
      });
    }
  }

  /**
   * Reads the order's payment request and acts on it. `answered` is false when Klarna gave nothing
   * to act on (the read failed, or the final authorization went unanswered): the next look waits longer.
   */
  private async readAndSettle(
    order: Order,
    signal?: AbortSignal,
  ): Promise<{ order: Order | undefined; answered: boolean }> {
    if (order.status !== 'pending' || !order.paymentRequestId) return { order, answered: true };
    let request;
    try {
      ({ body: request } = await this.klarna.readPaymentRequest(order.paymentRequestId, signal));
    } catch (error) {
      if (error instanceof KlarnaRequestError && error.status === 404)
        return { order: await this.forgotten(order), answered: true };
      this.log(
        `order ${order.purchaseReference}: ` +
          `reading payment request ${order.paymentRequestId} failed: ${(error as Error).message}`,
      );
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
    if (['CANCELED', 'EXPIRED', 'DECLINED'].includes(request?.state))
      return { order: await this.ended(order, request.state, 'payment request read'), answered: true };
    // Still open: the journey's address as Klarna gives it now (the offline simulator's changes with its port).
    const url = request?.state_context?.customer_interaction?.payment_request_url;
    if (typeof url === 'string' && url !== order.paymentRequestUrl && /^https?:\/\/[\x21-\x7E]+$/.test(url)) {
      return {
        order:
          (await this.store.transition(order.id, ['pending'], { paymentRequestUrl: url }, order.attemptKey)) ?? order,
        answered: true,
      };
    }
    return { order, answered: true };
  }

  /**
   * Klarna answers 404 for the order's payment request: it no longer knows it (it was never created
   * there, or is gone), so nothing can complete it or charge for it. Repeating the read would loop
   * for ever: the order expires, its cart may change again, and a new press starts a new attempt.
   */
  private async forgotten(order: Order): Promise<Order | undefined> {
    const expired = await this.store.transition(
      order.id,
      ['pending'],
      { status: 'expired', reason: FORGOTTEN },
      order.attemptKey,
    );
    if (expired) {
      const what =
        `Klarna answered 404 for payment request ${order.paymentRequestId}: ` +
        'it no longer knows it, so the order expired (nothing was charged)';
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
    const orders = await this.store.claimSweep({
      limit: SWEEP_BATCH,
      leaseMs: Math.max(LOOK_LEASE_MS, 2 * budgetMs),
      stuckAfterMs: this.stuckAfterMs,
      gapMs: LOOK_GAP_MS,
    });
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
   * Klarna's webhook, verified by the route: processed once per event id, after its answer (Klarna
   * is acknowledged at once). `handling` is that work; a failure of it forgets the event, and the
   * sweep settles the order.
   */
  async receiveWebhook({
    metadata,
    payload,
  }: WebhookEvent): Promise<{ duplicate: true } | { duplicate: false; handling: Promise<void> }> {
    if (!(await this.store.firstDelivery(metadata.event_id, metadata.event_type, payload?.payment_request_id)))
      return { duplicate: true };
    const handling = new Promise((resolve) => setImmediate(resolve)).then(() =>
      this.handleWebhook({ metadata, payload }).catch(async (error) => {
        // Acknowledged already, so Klarna will not resend it: forget it, and the sweep settles the order.
        this.log(`webhook ${metadata.event_id} failed: ${(error as Error).message}`);
        await this.store.forgetDelivery(metadata.event_id).catch(() => undefined);
      }),
    );
    return { duplicate: false, handling };
  }

  private async handleWebhook({ metadata, payload }: WebhookEvent): Promise<void> {
    const order = payload?.payment_request_id
      ? await this.store.orderByPaymentRequest(payload.payment_request_id)
      : undefined;
    if (!order) return this.log(`webhook ${metadata.event_type} for an unknown payment request`);
    await this.store.note(order.id, 'webhook', `${metadata.event_type} (event ${metadata.event_id.slice(0, 8)}…)`);
    if (metadata.event_type === 'payment.request.state-change.completed') {
      const context = payload.state_context;
      const token = payload.klarna_network_session_token ?? context?.klarna_network_session_token;
      const customerToken = payload.klarna_customer?.customer_token ?? context?.klarna_customer?.customer_token;
      this.log(`webhook completed for ${order.purchaseReference}: session token ${redact(token)}`);
      await this.finalize(order, token, { completedAt: metadata.occurred_at, customerToken, via: 'webhook' });
    } else if (/\.(canceled|expired|declined)$/.test(metadata.event_type)) {
      await this.ended(order, metadata.event_type.split('.').pop()!.toUpperCase(), 'webhook');
    }
  }

  /**
   * A charge of an active subscription's next period (the order page's "Charge next period", or a
   * shop's scheduler): 'inactive' for any other order, 'unavailable' when Klarna's outcome is not
   * known yet (the next press repeats that very charge).
   */
  async chargeSubscription(id: string, options: { aheadOnePeriod?: boolean } = {}): Promise<ChargeResult> {
    const order = await this.store.order(id);
    if (!order || order.kind !== 'subscription' || order.status !== 'paid') return { kind: 'inactive' };
    try {
      return await this.chargeNextPeriod(order, options);
    } catch (error) {
      if (!outcomeUnknown(error)) throw error;
      return { kind: 'unavailable' };
    }
  }

  /** See Subscriptions.chargeNextPeriod. */
  chargeNextPeriod(order: Order, options: { aheadOnePeriod?: boolean; now?: Date } = {}): Promise<ChargeOutcome> {
    return this.subscriptions.chargeNextPeriod(order, options);
  }
}
