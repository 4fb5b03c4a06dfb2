/**
 * Klarna's Payment Authorize and Payment Request endpoints, with Klarna's request and answer
 * shapes: the API key checked, every call logged, the failures a test asked for, answers kept by
 * Klarna-Idempotency-Key, and the outcome chosen by the session token the (fake) SDK handed out.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { newCustomerToken, type SimOutcome, type SimWebhookMode, type SimulatorState } from './state.js';

export type FailureMode = '503' | '429' | '400' | 'hang' | 'garbled' | 'decline';
export const FAILURE_MODES: FailureMode[] = ['503', '429', '400', 'hang', 'garbled', 'decline'];

/**
 * Failures to come, for the next `count` API calls: '503' answers 503, '429' refuses the call
 * unprocessed (a rate limit; its error type is a guess), '400' refuses it as invalid
 * (VALIDATION_ERROR, as for a field Klarna does not accept), 'hang' answers nothing for a
 * minute, 'garbled' handles the call and then answers 200 with an HTML page in place of its JSON
 * (a proxy in the way): Klarna acted, and the caller cannot tell. With `match`, only calls whose
 * path or body contains it fail (a test's own order id), so that other traffic never uses them up.
 * With `retryAfter` (seconds), a 429 or 503 carries that Retry-After header. 'decline' is no
 * failure of the call but Klarna's answer to a Payment Authorize: DECLINED with `reason`
 * (PAYMENT_DECLINED unless given), kept under its Klarna-Idempotency-Key like any answer; it is
 * used up by Payment Authorize calls only.
 */
export interface Failures {
  count: number;
  mode: FailureMode;
  match?: string;
  retryAfter?: number;
  reason?: string;
}

export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: any;
  at: number;
}

const SIXTY_MINUTES = 60 * 60 * 1000;
/** The largest body an API call may have (Klarna's are a few KB), and how many calls the log keeps (the last ones). */
export const MAX_API_BODY = 64 * 1024;
export const MAX_LOGGED_CALLS = 1000;
const HANG_MS = 60_000;
/** What a 'garbled' failure answers in place of Klarna's JSON: a proxy's error page. */
const GARBLED_PAGE = '<!doctype html><title>Bad gateway</title><p>Upstream answered';
const LOGGED_HEADERS = ['klarna-idempotency-key', 'klarna-network-session-token', 'klarna-customer-token'];

export function newSessionToken(outcome: SimOutcome = 'step-up', webhook: SimWebhookMode = 'prompt'): string {
  return `krn:network:us1:test:session-token:sim.${outcome}.${webhook}.${randomUUID()}`;
}

function parseSessionToken(token: string | undefined): { outcome: SimOutcome; webhook: SimWebhookMode } {
  const match = /:sim\.(approve|step-up|decline)(?:\.(prompt|delayed|lost))?\./.exec(token ?? '');
  return { outcome: (match?.[1] as SimOutcome) ?? 'step-up', webhook: (match?.[2] as SimWebhookMode) ?? 'prompt' };
}

type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 429 | 503;
const ERROR_TYPES: Record<ErrorStatus, string> = {
  400: 'INPUT_ERROR',
  401: 'ACCESS_ERROR',
  404: 'RESOURCE_ERROR',
  409: 'RESOURCE_ERROR',
  413: 'INPUT_ERROR',
  429: 'RATE_LIMIT_ERROR',
  503: 'TECHNICAL_ERROR',
};

function klarnaError(
  c: Context,
  status: ErrorStatus,
  code: string,
  message: string,
  errors?: Array<{ parameter: string; error_message: string }>,
) {
  const body = { error_id: randomUUID(), error_type: ERROR_TYPES[status], error_code: code, error_message: message };
  return c.json({ ...body, ...(errors ? { errors } : {}) }, status);
}

const declined = (reason: string) => ({ payment_transaction_response: { result: 'DECLINED', result_reason: reason } });

function validateAuthorize(body: Record<string, any>) {
  const problems: Array<{ parameter: string; error_message: string }> = [];
  if (typeof body !== 'object' || body === null) return [{ parameter: 'body', error_message: 'must be an object' }];
  if (typeof body.currency !== 'string' || !/^[A-Z]{3}$/.test(body.currency)) {
    problems.push({ parameter: 'currency', error_message: 'must be an ISO 4217 code' });
  }
  const transaction = body.request_payment_transaction;
  if (transaction !== undefined) {
    if (!Number.isSafeInteger(transaction.amount) || transaction.amount < 0) {
      problems.push({
        parameter: 'request_payment_transaction.amount',
        error_message: 'must be a non-negative integer in minor units',
      });
    }
  } else if (!body.request_customer_token) {
    problems.push({
      parameter: 'request_payment_transaction',
      error_message: 'is required unless only a customer token is requested',
    });
  }
  return problems;
}

