/**
 * The database: embedded (PGlite, a directory on disk, nothing to install) by default, a PostgreSQL
 * server when DATABASE_URL is set; its schema, made or brought up to date on start; and the lock
 * that keeps an embedded data directory to one process.
 */
import { chmodSync, closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
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
-- Added to databases made before the column: checked first, as an ALTER TABLE locks the table even when it
-- changes nothing.
do $$ begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = current_schema() and table_name = 'orders'
                   and column_name = 'attempt_started_at') then
    alter table orders add column attempt_started_at timestamptz;
  end if;
  if not exists (select 1 from information_schema.columns
                 where table_schema = current_schema() and table_name = 'orders' and column_name = 'final_sent_at') then
    alter table orders add column final_sent_at timestamptz;
    -- a final authorization may have gone out for these under the version without the column: repeats, to be safe
    update orders set final_sent_at = completed_at
    where status in ('pending', 'finalizing') and completed_at is not null;
  end if;
  -- The cart's version, and the looks at Klarna that every instance shares (the sweep and the order page).
  if not exists (select 1 from information_schema.columns
                 where table_schema = current_schema() and table_name = 'orders' and column_name = 'cart_version') then
    alter table orders
      add column cart_version integer not null default 1,
      add column last_look_at timestamptz,
      add column next_look_at timestamptz,
      add column look_failures integer not null default 0;
  end if;
  -- The order number Klarna and the logs are given: one order each (older orders used their id, unique too).
  if not exists (select 1 from pg_indexes
                 where schemaname = current_schema() and indexname = 'orders_purchase_reference_key') then
    create unique index orders_purchase_reference_key on orders (purchase_reference);
  end if;
  -- A payment transaction of Klarna's pays one order only: the UPDATE that would mark a second order paid with it fails.
  if not exists (select 1 from pg_indexes
                 where schemaname = current_schema() and indexname = 'orders_payment_transaction_id_key') then
    create unique index orders_payment_transaction_id_key on orders (payment_transaction_id);
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
  // The owner's alone: it holds the orders, and the offline simulator's tokens. PGlite makes its files readable and
  // writable by anyone (0666), so the directory is what keeps other local users out of them.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dataDir, 0o700);
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
      `The data directory ${dataDir} is in use by another process${holder ? ` (${holder})` : ''}: ` +
        'two servers on one embedded database would split its orders. Stop the other one, ' +
        'give this one its own DATA_DIR, or share a PostgreSQL server between them with DATABASE_URL.',
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

export async function openDatabase(options: {
  databaseUrl?: string;
  dataDir?: string;
  log: (line: string) => void;
  lock?: DataDirLock;
}): Promise<Sql> {
  let sql: Sql;
  let created: Promise<unknown>;
  if (options.databaseUrl) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle connection the server closes (a restart, a failover) is an error on the pool, which
    // would end the process unheard; the pool drops that connection and opens another when asked.
    pool.on('error', (error) => options.log(`database connection lost: ${error.message}`));
    sql = {
      query: async (text, params) => (await pool.query(text, params as unknown[])).rows,
      close: () => pool.end(),
    };
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
    sql = {
      query: async <T>(text: string, params?: unknown[]) => (await opened.query<T>(text, params)).rows,
      close: () => opened.close().finally(release),
    };
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
