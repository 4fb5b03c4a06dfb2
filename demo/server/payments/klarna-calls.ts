/**
 * What a call to Klarna's Payment Authorize sends, and what its answer means to the shop: the
 * request bodies, the idempotency keys, the tokens Klarna gives back, and which errors leave the
 * outcome unknown (the very same call is then repeated, with its key, while Klarna keeps it).
 */
import { createHash } from 'node:crypto';
import { product } from '../catalog.js';
import { KlarnaRequestError, KlarnaUnavailableError, headerSafe } from '../klarna-client.js';
import type { Order } from '../store.js';

/**
 * How long a Klarna call without a known outcome (a first or final authorization, a subscription
 * charge) is repeated with its Klarna-Idempotency-Key. Klarna keeps a key for 24 hours: a repeat
 * after that could be a second payment. An hour short of it, for clocks.
 */
export const REPEAT_WINDOW_MS = 23 * 60 * 60 * 1000;
/** What the operator is told of a call left unrepeated at the end of that window. */
export const notRepeated = (call: string, since: string, reference: string) =>
  `${call}: no answer from Klarna since ${since}, and Klarna keeps a Klarna-Idempotency-Key for 24 hours, ` +
  'so a repeat now could pay twice: not repeated, and no new attempt is made. ' +
  `Check transaction reference ${reference} in the Klarna Portal.`;

/**
 * The query of the return URL set on a payment request: Klarna's template variables, which Klarna
 * fills in when its journey sends the customer back (after a redirect, or from a phone's Klarna
 * app, where no event reaches the page that started it). The return route reads the outcome from
 * Klarna itself: these values come through the browser, so it trusts none of them.
 */
export const RETURN_TEMPLATE = [
  'payment_request_id={klarna.payment_request.id}',
  'state={klarna.payment_request.state}',
  'klarna_network_session_token={klarna.payment_request.klarna_network_session_token}',
].join('&');

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
        {
          billing_amount: line.total,
          currency: order.currency,
          from: order.createdAt.slice(0, 10),
          interval: plan!.interval,
          interval_count: plan!.frequency,
        },
      ],
    }));
  return {
    purchase_reference: order.purchaseReference,
    line_items: order.lines.map((line) => ({
      name: line.name,
      quantity: line.quantity,
      unit_price: line.unitPrice,
      total_amount: line.total,
      reference: line.sku,
    })),
    ...(subscriptions.length ? { subscriptions } : {}),
  };
}

export function authorizeBody(order: Order, paymentOptionId: string | null) {
  return {
    currency: order.currency,
    supplementary_purchase_data: purchaseData(order),
    request_payment_transaction: {
      amount: order.amount,
      ...(paymentOptionId ? { payment_option_id: paymentOptionId } : {}),
      payment_transaction_reference: order.transactionReference,
    },
    ...(order.kind === 'subscription'
      ? {
          request_customer_token: {
            scopes: ['payment:customer_not_present'],
            customer_token_reference: order.purchaseReference,
          },
        }
      : {}),
  };
}

/**
 * Klarna's customer token, wherever this answer carries it (the field's exact shape is not settled in Klarna's docs).
 */
export function customerTokenOf(answer: any): string | undefined {
  const candidates = [
    answer?.customer_token_response?.customer_token,
    answer?.state_context?.klarna_customer,
    answer?.klarna_customer,
    answer?.customer_token,
  ];
  for (const candidate of candidates) {
    const token = typeof candidate === 'string' ? candidate : candidate?.customer_token;
    // kept only if it can be sent back as the Klarna-Customer-Token header (and stored)
    if (typeof token === 'string' && token && sendable(token)) return token;
  }
  return undefined;
}

/**
 * A token Klarna gave that can go back to Klarna in a header and be stored: printable ASCII, as Klarna's tokens are.
 */
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

/**
 * Klarna answered 5xx, timed out, says the same request is still being processed, or refused a repeat: the outcome is
 * not known yet.
 */
export const outcomeUnknown = (error: unknown) =>
  error instanceof KlarnaUnavailableError ||
  error instanceof UnreadableAnswer ||
  error instanceof RefusedRepeat ||
  (error instanceof KlarnaRequestError && error.status === 409);

/** Klarna refused the request as such (a validation error): sending it again cannot change that. */
export const refusesTheRequest = (error: unknown) =>
  error instanceof KlarnaRequestError && (error.status === 400 || error.status === 422);

/** A refusal of a repeat is no refusal of the call it repeats. */
export const asRepeat = (error: unknown, repeat: boolean) =>
  repeat && error instanceof KlarnaRequestError ? new RefusedRepeat(error) : error;

export type KnownResult = 'APPROVED' | 'STEP_UP_REQUIRED' | 'DECLINED';

/**
 * The result of a Payment Authorize answer, if it is one of `expected` and complete enough to act on
 * (a step-up needs its payment request and URL); otherwise an UnreadableAnswer.
 */
export function resultOf(answer: any, expected: KnownResult[]): KnownResult {
  const result = answer?.payment_transaction_response?.result;
  if (!expected.includes(result)) throw new UnreadableAnswer(result);
  if (result === 'STEP_UP_REQUIRED') {
    const request = answer.payment_request;
    if (
      typeof request?.payment_request_id !== 'string' ||
      typeof request.state_context?.customer_interaction?.payment_request_url !== 'string'
    ) {
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
const describeResult = (result: unknown) =>
  typeof result === 'string' ? result : result === undefined ? 'none' : JSON.stringify(result);

export class UnreadableAnswer extends Error {
  override readonly name = 'UnreadableAnswer';
  constructor(readonly result: unknown) {
    super(`Klarna answered without a result this backend can act on (${describeResult(result)})`);
  }
}
