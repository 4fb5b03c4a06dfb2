/**
 * A fake of Klarna's Web SDK v2 for tests, demos and offline development, written from what
 * Klarna documents (see the README's "Testing kit"). It never touches the network.
 */
import { configureKlarnaSdk } from '../sdk/loader.js';
import { elementsOnPage } from './helpers.js';
import type {
  Intent,
  InitiateParams,
  KlarnaPaymentButton,
  KlarnaSdkModule,
  KlarnaUIElement,
  PaymentButtonConfig,
  PaymentRequest,
  PresentationRequest,
  SdkConfig,
} from '../sdk/types.js';

export type FakePartName = 'icon' | 'badge' | 'header' | 'subheader' | 'message' | 'terms' | 'button';

/** What happens after the button's initiate resolved: Klarna's purchase journey, decided in advance. */
export type FakeJourney = 'complete' | 'abort' | 'error' | 'redirect' | 'none';

export interface FakeKlarnaOptions {
  /** The presentation's instruction; any string, to test unknown ones. Default SHOW_KLARNA. */
  instruction?: string;
  /**
   * `options` (paymentOption / savedPaymentOption, current), `flat` (latest revision's flat shape) or
   * `r6` (flat, with texts, and a subheader in a short and an enriched form).
   */
  shape?: 'options' | 'flat' | 'r6';
  /** The presentation's paymentStatus, e.g. `PENDING_PARTNER_AUTHORIZATION`. Default: `REQUIRES_CUSTOMER_ACTION` for `flat`, none otherwise. */
  paymentStatus?: string;
  /** `on` (Payment.on(event, handler), default) or `callbacks` (Payment.onComplete / onAbort / onError, as one reference page lists). */
  eventApi?: 'on' | 'callbacks';
  /** Adds a savedPaymentOption, as for a returning customer. */
  savedOption?: boolean;
  /** Adds a savedPaymentOption to the presentations of instances made with this `sdkToken` (a customer Klarna knows). */
  savedOptionForSdkToken?: string;
  /** Optional parts to leave out. */
  omit?: Array<'message' | 'badge' | 'terms'>;
  /** Replaces Klarna's texts, e.g. to test hostile or very long strings. */
  texts?: Partial<Record<'header' | 'subheader' | 'message' | 'terms' | 'badge', string>>;
  /** Delay of `KlarnaSDK()`. */
  initDelayMs?: number;
  /** Delay of each `presentation()`; a function gets the request and its 1-based number. */
  presentationDelayMs?: number | ((request: PresentationRequest, call: number) => number);
  /** `KlarnaSDK()` rejects with this (Klarna errors carry errorCode and errorMessage). */
  initError?: unknown;
  /** `presentation()` rejects with this. */
  presentationError?: unknown;
  /** `presentation()` never settles. */
  presentationHangs?: boolean;
  /**
   * Klarna did not accept the client id or the page's origin: as the live SDK does, `presentation()`
   * swallows the 401 and resolves with its stand-in (option ids `KLARNA`, `SAVED_PAYMENT_OPTION`,
   * generic texts, SHOW_KLARNA), whose button fails when pressed.
   */
  fallback?: boolean;
  /** `params` (latest: `{ klarnaNetworkSessionToken, paymentOptionId }`) or `none` (r6/r8 call initiate without arguments). */
  initiateArgs?: 'params' | 'none';
  /** What the purchase journey does after initiate resolved. Default `complete`; `redirect` leaves the page (see `returnUrl`). */
  journey?: FakeJourney;
  /** The state of the payment request `abort` carries: `CANCELED` (default) or `SUBMITTED`, as also seen live. */
  abortState?: 'CANCELED' | 'SUBMITTED';
  /** After initiate rejected (the journey window may already be open), the SDK emits `error` for the press too. */
  errorAfterRejectedInitiate?: boolean;
  /**
   * For journey `redirect` (REDIRECT, and DEVICE_BEST on phones): the return URL set on the payment
   * request, with Klarna's template variables `{klarna.payment_request.id}`, `{klarna.payment_request.state}`
   * and `{klarna.payment_request.klarna_network_session_token}`, which the fake fills before it goes
   * there (onNavigate, else location.assign). A paymentRequestData answer's own
   * customerInteractionConfig.returnUrl comes first.
   */
  returnUrl?: string;
  /** The state a `redirect` journey puts in the return URL. Default `COMPLETED`. */
  redirectState?: string;
  /** `complete` fires twice for one payment request, as seen on the live SDK. */
  completeTwice?: boolean;
  /**
   * Under which key `complete`'s payment request carries the network session token in its
   * `stateContext` (Klarna's versions differ), or `none` for no stateContext. Default `klarnaNetworkSessionToken`.
   */
  stateContextToken?: 'klarnaNetworkSessionToken' | 'klarna_network_session_token' | 'interoperabilityToken' | 'none';
  /**
   * Called with the returnUrl of an answer that has only one (the backend approved at once), in place
   * of going there. Without it the fake goes there, `location.assign(returnUrl)`, as Klarna's SDK does;
   * either way no payment event fires.
   */
  onNavigate?: (url: string) => void;
  /** The klarnaNetworkSessionToken handed to initiate and by Network.Session.token(); e.g. to steer a simulator. */
  sessionToken?: () => string;
  /** Runs the purchase journey for a paymentRequestUrl/Id answer (e.g. opens a simulator's page); overrides `journey`. */
  openJourney?: (answer: { paymentRequestUrl?: string; paymentRequestId?: string }) => Promise<FakeJourney>;
}

