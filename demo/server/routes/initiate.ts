/** The endpoint <pay-with-klarna initiate-url> calls from Klarna's button. */
import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import { REQUEST_BOUND_MS, type BackendConfig } from '../backend-config.js';
import { BadRequest, idempotencyKey, readJson, storable } from '../http.js';
import { oncePerKey, type KeyStore } from '../idempotency.js';
import { sendable, type Payments, type Press, type PressOutcome } from '../payments.js';

const NOT_CONFIRMED =
  'Klarna has not given the shop a clear answer yet. ' +
  'Your payment is not confirmed yet and will not be taken twice; please try again in a moment.';
const KEY_REQUIRED = 'the Idempotency-Key header is required (8 to 128 letters, digits, - or _)';
const UNSENDABLE_TOKEN =
  "klarnaNetworkSessionToken must be printable ASCII without spaces, as Klarna's tokens are " +
  '(it is sent to Klarna as an HTTP header)';

/** The press in the body, each field checked, or a 400 naming the field. */
function parsePress(body: Record<string, any>, key: string): Press {
  const refuse = (field: string, message: string) => {
    throw new BadRequest(400, message, field);
  };
  if (typeof body.orderId !== 'string') refuse('orderId', 'orderId must be a string');
  for (const field of ['klarnaNetworkSessionToken', 'paymentOptionId']) {
    if (body[field] !== undefined && typeof body[field] !== 'string') refuse(field, `${field} must be a string`);
  }
  if (!Number.isSafeInteger(body.amount)) refuse('amount', 'amount must be a whole number of minor units');
  if (typeof body.currency !== 'string') refuse('currency', 'currency must be a string');
  if (body.cartVersion !== undefined && !(Number.isSafeInteger(body.cartVersion) && body.cartVersion > 0)) {
    refuse('cartVersion', "cartVersion must be a whole number from 1 (the order's cartVersion)");
  }
  // Every string that may reach the database (the attempt, the answer kept for the key) is refused
  // here if Postgres cannot hold it, not by a 500 there.
  for (const field of ['orderId', 'klarnaNetworkSessionToken', 'paymentOptionId', 'currency']) {
    if (typeof body[field] === 'string' && !storable(body[field])) {
      refuse(field, `${field} must not contain a NUL character or a lone surrogate`);
    }
  }
  // The token goes to Klarna as the Klarna-Network-Session-Token header: one that a header cannot
  // carry would never leave this server, and the order would wait for an answer that cannot come.
  if (typeof body.klarnaNetworkSessionToken === 'string' && !sendable(body.klarnaNetworkSessionToken)) {
    refuse('klarnaNetworkSessionToken', UNSENDABLE_TOKEN);
  }
  const { orderId, klarnaNetworkSessionToken, paymentOptionId, amount, currency, cartVersion } = body;
  return { orderId, key, klarnaNetworkSessionToken, paymentOptionId, amount, currency, cartVersion };
}

/** A press's outcome as the element is answered: status, body, and whether the answer is kept for its key. */
function answer(outcome: PressOutcome, orderId: string, publicUrl: string): [number, Record<string, unknown>, boolean] {
  switch (outcome.kind) {
    case 'unknown-order':
      return [404, { error: 'No such order.' }, true];
    case 'approved':
      // What the element is told of a paid order: go to its page.
      return [200, { returnUrl: `${publicUrl}/orders/${orderId}`, orderId }, true];
    case 'step-up': {
      // Klarna's URL exactly as Klarna gave it: never wrapped in a redirect of ours.
      const { paymentRequestUrl, paymentRequestId } = outcome;
      return [200, { paymentRequestUrl, paymentRequestId, orderId }, true];
    }
    case 'already-paid':
      return [409, { error: 'This order is already paid.' }, true];
    case 'finalizing':
      return [409, { error: 'Klarna approved this order; it is being confirmed.' }, false];
    case 'under-way':
      return [409, { error: 'A payment for this order is already under way.' }, false];
    case 'cart-changed':
      return [409, { error: outcome.message }, true];
    case 'declined': {
      const message = 'Klarna declined this purchase. Please choose another payment method.';
      return [402, { error: 'declined', message, orderId }, true];
    }
    case 'unavailable':
      return [503, { error: 'klarna_unavailable', message: NOT_CONFIRMED, status: 'authorizing' }, false];
    case 'rejected':
      // Not a 5xx: the element would retry with the same key, and Klarna would refuse the same request again.
      return [422, { error: 'klarna_refused', message: outcome.message, orderId }, true];
    case 'unconfirmed':
      return [409, { error: outcome.message }, false];
  }
}

export function initiateRoutes(app: Hono, payments: Payments, keys: KeyStore, config: BackendConfig) {
  const log = config.log ?? ((line: string) => console.log(line));
  app.post('/api/klarna/initiate', async (c) => {
    const key = idempotencyKey(c, KEY_REQUIRED);
    const body = await readJson(c);
    const press = parsePress(body, key);
    const fingerprint = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    // Answered within the element's initiate-timeout (30 s by default), though Klarna's retries can take
    // longer (3 tries of up to 15 s): past the bound the customer is told the payment is not confirmed
    // and will not be taken twice, while the call goes on (a retry meanwhile gets its answer) or the sweep repeats it.
    const bound = {
      ms: config.requestBoundMs ?? REQUEST_BOUND_MS,
      answer: { error: 'klarna_unavailable', message: NOT_CONFIRMED },
    };
    return oncePerKey(
      keys,
      c,
      `initiate:${key}`,
      fingerprint,
      async (reply) => reply(...answer(await payments.press(press), press.orderId, config.publicUrl())),
      { bound, track: config.track, log },
    );
  });
}
