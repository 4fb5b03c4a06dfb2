import type { PayWithKlarnaError, ErrorPhase, ErrorReason } from './errors.js';
import type { Instruction, PaymentRequest } from './sdk/types.js';

const bubbling = { bubbles: true, composed: true } as const;

export interface KlarnaPresentationDetail {
  instruction: Instruction;
  /** Klarna's `paymentStatus`, where its SDK gives one: `PENDING_PARTNER_AUTHORIZATION` or `REQUIRES_CUSTOMER_ACTION`. */
  paymentStatus?: string;
  /** The ids of the options shown, the saved option first (a presentation without ids has none). */
  paymentOptionIds: string[];
}

/** Fired each time a presentation is applied. `preventDefault()` leaves the group's other options alone. */
export class KlarnaPresentationEvent extends CustomEvent<KlarnaPresentationDetail> {
  constructor(detail: KlarnaPresentationDetail) {
    super('klarna-presentation', { ...bubbling, cancelable: true, detail });
  }
}

export interface KlarnaInitiateDetail {
  /** The pressed option's id, from the SDK or the presentation; undefined when neither gave one. */
  paymentOptionId: string | undefined;
}

/** Fired before the backend is called. `preventDefault()` (e.g. the form is invalid) stops the payment. */
export class KlarnaInitiateEvent extends CustomEvent<KlarnaInitiateDetail> {
  constructor(detail: KlarnaInitiateDetail) {
    super('klarna-initiate', { ...bubbling, cancelable: true, detail });
  }
}

export interface KlarnaPaymentDetail {
  paymentRequest: PaymentRequest;
}

// Written out, not extending KlarnaPaymentDetail, so that the API reference shows every field.
export interface KlarnaCompleteDetail {
  paymentRequest: PaymentRequest;
  /** The network session token from the payment request's `stateContext`, for your backend's final authorization. */
  klarnaNetworkSessionToken?: string;
}

/**
 * Klarna's purchase journey completed; once per payment request, though Klarna may report it twice.
 * `preventDefault()` answers the SDK's `complete` callback with `false`.
 */
export class KlarnaCompleteEvent extends CustomEvent<KlarnaCompleteDetail> {
  constructor(detail: KlarnaCompleteDetail) {
    super('klarna-complete', { ...bubbling, cancelable: true, detail });
  }
}

export interface KlarnaAbortDetail {
  paymentRequest: PaymentRequest;
  /** Klarna's state of the payment request: `CANCELED`, or `SUBMITTED` (which the element then cancels where the SDK can). */
  state?: string;
}

/** The customer left Klarna's purchase journey without paying. */
export class KlarnaAbortEvent extends CustomEvent<KlarnaAbortDetail> {
  constructor(detail: KlarnaAbortDetail) {
    super('klarna-abort', { ...bubbling, detail });
  }
}

export interface KlarnaErrorDetail {
  phase: ErrorPhase;
  reason: ErrorReason;
  retryable: boolean;
  error: PayWithKlarnaError;
  paymentRequest?: PaymentRequest;
}

/** Anything that failed: the step, the reason, whether trying again may help, and the error. */
export class KlarnaErrorEvent extends CustomEvent<KlarnaErrorDetail> {
  constructor(error: PayWithKlarnaError, paymentRequest?: PaymentRequest) {
    super('klarna-error', {
      ...bubbling,
      detail: { phase: error.phase, reason: error.reason, retryable: error.retryable, error, paymentRequest },
    });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'klarna-presentation': KlarnaPresentationEvent;
    'klarna-initiate': KlarnaInitiateEvent;
    'klarna-complete': KlarnaCompleteEvent;
    'klarna-abort': KlarnaAbortEvent;
    'klarna-error': KlarnaErrorEvent;
  }
}