export interface MountRecord {
  part: FakePartName;
  /** Which KlarnaSDK() instance (0-based, in creation order) created the component. */
  instance: number;
  paymentOptionId: string;
  container: HTMLElement;
  element: HTMLElement;
  mountedAt: number;
  unmountedAt?: number;
  /** Its container had been taken out of the page before `unmount()`: the live SDK then warns "Element not mounted". */
  containerRemovedFirst?: boolean;
  config?: unknown;
}

export interface InitiateRecord {
  paymentOptionId: string;
  params?: InitiateParams;
  answer?: unknown;
  error?: unknown;
  /** Settles once initiate has answered or failed. */
  settled: Promise<void>;
  /** Settles once everything the SDK does after this press (its journey, its events) is done. */
  ended: Promise<void>;
}

export interface EmitRecord {
  event: string;
  args: unknown[];
  /** What the element's handlers answered (for `complete`: whether the SDK may continue). */
  answers: unknown[];
}

type Handler = (...args: unknown[]) => unknown;

/** The option ids of Klarna's stand-in presentation for a client id or origin it refused. */
const FALLBACK_IDS = { standard: 'KLARNA', saved: 'SAVED_PAYMENT_OPTION' };
const PART_TAG = 'klarna-fake-ui';
const BUTTON_TAG = 'klarna-fake-payment-button';

let counter = 0;
const nextId = () => `${Date.now().toString(36)}-${(++counter).toString(36)}`;

export class FakeKlarna {
  options: FakeKlarnaOptions;
  /** Every `KlarnaSDK()` call, with its configuration. */
  readonly sdkCalls: SdkConfig[] = [];
  /** Every `presentation()` call, with its request. */
  readonly presentationCalls: PresentationRequest[] = [];
  /** Every component ever mounted, with when it was unmounted. */
  readonly mounts: MountRecord[] = [];
  /** Every payment button created, with its configuration. */
  readonly buttonConfigs: PaymentButtonConfig[] = [];
  /** Every call of a button's initiate callback, with what it resolved or rejected with. */
  readonly initiateCalls: InitiateRecord[] = [];
  /** Every `Payment.cancel(paymentRequestId)` call. */
  readonly cancelCalls: string[] = [];
  /** Every payment event emitted, with what its handlers answered. */
  readonly emitted: EmitRecord[] = [];
  /** Payment event handlers registered on each instance, and when. */
  readonly handlers: Array<{ event: string; handler: Handler; registeredAt: number; instance: number }> = [];
  readonly module: KlarnaSdkModule;
  /**
   * The option ids of this fake's presentations: opaque strings, as Klarna's are. Never Klarna's
   * built-in fallback ids (`KLARNA`, `SAVED_PAYMENT_OPTION`), which only `fallback` serves.
   */
  readonly paymentOptionIds = { standard: `pmo_${nextId()}`, saved: `pmo_saved_${nextId()}` };
  private lastPresentation?: [PresentationRequest, SdkConfig, number];
  private readonly defaultToken = `krn:network:us1:test:session-token:fake-${nextId()}`;

