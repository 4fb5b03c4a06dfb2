/** What the backend's routes are told of their setting (by main.ts's startBackend). */
export interface BackendConfig {
  mode: 'simulator' | 'klarna';
  clientId: string;
  live: boolean;
  signingKeys: ReadonlyMap<string, string>;
  publicUrl: () => string;
  /** The simulator's address in offline mode, for the storefront's outcome picker. */
  simulatorUrl?: () => string;
  log?: (line: string) => void;
  /** Given work that goes on after its answer (a webhook's handling), so that a stop waits for it. */
  track?: (work: Promise<unknown>) => void;
  /**
   * How long an initiate or a subscription charge may take before it is answered "not confirmed
   * yet" (503) while its Klarna call goes on: 25 s, within the element's default initiate-timeout of 30 s.
   */
  requestBoundMs?: number;
}

export const REQUEST_BOUND_MS = 25_000;
