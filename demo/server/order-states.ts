/**
 * An order's states and the moves between them: the one table the store enforces (every UPDATE
 * that changes an order's status names, in its WHERE, only the from-states this table allows) and
 * ARCHITECTURE.md draws (a test holds its diagram to this table).
 */

/**
 * Each state, with the states it may move to. A new order is 'open'.
 *
 * - open: priced, nothing under way; its cart may change (open → open) until a press claims it.
 * - authorizing: a press claimed it; its first Payment Authorize is under way or is repeated with its key.
 * - pending: Klarna asked for a step-up; the customer is in Klarna's journey.
 * - finalizing: the customer approved; the final authorization is under way (one caller only).
 * - paid: Klarna approved. Nothing moves a paid order.
 * - declined, canceled, expired: Klarna (or its 60 minutes) ended the attempt; nothing was taken.
 * - failed: Klarna refused the request, or it could not be sent; nothing was taken. A late answer
 *   to the same attempt (another instance's first try) still settles it.
 * - unconfirmed: Klarna never answered while it kept the call's idempotency key; nothing more is
 *   sent for the order until the operator has checked with Klarna. A late answer still settles it.
 */
export const TRANSITIONS = {
  open: ['open', 'authorizing'],
  authorizing: ['paid', 'pending', 'declined', 'failed', 'unconfirmed'],
  pending: ['finalizing', 'declined', 'canceled', 'expired'],
  finalizing: ['paid', 'pending', 'declined', 'expired', 'failed', 'unconfirmed'],
  paid: [],
  declined: ['open', 'authorizing'],
  canceled: ['open', 'authorizing'],
  expired: ['open', 'authorizing'],
  failed: ['open', 'authorizing', 'paid', 'pending', 'declined'],
  unconfirmed: ['paid', 'pending', 'declined'],
} as const satisfies Record<string, readonly string[]>;

export type OrderStatus = keyof typeof TRANSITIONS;

export const INITIAL_STATUS: OrderStatus = 'open';

/** Where a new lines change or a new payment attempt may start: nothing is under way. */
export const CHANGEABLE: OrderStatus[] = ['open', 'declined', 'canceled', 'failed', 'expired'];

/**
 * Where Klarna's answer to a first Payment Authorize settles an order: also after the window closed
 * on a repeat in flight, or after another instance's first try of the same attempt was refused.
 * Always for the attempt that asked (its key): a sweep's stale copy of an earlier attempt must not
 * settle a later one, nor an answer land on an order that a new attempt has claimed.
 */
export const ANSWERABLE: OrderStatus[] = ['authorizing', 'unconfirmed', 'failed'];

export const canMove = (from: OrderStatus, to: OrderStatus) =>
  (TRANSITIONS[from] as readonly OrderStatus[]).includes(to);

/** A move the table does not allow: a mistake in the code that asked for it, never the customer's. */
export class IllegalTransition extends Error {
  override readonly name = 'IllegalTransition';
  constructor(
    readonly from: OrderStatus[],
    readonly to: OrderStatus,
  ) {
    super(`An order cannot move from ${from.join(' or ')} to ${to}: not in order-states.ts's TRANSITIONS.`);
  }
}

/**
 * The from-states an UPDATE to `to` may name: `requested`, each checked against the table. Throws
 * IllegalTransition for any the table does not allow, so a wrong move fails loudly in the code
 * that asked for it, and no UPDATE ever names a from-state the table leaves out.
 */
export function allowedFrom(requested: readonly OrderStatus[], to: OrderStatus): OrderStatus[] {
  const illegal = requested.filter((from) => !canMove(from, to));
  if (illegal.length) throw new IllegalTransition(illegal, to);
  return [...requested];
}

/** Every move of the table as [from, to] pairs, in the table's order. */
export const transitionList = (): Array<[OrderStatus, OrderStatus]> =>
  (Object.keys(TRANSITIONS) as OrderStatus[]).flatMap((from) =>
    (TRANSITIONS[from] as readonly OrderStatus[]).map((to): [OrderStatus, OrderStatus] => [from, to]),
  );

/** The table as a Mermaid state diagram (ARCHITECTURE.md holds this text). */
export function mermaidDiagram(): string {
  const lines = [
    'stateDiagram-v2',
    `  [*] --> ${INITIAL_STATUS}`,
    ...transitionList().map(([from, to]) => `  ${from} --> ${to}`),
  ];
  return lines.join('\n');
}
