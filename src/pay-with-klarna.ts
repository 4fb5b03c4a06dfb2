import { ReactiveElement, type PropertyValues } from '@lit/reactive-element';
import {
  PRESENTATION_INPUTS,
  amountConverter,
  buttonConfigFor,
  intentsConverter,
  readPresentationInputs,
  resolveLocale,
} from './config.js';
import { PayWithKlarnaError, klarnaErrorCode, messageOf } from './errors.js';
import {
  KlarnaAbortEvent,
  KlarnaCompleteEvent,
  KlarnaErrorEvent,
  KlarnaInitiateEvent,
  KlarnaPresentationEvent,
} from './events.js';
import { GroupController } from './group-controller.js';
import { BackendCall, type InitiateHandler } from './initiate.js';
import { OptionMounts } from './option-mounts.js';
import { OptionRows } from './option-rows.js';
import { arrowDirection } from './payment-group.js';
import { PresentationController, type PresentationInputs } from './presentation-controller.js';
import {
  notEntitled,
  readPresentation,
  type OptionKind,
  type OptionView,
  type ReadPresentation,
} from './presentation.js';
import { networkSessionTokenOf, type KlarnaSession } from './sdk/session.js';
import type {
  AcquiringConfig,
  BillingInterval,
  ButtonShape,
  ButtonTheme,
  IconShape,
  InitiateParams,
  InitiateResult,
  InitiationMode,
  Instruction,
  Intent,
  PaymentPresentation,
  PaymentRequest,
} from './sdk/types.js';
import { styles } from './pay-with-klarna.styles.js';
import { stringsFor, type PayWithKlarnaStrings } from './strings.js';

type Status = 'loading' | 'ready' | 'hidden' | 'unavailable';

/** ElementInternals with form association and custom states, or undefined where the page lacks them. */
function supportedInternals(element: HTMLElement): ElementInternals | undefined {
  const internals = typeof element.attachInternals === 'function' ? element.attachInternals() : undefined;
  return typeof internals?.setFormValue === 'function' && internals.states ? internals : undefined;
}

/**
 * Klarna as one option in the checkout's group of payment methods, rendered exactly as Klarna's
 * payment presentation instructs, with Klarna's payment button calling your backend.
 *
 * @summary Klarna in any checkout page with one tag.
 *
 * @fires {KlarnaPresentationEvent} klarna-presentation - A presentation was applied; cancelable (leaves the group's other options alone).
 * @fires {Event} change - The customer selected or deselected Klarna.
 * @fires {KlarnaInitiateEvent} klarna-initiate - The button was pressed, before the backend call; cancelable (stops the payment).
 * @fires {KlarnaCompleteEvent} klarna-complete - Klarna's purchase journey completed: once per payment request, with `detail.klarnaNetworkSessionToken` from its stateContext. May not fire when the journey left the page (REDIRECT).
 * @fires {KlarnaAbortEvent} klarna-abort - The customer left Klarna's purchase journey; `detail.state` is Klarna's state of the payment request.
 * @fires {KlarnaErrorEvent} klarna-error - Something failed: `detail.phase`, `detail.reason`, `detail.retryable`, `detail.error`.
 *
 * @csspart options - The list of Klarna options.
 * @csspart option - One option: its radio row and, while selected, its details.
 * @csspart radio - The selectable row (role radio).
 * @csspart indicator - The radio's circle.
 * @csspart icon - Klarna's icon.
 * @csspart header - Klarna's header, the option's accessible name.
 * @csspart subheader - Klarna's subheader.
 * @csspart badge - Klarna's badge (saved option).
 * @csspart details - Message, terms and button, shown while the option is selected.
 * @csspart message - Klarna's message.
 * @csspart terms - Klarna's terms.
 * @csspart button - Klarna's payment button.
 * @csspart placeholder - The space kept while Klarna loads, not drawn; `visibility: visible` and a background make it a skeleton (which moves under SHOW_ONLY_KLARNA).
 *
 * @cssprop --pay-with-klarna-gap - Space between parts. Default 0.75rem.
 * @cssprop --pay-with-klarna-padding - Padding of a row. Default 0.5rem 1rem.
 * @cssprop --pay-with-klarna-option-min-height - Height kept while loading and the least height of a row. Default 4rem.
 * @cssprop --pay-with-klarna-radius - Corner radius. Default 0.5rem.
 * @cssprop --pay-with-klarna-border-color - Row and radio border (3.4:1 on white, as WCAG 1.4.11 asks of a control's outline). Default #8a8a94.
 * @cssprop --pay-with-klarna-accent-color - Selected border and radio. Default #0b051d.
 * @cssprop --pay-with-klarna-focus-ring - Focus outline. Default 2px solid #1a73e8.
 * @cssprop --pay-with-klarna-background - Row background. Default transparent.
 * @cssprop --pay-with-klarna-color - Text colour. Default inherit.
 *
 * @cssstate loading - Klarna is loading; the element keeps its height and draws nothing.
 * @cssstate ready - Klarna is shown.
 * @cssstate hidden - Klarna said HIDE_KLARNA; the element takes no space.
 * @cssstate unavailable - Something failed; the element takes no space.
 */