  constructor(options: FakeKlarnaOptions = {}) {
    this.options = { ...options };
    this.module = { KlarnaSDK: (config) => this.createInstance(config) };
  }

  private sessionToken(): string {
    return this.options.sessionToken?.() ?? this.defaultToken;
  }

  /** Changes behaviour from the next call on (e.g. the instruction of the next presentation). */
  configure(options: Partial<FakeKlarnaOptions>): void {
    Object.assign(this.options, options);
  }

  /** Components currently mounted. */
  get mounted(): MountRecord[] {
    return this.mounts.filter((record) => record.unmountedAt === undefined);
  }

  /** Calls every handler registered for a payment event, as Klarna would. Returns their answers. */
  async emit(event: 'complete' | 'abort', paymentRequest: PaymentRequest): Promise<unknown[]>;
  async emit(event: 'error', error: unknown, paymentRequest?: PaymentRequest): Promise<unknown[]>;
  async emit(event: 'presentationupdate', presentation: unknown): Promise<unknown[]>;
  async emit(event: string, ...args: unknown[]): Promise<unknown[]> {
    const handlers = this.handlers.filter((entry) => entry.event === event);
    const answers = await Promise.all(handlers.map((entry) => entry.handler(...args)));
    this.emitted.push({ event, args, answers });
    return answers;
  }

  /** A PaymentRequest as Klarna's events carry it. */
  paymentRequest(state: string, extra: Partial<PaymentRequest> = {}): PaymentRequest {
    return { paymentRequestId: `krn:payment:eu1:request:${nextId()}`, state, ...extra };
  }

  private async createInstance(config: SdkConfig) {
    this.sdkCalls.push({ ...config });
    const instance = this.sdkCalls.length - 1;
    await delay(this.options.initDelayMs);
    if (this.options.initError !== undefined) throw this.options.initError;
    if (typeof config?.clientId !== 'string' || !config.clientId) {
      throw klarnaError('INPUT_ERROR', 'VALIDATION_ERROR', 'clientId is required');
    }
    if (config.acquiringConfig && !config.acquiringConfig.paymentAccountId) {
      throw klarnaError('INPUT_ERROR', 'VALIDATION_ERROR', 'acquiringConfig.paymentAccountId is required');
    }
    const tokenSource = { token: () => this.sessionToken(), on: () => {} };
    const on = (event: string, handler: Handler) => {
      this.handlers.push({ event, handler, registeredAt: performance.now(), instance });
    };
    const events =
      this.options.eventApi === 'callbacks'
        ? {
            onComplete: (handler: Handler) => on('complete', handler),
            onAbort: (handler: Handler) => on('abort', handler),
            onError: (handler: Handler) => on('error', handler),
          }
        : {
            on,
            off: (event: string, handler: Handler) => {
              const index = this.handlers.findIndex((entry) => entry.event === event && entry.handler === handler);
              if (index >= 0) this.handlers.splice(index, 1);
            },
          };
    return {
      Payment: {
        presentation: (request: PresentationRequest) => this.presentation(request, config, instance),
        ...events,
        cancel: async (paymentRequestId: string) => {
          this.cancelCalls.push(paymentRequestId);
          return { paymentRequestId, state: 'CANCELED', previousState: 'SUBMITTED', stateReason: 'PARTNER_CANCELED' };
        },
      },
      Network: { Session: tokenSource },
      Interoperability: tokenSource,
    };
  }

