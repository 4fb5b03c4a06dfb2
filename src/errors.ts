/** The step in which something failed. */
export type ErrorPhase = 'load' | 'init' | 'presentation' | 'initiate' | 'payment';

/**
 * Why it failed. Loading: `network`, `timeout`, `csp`, `invalid-sdk`; `init` when `KlarnaSDK()`
 * rejects; `invalid-config` for a bad attribute; `unsupported-environment` where the page lacks
 * ElementInternals or custom states (jsdom, happy-dom). Presentation: `presentation`, `timeout`,
 * `not-entitled` (Klarna did not accept the client id or the page's origin).
 * Initiate: `network`, `timeout`, `http`, `declined`, `invalid-response`, `initiate`.
 * Payment: Klarna's error code, or `payment`.
 */
export type ErrorReason =
  | 'network'
  | 'timeout'
  | 'csp'
  | 'invalid-sdk'
  | 'init'
  | 'invalid-config'
  | 'unsupported-environment'
  | 'presentation'
  | 'not-entitled'
  | 'http'
  | 'declined'
  | 'invalid-response'
  | 'initiate'
  | 'payment'
  | (string & {});

/** Every failure the element reports is one of these: what failed, why, and whether trying again may help. */
export class PayWithKlarnaError extends Error {
  override readonly name = 'PayWithKlarnaError';
  // Declared, not defined as fields: the constructor sets every one of them, in this order, so the
  // bundle need not list them a second time.
  declare readonly phase: ErrorPhase;
  declare readonly reason: ErrorReason;
  declare readonly retryable: boolean;
  /** Klarna's own error code when Klarna gave one (e.g. `VALIDATION_ERROR`), or the HTTP status for `http`. */
  declare readonly code?: string;
  /** For `csp`: the directive the page's policy must allow. */
  declare readonly directive?: string;

  constructor(
    phase: ErrorPhase,
    reason: ErrorReason,
    message: string,
    options: { retryable?: boolean; code?: string; directive?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.phase = phase;
    this.reason = reason;
    this.retryable = options.retryable ?? false;
    this.code = options.code;
    this.directive = options.directive;
  }
}

/** The first of `keys` that `error` carries as a string. */
function stringOf(error: unknown, keys: string[]): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const carried = keys.map((key) => (error as Record<string, unknown>)[key]);
  return carried.find((value): value is string => typeof value === 'string');
}

/** Klarna's errors carry `errorCode`; plain errors carry `code`. */
export function klarnaErrorCode(error: unknown): string | undefined {
  return stringOf(error, ['errorCode', 'code']);
}

/** Klarna's errors carry `errorMessage`; plain errors carry `message`. */
export function messageOf(error: unknown): string {
  return stringOf(error, ['errorMessage', 'message']) ?? String(error);
}
