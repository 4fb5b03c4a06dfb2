/**
 * The shop's Idempotency-Keys (the element's initiate, a subscription charge): a key runs its
 * request once; the same key again gets the answer kept, 409 while the first still runs, 422 with
 * another request. Kept in the database's idempotency_keys table, so every instance honours them.
 */
import type { Context } from 'hono';
import type { Sql } from './database.js';

/**
 * How long an Idempotency-Key's claim without an answer counts as a request still running: well
 * past the longest a request runs (an initiate or a charge is answered within 25 s).
 */
export const CLAIM_STALE_AFTER_MS = 2 * 60 * 1000;

export type KeyClaim =
  { kind: 'new' } | { kind: 'replay'; status: number; response: unknown } | { kind: 'busy' } | { kind: 'conflict' };

const INSERT_KEY =
  'insert into idempotency_keys (key, fingerprint) values ($1, $2) on conflict do nothing returning key';
/** A claim left without an answer for longer than any request runs: its process died mid-request. */
const TAKE_OVER_STALE_KEY = `
  update idempotency_keys set created_at = now()
  where key = $1 and fingerprint = $2 and status is null and created_at < now() - $3 * interval '1 millisecond'
  returning key`;
const READ_KEY = 'select fingerprint, status, response from idempotency_keys where key = $1';
const KEEP_REPLY = 'update idempotency_keys set status = $2, response = $3 where key = $1';
const RELEASE_KEY = 'delete from idempotency_keys where key = $1';

/**
 * The Idempotency-Keys in the database, as the store offers them (store.claimKey, storeReply and
 * releaseKey call these): one place for their SQL, one seam for tests that fail the database.
 */
export interface KeyStore {
  claimKey(key: string, fingerprint: string): Promise<KeyClaim>;
  storeReply(key: string, status: number, response: unknown): Promise<void>;
  releaseKey(key: string): Promise<void>;
}

/**
 * Claims an idempotency key: 'new', or the stored answer, or 'busy', or 'conflict' for another body.
 * A claim without an answer older than `staleAfterMs` (longer than any request runs) was left by a
 * process that died mid-request: it is taken over, and the request runs again. That is safe: what
 * it does is decided by the order's own state (an attempt under way repeats its very Klarna call,
 * with the same Klarna-Idempotency-Key; a charge repeats its recorded attempt).
 */
export async function claimKey(
  sql: Sql,
  key: string,
  fingerprint: string,
  staleAfterMs = CLAIM_STALE_AFTER_MS,
): Promise<KeyClaim> {
  if ((await sql.query(INSERT_KEY, [key, fingerprint])).length) return { kind: 'new' };
  if ((await sql.query(TAKE_OVER_STALE_KEY, [key, fingerprint, staleAfterMs])).length) return { kind: 'new' };
  const [row] = await sql.query<{ fingerprint: string; status: number | null; response: unknown }>(READ_KEY, [key]);
  if (!row || row.fingerprint !== fingerprint) return { kind: 'conflict' };
  if (row.status === null) return { kind: 'busy' };
  const response = typeof row.response === 'string' ? JSON.parse(row.response) : row.response;
  return { kind: 'replay', status: row.status, response };
}

export async function storeReply(sql: Sql, key: string, status: number, response: unknown): Promise<void> {
  await sql.query(KEEP_REPLY, [key, status, JSON.stringify(response)]);
}

/** A failure worth retrying leaves no answer behind, so the same key may try again. */
export async function releaseKey(sql: Sql, key: string): Promise<void> {
  await sql.query(RELEASE_KEY, [key]);
}

/** Answers the request; `keep: false` answers without keeping the answer for the key (a retry runs again). */
export type Reply = (status: number, response: Record<string, unknown>, keep?: boolean) => Promise<Response>;

export interface OncePerKeyOptions {
  /** Past `ms` the key is freed and `answer` given with 503, while the work goes on. */
  bound?: { ms: number; answer: Record<string, unknown> };
  /** Given the work that goes on after its 503, so that a stop waits for it. */
  track?: (work: Promise<unknown>) => void;
  log: (line: string) => void;
}

/**
 * Runs `handle` once per Idempotency-Key (`name`): the same key again gets the answer kept, 409
 * while the first still runs, 422 with another request. `reply(…, false)` answers without keeping
 * (the outcome may change: a retry runs again); so does a failure of `handle`, which must never
 * leave the key claimed (every retry with it would get 409 for ever).
 */
export async function oncePerKey(
  keys: KeyStore,
  c: Context,
  name: string,
  fingerprint: string,
  handle: (reply: Reply) => Promise<Response>,
  { bound, track, log }: OncePerKeyOptions,
): Promise<Response> {
  const claim = await keys.claimKey(name, fingerprint);
  if (claim.kind === 'replay') return c.json(claim.response as object, claim.status as 200);
  if (claim.kind === 'busy') return c.json({ error: 'A request with this Idempotency-Key is still running.' }, 409);
  if (claim.kind === 'conflict') {
    return c.json({ error: 'This Idempotency-Key was already used for a different request.' }, 422);
  }
  // Past the bound the key is freed and answered 503: what `handle` gives after that is kept nowhere
  // (a retry with the key may have claimed it again, and gets its own answer from the order).
  let late = false;
  const reply: Reply = async (status, response, keep = true) => {
    if (late) return c.json(response, status as 200);
    if (keep) await keys.storeReply(name, status, response);
    else await keys.releaseKey(name);
    return c.json(response, status as 200);
  };
  const work = handle(reply).catch(async (error) => {
    if (!late) await keys.releaseKey(name).catch(() => {});
    throw error;
  });
  if (!bound) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => ((late = true), resolve(undefined)), bound.ms);
  });
  const answer = await Promise.race([work, timedOut]).finally(() => clearTimeout(timer));
  if (answer) return answer;
  // The work goes on (the same Klarna call, to its answer), and a stop waits for it.
  track?.(work.catch((error) => log(`${name.split(':')[0]} after its answer: ${(error as Error).message}`)));
  await keys.releaseKey(name);
  return c.json(bound.answer, 503);
}
