/**
 * An offline stand-in for Klarna's servers: the Payment Authorize and Payment Request endpoints
 * with Klarna's request and answer shapes, a hosted purchase journey, klarna_network_session_tokens
 * that expire after 60 minutes on a clock tests can move, customer tokens, and signed webhooks
 * delivered with retries. Nothing here is Klarna's code; it follows Klarna's published guides.
 *
 * The outcome of a payment is chosen by the session token the (fake) SDK hands out:
 * `krn:network:us1:test:session-token:sim.<outcome>[.<webhook>].<nonce>` where outcome is
 * `approve`, `step-up` (default) or `decline`, and webhook is `prompt` (default), `delayed` or `lost`.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import { money as formatMoney } from './catalog.js';
import { signWebhook } from './signing.js';

export type SimOutcome = 'approve' | 'step-up' | 'decline';
export type SimWebhookMode = 'prompt' | 'delayed' | 'lost';

export interface SimulatorOptions {
  apiKey: string;
  /**
   * The key to the `/_sim/*` controls (outages, declines, the clock, consent, the call log):
   * `Authorization: Bearer <controlKey>`. Made up for each start by the process that starts the
   * simulator, which alone drives them (its tests); never sent to a browser.
   */
  controlKey: string;
  /** Where the simulator itself is reachable (for payment_request_url). */
  publicUrl: () => string;
  webhook: { url: () => string | undefined; signingKeyId: string; secret: string; delayMs?: number; retryDelaysMs?: number[] };
  /** Klarna's live flag on webhooks; tests flip it to check the backend refuses a mismatch. */
  live?: boolean;
  /**
   * Where the simulator keeps what Klarna would keep (payment requests, session and customer
   * tokens, answers by idempotency key, its clock), so that a restart of `npm start` loses none of
   * it. In memory only when absent (the tests' own simulators).
   */
  stateFile?: string;
}

/** What a restart keeps: Klarna's side of every payment under way. */
interface SavedState {
  version: 1;
  port?: number;
  clockOffset: number;
  requests: PaymentRequest[];
  grants: Array<[string, SessionGrant]>;
  customerTokens: Array<[string, { scopes: string[]; reference?: string }]>;
  replies: Array<[string, { fingerprint: string; status: number; body: unknown; at: number }]>;
}

/** Klarna keeps an idempotency key's answer for 24 hours; payment requests are kept here for 3 days (Klarna's expire after 3 hours or 48). */
const KEEP_REPLIES_MS = 24 * 60 * 60 * 1000;
const KEEP_REQUESTS_MS = 3 * 24 * 60 * 60 * 1000;

interface PaymentRequest {
  id: string;
  state: 'SUBMITTED' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELED' | 'DECLINED' | 'EXPIRED';
  previousState: string | null;
  reference?: string;
  amount?: number;
  currency: string;
  purchaseData?: Record<string, unknown>;
  returnUrl?: string;
  requestCustomerToken?: { scopes?: string[]; customer_token_reference?: string };
  webhookMode: SimWebhookMode;
  sessionToken?: string;
  customerToken?: string;
  createdAt: string;
  updatedAt: string;
}

interface SessionGrant {
  paymentRequestId: string;
  amount?: number;
  currency: string;
  issuedAt: number;
  result?: unknown;
}

const SIXTY_MINUTES = 60 * 60 * 1000;

export function newSessionToken(outcome: SimOutcome = 'step-up', webhook: SimWebhookMode = 'prompt'): string {
  return `krn:network:us1:test:session-token:sim.${outcome}.${webhook}.${randomUUID()}`;
}

function parseSessionToken(token: string | undefined): { outcome: SimOutcome; webhook: SimWebhookMode } {
  const match = /:sim\.(approve|step-up|decline)(?:\.(prompt|delayed|lost))?\./.exec(token ?? '');
  return { outcome: (match?.[1] as SimOutcome) ?? 'step-up', webhook: (match?.[2] as SimWebhookMode) ?? 'prompt' };
}

