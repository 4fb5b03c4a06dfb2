import type { ReactiveController, ReactiveControllerHost } from '@lit/reactive-element';
import { PayWithKlarnaError, klarnaErrorCode, messageOf } from './errors.js';
import { answerWithin } from './internal/async.js';
import { getKlarnaSession, importersRan, loadKlarnaSdk, sdkTimeoutMs } from './sdk/loader.js';
import type { KlarnaSession } from './sdk/session.js';
import type { PaymentPresentation, PresentationRequest, SdkConfig } from './sdk/types.js';

export interface PresentationInputs {
  sdkConfig: SdkConfig;
  request: PresentationRequest;
}

export interface PresentationCallbacks {
  applied(presentation: PaymentPresentation, session: KlarnaSession, inputs: PresentationInputs): void;
  failed(error: PayWithKlarnaError): void;
}

/**
 * Asks the SDK for presentations. At most one request is in flight per element; changes that
 * arrive meanwhile are coalesced into one follow-up request, and an answer for inputs that have
 * since changed is dropped, so a stale presentation is never shown.
 */
export class PresentationController implements ReactiveController {
  #wanted?: PresentationInputs;
  #running = false;
  #generation = 0;
  readonly #host: HTMLElement;
  readonly #callbacks: PresentationCallbacks;

  constructor(host: ReactiveControllerHost & HTMLElement, callbacks: PresentationCallbacks) {
    this.#host = host;
    this.#callbacks = callbacks;
    host.addController(this);
  }

  hostConnected(): void {
    // Start the download the moment an element appears; the presentation follows once configured.
    // Not at once: a configureKlarnaSdk() in the module that imported the package comes first.
    void importersRan().then(() => {
      if (this.#host.isConnected) loadKlarnaSdk().catch(() => {});
    });
  }

  hostDisconnected(): void {
    this.cancel();
  }

  /** Forgets what was asked: an answer still on its way will not be shown. */
  cancel(): void {
    this.#generation++;
    this.#wanted = undefined;
  }

  request(inputs: PresentationInputs): void {
    this.#wanted = inputs;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#wanted) {
        const inputs = this.#wanted;
        this.#wanted = undefined;
        const generation = this.#generation;
        let outcome: { session: KlarnaSession; presentation: PaymentPresentation } | PayWithKlarnaError;
        try {
          await importersRan();
          const session = await getKlarnaSession(inputs.sdkConfig);
          const presentation = await answerWithin(
            () => session.klarna.Payment.presentation(inputs.request),
            sdkTimeoutMs(),
            'presentation',
            "Klarna's presentation",
          );
          outcome = { session, presentation };
        } catch (error) {
          const code = klarnaErrorCode(error);
          outcome =
            error instanceof PayWithKlarnaError
              ? error
              : new PayWithKlarnaError(
                  'presentation',
                  'presentation',
                  `Klarna's presentation failed: ${messageOf(error)}`,
                  {
                    // Klarna's input and access errors (a currency it does not take, a domain not allowlisted) stay until the page changes
                    retryable: !/^(INPUT|ACCESS)_ERROR$/.test(
                      (error as { errorType?: string } | undefined)?.errorType!,
                    ),
                    code,
                    cause: error,
                  },
                );
        }
        if (this.#wanted || generation !== this.#generation) continue; // superseded: never show it
        if (outcome instanceof PayWithKlarnaError) this.#callbacks.failed(outcome);
        else this.#callbacks.applied(outcome.presentation, outcome.session, inputs);
      }
    } finally {
      this.#running = false;
    }
  }
}
