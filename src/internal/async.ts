import { PayWithKlarnaError, type ErrorPhase } from '../errors.js';

/**
 * Settles like `call()`, or after `ms` rejects with a retryable `timeout` error of `phase`: "`what`
 * did not answer within `ms` ms." The late answer is then ignored.
 */
export function answerWithin<T>(call: () => T | PromiseLike<T>, ms: number, phase: ErrorPhase, what: string): Promise<T> {
  const promise = Promise.resolve().then(call);
  if (!Number.isFinite(ms) || ms <= 0) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PayWithKlarnaError(phase, 'timeout', `${what} did not answer within ${ms} ms.`, { retryable: true })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A v4 UUID, also on plain-http pages where `crypto.randomUUID` is missing. */
export function newUuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return hex.replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}
