/**
 * Orders, payment attempts, webhook events and customer tokens, in Postgres: embedded (PGlite,
 * a directory on disk, nothing to install) by default, a PostgreSQL server when DATABASE_URL is set.
 * Every state change is one conditional UPDATE, so two instances, or a webhook and a returning
 * customer, can never both move an order.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { claimKey, releaseKey, storeReply, type KeyClaim, type KeyStore } from './idempotency.js';
import { INITIAL_STATUS, allowedFrom, type OrderStatus } from './order-states.js';

export type { OrderStatus };

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

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
  /** When the attempt was claimed, just before its first Klarna call: Klarna keeps that call's idempotency key for 24 hours. */
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

const SCHEMA = `
create table if not exists orders (
  id text primary key,
  kind text not null,
  status text not null,
  reason text,
  amount integer not null,
  currency text not null,
  lines jsonb not null,
  purchase_reference text not null,
  transaction_reference text not null,
  payment_option_id text,
  payment_request_id text unique,
  payment_request_url text,
  attempt_key text,
  attempt_token text,
  attempt_started_at timestamptz,
  final_sent_at timestamptz,
  payment_transaction_id text,
  customer_token text,
  completed_at timestamptz,
  cart_version integer not null default 1,
  last_look_at timestamptz,
  next_look_at timestamptz,
  look_failures integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create table if not exists idempotency_keys (
  key text primary key,
  fingerprint text not null,
  status integer,
  response jsonb,
  created_at timestamptz not null default now()
);
create table if not exists webhook_events (
  event_id text primary key,
  event_type text not null,
  payment_request_id text,
  received_at timestamptz not null default now()
);
create table if not exists order_events (
  id serial primary key,
  order_id text not null,
  source text not null,
  text text not null,
  at timestamptz not null default now()
);
create table if not exists charges (
  id text primary key,
  order_id text not null,
  period integer not null,
  attempt integer not null,
  amount integer not null,
  status text not null,
  payment_transaction_id text,
  reason text,
  created_at timestamptz not null default now(),
  unique (order_id, period, attempt)
);
-- Added to databases made before the column: checked first, as an ALTER TABLE locks the table even when it changes nothing.
do $$ begin
  if not exists (select 1 from information_schema.columns where table_schema = current_schema() and table_name = 'orders' and column_name = 'attempt_started_at') then
    alter table orders add column attempt_started_at timestamptz;
  end if;
  if not exists (select 1 from information_schema.columns where table_schema = current_schema() and table_name = 'orders' and column_name = 'final_sent_at') then
    alter table orders add column final_sent_at timestamptz;
    -- a final authorization may have gone out for these under the version without the column: repeats, to be safe
    update orders set final_sent_at = completed_at where status in ('pending', 'finalizing') and completed_at is not null;
  end if;
  -- The cart's version, and the looks at Klarna that every instance shares (the sweep and the order page).
  if not exists (select 1 from information_schema.columns where table_schema = current_schema() and table_name = 'orders' and column_name = 'cart_version') then
    alter table orders add column cart_version integer not null default 1, add column last_look_at timestamptz, add column next_look_at timestamptz, add column look_failures integer not null default 0;
  end if;
  -- The order number Klarna and the logs are given: one order each (older orders used their id, unique too).
  if not exists (select 1 from pg_indexes where schemaname = current_schema() and indexname = 'orders_purchase_reference_key') then
    create unique index orders_purchase_reference_key on orders (purchase_reference);
  end if;
end $$;
`;

/** Any key of ours for the schema's advisory lock, the same in every instance. */
const SCHEMA_LOCK = 7_116_093_540;

export interface DataDirLock {
  release(): void;
}