  private async presentation(request: PresentationRequest, config: SdkConfig, instance: number) {
    this.presentationCalls.push(structuredClone(request));
    const call = this.presentationCalls.length;
    const { presentationDelayMs } = this.options;
    await delay(typeof presentationDelayMs === 'function' ? presentationDelayMs(request, call) : presentationDelayMs);
    if (this.options.presentationHangs) await new Promise(() => {});
    if (this.options.presentationError !== undefined) throw this.options.presentationError;
    this.lastPresentation = [request, config, instance];
    return this.makePresentation(request, config, instance);
  }

  /** Emits `presentationupdate` (r6) with a fresh presentation for the last request, made with the options as they are now. */
  async updatePresentation(): Promise<unknown[]> {
    if (!this.lastPresentation) throw new Error('updatePresentation(): no presentation was asked for yet');
    return this.emit('presentationupdate', this.makePresentation(...this.lastPresentation));
  }

  private makePresentation(request: PresentationRequest, config: SdkConfig, instance: number) {
    const locale = request.locale || config.locale || 'en-US';
    // Klarna's stand-in for a refused client id or origin carries its built-in ids, and is served
    // as SHOW_KLARNA whatever the instruction would have been.
    const { fallback } = this.options;
    const ids = fallback ? FALLBACK_IDS : this.paymentOptionIds;
    const standard = this.option(ids.standard, false, request, locale, instance);
    const instruction = fallback ? 'SHOW_KLARNA' : (this.options.instruction ?? 'SHOW_KLARNA');
    const { shape } = this.options;
    const paymentStatus = this.options.paymentStatus ?? (shape === 'flat' ? 'REQUIRES_CUSTOMER_ACTION' : undefined);
    const status = paymentStatus ? { paymentStatus } : {};
    if (shape === 'flat') {
      const { paymentOptionId, ...flat } = standard;
      return { instruction, ...status, ...flat, ...(fallback ? { paymentOptionId } : {}) };
    }
    if (shape === 'r6') {
      // r6: no option ids, and a subheader in two forms, short for the row and enriched (with a link)
      const { paymentOptionId: _id, subheader, message, terms: _terms, ...flat } = standard;
      const enriched = { ...(message ?? subheader), link: { href: 'https://www.klarna.com/', linkText: 'Learn more' } };
      return { instruction, ...status, ...flat, subheader: { short: subheader, enriched } };
    }
    const knownCustomer = config.sdkToken !== undefined && config.sdkToken === this.options.savedOptionForSdkToken;
    return {
      instruction,
      ...status,
      paymentOption: standard,
      ...(this.options.savedOption || knownCustomer
        ? { savedPaymentOption: this.option(ids.saved, true, request, locale, instance) }
        : {}),
    };
  }

  private option(
    paymentOptionId: string,
    saved: boolean,
    request: PresentationRequest,
    locale: string,
    instance: number,
  ) {
    const texts = this.texts(saved, request, locale);
    const omit = new Set(this.options.omit ?? []);
    const part = (name: FakePartName) => ({
      text: texts[name],
      component: (config?: unknown) => this.component(name, paymentOptionId, texts[name] ?? '', instance, config),
    });
    return {
      paymentOptionId,
      icon: part('icon'),
      header: part('header'),
      subheader: part('subheader'),
      ...(omit.has('message') ? {} : { message: part('message') }),
      ...(omit.has('terms') ? {} : { terms: part('terms') }),
      ...(saved && !omit.has('badge') ? { badge: part('badge') } : {}),
      paymentButton: {
        component: (config: PaymentButtonConfig) => this.button(paymentOptionId, config, request.intents, instance),
      },
    };
  }

  private texts(saved: boolean, request: PresentationRequest, locale: string): Partial<Record<FakePartName, string>> {
    const custom = this.options.texts ?? {};
    let instalment = '';
    // the stand-in knows nothing of the amount
    if (typeof request.amount === 'number' && !this.options.fallback) {
      try {
        instalment = new Intl.NumberFormat(locale, { style: 'currency', currency: request.currency }).format(
          request.amount / 400,
        );
      } catch {
        instalment = `${(request.amount / 400).toFixed(2)} ${request.currency}`;
      }
    }
    return {
      icon: 'Klarna',
      header: custom.header ?? (saved ? 'Klarna ···· saved account' : 'Pay with Klarna'),
      subheader:
        custom.subheader ?? (instalment ? `4 interest-free payments of ${instalment}` : 'Flexible ways to pay'),
      message: custom.message ?? 'No interest, no fees when you pay on time.',
      terms: custom.terms ?? 'See payment terms. A higher initial payment may be required.',
      badge: custom.badge ?? 'Saved',
    };
  }