function klarnaError(c: Context, status: 400 | 401 | 404 | 409 | 429 | 503, code: string, message: string, errors?: Array<{ parameter: string; error_message: string }>) {
  const type = status === 401 ? 'ACCESS_ERROR' : status === 404 || status === 409 ? 'RESOURCE_ERROR' : status === 503 ? 'TECHNICAL_ERROR' : status === 429 ? 'RATE_LIMIT_ERROR' : 'INPUT_ERROR';
  return c.json({ error_id: randomUUID(), error_type: type, error_code: code, error_message: message, ...(errors ? { errors } : {}) }, status);
}

type FailureMode = '503' | '429' | '400' | 'hang' | 'garbled' | 'decline';
const FAILURE_MODES: FailureMode[] = ['503', '429', '400', 'hang', 'garbled', 'decline'];

const declined = (reason: string) => ({ payment_transaction_response: { result: 'DECLINED', result_reason: reason } });

export function createSimulator(options: SimulatorOptions) {
  const saved = loadState(options.stateFile);
  const requests = new Map<string, PaymentRequest>(saved?.requests.map((request) => [request.id, request]));
  const grants = new Map<string, SessionGrant>(saved?.grants);
  const customerTokens = new Map<string, { scopes: string[]; reference?: string }>(saved?.customerTokens);
  const replies = new Map<string, { fingerprint: string; status: number; body: unknown; at: number }>(saved?.replies);
  let port = saved?.port;
  const log: Array<{ method: string; path: string; headers: Record<string, string>; body?: unknown; at: number }> = [];
  const deliveries: Array<{ eventId: string; eventType: string; attempt: number; status: number | string }> = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let clockOffset = saved?.clockOffset ?? 0;
  /** Writes the state after a change (a new file renamed over the old: a crash mid-write leaves the last whole one). */
  function save() {
    if (!options.stateFile) return;
    const keptSince = Date.now() - KEEP_REQUESTS_MS;
    for (const [id, request] of requests) if (Date.parse(request.createdAt) - clockOffset < keptSince) requests.delete(id);
    for (const [token, grant] of grants) if (!requests.has(grant.paymentRequestId)) grants.delete(token);
    for (const [key, reply] of replies) if (reply.at < Date.now() - KEEP_REPLIES_MS) replies.delete(key);
    const state: SavedState = { version: 1, port, clockOffset, requests: [...requests.values()], grants: [...grants], customerTokens: [...customerTokens], replies: [...replies] };
    const temporary = `${options.stateFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(state));
    renameSync(temporary, options.stateFile);
  }
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
  let failures: { count: number; mode: FailureMode; match?: string; retryAfter?: number; reason?: string } = { count: 0, mode: '503' };
  /** Payment Authorize calls that a 'decline' failure picked, with the reason to decline them for. */
  const forcedDeclines = new WeakMap<Request, string>();
  const now = () => Date.now() + clockOffset;
  const iso = () => new Date(now()).toISOString();
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const app = new Hono();

  // Every API call needs the API key as the Basic credential, as Klarna's do.
  app.use('/v2/*', async (c, next) => {
    const body = c.req.method === 'POST' ? await c.req.raw.clone().json().catch(() => undefined) : undefined;
    const pick = ['klarna-idempotency-key', 'klarna-network-session-token', 'klarna-customer-token'];
    const authorized = c.req.header('authorization') === `Basic ${options.apiKey}`;
    // The log says whether the key was right, never what it was.
    const headers = { authorization: authorized ? 'valid' : 'invalid', ...Object.fromEntries(pick.map((name) => [name, c.req.header(name) ?? ''])) };
    log.push({ method: c.req.method, path: c.req.path, headers, body, at: now() });
    if (!authorized) return klarnaError(c, 401, 'UNAUTHORIZED', 'Missing or invalid API key.');
    const applies = failures.mode !== 'decline' || (c.req.method === 'POST' && c.req.path.endsWith('/payment/authorize'));
    if (failures.count > 0 && applies && (!failures.match || c.req.path.includes(failures.match) || JSON.stringify(body ?? '').includes(failures.match))) {
      failures.count--;
      if (failures.mode === 'decline') {
        forcedDeclines.set(c.req.raw, failures.reason ?? 'PAYMENT_DECLINED');
        return next();
      }
      if (failures.mode === 'garbled') {
        await next();
        c.res = new Response('<!doctype html><title>Bad gateway</title><p>Upstream answered', { status: 200, headers: { 'content-type': 'text/html' } });
        return;
      }
      if (failures.retryAfter !== undefined) c.header('retry-after', String(failures.retryAfter));
      if (failures.mode === '429') return klarnaError(c, 429, 'TOO_MANY_REQUESTS', 'Simulated rate limit: the request was not processed.');
      if (failures.mode === '400') return klarnaError(c, 400, 'VALIDATION_ERROR', 'Simulated refusal: the request is invalid.');
      if (failures.mode === 'hang') await new Promise((resolve) => later(60_000, () => resolve(undefined)));
      return klarnaError(c, 503, 'TEMPORARILY_UNAVAILABLE', 'Simulated outage.');
    }
    await next();
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
    const fingerprint = JSON.stringify([body, c.req.header('klarna-network-session-token') ?? '', c.req.header('klarna-customer-token') ?? '']);
    if (key) {
      const previous = replies.get(key);
      if (previous && previous.fingerprint !== fingerprint) return klarnaError(c, 409, 'RESOURCE_CONFLICT', 'This idempotency key was used with another request.');
      if (previous) return c.json(previous.body as object, previous.status as 200);
    }
    const forced = forcedDeclines.get(c.req.raw);
    const [status, answer] = forced ? [200, declined(forced)] : decide(body, c.req.header('klarna-network-session-token'), c.req.header('klarna-customer-token'));
    if (key) replies.set(key, { fingerprint, status, body: answer, at: Date.now() });
    save();
    return c.json(answer, status as 200);
  };

  function decide(body: Record<string, any>, sessionToken: string | undefined, customerToken: string | undefined): [number, unknown] {
    const amount: number | undefined = body.request_payment_transaction?.amount;
    const tokenResponse = (scopes: string[] | undefined, reference?: string) => {
      if (!scopes?.length) return {};
      const token = `krn:partner:us1:test:identity:customer-token:sim-${randomUUID()}`;
      customerTokens.set(token, { scopes, reference });
      return { customer_token_response: { result: 'APPROVED', customer_token: { customer_token: token, customer_token_reference: reference, scopes } } };
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
      const known = customerTokens.get(customerToken);
      if (!known) return [200, declined('CUSTOMER_TOKEN_INVALID')];
      return [200, approved()];
    }
    const grant = sessionToken ? grants.get(sessionToken) : undefined;
    if (grant) {
      // Final authorization: the token is the idempotency key, valid for 60 minutes, for the approved amount.
      if (grant.result) return [200, grant.result];
      if (now() - grant.issuedAt > SIXTY_MINUTES) return [200, declined('SESSION_TOKEN_EXPIRED')];
      if (grant.amount !== amount || grant.currency !== body.currency) return [200, declined('PURCHASE_CONTEXT_MISMATCH')];
      const request = requests.get(grant.paymentRequestId);
      const customer = request?.customerToken ? { customer_token_response: { result: 'APPROVED', customer_token: { customer_token: request.customerToken, scopes: request.requestCustomerToken?.scopes } } } : {};
      grant.result = approved(customer);
      return [200, grant.result];
    }
    const { outcome, webhook } = parseSessionToken(sessionToken);
    if (outcome === 'decline') return [200, declined('PAYMENT_DECLINED')];
    if (outcome === 'approve' && sessionToken) return [200, approved(tokenResponse(body.request_customer_token?.scopes, body.request_customer_token?.customer_token_reference))];
    const request = createRequest({
      reference: body.step_up_config?.payment_request_reference,
      amount,
      currency: body.currency,
      purchaseData: body.supplementary_purchase_data,
      returnUrl: body.step_up_config?.customer_interaction_config?.return_url,
      requestCustomerToken: body.request_customer_token,
      webhookMode: webhook,
    });
    return [200, { payment_transaction_response: { result: 'STEP_UP_REQUIRED' }, payment_request: describe(request) }];
  }

  function createRequest(fields: Omit<PaymentRequest, 'id' | 'state' | 'previousState' | 'createdAt' | 'updatedAt'>): PaymentRequest {
    const request: PaymentRequest = { id: `krn:payment:us1:request:${randomUUID()}`, state: 'SUBMITTED', previousState: null, createdAt: iso(), updatedAt: iso(), ...fields };
    requests.set(request.id, request);
    return request;
  }

  function describe(request: PaymentRequest) {
    const url = `${options.publicUrl()}/journey/${encodeURIComponent(request.id)}`;
    const stateContext: Record<string, unknown> =
      request.state === 'COMPLETED'
        ? {
            klarna_network_session_token: request.sessionToken,
            ...(request.customerToken ? { klarna_customer: { customer_token: request.customerToken, customer_token_reference: request.requestCustomerToken?.customer_token_reference } } : {}),
          }
        : { customer_interaction: { method: 'SDK', payment_request_id: request.id, payment_request_url: url } };
    return {
      payment_request_id: request.id,
      payment_request_reference: request.reference,
      amount: request.amount,
      currency: request.currency,
      state: request.state,
      previous_state: request.previousState,
      state_context: stateContext,
      expires_at: new Date(Date.parse(request.createdAt) + 3 * 60 * 60 * 1000).toISOString(),
      created_at: request.createdAt,
      updated_at: request.updatedAt,
    };
  }

  function transition(request: PaymentRequest, state: PaymentRequest['state']) {
    request.previousState = request.state;
    request.state = state;
    request.updatedAt = iso();
    if (state === 'COMPLETED') {
      request.sessionToken = `krn:network:us1:test:session-token:fin.${randomUUID()}`;
      grants.set(request.sessionToken, { paymentRequestId: request.id, amount: request.amount, currency: request.currency, issuedAt: now() });
      if (request.requestCustomerToken?.scopes?.length) {
        request.customerToken = `krn:partner:us1:test:identity:customer-token:sim-${randomUUID()}`;
        customerTokens.set(request.customerToken, { scopes: request.requestCustomerToken.scopes, reference: request.requestCustomerToken.customer_token_reference });
      }
    }
    save();
    if (request.webhookMode !== 'lost') {
      later(request.webhookMode === 'delayed' ? (options.webhook.delayMs ?? 3000) : 0, () => void deliver(request));
    }
  }

  async function deliver(request: PaymentRequest, attempt = 1, eventId = randomUUID()) {
    const url = options.webhook.url();
    if (!url) return;
    const eventType = `payment.request.state-change.${request.state.toLowerCase().replace('_', '-')}`;
    const described = describe(request);
    const body = JSON.stringify({
      metadata: { event_type: eventType, event_id: eventId, event_version: 'v2', occurred_at: request.updatedAt, correlation_id: randomUUID(), subject_account_id: 'krn:partner:global:account:test:SIMULATE', recipient_account_id: 'krn:partner:global:account:test:SIMULATE', webhook_id: 'krn:partner:global:notification:webhook:simulator', live: options.live ?? false },
      payload: {
        payment_request_id: request.id,
        payment_request_reference: request.reference,
        state: request.state,
        previous_state: request.previousState,
        ...(request.sessionToken ? { klarna_network_session_token: request.sessionToken } : {}),
        state_context: described.state_context,
        ...(request.customerToken ? { klarna_customer: { customer_token: request.customerToken } } : {}),
      },
    });
    let status: number | string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Klarna-Signature': signWebhook(body, options.webhook.secret), 'Klarna-Signing-Key-Id': options.webhook.signingKeyId },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      status = response.status;
    } catch (error) {
      status = (error as Error).message;
    }
    deliveries.push({ eventId, eventType, attempt, status });
    const delays = options.webhook.retryDelaysMs ?? [500, 1000, 2000, 4000, 8000, 16000];
    if (typeof status === 'number' && status >= 200 && status < 300) return;
    const delay = delays[attempt - 1];
    if (delay !== undefined) later(delay, () => void deliver(request, attempt + 1, eventId));
  }

  app.post('/v2/accounts/:pid/payment/authorize', authorize);
  app.post('/v2/payment/authorize', authorize);
  const read = (c: Context) => {
    const request = requests.get(c.req.param('id') ?? '');
    return request ? c.json(describe(request)) : klarnaError(c, 404, 'RESOURCE_NOT_FOUND', 'No such payment request.');
  };
  app.get('/v2/accounts/:pid/payment/requests/:id', read);
  app.get('/v2/payment/requests/:id', read);

  // The hosted purchase journey at payment_request_url.
  app.get('/journey/:id', (c) => {
    const request = requests.get(c.req.param('id'));
    if (!request) return c.html(journeyPage('Payment request not found', '<p>This payment request does not exist.</p>'), 404);
    if (request.state !== 'SUBMITTED' && request.state !== 'IN_PROGRESS') return c.html(journeyPage('Already finished', `<p>This payment request is ${request.state}.</p>`));
    if (request.state === 'SUBMITTED') {
      request.previousState = request.state;
      request.state = 'IN_PROGRESS';
      request.updatedAt = iso();
      save();
    }
    return c.html(journeyPage(`Pay ${money(request.amount, request.currency)}`, journeyForm(request)));
  });

  app.post('/journey/:id', async (c) => {
    const request = requests.get(c.req.param('id'));
    if (!request) return c.text('not found', 404);
    const form = await c.req.parseBody();
    const decision = String(form.decision);
    if (request.state === 'SUBMITTED' || request.state === 'IN_PROGRESS') {
      transition(request, decision === 'approve' ? 'COMPLETED' : decision === 'decline' ? 'DECLINED' : 'CANCELED');
    }
    const state = request.state;
    // As Klarna does: its template variables in the return URL are filled in for this request.
    const back = request.returnUrl ? fillReturnUrl(request.returnUrl, request) : '';
    const script = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
    return c.html(
      journeyPage(
        state === 'COMPLETED' ? 'Approved' : state === 'DECLINED' ? 'Declined' : 'Cancelled',
        `<p id="result" data-state="${state}">Returning you to the shop…</p>
         ${back ? `<p><a id="return" href="${escapeHtml(back)}">Back to the shop</a></p>` : ''}
         <script>
           const message = { type: 'klarna-simulator-journey', state: ${script(state)}, paymentRequestId: ${script(request.id)} };
           if (window.opener) { window.opener.postMessage(message, '*'); window.close(); }
           else if (${script(back)}) location.replace(${script(back)});
         </script>`,
      ),
    );
  });

  // Controls for tests, with the control key only. Without it, any local process (or a page of any
  // site, through the customer's browser) could cause outages and declines or read every call.
  // A page cannot send an Authorization header to another origin without a CORS preflight, which
  // the simulator never answers.
  app.use('/_sim/*', async (c, next) => {
    if (!sameSecret(c.req.header('authorization') ?? '', `Bearer ${options.controlKey}`)) {
      return c.json({ error: "The simulator's controls take its control key (Authorization: Bearer …), which only the process that started it has." }, 401);
    }
    await next();
  });
  app.post('/_sim/clock', async (c) => {
    const { advanceMinutes = 0 } = await c.req.json();
    clockOffset += Number(advanceMinutes) * 60_000;
    save();
    return c.json({ now: iso() });
  });
  app.post('/_sim/fail', async (c) => {
    const { count = 1, mode = '503', match, retryAfter, reason } = await c.req.json();
    if (!FAILURE_MODES.includes(mode)) return c.json({ error: 'mode is 503, 429, 400, hang, garbled or decline' }, 400);
    if (match !== undefined && (typeof match !== 'string' || !match)) return c.json({ error: 'match is a non-empty string' }, 400);
    if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && retryAfter >= 0)) return c.json({ error: 'retryAfter is a whole number of seconds' }, 400);
    if (reason !== undefined && (mode !== 'decline' || typeof reason !== 'string' || !/^[A-Z_]+$/.test(reason))) return c.json({ error: 'reason is a decline\'s result_reason (like CUSTOMER_TOKEN_INVALID), with mode decline' }, 400);
    failures = { count: Number(count), mode, match, retryAfter, reason };
    return c.json(failures);
  });
  // The customer withdraws consent or removes the saved payment method: Klarna forgets the customer
  // tokens issued with this customer_token_reference (the shop's order number), and a charge with one
  // is declined CUSTOMER_TOKEN_INVALID from then on.
  app.post('/_sim/revoke', async (c) => {
    const { reference } = await c.req.json();
    if (typeof reference !== 'string' || !reference) return c.json({ error: 'reference is the customer_token_reference, a non-empty string' }, 400);
    let revoked = 0;
    for (const [token, { reference: issuedFor }] of customerTokens) if (issuedFor === reference && customerTokens.delete(token)) revoked++;
    save();
    return c.json({ revoked });
  });
  // Tokens and the return URL (whose path is the order's id, which opens the order) are shown redacted.
  app.get('/_sim/log', (c) => c.json({ calls: log.map(redactCall), deliveries }));

  return {
    app,
    /** Decides the customer's answer in the journey without a browser (for tests). */
    decide(paymentRequestId: string, decision: 'approve' | 'decline' | 'cancel') {
      const request = requests.get(paymentRequestId);
      if (request && (request.state === 'SUBMITTED' || request.state === 'IN_PROGRESS')) {
        transition(request, decision === 'approve' ? 'COMPLETED' : decision === 'decline' ? 'DECLINED' : 'CANCELED');
      }
      return request;
    },
    stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
    /** Klarna no longer knows this payment request (purged, or another Klarna): reads of it answer 404 (for tests). */
    forget(paymentRequestId: string) {
      requests.delete(paymentRequestId);
      save();
    },
    /** The port of the last run, to listen on again, so that the journey addresses given out stay the same. */
    get savedPort() {
      return saved?.port;
    },
    rememberPort(listening: number) {
      port = listening;
      save();
    },
    log,
    deliveries,
  };
}

export type Simulator = ReturnType<typeof createSimulator>;

/** Compares two secrets in constant time (hashed first, so that lengths do not differ). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Enough of a token to follow it, never enough to use it. */
const hide = (token: unknown) => (typeof token === 'string' && token ? `${token.slice(0, Math.min(token.lastIndexOf(':') + 1, 24)) || token.slice(0, 6)}…${token.slice(-4)}` : token);

/** A call as the log serves it: tokens redacted, the return URL cut to its origin. */
function redactCall(call: { method: string; path: string; headers: Record<string, string>; body?: any; at: number }) {
  const headers = { ...call.headers };
  for (const name of ['klarna-network-session-token', 'klarna-customer-token']) if (headers[name]) headers[name] = hide(headers[name]) as string;
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

/**
 * The return URL with Klarna's template variables filled in for this payment request (as Klarna is
 * seen to do: {klarna.payment_request.id}, .state and .klarna_network_session_token), also where a
 * URL parser has percent-encoded their braces.
 */
export function fillReturnUrl(url: string, request: { id: string; state: string; sessionToken?: string }): string {
  const values: Record<string, string> = { id: request.id, state: request.state, klarna_network_session_token: request.sessionToken ?? '' };
  return url.replace(/(?:\{|%7[Bb])klarna\.payment_request\.(id|state|klarna_network_session_token)(?:\}|%7[Dd])/g, (_, name: string) => encodeURIComponent(values[name]!));
}

function loadState(file: string | undefined): SavedState | undefined {
  if (!file || !existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
  if (state.version !== 1) throw new Error(`${file} is not a Klarna simulator state this version reads`);
  return state;
}

function validateAuthorize(body: Record<string, any>) {
  const problems: Array<{ parameter: string; error_message: string }> = [];
  if (typeof body !== 'object' || body === null) return [{ parameter: 'body', error_message: 'must be an object' }];
  if (typeof body.currency !== 'string' || !/^[A-Z]{3}$/.test(body.currency)) problems.push({ parameter: 'currency', error_message: 'must be an ISO 4217 code' });
  const transaction = body.request_payment_transaction;
  if (transaction !== undefined) {
    if (!Number.isSafeInteger(transaction.amount) || transaction.amount < 0) problems.push({ parameter: 'request_payment_transaction.amount', error_message: 'must be a non-negative integer in minor units' });
  } else if (!body.request_customer_token) {
    problems.push({ parameter: 'request_payment_transaction', error_message: 'is required unless only a customer token is requested' });
  }
  return problems;
}

function money(amount: number | undefined, currency: string) {
  if (amount === undefined) return 'nothing today';
  return formatMoney(amount, currency);
}

const escapeHtml = (text: unknown) => String(text ?? '').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function journeyForm(request: PaymentRequest) {
  const lines = (request.purchaseData?.line_items as Array<{ name: string; quantity: number; total_amount: number }> | undefined) ?? [];
  const subscriptions = (request.purchaseData?.subscriptions as Array<{ name: string }> | undefined) ?? [];
  return `
    <p class="merchant">Klarna Simulator · ${escapeHtml(request.purchaseData?.purchase_reference ?? request.reference ?? '')}</p>
    <ul>${lines.map((line) => `<li>${escapeHtml(line.quantity)} × ${escapeHtml(line.name)} <span>${money(line.total_amount, request.currency)}</span></li>`).join('')}
        ${subscriptions.map((plan) => `<li>Subscription: ${escapeHtml(plan.name)}</li>`).join('')}</ul>
    <p class="total">Total <strong>${money(request.amount, request.currency)}</strong></p>
    ${request.requestCustomerToken ? '<p>You allow the shop to charge your Klarna account for later periods.</p>' : ''}
    <form method="post">
      <button name="decision" value="approve" class="primary">Approve and pay</button>
      <button name="decision" value="decline">Decline</button>
      <button name="decision" value="cancel">Cancel</button>
    </form>`;
}

function journeyPage(title: string, content: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
  <title>${escapeHtml(title)} · Klarna Simulator</title>
  <style>body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#ffa8cd;color:#0b051d}main{max-width:26rem;margin:2rem auto;background:#fff;border-radius:1rem;padding:1.5rem 2rem;box-shadow:0 2px 12px #0003}
  h1{font-size:1.4rem}ul{padding:0;list-style:none}li{display:flex;justify-content:space-between;gap:1rem;border-bottom:1px solid #eee;padding:.4rem 0}
  form{display:grid;gap:.6rem;margin-top:1.5rem}button{font:inherit;padding:.7rem;border-radius:2rem;border:1px solid #0b051d;background:#fff;cursor:pointer}button.primary{background:#0b051d;color:#fff}
  .merchant{color:#555;font-size:.9rem}</style></head>
  <body><main><h1>${escapeHtml(title)}</h1>${content}<p class="merchant">Offline simulator: no real payment is made.</p></main></body></html>`;
}
