// Classes and types only: importing this module registers nothing and runs nothing.
export { PayWithKlarna } from './pay-with-klarna.js';
export { definePayWithKlarna } from './register.js';
export {
  KlarnaAbortEvent,
  KlarnaCompleteEvent,
  KlarnaErrorEvent,
  KlarnaInitiateEvent,
  KlarnaPresentationEvent,
  type KlarnaAbortDetail,
  type KlarnaCompleteDetail,
  type KlarnaErrorDetail,
  type KlarnaInitiateDetail,
  type KlarnaPaymentDetail,
  type KlarnaPresentationDetail,
} from './events.js';
export { PayWithKlarnaError, type ErrorPhase, type ErrorReason } from './errors.js';
export { KLARNA_SDK_URL, configureKlarnaSdk, type KlarnaSdkOptions } from './sdk/loader.js';
export type { InitiateContext, InitiateHandler, InitiateRequestBody } from './initiate.js';
export type { PayWithKlarnaStrings } from './strings.js';
export type * from './sdk/types.js';