  private component(
    part: FakePartName,
    paymentOptionId: string,
    text: string,
    instance: number,
    config?: unknown,
  ): KlarnaUIElement {
    defineFakeElements();
    const element = document.createElement(PART_TAG);
    element.setAttribute('part-name', part);
    element.dataset.text = text;
    if (part === 'icon') element.dataset.shape = String((config as { shape?: string } | undefined)?.shape ?? 'default');
    return this.mountable(part, paymentOptionId, instance, element, config);
  }

  private button(
    paymentOptionId: string,
    config: PaymentButtonConfig,
    presentedIntents: Intent[],
    instance: number,
  ): KlarnaPaymentButton {
    defineFakeElements();
    this.buttonConfigs.push(config);
    const element = document.createElement(BUTTON_TAG) as FakeButtonElement;
    const intents = config.intents ?? presentedIntents ?? ['PAY'];
    element.dataset.text = BUTTON_LABELS[intents[0] ?? 'PAY'] ?? 'Continue with Klarna';
    for (const [key, value] of Object.entries(config)) {
      if (typeof value !== 'function') element.dataset[key] = String(value);
    }
    element.onPress = () => this.press(paymentOptionId, config, element);
    const ui = this.mountable('button', paymentOptionId, instance, element, config) as KlarnaPaymentButton;
    ui.toggleState = (state, value) => {
      element.toggleAttribute(state, value ?? !element.hasAttribute(state));
      element.render();
      return ui;
    };
    if (config.disabled) ui.toggleState('disabled', true);
    if (config.loading) ui.toggleState('loading', true);
    return ui;
  }

  private mountable(
    part: FakePartName,
    paymentOptionId: string,
    instance: number,
    element: HTMLElement,
    config?: unknown,
  ): KlarnaUIElement {
    let record: MountRecord | undefined;
    const ui: KlarnaUIElement = {
      htmlElement: element,
      mount: (target) => {
        const container = typeof target === 'string' ? document.querySelector<HTMLElement>(target) : target;
        if (!container) throw klarnaError('INPUT_ERROR', 'VALIDATION_ERROR', `mount(): no container ${String(target)}`);
        container.append(element);
        record = { part, paymentOptionId, instance, container, element, mountedAt: performance.now(), config };
        this.mounts.push(record);
        return ui;
      },
      unmount: () => {
        if (record && record.unmountedAt === undefined) {
          record.unmountedAt = performance.now();
          if (!record.container.parentNode) {
            record.containerRemovedFirst = true;
            console.warn('Element not mounted');
          }
        }
        element.remove();
        return ui;
      },
    };
    return ui;
  }

  private async press(paymentOptionId: string, config: PaymentButtonConfig, element: HTMLElement) {
    if (element.hasAttribute('disabled')) return;
    if (Object.values(FALLBACK_IDS).includes(paymentOptionId)) {
      // no session behind the stand-in: the press fails
      await this.emit('error', klarnaError('ACCESS_ERROR', 'PERMISSION_DENIED', 'Client id or origin not allowed'));
      return;
    }
    const params =
      this.options.initiateArgs === 'none'
        ? undefined
        : { klarnaNetworkSessionToken: this.sessionToken(), paymentOptionId };
    let settle!: () => void;
    let end!: () => void;
    const record: InitiateRecord = {
      paymentOptionId,
      params,
      settled: new Promise((resolve) => (settle = resolve)),
      ended: new Promise((resolve) => (end = resolve)),
    };
    this.initiateCalls.push(record);
    try {
      try {
        record.answer = await config.initiate(params);
      } catch (error) {
        record.error = error;
        settle();
        if (this.options.errorAfterRejectedInitiate) {
          await this.emit(
            'error',
            Object.assign(klarnaError('TECHNICAL_ERROR', 'TECHNICAL_ERROR', 'The initiate callback rejected'), {
              originalError: error,
            }),
          );
        }
        return;
      }
      settle();
      await this.journey(record.answer, params?.klarnaNetworkSessionToken ?? this.sessionToken());
    } finally {
      end();
    }
  }