/**
 * Keeps an embedded data directory to one process. PGlite is one process's database: a second
 * process on the same directory would serve beside the first, the two would split the orders, and
 * two writers can leave it unreadable. The lock is the operating system's (an OFD lock on Linux,
 * flock on macOS, LockFileEx on Windows, through fs-native-extensions) on a file in the directory:
 * the kernel releases it when the process ends in any way, `kill -9` included, so a lock never
 * outlives its process and no pid has to be guessed alive or dead. The file names the holder, for
 * the message.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const { tryLock, unlock } = (await import('fs-native-extensions')).default;
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'pay-with-klarna.lock');
  const fd = openSync(path, 'a+');
  if (!tryLock(fd)) {
    closeSync(fd);
    let holder = '';
    try {
      holder = readFileSync(path, 'utf8').trim();
    } catch {
      // Windows keeps a locked file from being read: the message does without the holder
    }
    throw new Error(
      `The data directory ${dataDir} is in use by another process${holder ? ` (${holder})` : ''}: two servers on one embedded database would split its orders. Stop the other one, give this one its own DATA_DIR, or share a PostgreSQL server between them with DATABASE_URL.`,
    );
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `pid ${process.pid}, since ${new Date().toISOString()}\n`);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      unlock(fd);
      closeSync(fd);
    },
  };
}

export async function openDatabase(options: { databaseUrl?: string; dataDir?: string; log: (line: string) => void; lock?: DataDirLock }): Promise<Sql> {
  let sql: Sql;
  let created: Promise<unknown>;
  if (options.databaseUrl) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle connection the server closes (a restart, a failover) is an error on the pool, which
    // would end the process unheard; the pool drops that connection and opens another when asked.
    pool.on('error', (error) => options.log(`database connection lost: ${error.message}`));
    sql = { query: async (text, params) => (await pool.query(text, params as unknown[])).rows, close: () => pool.end() };
    // One round trip, one transaction, under a lock: instances that start together on an empty
    // database (the replicas of a deploy) would otherwise race to create the same tables, and
    // "create table if not exists" fails when another session is creating it at that moment.
    created = pool.query(`begin; select pg_advisory_xact_lock(${SCHEMA_LOCK}); ${SCHEMA} commit;`);
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    // the caller's lock on the directory (`npm start` takes it before the simulator's state), or one of its own
    const lock = options.dataDir ? (options.lock ?? (await lockDataDir(options.dataDir))) : undefined;
    const release = () => {
      if (lock !== options.lock) lock?.release();
    };
    let db;
    try {
      db = new PGlite(options.dataDir);
      await db.waitReady;
    } catch (error) {
      release();
      throw error;
    }
    const opened = db;
    sql = { query: async <T>(text: string, params?: unknown[]) => (await opened.query<T>(text, params)).rows, close: () => opened.close().finally(release) };
    created = opened.exec(SCHEMA);
  }
  try {
    await created;
  } catch (error) {
    await sql.close().catch(() => {});
    throw error;
  }
  return sql;
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

export class Store implements KeyStore {
  constructor(readonly sql: Sql) {}

  /** The new order, or undefined when its purchase reference is taken already (pick another). */
  async createOrder(order: Pick<Order, 'id' | 'kind' | 'amount' | 'currency' | 'lines' | 'purchaseReference' | 'transactionReference'>): Promise<Order | undefined> {
    const [row] = await this.sql.query(
      `insert into orders (id, kind, status, amount, currency, lines, purchase_reference, transaction_reference)
       values ($1, $2, $8, $3, $4, $5, $6, $7) on conflict (purchase_reference) do nothing returning *`,
      [order.id, order.kind, order.amount, order.currency, JSON.stringify(order.lines), order.purchaseReference, order.transactionReference, INITIAL_STATUS],
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

  /** New lines for an order with nothing under way: its cart version goes up, so a press made on the old cart cannot claim it. */
  async changeLines(id: string, from: OrderStatus[], lines: OrderLine[], amount: number): Promise<Order | undefined> {
    return this.update(id, from, { lines, amount, status: 'open' }, {}, ['cart_version = cart_version + 1']);
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
    const conditions = Object.entries(where).map(([column, value]) => `${column} is not distinct from $${params.push(value)}`);
    for (const [key, value] of Object.entries(changes)) {
      params.push(key === 'lines' ? JSON.stringify(value) : value);
      sets.push(`${COLUMNS[key]} = $${params.length}`);
    }
    const conditionText = ['id = $1', 'status = any($2)', ...conditions].join(' and ');
    const [row] = await this.sql.query(`update orders set ${sets.join(', ')} where ${conditionText} returning *`, params);
    return row ? toOrder(row) : undefined;
  }

  /** Forgets an order's customer token: true for the one caller that found it still there. */
  async forgetCustomerToken(id: string): Promise<boolean> {
    const rows = await this.sql.query('update orders set customer_token = null, updated_at = now() where id = $1 and customer_token is not null returning id', [id]);
    return rows.length > 0;
  }

  async note(orderId: string, source: OrderEvent['source'], text: string): Promise<void> {
    await this.sql.query('insert into order_events (order_id, source, text) values ($1, $2, $3)', [orderId, source, text]);
  }

  async events(orderId: string): Promise<OrderEvent[]> {
    const rows = await this.sql.query<{ at: string; source: OrderEvent['source']; text: string }>('select at, source, text from order_events where order_id = $1 order by id', [orderId]);
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
    const rows = await this.sql.query('insert into webhook_events (event_id, event_type, payment_request_id) values ($1, $2, $3) on conflict do nothing returning event_id', [eventId, eventType, paymentRequestId ?? null]);
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
  async addCharge(charge: { id: string; orderId: string; period: number; attempt: number; amount: number; status: string; paymentTransactionId?: string; reason?: string }): Promise<boolean> {
    const write = () =>
      this.sql.query(
        `insert into charges (id, order_id, period, attempt, amount, status, payment_transaction_id, reason) values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (id) do update set status = excluded.status, payment_transaction_id = excluded.payment_transaction_id, reason = excluded.reason
         where charges.status = 'unknown' and excluded.status <> 'unknown' returning id`,
        [charge.id, charge.orderId, charge.period, charge.attempt, charge.amount, charge.status, charge.paymentTransactionId ?? null, charge.reason ?? null],
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
  async claimSweep({ limit, leaseMs, stuckAfterMs, gapMs }: { limit: number; leaseMs: number; stuckAfterMs: number; gapMs: number }): Promise<Array<Order & { previousLook: string | null }>> {
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
    rows.sort((a, b) => Number(a.previous_failures) - Number(b.previous_failures) || at(a.previous_look) - at(b.previous_look));
    return rows.map((row) => ({ ...toOrder(row), previousLook: row.previous_look ? new Date(row.previous_look as string).toISOString() : null }));
  }

  /** Claims a pending order for one look at Klarna outside the sweep (its customer's page), on the same terms: at most one look per `gapMs`, across every instance. */
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
  async lookDone(id: string, outcome: 'answered' | 'failed' | 'skipped', { backoffMs, maxBackoffMs, previousLook }: { backoffMs: number; maxBackoffMs: number; previousLook?: string | null }): Promise<void> {
    if (outcome === 'answered') await this.sql.query('update orders set look_failures = 0, next_look_at = null where id = $1', [id]);
    else if (outcome === 'skipped') await this.sql.query('update orders set next_look_at = null, last_look_at = $2 where id = $1', [id, previousLook ?? null]);
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
    return this.sql.query<{ id: string; period: number; attempt: number; amount: number; status: string; payment_transaction_id: string | null; reason: string | null; created_at: string }>(
      'select * from charges where order_id = $1 order by created_at',
      [orderId],
    );
  }
}
