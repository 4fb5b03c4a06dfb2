/**
 * What the simulated Klarna knows: its payment requests, the session and customer tokens it gave
 * out, its answers by Klarna-Idempotency-Key, and its clock (which tests move). Kept in a file
 * when given one, so that a restart of `npm start` loses none of it; its timers end with stop().
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export type SimOutcome = 'approve' | 'step-up' | 'decline';
export type SimWebhookMode = 'prompt' | 'delayed' | 'lost';

export interface PaymentRequest {
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

export interface SessionGrant {
  paymentRequestId: string;
  amount?: number;
  currency: string;
  issuedAt: number;
  result?: unknown;
}

export interface CustomerTokenGrant {
  scopes: string[];
  reference?: string;
}

export interface KeptReply {
  fingerprint: string;
  status: number;
  body: unknown;
  at: number;
}

/** What a restart keeps: Klarna's side of every payment under way. */
interface SavedState {
  version: 1;
  port?: number;
  clockOffset: number;
  requests: PaymentRequest[];
  grants: Array<[string, SessionGrant]>;
  customerTokens: Array<[string, CustomerTokenGrant]>;
  replies: Array<[string, KeptReply]>;
}

/**
 * Klarna keeps an idempotency key's answer for 24 hours; payment requests are kept here for 3 days (Klarna's expire
 * after 3 hours or 48).
 */
const KEEP_REPLIES_MS = 24 * 60 * 60 * 1000;
const KEEP_REQUESTS_MS = 3 * 24 * 60 * 60 * 1000;
/** A payment request's journey may be finished within 3 hours. */
const REQUEST_LIFETIME_MS = 3 * 60 * 60 * 1000;

export const newCustomerToken = () => `krn:partner:us1:test:identity:customer-token:sim-${randomUUID()}`;

function loadState(file: string | undefined): SavedState | undefined {
  if (!file || !existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
  if (state.version !== 1) throw new Error(`${file} is not a Klarna simulator state this version reads`);
  return state;
}

export class SimulatorState {
  readonly requests: Map<string, PaymentRequest>;
  readonly grants: Map<string, SessionGrant>;
  readonly customerTokens: Map<string, CustomerTokenGrant>;
  readonly replies: Map<string, KeptReply>;
  /** The port of the last run, when the state came from a file. */
  readonly savedPort: number | undefined;
  port: number | undefined;
  clockOffset: number;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly stateFile: string | undefined,
    /** Where the journey is reachable (payment_request_url). */
    private readonly publicUrl: () => string,
  ) {
    const saved = loadState(stateFile);
    this.requests = new Map(saved?.requests.map((request) => [request.id, request]));
    this.grants = new Map(saved?.grants);
    this.customerTokens = new Map(saved?.customerTokens);
    this.replies = new Map(saved?.replies);
    this.savedPort = this.port = saved?.port;
    this.clockOffset = saved?.clockOffset ?? 0;
  }

  /** The simulated clock: real time, moved on by the tests' /_sim/clock. */
  now = () => Date.now() + this.clockOffset;
  iso = () => new Date(this.now()).toISOString();

  /** Runs `run` after `ms`, unless stop() comes first. */
  later(ms: number, run: () => void) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  stop() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Writes the state after a change (a new file renamed over the old: a crash mid-write leaves the last whole one). */
  save() {
    if (!this.stateFile) return;
    const keptSince = Date.now() - KEEP_REQUESTS_MS;
    const { requests, grants, replies } = this;
    for (const [id, request] of requests)
      if (Date.parse(request.createdAt) - this.clockOffset < keptSince) requests.delete(id);
    for (const [token, grant] of grants) if (!requests.has(grant.paymentRequestId)) grants.delete(token);
    for (const [key, reply] of replies) if (reply.at < Date.now() - KEEP_REPLIES_MS) replies.delete(key);
    const state: SavedState = {
      version: 1,
      port: this.port,
      clockOffset: this.clockOffset,
      requests: [...requests.values()],
      grants: [...grants],
      customerTokens: [...this.customerTokens],
      replies: [...replies],
    };
    const temporary = `${this.stateFile}.${process.pid}.tmp`;
    // (its session and customer tokens are the owner's alone)
    writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
    renameSync(temporary, this.stateFile);
  }

  createRequest(
    fields: Omit<PaymentRequest, 'id' | 'state' | 'previousState' | 'createdAt' | 'updatedAt'>,
  ): PaymentRequest {
    const id = `krn:payment:us1:request:${randomUUID()}`;
    const request: PaymentRequest = {
      id,
      state: 'SUBMITTED',
      previousState: null,
      createdAt: this.iso(),
      updatedAt: this.iso(),
      ...fields,
    };
    this.requests.set(request.id, request);
    return request;
  }

  /** A payment request as Klarna's API shows it. */
  describe(request: PaymentRequest) {
    const url = `${this.publicUrl()}/journey/${encodeURIComponent(request.id)}`;
    const customer = request.customerToken
      ? {
          klarna_customer: {
            customer_token: request.customerToken,
            customer_token_reference: request.requestCustomerToken?.customer_token_reference,
          },
        }
      : {};
    const stateContext: Record<string, unknown> =
      request.state === 'COMPLETED'
        ? { klarna_network_session_token: request.sessionToken, ...customer }
        : { customer_interaction: { method: 'SDK', payment_request_id: request.id, payment_request_url: url } };
    return {
      payment_request_id: request.id,
      payment_request_reference: request.reference,
      amount: request.amount,
      currency: request.currency,
      state: request.state,
      previous_state: request.previousState,
      state_context: stateContext,
      expires_at: new Date(Date.parse(request.createdAt) + REQUEST_LIFETIME_MS).toISOString(),
      created_at: request.createdAt,
      updated_at: request.updatedAt,
    };
  }

  /**
   * Moves a payment request to `state`. Completed, it gets its session token (for the final
   * authorization, valid 60 minutes) and, when the request asked for one, a customer token.
   */
  move(request: PaymentRequest, state: PaymentRequest['state']) {
    request.previousState = request.state;
    request.state = state;
    request.updatedAt = this.iso();
    if (state === 'COMPLETED') {
      request.sessionToken = `krn:network:us1:test:session-token:fin.${randomUUID()}`;
      const { amount, currency } = request;
      this.grants.set(request.sessionToken, { paymentRequestId: request.id, amount, currency, issuedAt: this.now() });
      const asked = request.requestCustomerToken;
      if (asked?.scopes?.length) {
        request.customerToken = newCustomerToken();
        this.customerTokens.set(request.customerToken, {
          scopes: asked.scopes,
          reference: asked.customer_token_reference,
        });
      }
    }
    this.save();
  }
}