  private async journey(answer: unknown, token: string) {
    const accepted = answer && typeof answer === 'object' ? (answer as Record<string, unknown>) : {};
    if (!['paymentRequestUrl', 'paymentRequestId', 'returnUrl', 'currency'].some((key) => key in accepted)) {
      await this.emit(
        'error',
        klarnaError('INPUT_ERROR', 'INVALID_CALLBACK_RESPONSE', 'initiate resolved with nothing usable'),
      );
      return;
    }
    if (
      typeof accepted.returnUrl === 'string' &&
      !('paymentRequestUrl' in accepted) &&
      !('paymentRequestId' in accepted)
    ) {
      this.navigate(accepted.returnUrl);
      return;
    }
    const id =
      typeof accepted.paymentRequestId === 'string' ? accepted.paymentRequestId : `krn:payment:eu1:request:${nextId()}`;
    const outcome = this.options.openJourney
      ? await this.options.openJourney(accepted as { paymentRequestUrl?: string })
      : (this.options.journey ?? 'complete');
    switch (outcome) {
      case 'complete': {
        const key = this.options.stateContextToken ?? 'klarnaNetworkSessionToken';
        const completed = {
          paymentRequestId: id,
          state: 'COMPLETED',
          previousState: 'IN_PROGRESS',
          ...(key === 'none' ? {} : { stateContext: { [key]: token } }),
        };
        await this.emit('complete', completed);
        if (this.options.completeTwice) await this.emit('complete', structuredClone(completed));
        break;
      }
      case 'abort':
        // the live SDK has been seen reporting a request the customer left in SUBMITTED as well as CANCELED
        await this.emit(
          'abort',
          this.options.abortState === 'SUBMITTED'
            ? { paymentRequestId: id, state: 'SUBMITTED' }
            : { paymentRequestId: id, state: 'CANCELED', stateReason: 'PURCHASE_FLOW_ABORTED' },
        );
        break;
      case 'error':
        await this.emit('error', klarnaError('TECHNICAL_ERROR', 'TECHNICAL_ERROR', 'The purchase journey failed'), {
          paymentRequestId: id,
          state: 'CANCELED',
          stateReason: 'TECHNICAL_ERROR',
        });
        break;
      case 'redirect': {
        // The page is left: Klarna's journey ends on the return URL, its template variables filled,
        // and no payment event fires here.
        const template =
          (accepted.customerInteractionConfig as { returnUrl?: unknown } | undefined)?.returnUrl ??
          this.options.returnUrl;
        if (typeof template !== 'string') {
          await this.emit(
            'error',
            klarnaError(
              'INPUT_ERROR',
              'VALIDATION_ERROR',
              "A redirect journey needs a return URL (the fake's returnUrl option)",
            ),
          );
          break;
        }
        const values: Record<string, string> = {
          id,
          state: this.options.redirectState ?? 'COMPLETED',
          klarna_network_session_token: token,
        };
        this.navigate(
          template.replace(/\{klarna\.payment_request\.(\w+)\}/g, (variable, name: string) =>
            name in values ? encodeURIComponent(values[name]!) : variable,
          ),
        );
        break;
      }
      case 'none':
        break;
    }
  }

  /** Where Klarna's SDK goes to a URL: the test's onNavigate, else the page goes there. */
  private navigate(url: string) {
    if (this.options.onNavigate) this.options.onNavigate(url);
    else location.assign(url);
  }
}

const BUTTON_LABELS: Partial<Record<Intent, string>> = {
  PAY: 'Pay with Klarna',
  SUBSCRIBE: 'Subscribe with Klarna',
  DONATE: 'Donate with Klarna',
  SIGNUP: 'Sign up with Klarna',
  SIGNIN: 'Sign in with Klarna',
};

