/**
 * Orders, payment attempts, webhook events and customer tokens, in Postgres: embedded (PGlite,
 * a directory on disk, nothing to install) by default, a PostgreSQL server when DATABASE_URL is set.
 * Every state change is one conditional UPDATE, so two instances, or a webhook and a returning
 * customer, can never both move an order.
 */
import { type Sql } from './database.js';
import { claimKey, releaseKey, storeReply, type KeyClaim, type KeyStore } from './idempotency.js';
import { INITIAL_STATUS, allowedFrom, type OrderStatus } from './order-states.js';

export type { OrderStatus };
export { lockDataDir, openDatabase, type DataDirLock, type Sql } from './database.js';

export interface OrderLine {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
  total: number;
}

export interface Order {
  id: string;
  kind: 'purchase' | 'subscription';
  status: OrderStatus;
  reason: string | null;
  amount: number;
  currency: string;
  lines: OrderLine[];
  /** Goes up by one with each change of the lines: a press names the cart it was made on. */
  cartVersion: number;
  /**
   * The order number (PWK-…): what Klarna's references, the logs and the customer's order page
   * carry. Never the id, which alone opens the order and its journey (the order page's address).
   */
  purchaseReference: string;
  transactionReference: string;
  paymentOptionId: string | null;
  paymentRequestId: string | null;
  paymentRequestUrl: string | null;
  /** The payment attempt under way: the same Klarna call can be repeated with these until Klarna answers. */
  attemptKey: string | null;
  attemptToken: string | null;
  /**
   * When the attempt was claimed, just before its first Klarna call: Klarna keeps that call's idempotency key for 24
   * hours.
   */
  attemptStartedAt: string | null;
  /** When the attempt's final authorization first went out: a later one is a repeat of it. */
  finalSentAt: string | null;
  paymentTransactionId: string | null;
  customerToken: string | null;
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OrderEvent {
  at: string;
  source: 'backend' | 'klarna' | 'webhook';
  text: string;
}

const toOrder = (row: Record<string, any>): Order => ({
  id: row.id,
  kind: row.kind,
  status: row.status,
  reason: row.reason,
  amount: Number(row.amount),
  currency: row.currency,
  lines: typeof row.lines === 'string' ? JSON.parse(row.lines) : row.lines,
  cartVersion: Number(row.cart_version),
  purchaseReference: row.purchase_reference,
  transactionReference: row.transaction_reference,
  paymentOptionId: row.payment_option_id,
  paymentRequestId: row.payment_request_id,
  paymentRequestUrl: row.payment_request_url,
  attemptKey: row.attempt_key,
  attemptToken: row.attempt_token,
  attemptStartedAt: row.attempt_started_at ? new Date(row.attempt_started_at).toISOString() : null,
  finalSentAt: row.final_sent_at ? new Date(row.final_sent_at).toISOString() : null,
  paymentTransactionId: row.payment_transaction_id,
  customerToken: row.customer_token,
  completedAt: row.completed_at ? new Date(row.completed_at).toISOString() : null,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const COLUMNS: Record<string, string> = {
  kind: 'kind',
  status: 'status',
  reason: 'reason',
  amount: 'amount',
  lines: 'lines',
  paymentOptionId: 'payment_option_id',
  paymentRequestId: 'payment_request_id',
  paymentRequestUrl: 'payment_request_url',
  attemptKey: 'attempt_key',
  attemptToken: 'attempt_token',
  attemptStartedAt: 'attempt_started_at',
  finalSentAt: 'final_sent_at',
  paymentTransactionId: 'payment_transaction_id',
  customerToken: 'customer_token',
  completedAt: 'completed_at',
};

const FORGET_CUSTOMER_TOKEN = `
  update orders set customer_token = null, updated_at = now()
  where id = $1 and customer_token is not null returning id`;
const FIRST_DELIVERY = `
  insert into webhook_events (event_id, event_type, payment_request_id) values ($1, $2, $3)
  on conflict do nothing returning event_id`;

export class Store implements KeyStore {
  constructor(readonly sql: Sql) {}

  /** The new order, or undefined when its purchase reference is taken already (pick another). */
  async createOrder(
    order: Pick<Order, 'id' | 'kind' | 'amount' | 'currency' | 'lines' | 'purchaseReference' | 'transactionReference'>,
  ): Promise<Order | undefined> {
    const [row] = await this.sql.query(
      `insert into orders (id, kind, status, amount, currency, lines, purchase_reference, transaction_reference)
       values ($1, $2, $8, $3, $4, $5, $6, $7) on conflict (purchase_reference) do nothing returning *`,
      [
        order.id,
        order.kind,
        order.amount,
        order.currency,
        JSON.stringify(order.lines),
        order.purchaseReference,
        order.transactionReference,
        INITIAL_STATUS,
      ],
    );
    return row && toOrder(row);
  }

  async order(id: string): Promise<Order | undefined> {
    const [row] = await this.sql.query('select * from orders where id = $1', [id]);
    return row ? toOrder(row) : undefined;
  }

  async orderByPaymentRequest(paymentRequestId: string): Promise<Order | undefined> {
    const [row] = await this.sql.query('select * from orders where payment_request_id = $1', [paymentRequestId]);
    return row ? toOrder(row) : undefined;
  }

  /**
   * Moves an order only if it is in one of `from` (and, when `attemptKey` is given, still on that
   * payment attempt): the one who wins the race does the work. A status change must be one that
   * order-states.ts's table allows from every state in `from` (IllegalTransition otherwise).
   */
  async transition(
    id: string,
    from: OrderStatus[],
    changes: Partial<Order>,
    attemptKey?: string | null,
  ): Promise<Order | undefined> {
    return this.update(id, from, changes, attemptKey === undefined ? {} : { attempt_key: attemptKey });
  }

  /**
   * Starts a payment attempt on the cart the customer pressed: one statement that checks the
   * order's amount and currency (and, when the press names it, its cart version) and claims it, so
   * that a cart change committed a moment before the claim makes the claim fail instead of sending
   * Klarna another total.
   */
  async claimAttempt(
    id: string,
    from: OrderStatus[],
    pressed: { amount: number; currency: string; cartVersion?: number },
    changes: Partial<Order>,
  ): Promise<Order | undefined> {
    const where: Record<string, unknown> = { amount: pressed.amount, currency: pressed.currency };
    if (pressed.cartVersion !== undefined) where.cart_version = pressed.cartVersion;
    // a new attempt is looked at from scratch: nothing of the last one's looks carries over
    return this.update(id, from, changes, where, ['last_look_at = null', 'next_look_at = null', 'look_failures = 0']);
  }

  /**
   * New lines for an order with nothing under way, with their total and the kind they make: its cart version goes up,
   * so a press made on the old cart cannot claim it.
   */
  async changeLines(
    id: string,
    from: OrderStatus[],
    lines: OrderLine[],
    amount: number,
    kind: Order['kind'],
  ): Promise<Order | undefined> {
    return this.update(id, from, { lines, amount, kind, status: 'open' }, {}, ['cart_version = cart_version + 1']);
  }

  /**
   * The one UPDATE every change of an order goes through: checked and done in one statement. Its
   * WHERE names the from-states, and for a status change only those the table allows, so no two
   * callers can both move an order, and none can move it where the table does not lead.
   */
  private async update(
    id: string,
    requested: OrderStatus[],
    changes: Partial<Order>,
    where: Record<string, unknown>,
    also: string[] = [],
  ): Promise<Order | undefined> {
    const from = changes.status === undefined ? requested : allowedFrom(requested, changes.status);
    const sets = ['updated_at = now()', ...also];
    const params: unknown[] = [id, from];
    const conditions = Object.entries(where).map(
      ([column, value]) => `${column} is not distinct from $${params.push(value)}`,
    );
    for (const [key, value] of Object.entries(changes)) {
      params.push(key === 'lines' ? JSON.stringify(value) : value);
      sets.push(`${COLUMNS[key]} = $${params.length}`);
    }
    const conditionText = ['id = $1', 'status = any($2)', ...conditions].join(' and ');
    const [row] = await this.sql.query(
      `update orders set ${sets.join(', ')} where ${conditionText} returning *`,
      params,
    );
    return row ? toOrder(row) : undefined;
  }

  /** Forgets an order's customer token: true for the one caller that found it still there. */
  async forgetCustomerToken(id: string): Promise<boolean> {
    const rows = await this.sql.query(FORGET_CUSTOMER_TOKEN, [id]);
    return rows.length > 0;
  }

  async note(orderId: string, source: OrderEvent['source'], text: string): Promise<void> {
    await this.sql.query('insert into order_events (order_id, source, text) values ($1, $2, $3)', [
      orderId,
      source,
      text,
    ]);
  }

  async events(orderId: string): Promise<OrderEvent[]> {
    const rows = await this.sql.query<{ at: string; source: OrderEvent['source']; text: string }>(
      'select at, source, text from order_events where order_id = $1 order by id',
      [orderId],
    );
    return rows.map((row) => ({ ...row, at: new Date(row.at).toISOString() }));
  }

  /** The shop's Idempotency-Keys: see idempotency.ts. */
  claimKey(key: string, fingerprint: string, { staleAfterMs }: { staleAfterMs?: number } = {}): Promise<KeyClaim> {
    return claimKey(this.sql, key, fingerprint, staleAfterMs);
  }

  storeReply(key: string, status: number, response: unknown): Promise<void> {
    return storeReply(this.sql, key, status, response);
  }

  releaseKey(key: string): Promise<void> {
    return releaseKey(this.sql, key);
  }

  /** True the first time an event id is seen. */
  async firstDelivery(eventId: string, eventType: string, paymentRequestId: string | undefined): Promise<boolean> {
    const rows = await this.sql.query(FIRST_DELIVERY, [eventId, eventType, paymentRequestId ?? null]);
    return rows.length > 0;
  }

  async forgetDelivery(eventId: string): Promise<void> {
    await this.sql.query('delete from webhook_events where event_id = $1', [eventId]);
  }

  /**
   * Records one attempt at a period's charge: its outcome once, or that it is 'unknown' (Klarna gave no
   * answer to act on), which keeps the time of the first such try until an outcome replaces it.
   * True when this write made the row or gave it its outcome; false when an 'unknown' row was there
   * already (the call is a repeat) or another request has recorded the outcome.
   */
  async addCharge(charge: {
    id: string;
    orderId: string;
    period: number;
    attempt: number;
    amount: number;
    status: string;
    paymentTransactionId?: string;
    reason?: string;
  }): Promise<boolean> {
    const write = () =>
      this.sql.query(
        `insert into charges (id, order_id, period, attempt, amount, status, payment_transaction_id, reason)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (id) do update
           set status = excluded.status, payment_transaction_id = excluded.payment_transaction_id,
               reason = excluded.reason
         where charges.status = 'unknown' and excluded.status <> 'unknown' returning id`,
        [
          charge.id,
          charge.orderId,
          charge.period,
          charge.attempt,
          charge.amount,
          charge.status,
          charge.paymentTransactionId ?? null,
          charge.reason ?? null,
        ],
      );
    let rows;
    try {
      rows = await write();
    } catch (error) {
      // Two sessions inserting the same charge at once: PostgreSQL may report the row's other unique
      // key (order, period, attempt) instead of taking the conflict path on its id. The row is there
      // now, so the same statement again takes that path.
      if ((error as { code?: string }).code !== '23505') throw error;
      rows = await write();
    }
    return rows.length > 0;
  }

  /**
   * Claims up to `limit` orders for one sweep pass: pending ones, and ones left mid-call for longer
   * than `stuckAfterMs` (a crash, a Klarna outage). Due ones only (their next look has come, and no
   * look at Klarna for them began in the last `gapMs`, here or in another instance), healthy ones
   * before those whose looks keep failing, then the least recently looked at: a few orders that
   * Klarna does not answer never keep the others waiting. Each is leased for `leaseMs`: no other
   * pass, in this instance or another, takes it until its look is done (FOR UPDATE SKIP LOCKED).
   * In the order to look at them.
   */
  async claimSweep({
    limit,
    leaseMs,
    stuckAfterMs,
    gapMs,
  }: {
    limit: number;
    leaseMs: number;
    stuckAfterMs: number;
    gapMs: number;
  }): Promise<Array<Order & { previousLook: string | null }>> {
    const rows = await this.sql.query(
      `with due as (
         select id, look_failures, last_look_at from orders
         where ((status = 'pending' and payment_request_id is not null)
             or (status in ('authorizing', 'finalizing') and updated_at < now() - $2 * interval '1 millisecond'))
           and (next_look_at is null or next_look_at <= now())
           and (last_look_at is null or last_look_at <= now() - $3 * interval '1 millisecond')
         order by look_failures, last_look_at nulls first, created_at
         limit $1
         for update skip locked
       )
       update orders set last_look_at = now(), next_look_at = now() + $4 * interval '1 millisecond'
       from due where orders.id = due.id
       returning orders.*, due.look_failures as previous_failures, due.last_look_at as previous_look`,
      [limit, stuckAfterMs, gapMs, leaseMs],
    );
    const at = (time: unknown) => (time ? new Date(time as string).getTime() : -Infinity);
    rows.sort(
      (a, b) => Number(a.previous_failures) - Number(b.previous_failures) || at(a.previous_look) - at(b.previous_look),
    );
    return rows.map((row) => ({
      ...toOrder(row),
      previousLook: row.previous_look ? new Date(row.previous_look as string).toISOString() : null,
    }));
  }

  /**
   * Claims a pending order for one look at Klarna outside the sweep (its customer's page), on the same terms: at most
   * one look per `gapMs`, across every instance.
   */
  async claimLook(id: string, { leaseMs, gapMs }: { leaseMs: number; gapMs: number }): Promise<Order | undefined> {
    const [row] = await this.sql.query(
      `update orders set last_look_at = now(), next_look_at = now() + $3 * interval '1 millisecond'
       where id = $1 and status = 'pending' and payment_request_id is not null
         and (next_look_at is null or next_look_at <= now())
         and (last_look_at is null or last_look_at <= now() - $2 * interval '1 millisecond')
       returning *`,
      [id, gapMs, leaseMs],
    );
    return row && toOrder(row);
  }

  /**
   * Ends a claimed look: 'answered' makes the order due again after the gap; 'failed' (Klarna gave
   * nothing to act on) waits longer with each failure in a row, from `backoffMs` doubling up to
   * `maxBackoffMs`; 'skipped' (the pass ran out of time before it) hands it back as it was.
   */
  async lookDone(
    id: string,
    outcome: 'answered' | 'failed' | 'skipped',
    {
      backoffMs,
      maxBackoffMs,
      previousLook,
    }: { backoffMs: number; maxBackoffMs: number; previousLook?: string | null },
  ): Promise<void> {
    if (outcome === 'answered')
      await this.sql.query('update orders set look_failures = 0, next_look_at = null where id = $1', [id]);
    else if (outcome === 'skipped')
      await this.sql.query('update orders set next_look_at = null, last_look_at = $2 where id = $1', [
        id,
        previousLook ?? null,
      ]);
    else {
      await this.sql.query(
        `update orders set look_failures = look_failures + 1,
           next_look_at = now() + least($3::float8, $2 * power(2, least(look_failures, 30))) * interval '1 millisecond'
         where id = $1`,
        [id, backoffMs, maxBackoffMs],
      );
    }
  }

  async charges(orderId: string) {
    return this.sql.query<{
      id: string;
      period: number;
      attempt: number;
      amount: number;
      status: string;
      payment_transaction_id: string | null;
      reason: string | null;
      created_at: string;
    }>('select * from charges where order_id = $1 order by created_at', [orderId]);
  }
}
