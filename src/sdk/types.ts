/**
 * The parts of Klarna's Web SDK v2 that pay-with-klarna uses, typed loosely enough to accept
 * every revision Klarna has published (r6, r8 and the unversioned "latest").
 */

export type Instruction = 'SHOW_KLARNA' | 'PRESELECT_KLARNA' | 'SHOW_ONLY_KLARNA' | 'HIDE_KLARNA';
export type Intent = 'PAY' | 'SUBSCRIBE' | 'SIGNUP' | 'SIGNIN' | 'DONATE' | 'ADD_TO_WALLET';
export type InitiationMode = 'DEVICE_BEST' | 'REDIRECT' | 'ON_PAGE' | 'POPUP';
export type BillingInterval = 'DAY' | 'WEEK' | 'MONTH' | 'YEAR';
export type IconShape = 'default' | 'badge' | 'rectangle' | 'square';
export type ButtonShape = 'default' | 'pill' | 'rect';
export type ButtonTheme = 'default' | 'light' | 'dark' | 'outlined';

/** For acquiring partners: the payment account Klarna acts on (required when the object is given). */
export interface AcquiringConfig {
  paymentAccountId: string;
  [key: string]: unknown;
}

export interface SdkConfig {
  clientId: string;
  partnerAccountId?: string;
  products?: string[];
  locale?: string;
  sdkToken?: string;
  klarnaNetworkSessionToken?: string;
  acquiringConfig?: AcquiringConfig;
}

/** A UI element returned by any `component()` call of the SDK. */
export interface KlarnaUIElement {
  htmlElement?: HTMLElement;
  mount(container: string | HTMLElement): unknown;
  unmount(): unknown;
}

export interface KlarnaPaymentButton extends KlarnaUIElement {
  toggleState?(state: 'disabled' | 'loading', value?: boolean): unknown;
}

/** What the `initiate` callback is given by the current SDK; older revisions pass nothing. */
export interface InitiateParams {
  klarnaNetworkSessionToken?: string;
  paymentOptionId?: string;
  acquiringConfig?: unknown;
}

/** What the `initiate` callback may resolve with, one of Klarna's accepted variants. */
export type InitiateResult =
  | { paymentRequestUrl: string; shippingConfig?: object }
  | { paymentRequestId: string; shippingConfig?: object }
  | { returnUrl?: string }
  | Record<string, unknown>;

export interface PaymentButtonConfig {
  shape?: ButtonShape;
  theme?: ButtonTheme;
  locale?: string;
  intents?: Intent[];
  initiationMode?: InitiationMode;
  disabled?: boolean;
  loading?: boolean;
  initiate: (params?: InitiateParams) => Promise<InitiateResult>;
}

/** A presentation part: a component factory, and in r6 also raw text and image URLs. */
export interface PresentationPart {
  component?: (config?: Record<string, unknown>) => KlarnaUIElement;
  text?: string;
  alt?: string;
  badgeImageUrl?: string;
  rectangleImageUrl?: string;
  squareImageUrl?: string;
  short?: { text?: string; component?: () => KlarnaUIElement };
  enriched?: { text?: string; link?: { href?: string; linkText?: string }; component?: () => KlarnaUIElement };
}

export interface PresentationOption {
  paymentOptionId?: string;
  icon?: PresentationPart;
  badge?: PresentationPart;
  header?: PresentationPart;
  subheader?: PresentationPart;
  message?: PresentationPart;
  terms?: PresentationPart;
  paymentButton?: { component?: (config: PaymentButtonConfig) => KlarnaPaymentButton; text?: string };
}

/** Every presentation shape Klarna has documented or been seen to return. */
export interface PaymentPresentation extends PresentationOption {
  instruction?: string;
  paymentStatus?: string;
  paymentOption?: PresentationOption;
  savedPaymentOption?: PresentationOption;
}

export interface PresentationRequest {
  amount?: number;
  currency: string;
  locale: string;
  intents: Intent[];
  subscriptionBillingInterval?: BillingInterval;
  subscriptionBillingIntervalFrequency?: number;
}

/** Klarna's PaymentRequest, as handed to the payment events. */
export interface PaymentRequest {
  paymentRequestId?: string;
  state?: string;
  stateReason?: string;
  [key: string]: unknown;
}

export type PaymentEventName = 'complete' | 'abort' | 'error';

type PaymentCallback = (...args: any[]) => unknown;

export interface KlarnaPayment {
  presentation(data: PresentationRequest): Promise<PaymentPresentation>;
  on?(event: string, callback: PaymentCallback): unknown;
  /** One reference page lists these in place of `on`. */
  onComplete?(callback: PaymentCallback): unknown;
  onAbort?(callback: PaymentCallback): unknown;
  onError?(callback: PaymentCallback): unknown;
  off?(event: string, callback: PaymentCallback): unknown;
  cancel?(paymentRequestId: string): Promise<unknown>;
}

interface SessionTokenSource {
  token(): string | Promise<string>;
}

export interface Klarna {
  Payment: KlarnaPayment;
  Network?: { Session?: SessionTokenSource };
  Interoperability?: SessionTokenSource;
}

export interface KlarnaSdkModule {
  KlarnaSDK(config: SdkConfig): Promise<Klarna>;
}