/** A Klarna-style error object. */
export function klarnaError(errorType: string, errorCode: string, errorMessage: string) {
  return Object.assign(new Error(errorMessage), {
    name: 'KlarnaError',
    errorId: nextId(),
    errorType,
    errorCode,
    errorMessage,
  });
}

function delay(ms: number | undefined): Promise<void> {
  return ms ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

interface FakeButtonElement extends HTMLElement {
  onPress?: () => void;
  render(): void;
}

/** Klarna's own components are custom elements with their own shadow roots; so are the fake's. */
function defineFakeElements() {
  if (customElements.get(PART_TAG)) return;
  // Muted texts follow the page's color-scheme (light-dark()) and the badge brings its own text
  // colour, so both keep 4.5:1 on a dark page too (test/e2e/contrast.test.mjs).
  const sheet = `:host{display:inline-block;font:inherit;color:inherit}
    :host([part-name=icon]) span{display:inline-grid;place-items:center;width:2.5rem;height:1.6rem;border-radius:.35rem;background:#ffa8cd;color:#0b051d;font-weight:700;font-size:.8rem}
    :host([part-name=header]){font-weight:600}
    :host([part-name=subheader]),:host([part-name=terms]){font-size:.875em;color:light-dark(#555,#b0b0bc)}
    :host([part-name=badge]) span{font-size:.75rem;padding:.1rem .45rem;border-radius:1rem;background:#eee;color:#1f1f24}`;
  customElements.define(
    PART_TAG,
    class extends HTMLElement {
      connectedCallback() {
        const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
        const style = document.createElement('style');
        style.textContent = sheet;
        const span = document.createElement('span');
        span.textContent = this.getAttribute('part-name') === 'icon' ? 'K.' : (this.dataset.text ?? '');
        if (this.getAttribute('part-name') === 'icon') {
          span.setAttribute('role', 'img');
          span.setAttribute('aria-label', this.dataset.text ?? 'Klarna');
        }
        root.replaceChildren(style, span);
      }
    },
  );
  customElements.define(
    BUTTON_TAG,
    class extends HTMLElement implements FakeButtonElement {
      onPress?: () => void;
      private readonly button = document.createElement('button');
      connectedCallback() {
        const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
        const style = document.createElement('style');
        // its focus ring shows on any page: a dark outline, off the button, around a white ring
        style.textContent = `:host{display:block}button{width:100%;min-height:2.75rem;border:0;border-radius:${this.dataset.shape === 'pill' ? '999px' : '.5rem'};background:${this.dataset.theme === 'light' ? '#ffa8cd' : '#0b051d'};color:${this.dataset.theme === 'light' ? '#0b051d' : '#fff'};font:600 1rem system-ui,sans-serif;cursor:pointer}button:disabled{opacity:.6;cursor:default}button:focus-visible{outline:2px solid #0b051d;outline-offset:2px;box-shadow:0 0 0 2px #fff}`;
        this.button.type = 'button';
        this.button.onclick = () => this.onPress?.();
        root.replaceChildren(style, this.button);
        this.render();
      }
      render() {
        const loading = this.hasAttribute('loading');
        this.button.disabled = this.hasAttribute('disabled');
        this.button.setAttribute('aria-busy', String(loading));
        this.button.textContent = loading ? 'Opening Klarna…' : (this.dataset.text ?? 'Pay with Klarna');
      }
    },
  );
}

/**
 * Creates a fake and makes every pay-with-klarna element on the page use it: elements created from
 * now on, and those already on the page, which ask Klarna again (one still waiting for Klarna's real
 * SDK moves once that wait ends).
 */
export function installFakeKlarna(
  options: FakeKlarnaOptions = {},
  loader: { timeoutMs?: number; retryDelaysMs?: number[] } = {},
): FakeKlarna {
  const fake = new FakeKlarna(options);
  configureKlarnaSdk({ sdk: fake.module, ...loader });
  // not yet updated: its first request comes after this, from the fake already
  for (const element of elementsOnPage()) if (element.hasUpdated) element.refresh();
  return fake;
}
