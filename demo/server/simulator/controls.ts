/**
 * The simulator's controls for tests (outages, declines, the clock, consent withdrawn, the call
 * log), under /_sim/ and with the control key only. Without it, any local process (or a page of
 * any site, through the customer's browser) could cause outages and declines or read every call.
 * A page cannot send an Authorization header to another origin without a CORS preflight, which
 * the simulator never answers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import { FAILURE_MODES, type Call, type Failures } from './klarna-api.js';
import type { SimulatorState } from './state.js';
import type { Delivery } from './webhooks.js';

const NO_KEY =
  "The simulator's controls take its control key (Authorization: Bearer …), " +
  'which only the process that started it has.';

/** Compares two secrets in constant time (hashed first, so that lengths do not differ). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Enough of a token to follow it, never enough to use it. */
const hide = (token: unknown) =>
  typeof token === 'string' && token
    ? `${token.slice(0, Math.min(token.lastIndexOf(':') + 1, 24)) || token.slice(0, 6)}…${token.slice(-4)}`
    : token;

/**
 * A call as the log serves it: tokens redacted, the return URL (whose path is the order's id, which opens the order)
 * cut to its origin.
 */
function redactCall(call: Call) {
  const headers = { ...call.headers };
  for (const name of ['klarna-network-session-token', 'klarna-customer-token'])
    if (headers[name]) headers[name] = hide(headers[name]) as string;
  const body = call.body === undefined ? undefined : JSON.parse(JSON.stringify(call.body));
  const interaction = body?.step_up_config?.customer_interaction_config;
  if (typeof interaction?.return_url === 'string') {
    try {
      interaction.return_url = `${new URL(interaction.return_url).origin}/…`;
    } catch {
      interaction.return_url = '…';
    }
  }
  return { ...call, headers, body };
}

/** The checks of /_sim/fail's body: the error for the first field that is wrong, or undefined. */
function failureProblem({ mode, match, retryAfter, reason }: Record<string, any>): string | undefined {
  if (!FAILURE_MODES.includes(mode)) return 'mode is 503, 429, 400, hang, garbled or decline';
  if (match !== undefined && (typeof match !== 'string' || !match)) return 'match is a non-empty string';
  if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && retryAfter >= 0))
    return 'retryAfter is a whole number of seconds';
  if (reason !== undefined && (mode !== 'decline' || typeof reason !== 'string' || !/^[A-Z_]+$/.test(reason))) {
    return "reason is a decline's result_reason (like CUSTOMER_TOKEN_INVALID), with mode decline";
  }
  return undefined;
}

export interface ControlOptions {
  controlKey: string;
  state: SimulatorState;
  calls: Call[];
  deliveries: Delivery[];
  failures: { current: Failures };
}

export function controlRoutes(app: Hono, { controlKey, state, calls, deliveries, failures }: ControlOptions) {
  app.use('/_sim/*', async (c, next) => {
    if (!sameSecret(c.req.header('authorization') ?? '', `Bearer ${controlKey}`)) return c.json({ error: NO_KEY }, 401);
    await next();
  });
  app.post('/_sim/clock', async (c) => {
    const { advanceMinutes = 0 } = await c.req.json();
    state.clockOffset += Number(advanceMinutes) * 60_000;
    state.save();
    return c.json({ now: state.iso() });
  });
  app.post('/_sim/fail', async (c) => {
    const { count = 1, mode = '503', match, retryAfter, reason } = await c.req.json();
    const problem = failureProblem({ mode, match, retryAfter, reason });
    if (problem) return c.json({ error: problem }, 400);
    failures.current = { count: Number(count), mode, match, retryAfter, reason };
    return c.json(failures.current);
  });
  // The customer withdraws consent or removes the saved payment method: Klarna forgets the customer
  // tokens issued with this customer_token_reference (the shop's order number), and a charge with one
  // is declined CUSTOMER_TOKEN_INVALID from then on.
  app.post('/_sim/revoke', async (c) => {
    const { reference } = await c.req.json();
    if (typeof reference !== 'string' || !reference) {
      return c.json({ error: 'reference is the customer_token_reference, a non-empty string' }, 400);
    }
    let revoked = 0;
    for (const [token, { reference: issuedFor }] of state.customerTokens) {
      if (issuedFor === reference && state.customerTokens.delete(token)) revoked++;
    }
    state.save();
    return c.json({ revoked });
  });
  // Tokens and the return URL are shown redacted.
  app.get('/_sim/log', (c) => c.json({ calls: calls.map(redactCall), deliveries }));
}