/** Klarna's answer to a Payment Authorize: with a customer token, a session token it granted, or a new one. */
function decide(
  state: SimulatorState,
  body: Record<string, any>,
  sessionToken: string | undefined,
  customerToken: string | undefined,
): [number, unknown] {
  const amount: number | undefined = body.request_payment_transaction?.amount;
  const tokenResponse = (scopes: string[] | undefined, reference?: string) => {
    if (!scopes?.length) return {};
    const token = newCustomerToken();
    state.customerTokens.set(token, { scopes, reference });
    const customerTokenAnswer = { customer_token: token, customer_token_reference: reference, scopes };
    return { customer_token_response: { result: 'APPROVED', customer_token: customerTokenAnswer } };
  };
  const approved = (extra: object = {}) => ({
    payment_transaction_response: {
      result: 'APPROVED',
      payment_transaction: {
        payment_transaction_id: `krn:payment:us1:transaction:${randomUUID()}`,
        payment_transaction_reference: body.request_payment_transaction?.payment_transaction_reference,
        amount,
        currency: body.currency,
      },
    },
    ...extra,
  });

  if (customerToken) {
    if (!state.customerTokens.get(customerToken)) return [200, declined('CUSTOMER_TOKEN_INVALID')];
    return [200, approved()];
  }
  const grant = sessionToken ? state.grants.get(sessionToken) : undefined;
  if (grant) {
    // Final authorization: the token is the idempotency key, valid for 60 minutes, for the approved amount and
    // purchase only: another amount, currency or purchase is refused, even once the token's answer is kept.
    const request = state.requests.get(grant.paymentRequestId);
    const purchase = body.supplementary_purchase_data?.purchase_reference;
    const otherPurchase = request?.reference !== undefined && purchase !== undefined && purchase !== request.reference;
    if (grant.amount !== amount || grant.currency !== body.currency || otherPurchase)
      return [200, declined('PURCHASE_CONTEXT_MISMATCH')];
    if (grant.result) return [200, grant.result];
    if (state.now() - grant.issuedAt > SIXTY_MINUTES) return [200, declined('SESSION_TOKEN_EXPIRED')];
    const scopes = request?.requestCustomerToken?.scopes;
    const customer = request?.customerToken
      ? {
          customer_token_response: {
            result: 'APPROVED',
            customer_token: { customer_token: request.customerToken, scopes },
          },
        }
      : {};
    grant.result = approved(customer);
    return [200, grant.result];
  }
  const { outcome, webhook } = parseSessionToken(sessionToken);
  if (outcome === 'decline') return [200, declined('PAYMENT_DECLINED')];
  const asked = body.request_customer_token;
  if (outcome === 'approve' && sessionToken)
    return [200, approved(tokenResponse(asked?.scopes, asked?.customer_token_reference))];
  const request = state.createRequest({
    reference: body.step_up_config?.payment_request_reference,
    amount,
    currency: body.currency,
    purchaseData: body.supplementary_purchase_data,
    returnUrl: body.step_up_config?.customer_interaction_config?.return_url,
    requestCustomerToken: asked,
    webhookMode: webhook,
  });
  return [
    200,
    { payment_transaction_response: { result: 'STEP_UP_REQUIRED' }, payment_request: state.describe(request) },
  ];
}

export interface KlarnaApiOptions {
  apiKey: string;
  state: SimulatorState;
  /** Every call, as it came (the controls serve it redacted). */
  calls: Call[];
  /** The failures to come, which the controls set. */
  failures: { current: Failures };
}