// No `implements KlarnaGroupMember, PaymentEventTarget`: their members are internal, left out of the
// published types; passing `this` to the group and the session checks the element against both.
export class PayWithKlarna extends ReactiveElement {
  static override styles = styles;
  static formAssociated = true;
  static override properties = {
    clientId: { attribute: 'client-id' },
    partnerAccountId: { attribute: 'partner-account-id' },
    sdkToken: { attribute: 'sdk-token' },
    klarnaNetworkSessionToken: { attribute: false },
    acquiringConfig: { attribute: false },
    amount: { converter: amountConverter },
    currency: {},
    locale: {},
    intents: { converter: intentsConverter },
    subscriptionBillingInterval: { attribute: 'subscription-billing-interval' },
    subscriptionBillingIntervalFrequency: { attribute: 'subscription-billing-interval-frequency', type: Number },
    initiateUrl: { attribute: 'initiate-url' },
    initiationMode: { attribute: 'initiation-mode' },
    buttonShape: { attribute: 'button-shape' },
    buttonTheme: { attribute: 'button-theme' },
    iconShape: { attribute: 'icon-shape' },
    name: { reflect: true },
    value: {},
    selected: { type: Boolean, reflect: true },
    disabled: { type: Boolean, reflect: true },
    initiateTimeout: { attribute: 'initiate-timeout', type: Number },
    initiate: { attribute: false },
    // read at the press, but declared so that frameworks, which check `name in element`, set them as properties
    initiateData: { attribute: false },
    requestInit: { attribute: false },
    strings: { attribute: false },
    status: { state: true },
    options: { state: true },
    selectedKind: { state: true },
    formDisabled: { state: true },
  };

  /** Your Klarna client identifier (required). */
  declare clientId?: string;
  /** The account acted for, for acquiring partners. */
  declare partnerAccountId?: string;
  /** A returning or signed-in customer's session, minted by your server (from a Klarna network session token); goes into `KlarnaSDK()`. */
  declare sdkToken?: string;
  /** A Klarna network session token your server holds for this customer; goes into `KlarnaSDK()`. */
  declare klarnaNetworkSessionToken?: string;
  /** For acquiring partners: `{ paymentAccountId, … }` (paymentAccountId required); goes into `KlarnaSDK()`. */
  declare acquiringConfig?: AcquiringConfig;
  /** Total in minor units (11800 = 118.00); required for the PAY, SUBSCRIBE and DONATE intents. */
  declare amount?: number;
  /** ISO 4217 currency code (required). */
  declare currency?: string;
  /** e.g. en-US; defaults to the page's lang, then the browser's. */
  declare locale?: string;
  /** Space-separated: PAY (default), SUBSCRIBE, SIGNUP, SIGNIN, DONATE, ADD_TO_WALLET. */
  declare intents?: Intent[];
  /** DAY, WEEK, MONTH or YEAR, for SUBSCRIBE. */
  declare subscriptionBillingInterval?: BillingInterval;
  /** How many intervals between charges, for SUBSCRIBE. */
  declare subscriptionBillingIntervalFrequency?: number;
  /** Your backend endpoint that the button's initiate callback POSTs to. */
  declare initiateUrl?: string;
  /** How Klarna's journey opens: DEVICE_BEST (default), REDIRECT, ON_PAGE, POPUP. */
  declare initiationMode?: InitiationMode;
  /** Klarna's button shape: default, pill, rect. */
  declare buttonShape?: ButtonShape;
  /** Klarna's button theme: default, light, dark, outlined. */
  declare buttonTheme?: ButtonTheme;
  /** Klarna's icon shape: badge (default), default, rectangle, square. */
  declare iconShape: IconShape;
  /** The name of the checkout's payment-method group; the element is one radio of it. */
  declare name: string;
  /** What the form submits while Klarna is selected. */
  declare value: string;
  /** Whether Klarna is the chosen payment method. */
  declare selected: boolean;
  /** Makes Klarna unselectable and its button inactive. */
  declare disabled: boolean;
  /** Longest wait for your backend, in milliseconds. */
  declare initiateTimeout: number;

