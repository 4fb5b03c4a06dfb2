/**
 * A subscription's later periods, charged with its customer token while the customer is not
 * present: once per period, not before it is due, a few attempts after declines, and never again
 * once Klarna declines the token itself.
 */
import { product } from '../catalog.js';
import type { KlarnaClient } from '../klarna-client.js';
import type { Order, Store } from '../store.js';
import {
  REPEAT_WINDOW_MS,
  asRepeat,
  klarnaIdempotencyKey,
  notRepeated,
  purchaseData,
  resultOf,
  type KnownResult,
} from './klarna-calls.js';

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
export function afterIntervals(
  start: Date,
  plan: { interval: 'MONTH' | 'YEAR'; frequency: number },
  count: number,
): Date {
  const months = plan.frequency * count * (plan.interval === 'YEAR' ? 12 : 1);
  const date = new Date(start);
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(start.getUTCDate(), lastDay));
  return date;
}

export class Subscriptions {
  constructor(
    private readonly store: Store,
    private readonly klarna: KlarnaClient,
    private readonly log: (line: string) => void,
  ) {}

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
    if (!unanswered && declines.length >= ATTEMPTS_PER_PERIOD)
      return { kind: 'exhausted', period, attempts: declines.length, reason: declines.at(-1)?.reason ?? undefined };
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
          supplementary_purchase_data: {
            ...purchaseData({ ...order, lines: subscriptionLines }),
            purchase_reference: `${order.purchaseReference}-renewal`,
          },
          request_payment_transaction: { amount, payment_transaction_reference: chargeId },
        },
        {
          idempotencyKey: klarnaIdempotencyKey('charge', order.id, String(period), String(attempt)),
          customerToken: order.customerToken ?? undefined,
        },
      ));
      result = resultOf(answer, ['APPROVED', 'DECLINED']);
    } catch (error) {
      // The row stays 'unknown', so the next press repeats this very charge with its key: also after
      // a refusal, as a press racing this one may have sent that key too and been charged.
      throw asRepeat(error, repeat);
    }
    const transactionId = answer.payment_transaction_response.payment_transaction?.payment_transaction_id;
    const reason =
      result === 'APPROVED' ? undefined : (answer.payment_transaction_response.result_reason ?? 'DECLINED');
    const recorded = await record({
      status: result === 'APPROVED' ? 'approved' : 'declined',
      paymentTransactionId: transactionId,
      reason,
    });
    if (recorded)
      await this.store.note(
        order.id,
        'klarna',
        `Period ${period}, customer not present: ${result}` +
          (transactionId ? ` (transaction ${transactionId})` : ` (${reason})`),
      );
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
    const what =
      `Subscription ended: Klarna declined period ${period} (${reason}), ` +
      'so its customer token can no longer be charged; it is forgotten, and no further period is charged.';
    this.log(`order ${order.purchaseReference}: ${what}`);
    await this.store.note(order.id, 'backend', what);
  }
}