export function klarnaApiRoutes(app: Hono, { apiKey, state, calls, failures }: KlarnaApiOptions) {
  /** Payment Authorize calls that a 'decline' failure picked, with the reason to decline them for. */
  const forcedDeclines = new WeakMap<Request, string>();

  /** Logs a call, keeping the last MAX_LOGGED_CALLS: a long run (or a flood of calls) never grows it without end. */
  const logCall = (c: Context, authorized: boolean, body: unknown) => {
    // The log says whether the key was right, never what it was.
    const logged = Object.fromEntries(LOGGED_HEADERS.map((name) => [name, c.req.header(name) ?? '']));
    const headers = { authorization: authorized ? 'valid' : 'invalid', ...logged };
    calls.push({ method: c.req.method, path: c.req.path, headers, body, at: state.now() });
    if (calls.length > MAX_LOGGED_CALLS) calls.splice(0, calls.length - MAX_LOGGED_CALLS);
  };

  // Every API call needs the API key as the Basic credential, as Klarna's do: checked before its body is read.
  app.use('/v2/*', async (c, next) => {
    if (c.req.header('authorization') === `Basic ${apiKey}`) return next();
    logCall(c, false, undefined);
    return klarnaError(c, 401, 'UNAUTHORIZED', 'Missing or invalid API key.');
  });
  // Its body is bounded as it streams in, with or without a Content-Length.
  app.use(
    '/v2/*',
    bodyLimit({
      maxSize: MAX_API_BODY,
      onError: (c) => klarnaError(c, 413, 'PAYLOAD_TOO_LARGE', `The body is larger than ${MAX_API_BODY} bytes.`),
    }),
  );
  app.use('/v2/*', async (c, next) => {
    const body =
      c.req.method === 'POST'
        ? await c.req.raw
            .clone()
            .json()
            .catch(() => undefined)
        : undefined;
    logCall(c, true, body);
    const failure = failures.current;
    const applies =
      failure.mode !== 'decline' || (c.req.method === 'POST' && c.req.path.endsWith('/payment/authorize'));
    const matches =
      !failure.match || c.req.path.includes(failure.match) || JSON.stringify(body ?? '').includes(failure.match);
    if (failure.count <= 0 || !applies || !matches) return next();
    failure.count--;
    if (failure.mode === 'decline') {
      forcedDeclines.set(c.req.raw, failure.reason ?? 'PAYMENT_DECLINED');
      return next();
    }
    if (failure.mode === 'garbled') {
      await next();
      c.res = new Response(GARBLED_PAGE, { status: 200, headers: { 'content-type': 'text/html' } });
      return;
    }
    if (failure.retryAfter !== undefined) c.header('retry-after', String(failure.retryAfter));
    if (failure.mode === '429')
      return klarnaError(c, 429, 'TOO_MANY_REQUESTS', 'Simulated rate limit: the request was not processed.');
    if (failure.mode === '400')
      return klarnaError(c, 400, 'VALIDATION_ERROR', 'Simulated refusal: the request is invalid.');
    if (failure.mode === 'hang') await new Promise((resolve) => state.later(HANG_MS, () => resolve(undefined)));
    return klarnaError(c, 503, 'TEMPORARILY_UNAVAILABLE', 'Simulated outage.');
  });

  const authorize = async (c: Context) => {
    let body: Record<string, any>;
    try {
      body = await c.req.json();
    } catch {
      return klarnaError(c, 400, 'VALIDATION_ERROR', 'The body is not valid JSON.');
    }
    const problems = validateAuthorize(body);
    if (problems.length) return klarnaError(c, 400, 'VALIDATION_ERROR', 'The request is invalid.', problems);
    const key = c.req.header('klarna-idempotency-key');
    const sessionToken = c.req.header('klarna-network-session-token');
    const customerToken = c.req.header('klarna-customer-token');
    const fingerprint = JSON.stringify([body, sessionToken ?? '', customerToken ?? '']);
    const previous = key ? state.replies.get(key) : undefined;
    if (previous && previous.fingerprint !== fingerprint) {
      return klarnaError(c, 409, 'RESOURCE_CONFLICT', 'This idempotency key was used with another request.');
    }
    if (previous) return c.json(previous.body as object, previous.status as 200);
    const forced = forcedDeclines.get(c.req.raw);
    const [status, answer] = forced ? [200, declined(forced)] : decide(state, body, sessionToken, customerToken);
    if (key) state.replies.set(key, { fingerprint, status, body: answer, at: Date.now() });
    state.save();
    return c.json(answer, status as 200);
  };

  app.post('/v2/accounts/:pid/payment/authorize', authorize);
  app.post('/v2/payment/authorize', authorize);
  const read = (c: Context) => {
    const request = state.requests.get(c.req.param('id') ?? '');
    return request
      ? c.json(state.describe(request))
      : klarnaError(c, 404, 'RESOURCE_NOT_FOUND', 'No such payment request.');
  };
  app.get('/v2/accounts/:pid/payment/requests/:id', read);
  app.get('/v2/payment/requests/:id', read);
}
