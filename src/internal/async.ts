import { PayWithKlarnaError, type ErrorPhase } from '../errors.js';

/**
 * Settles like `call()`, or after `ms` rejects with a retryable `timeout` error of `phase`: "`what`
 * did not answer within `ms` ms." The late answer is then ignored.
 */
export function answerWithin<T>(
  call: () => T | PromiseLike<T>,
  ms: number,
  phase: ErrorPhase,
  what: string,
): Promise<T> {
  const promise = Promise.resolve().then(call);
  if (!Number.isFinite(ms) || ms <= 0) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new PayWithKlarnaError(phase, 'timeout', `${what} did not answer within ${ms} ms.`, { retryable: true }),
        ),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A v4 UUID, also on plain-http pages where `crypto.randomUUID` is missing. */
export function newUuid(): string {
  // Each x a random hex digit, y one of 8 to b (the variant); the 4 is the version.
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (digit) => {
    const nibble = crypto.getRandomValues(new Uint8Array(1))[0]! & 15;
    return (digit === 'x' ? nibble : (nibble & 3) | 8).toString(16);
  });
}
