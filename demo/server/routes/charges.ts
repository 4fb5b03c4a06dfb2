/**
 * The order page's "Charge next period", which stands in for the shop's scheduler, offline and
 * against Klarna's test environment. Live, it is not offered: anyone who has an order's URL could
 * charge a due period from the browser; a shop's scheduler calls payments.chargeNextPeriod(order).
 */
import type { Hono } from 'hono';
import { REQUEST_BOUND_MS, type BackendConfig } from '../backend-config.js';
import { idempotencyKey, orderIdParam } from '../http.js';
import { oncePerKey, type KeyStore } from '../idempotency.js';
import type { ChargeResult, Payments } from '../payments.js';

const CHARGE_NOT_CONFIRMED =
  'Klarna gave no clear answer about this charge yet. Nothing is charged twice: press again to repeat the same charge.';
const INACTIVE = 'Only an active subscription can be charged.';

/** A charge's outcome as the order page is answered: status, body, and whether the answer is kept for its key. */
function answer(result: ChargeResult): [number, Record<string, unknown>, boolean] {
  switch (result.kind) {
    case 'inactive':
      return [409, { error: INACTIVE }, false];
    case 'unavailable':
      return [503, { error: 'klarna_unavailable', message: CHARGE_NOT_CONFIRMED }, false];
    case 'ended': {
      const error = result.reason
        ? `This subscription has ended: Klarna declined period ${result.period} (${result.reason}), ` +
          'so its customer token can no longer be charged. The customer can subscribe again.'
        : INACTIVE;
      return [409, { error, ...result }, false];
    }
    case 'exhausted': {
      const error =
        `Klarna declined period ${result.period} three times; it is not tried again. ` +
        'Ask the customer to check their Klarna payment method, or end the subscription.';
      return [409, { error, ...result }, false];
    }
    case 'not-due': {
      const error = `Period ${result.period} is due on ${result.dueAt.slice(0, 10)}; it cannot be charged before then.`;
      return [409, { error, ...result }, false];
    }
    case 'unconfirmed': {
      const error =
        `Klarna never confirmed period ${result.period}'s charge of ${result.since.slice(0, 10)}. ` +
        `Check transaction reference ${result.reference} in the Klarna Portal before charging again.`;
      return [409, { error, ...result }, false];
    }
    case 'approved':
    case 'declined': {
      const { kind, ...charge } = result;
      return [kind === 'approved' ? 200 : 402, { status: kind, approved: kind === 'approved', ...charge }, true];
    }
  }
}

export function chargeRoutes(app: Hono, payments: Payments, keys: KeyStore, config: BackendConfig) {
  if (config.live) return;
  const log = config.log ?? ((line: string) => console.log(line));
  app.post('/api/orders/:id/charge', async (c) => {
    const key = idempotencyKey(c, 'the Idempotency-Key header is required');
    const id = orderIdParam(c);
    // Bounded as an initiate is: past the bound the charge goes on (its row 'unknown' until it has its
    // outcome), and the next press repeats that very charge or finds it settled.
    const bound = {
      ms: config.requestBoundMs ?? REQUEST_BOUND_MS,
      answer: { error: 'klarna_unavailable', message: CHARGE_NOT_CONFIRMED },
    };
    const aheadOnePeriod = config.mode === 'simulator';
    return oncePerKey(
      keys,
      c,
      `charge:${key}`,
      id,
      async (reply) => reply(...answer(await payments.chargeSubscription(id, { aheadOnePeriod }))),
      { bound, track: config.track, log },
    );
  });
}