  /** Replaces the built-in backend call: resolve with `{ paymentRequestUrl }`, `{ paymentRequestId }`, `{ returnUrl }` or `{ paymentRequestData }`. */
  declare initiate?: InitiateHandler;
  /** Added to the POST body (e.g. a cart id), never replacing the element's own fields: an object, or a function returning one. */
  declare initiateData?: Record<string, unknown> | (() => Record<string, unknown>);
  /** Replaces the element's own words (e.g. `{ loading: '…' }`); by default they follow the locale. */
  declare strings?: Partial<PayWithKlarnaStrings>;
  /** Headers and credentials for the POST (credentials default to same-origin). */
  declare requestInit?: Omit<RequestInit, 'body' | 'method' | 'signal'>;

  declare private status: Status;
  declare private options: OptionView[];
  declare private selectedKind?: OptionKind;
  declare private formDisabled: boolean;

  /** @internal How other pay-with-klarna elements of the group recognise this one. */
  readonly isKlarnaGroupMember = true as const;
  /** The presentation shown and how it was read; nothing on screen depends on it directly. */
  #applied?: { presentation: PaymentPresentation; instruction: Instruction };
  /** The session and inputs the shown presentation came from: its button's payment starts there. */
  #session?: KlarnaSession;
  #inputs?: PresentationInputs;
  /** Undefined where the page lacks what the element needs (jsdom, happy-dom): see connectedCallback. */
  readonly #internals = supportedInternals(this);
  #rows?: OptionRows;
  readonly #mounts = new OptionMounts(this);
  readonly #group = new GroupController(this);
  readonly #backend = new BackendCall();
  readonly #presentations = new PresentationController(this, {
    applied: (presentation, session, inputs) => this.#applyPresentation(presentation, session, inputs),
    failed: (error) => this.#becomeUnavailable(error),
  });
  // The press: one payment started at a time.
  #initiating?: Promise<InitiateResult>;
  /** The option whose button started the payment. */
  #pressedKind?: OptionKind;
  /** The last press's initiate rejected: an SDK error that follows belongs to it. */
  #initiateRejected = false;
  #deferredPresentation?: () => void;
  #initiateAbort?: AbortController;
  // What has been said, so that it is said once.
  #lastConfigError?: string;
  readonly #warned = new Set<string>();
  #unsupportedReported = false;

  constructor() {
    super();
    // Defaults here, not as field initialisers: with define semantics for class fields (TypeScript's
    // default for ES2022, which this project builds with) those would shadow Lit's accessors.
    this.iconShape = 'badge';
    this.name = '';
    this.value = 'klarna';
    this.selected = false;
    this.disabled = false;
    this.initiateTimeout = 30000;
    this.status = 'loading';
    this.options = [];
    this.formDisabled = false;
  }

  /** The instruction of the presentation shown, if any. */
  get instruction(): Instruction | undefined {
    return this.#applied?.instruction;
  }
  /** The id of the selected Klarna option, to send to your backend (none in a presentation that carries no ids). */
  get paymentOptionId(): string | undefined {
    return this.#selectedOption?.id;
  }
  /** @internal One of Klarna's options is selected and shown. */
  get optionChecked(): boolean {
    return this.#selectedOption !== undefined;
  }
  /** The presentation shown, as Klarna returned it. */
  get presentation(): PaymentPresentation | undefined {
    return this.#applied?.presentation;
  }
  /** The form the element belongs to, as for native form controls. */
  get form(): HTMLFormElement | null {
    return this.#internals?.form ?? null;
  }
  /** @internal Its options' radios that the customer sees, in order: the group counts them. */
  get shownRadios(): HTMLElement[] {
    return this.#rows?.shownRadios ?? [];
  }

  get #selectedOption(): OptionView | undefined {
    return this.options.find((option) => option.kind === this.selectedKind);
  }

  get #isDisabled(): boolean {
    return this.disabled || this.formDisabled;
  }

  /** Asks Klarna for the presentation again (e.g. after a failure). */
  refresh(): void {
    if (!this.#internals) return; // an unsupported environment: see connectedCallback
    this.#lastConfigError = undefined;
    this.#requestPresentation();
  }

  override connectedCallback(): void {
    // Without form association and custom states the element does one thing: it says so, once, and
    // stays inert (no rendering, no SDK), instead of failing on every update.
    if (!this.#internals) return this.#reportUnsupported();
    super.connectedCallback();
    this.#setStatus(this.status === 'ready' ? 'loading' : this.status);
    if (this.hasUpdated) this.#requestPresentation(); // reconnected: mount afresh
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#initiateAbort?.abort();
    this.#session?.detach(this);
    this.#session = undefined;
    this.#mounts.unmountAll();
    this.options = [];
    this.#lastConfigError = undefined;
    this.#setStatus('loading');
  }

  /** Moves focus to Klarna's selected option, else to its first option. */
  override focus(options?: FocusOptions): void {
    this.#rows?.radioFor(this.selectedKind ?? this.options[0]?.kind)?.focus(options);
  }

  protected override willUpdate(changed: PropertyValues): void {
    // The backend settings are read at the press, but their absence is a configuration error: set
    // later than the rest (e.g. by a framework), or taken away, they are checked again.
    const backendChanged = changed.has('initiateUrl') || changed.has('initiate');
    const backendToCheck =
      backendChanged && (this.#lastConfigError !== undefined || (!this.initiateUrl && !this.initiate));
    if (!this.hasUpdated || backendToCheck || PRESENTATION_INPUTS.some((key) => changed.has(key)))
      this.#requestPresentation();
    if (changed.has('selected') && this.hasUpdated) this.#syncSelectedProperty();
    this.#syncButton();
    if (changed.has('disabled') || changed.has('formDisabled'))
      this.#mounts.setButtonsState('disabled', this.#isDisabled);
    if (changed.has('selectedKind') || changed.has('value'))
      this.#internals?.setFormValue(this.selectedKind ? this.value : null);
  }

  protected override createRenderRoot(): ShadowRoot {
    const root = super.createRenderRoot() as ShadowRoot;
    this.#rows = new OptionRows(root, {
      chosen: (kind) => this.#chooseFromCustomer(kind),
      keydown: (event, kind) => this.#onRadioKeydown(event, kind),
    });
    return root;
  }

  protected override update(changed: PropertyValues): void {
    super.update(changed);
    const loading = this.status === 'loading' && this.options.length === 0;
    this.#rows!.paint({
      loading,
      loadingText: loading ? stringsFor(resolveLocale(this, this.locale), this.strings).loading : '',
      options: this.options,
      selectedKind: this.selectedKind,
      disabled: this.#isDisabled,
      tabStop: this.#group.tabStop(this.options[0]?.kind, this.selectedKind, this.#isDisabled),
    });
  }

  // ---- presentation ----------------------------------------------------------------------------

  #requestPresentation(): void {
    let inputs: PresentationInputs;
    try {
      inputs = readPresentationInputs(this, resolveLocale(this, this.locale));
    } catch (error) {
      const failure = error as PayWithKlarnaError;
      this.#presentations.cancel(); // an answer for the previous, valid attributes must not appear now
      if (failure.message !== this.#lastConfigError) {
        this.#lastConfigError = failure.message;
        this.#becomeUnavailable(failure);
      }
      return;
    }
    this.#lastConfigError = undefined;
    if (this.status !== 'ready') this.#setStatus('loading');
    this.#presentations.request(inputs);
  }

  #applyPresentation(presentation: PaymentPresentation, session: KlarnaSession, inputs: PresentationInputs): void {
    if (this.#initiating) {
      // Never unmount the button whose payment is under way: apply once it has settled.
      this.#deferredPresentation = () => this.#applyPresentation(presentation, session, inputs);
      return;
    }
    // Remounting Klarna's components (an amount change) drops the focus of a customer on them.
    const hadFocus = this.matches(':focus-within');
    const read = this.#showPresentation(presentation, session, inputs);
    if (read) this.#followInstruction(read, presentation, hadFocus);
  }

  /** Mounts what Klarna sent, for the session that sent it; or, when that cannot be shown, becomes unavailable. */
  #showPresentation(
    presentation: PaymentPresentation,
    session: KlarnaSession,
    inputs: PresentationInputs,
  ): ReadPresentation | undefined {
    try {
      const read = readPresentation(presentation);
      if (read.fallback) throw notEntitled(inputs.sdkConfig.clientId);
      const unknown = read.unknownInstruction;
      if (unknown !== undefined && !this.#warned.has(unknown)) {
        this.#warned.add(unknown);
        console.warn(`<pay-with-klarna>: unknown instruction ${JSON.stringify(unknown)}, shown as SHOW_KLARNA.`);
      }
      if (this.#session !== session) {
        this.#session?.detach(this);
        session.attach(this);
        this.#session = session;
      }
      this.#inputs = inputs;
      if (read.instruction === 'HIDE_KLARNA') this.#mounts.unmountAll();
      else this.#mounts.mountAll(read.options, this.iconShape);
      return read;
    } catch (error) {
      this.#mounts.unmountAll();
      const message = `Klarna's components could not be shown: ${messageOf(error)}`;
      this.#becomeUnavailable(
        error instanceof PayWithKlarnaError
          ? error
          : new PayWithKlarnaError('presentation', 'presentation', message, { cause: error }),
      );
      return undefined;
    }
  }

  /** Follows Klarna's instruction: the element's status, the selection, and the group's other methods. */
  #followInstruction(
    { instruction, options }: ReadPresentation,
    presentation: PaymentPresentation,
    hadFocus: boolean,
  ): void {
    const firstApplied = !this.#applied;
    this.#applied = { presentation, instruction };
    const hide = instruction === 'HIDE_KLARNA';
    this.options = hide ? [] : options;
    const kept = options.some((option) => option.kind === this.selectedKind) ? this.selectedKind : undefined;
    const instructed =
      instruction === 'SHOW_ONLY_KLARNA' ||
      (instruction === 'PRESELECT_KLARNA' && firstApplied && !this.#group.customerChose);
    this.#setStatus(hide ? 'hidden' : 'ready');
    if (hadFocus) this.#keepFocus();

    const paymentOptionIds = options.flatMap((option) => option.id ?? []);
    const event = new KlarnaPresentationEvent({
      instruction,
      paymentStatus: presentation.paymentStatus,
      paymentOptionIds,
    });
    this.dispatchEvent(event);
    // Cancelled: Klarna is shown, but the group is left as the merchant has it.
    const select = !hide && (this.selected || (instructed && !event.defaultPrevented));
    this.#setSelection(select ? (kept ?? options[0]!.kind) : undefined);
    if (instruction !== 'SHOW_ONLY_KLARNA' || event.defaultPrevented) this.#group.showOthers();
    if (event.defaultPrevented) return;
    if (this.selectedKind && instructed) this.#group.uncheckOthers(false);
    // A customer on a method now hidden (its radio, a card field) goes on to Klarna, not to the page.
    if (instruction === 'SHOW_ONLY_KLARNA' && this.#group.hideOthers() && !document.activeElement?.checkVisibility())
      this.#keepFocus();
  }

  /**
   * Focus was inside, and a remount or Klarna going away took it: back to Klarna's option, or, with
   * nothing left to show, on to the group's next method, as when a focused radio disappears.
   */
  #keepFocus(): void {
    void this.updateComplete.then(() =>
      this.options.length ? this.matches(':focus-within') || this.focus() : this.#group.next(1)?.focus(),
    );
  }

  #becomeUnavailable(error: PayWithKlarnaError): void {
    if (this.matches(':focus-within')) this.#keepFocus();
    this.#mounts.unmountAll();
    this.options = [];
    this.#applied = undefined;
    this.#setSelection(undefined);
    this.#group.showOthers();
    this.#setStatus('unavailable');
    this.#reportError(error);
  }

  #setStatus(status: Status): void {
    this.status = status;
    try {
      // the element's only custom states are its statuses
      this.#internals!.states.clear();
      this.#internals!.states.add(status);
    } catch {
      // Browsers older than those supported lack custom states (or want --names): the element still
      // works, and takes no space when it has nothing to show, as its parts are then all hidden.
    }
  }

  #reportUnsupported(): void {
    if (this.#unsupportedReported) return;
    this.#unsupportedReported = true;
    // a microtask later, as any other error: a listener added right after the element was created hears it
    const error = new PayWithKlarnaError(
      'init',
      'unsupported-environment',
      'this page lacks ElementInternals (jsdom, happy-dom): use a real browser.',
    );
    queueMicrotask(() => this.#reportError(error));
  }

  #reportError(error: PayWithKlarnaError, paymentRequest?: PaymentRequest): void {
    // Said on the console too, for a page that does not listen for klarna-error (Klarna would
    // vanish without a word): a bad attribute or a page Klarna does not accept is the page's own
    // error, anything else a warning.
    const pagesOwn = error.reason === 'invalid-config' || error.reason === 'not-entitled';
    console[pagesOwn ? 'error' : 'warn'](`<pay-with-klarna>: ${error.message}`);
    this.dispatchEvent(new KlarnaErrorEvent(error, paymentRequest));
  }

  // ---- selection -------------------------------------------------------------------------------

  #setSelection(kind: OptionKind | undefined): void {
    this.selectedKind = kind;
    this.selected = kind !== undefined;
  }

  /** Someone set `selected` in code: follow it, without a change event. */
  #syncSelectedProperty(): void {
    if (this.selected === (this.selectedKind !== undefined)) return;
    if (!this.selected) {
      this.selectedKind = undefined;
    } else if (this.options.length > 0) {
      this.selectedKind = this.options[0]!.kind;
      this.#group.uncheckOthers(false);
    }
  }

  #chooseFromCustomer(kind: OptionKind): void {
    if (this.#isDisabled || !this.options.some((option) => option.kind === kind)) return;
    this.#group.customerChose = true;
    this.#rows?.radioFor(kind)?.focus();
    if (this.selectedKind === kind) return;
    this.#setSelection(kind);
    this.#group.uncheckOthers(true);
    this.dispatchEvent(new Event('change', { bubbles: true }));
  }

  /** @internal Another member of the group was chosen. */
  releaseSelection(byCustomer: boolean): void {
    if (!this.selectedKind) return;
    this.#setSelection(undefined);
    if (byCustomer) this.dispatchEvent(new Event('change', { bubbles: true }));
  }

  /** @internal An arrow key moved into this element from a neighbour of the group: forward (1) to its first option, back (-1) to its last. */
  selectFromKeyboard(direction: 1 | -1): boolean {
    const option = this.options.at(direction > 0 ? 0 : -1);
    if (!option || this.#isDisabled) return false;
    this.#chooseFromCustomer(option.kind);
    return true;
  }

  #onRadioKeydown(event: KeyboardEvent, kind: OptionKind): void {
    if (event.key === ' ') {
      event.preventDefault();
      this.#chooseFromCustomer(kind);
      return;
    }
    const direction = arrowDirection(event);
    if (!direction || this.#isDisabled) return;
    event.preventDefault();
    const inside = this.options[this.options.findIndex((option) => option.kind === kind) + direction];
    if (inside) this.#chooseFromCustomer(inside.kind);
    else this.#group.moveOn(direction);
  }

  /** @internal Called by the browser for a form-associated element. */
  formDisabledCallback(disabled: boolean): void {
    this.formDisabled = disabled;
  }

  /** @internal Called by the browser for a form-associated element. */
  formResetCallback(): void {
    this.#setSelection(undefined);
  }

  // ---- the button and the backend ----------------------------------------------------------------

  /** Klarna's button follows the selection; the one whose payment is being started stays until it settles. */
  #syncButton(): void {
    try {
      const keep = this.#initiating && this.#pressedKind;
      const config = (option: OptionView) =>
        buttonConfigFor(this, this.#inputs?.request, this.#isDisabled, (params) => this.#startPayment(option, params));
      if (this.#mounts.syncButton(this.#selectedOption, config, keep || undefined)) this.#keepFocus();
    } catch (error) {
      this.#becomeUnavailable(
        new PayWithKlarnaError('presentation', 'presentation', `Klarna's button failed: ${messageOf(error)}`, {
          cause: error,
        }),
      );
    }
  }

  /** One initiate at a time: a second press while one runs is refused, so one journey starts. */
  #startPayment(option: OptionView, params?: InitiateParams): Promise<InitiateResult> {
    if (this.#initiating) return Promise.reject(new DOMException('A payment is already being started.', 'AbortError'));
    this.#pressedKind = option.kind;
    this.#initiateRejected = false;
    const running = this.#runInitiate(option, params).finally(() => {
      this.#initiating = undefined;
      const deferred = this.#deferredPresentation;
      this.#deferredPresentation = undefined;
      deferred?.();
      this.requestUpdate(); // a button kept while its payment was being started may go now
    });
    this.#initiating = running;
    return running;
  }

  async #runInitiate(option: OptionView, params?: InitiateParams): Promise<InitiateResult> {
    const session = this.#session;
    const inputs = this.#inputs;
    if (!session || !inputs) throw new PayWithKlarnaError('initiate', 'initiate', 'Klarna is not ready yet.');
    session.startFlow(this);
    this.#mounts.setButtonsState('loading', true, option.kind);
    const { signal } = (this.#initiateAbort = new AbortController());
    const pressed = async () => {
      const paymentOptionId = params?.paymentOptionId || option.id;
      const token = params?.klarnaNetworkSessionToken || (await session.sessionToken());
      const announce = new KlarnaInitiateEvent({ paymentOptionId });
      this.dispatchEvent(announce);
      if (announce.defaultPrevented) throw new DOMException('klarna-initiate was canceled.', 'AbortError');
      return { klarnaNetworkSessionToken: token, paymentOptionId, ...inputs.request };
    };
    try {
      return await this.#backend.initiate(this, pressed, signal);
    } catch (error) {
      // Said once, here (or not at all, for a press the page stopped): the SDK may also emit error for this press.
      this.#initiateRejected = true;
      if (error instanceof PayWithKlarnaError) this.#reportError(error);
      throw error;
    } finally {
      this.#mounts.setButtonsState('loading', false, option.kind);
    }
  }

  // ---- Klarna's payment events, routed here by the SDK session -----------------------------------

  /** @internal */
  paymentCompleted(paymentRequest: PaymentRequest): boolean {
    return this.dispatchEvent(
      new KlarnaCompleteEvent({ paymentRequest, klarnaNetworkSessionToken: networkSessionTokenOf(paymentRequest) }),
    );
  }

  /** @internal */
  paymentAborted(paymentRequest: PaymentRequest): void {
    this.#mounts.setButtonsState('loading', false);
    this.dispatchEvent(new KlarnaAbortEvent({ paymentRequest, state: paymentRequest.state }));
  }

  /** @internal Klarna's newer version of the presentation shown: applied as a new one would be. */
  presentationUpdated(presentation: PaymentPresentation): void {
    if (this.#applied && this.#session && this.#inputs)
      this.#applyPresentation(presentation, this.#session, this.#inputs);
  }

  /** @internal */
  paymentFailed(error: unknown, paymentRequest?: PaymentRequest): void {
    this.#mounts.setButtonsState('loading', false);
    if (this.#initiateRejected) {
      this.#initiateRejected = false;
      return; // the SDK's echo of a press whose initiate failed (reported then) or was cancelled
    }
    const code = klarnaErrorCode(error);
    const message = `Klarna reported a payment error: ${messageOf(error)}`;
    this.#reportError(
      new PayWithKlarnaError('payment', code ?? 'payment', message, { code, cause: error }),
      paymentRequest,
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pay-with-klarna': PayWithKlarna;
  }
}

// The types this element's API names, also exported from its own module: tools that read
// custom-elements.json (framework type generators, its validator) import them from here.
export type {
  KlarnaAbortDetail,
  KlarnaCompleteDetail,
  KlarnaErrorDetail,
  KlarnaInitiateDetail,
  KlarnaPaymentDetail,
  KlarnaPresentationDetail,
} from './events.js';
export type { InitiateHandler } from './initiate.js';
export type {
  AcquiringConfig,
  BillingInterval,
  ButtonShape,
  ButtonTheme,
  IconShape,
  InitiationMode,
  Instruction,
  Intent,
  PaymentPresentation,
} from './sdk/types.js';
export type { PayWithKlarnaStrings } from './strings.js';
