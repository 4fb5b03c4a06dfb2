/**
 * A fake of Klarna's Web SDK v2 for tests, demos and offline development, written from what
 * Klarna documents (see the README's "Testing kit"). It never touches the network.
 */
import { configureKlarnaSdk } from '../sdk/loader.js';
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
export type FakeJourney = 'complete' | 'abort' | 'error' | 'none';

export interface FakeKlarnaOptions {
  /** The presentation's instruction; any string, to test unknown ones. Default SHOW_KLARNA. */
  instruction?: string;
  /** `options` (paymentOption / savedPaymentOption, current) or `flat` (latest revision's flat shape). */
  shape?: 'options' | 'flat';
  /** Adds a savedPaymentOption, as for a returning customer. */
  savedOption?: boolean;
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
  /** `params` (latest: `{ klarnaNetworkSessionToken, paymentOptionId }`) or `none` (r6/r8 call initiate without arguments). */
  initiateArgs?: 'params' | 'none';
  /** What the purchase journey does after initiate resolved. Default `complete`. */
  journey?: FakeJourney;
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
  config?: unknown;
}

export interface InitiateRecord {
  paymentOptionId: string;
  params?: InitiateParams;
  answer?: unknown;
  error?: unknown;
  settled: Promise<void>;
}

type Handler = (...args: unknown[]) => unknown;

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
  /** Payment event handlers registered on each instance, and when. */
  readonly handlers: Array<{ event: string; handler: Handler; registeredAt: number; instance: number }> = [];
  readonly module: KlarnaSdkModule;
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
  async emit(event: string, ...args: unknown[]): Promise<unknown[]> {
    const handlers = this.handlers.filter((entry) => entry.event === event);
    return Promise.all(handlers.map((entry) => entry.handler(...args)));
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
    const tokenSource = { token: () => this.sessionToken(), on: () => {} };
    return {
      Payment: {
        presentation: (request: PresentationRequest) => this.presentation(request, config, instance),
        on: (event: string, handler: Handler) => {
          this.handlers.push({ event, handler, registeredAt: performance.now(), instance });
        },
        off: (event: string, handler: Handler) => {
          const index = this.handlers.findIndex((entry) => entry.event === event && entry.handler === handler);
          if (index >= 0) this.handlers.splice(index, 1);
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
    const locale = request.locale || config.locale || 'en-US';
    const standard = this.option('KLARNA', false, request, locale, instance);
    const instruction = this.options.instruction ?? 'SHOW_KLARNA';
    if (this.options.shape === 'flat') {
      const { paymentOptionId: _id, ...flat } = standard;
      return { instruction, paymentStatus: 'REQUIRES_CUSTOMER_ACTION', ...flat };
    }
    return {
      instruction,
      paymentOption: standard,
      ...(this.options.savedOption ? { savedPaymentOption: this.option('SAVED_PAYMENT_OPTION', true, request, locale, instance) } : {}),
    };
  }

  private option(paymentOptionId: string, saved: boolean, request: PresentationRequest, locale: string, instance: number) {
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
    if (typeof request.amount === 'number') {
      try {
        instalment = new Intl.NumberFormat(locale, { style: 'currency', currency: request.currency }).format(request.amount / 400);
      } catch {
        instalment = `${(request.amount / 400).toFixed(2)} ${request.currency}`;
      }
    }
    return {
      icon: 'Klarna',
      header: custom.header ?? (saved ? 'Klarna ···· saved account' : 'Pay with Klarna'),
      subheader: custom.subheader ?? (instalment ? `4 interest-free payments of ${instalment}` : 'Flexible ways to pay'),
      message: custom.message ?? 'No interest, no fees when you pay on time.',
      terms: custom.terms ?? 'See payment terms. A higher initial payment may be required.',
      badge: custom.badge ?? 'Saved',
    };
  }

  private component(part: FakePartName, paymentOptionId: string, text: string, instance: number, config?: unknown): KlarnaUIElement {
    defineFakeElements();
    const element = document.createElement(PART_TAG);
    element.setAttribute('part-name', part);
    element.dataset.text = text;
    if (part === 'icon') element.dataset.shape = String((config as { shape?: string } | undefined)?.shape ?? 'default');
    return this.mountable(part, paymentOptionId, instance, element, config);
  }

  private button(paymentOptionId: string, config: PaymentButtonConfig, presentedIntents: Intent[], instance: number): KlarnaPaymentButton {
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

  private mountable(part: FakePartName, paymentOptionId: string, instance: number, element: HTMLElement, config?: unknown): KlarnaUIElement {
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
        element.remove();
        if (record && record.unmountedAt === undefined) record.unmountedAt = performance.now();
        return ui;
      },
    };
    return ui;
  }

  private async press(paymentOptionId: string, config: PaymentButtonConfig, element: HTMLElement) {
    if (element.hasAttribute('disabled')) return;
    const params = this.options.initiateArgs === 'none' ? undefined : { klarnaNetworkSessionToken: this.sessionToken(), paymentOptionId };
    let settle!: () => void;
    const record: InitiateRecord = { paymentOptionId, params, settled: new Promise((resolve) => (settle = resolve)) };
    this.initiateCalls.push(record);
    try {
      record.answer = await config.initiate(params);
    } catch (error) {
      record.error = error;
      settle();
      return;
    }
    settle();
    await this.journey(record.answer);
  }

  private async journey(answer: unknown) {
    const accepted = answer && typeof answer === 'object' ? (answer as Record<string, unknown>) : {};
    if (!['paymentRequestUrl', 'paymentRequestId', 'returnUrl', 'currency'].some((key) => key in accepted)) {
      await this.emit('error', klarnaError('INPUT_ERROR', 'INVALID_CALLBACK_RESPONSE', 'initiate resolved with nothing usable'));
      return;
    }
    if (typeof accepted.returnUrl === 'string' && !('paymentRequestUrl' in accepted) && !('paymentRequestId' in accepted)) {
      if (this.options.onNavigate) this.options.onNavigate(accepted.returnUrl);
      else location.assign(accepted.returnUrl);
      return;
    }
    const id = typeof accepted.paymentRequestId === 'string' ? accepted.paymentRequestId : `krn:payment:eu1:request:${nextId()}`;
    const outcome = this.options.openJourney ? await this.options.openJourney(accepted as { paymentRequestUrl?: string }) : (this.options.journey ?? 'complete');
    switch (outcome) {
      case 'complete':
        await this.emit('complete', { paymentRequestId: id, state: 'COMPLETED', previousState: 'IN_PROGRESS' });
        break;
      case 'abort':
        await this.emit('abort', { paymentRequestId: id, state: 'CANCELED', stateReason: 'PURCHASE_FLOW_ABORTED' });
        break;
      case 'error':
        await this.emit('error', klarnaError('TECHNICAL_ERROR', 'TECHNICAL_ERROR', 'The purchase journey failed'), {
          paymentRequestId: id,
          state: 'CANCELED',
          stateReason: 'TECHNICAL_ERROR',
        });
        break;
      case 'none':
        break;
    }
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
  return Object.assign(new Error(errorMessage), { name: 'KlarnaError', errorId: nextId(), errorType, errorCode, errorMessage });
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

/** Creates a fake and makes every pay-with-klarna element on the page use it. */
export function installFakeKlarna(options: FakeKlarnaOptions = {}, loader: { timeoutMs?: number; retryDelaysMs?: number[] } = {}): FakeKlarna {
  const fake = new FakeKlarna(options);
  configureKlarnaSdk({ sdk: fake.module, ...loader });
  return fake;
}
