import { PayWithKlarnaError } from './errors.js';
import type { PresentationInputs } from './presentation-controller.js';
import type {
  AcquiringConfig,
  BillingInterval,
  ButtonShape,
  ButtonTheme,
  InitiationMode,
  Intent,
  PaymentButtonConfig,
  PresentationRequest,
  SdkConfig,
} from './sdk/types.js';

export const INTENTS: readonly Intent[] = ['PAY', 'SUBSCRIBE', 'SIGNUP', 'SIGNIN', 'DONATE', 'ADD_TO_WALLET'];
const AMOUNT_INTENTS: readonly Intent[] = ['PAY', 'SUBSCRIBE', 'DONATE'];
const INTERVALS: readonly BillingInterval[] = ['DAY', 'WEEK', 'MONTH', 'YEAR'];
export const INITIATION_MODES: readonly InitiationMode[] = ['DEVICE_BEST', 'REDIRECT', 'ON_PAGE', 'POPUP'];

/** What goes into `KlarnaSDK()` besides the locale. */
export interface SdkAttributes {
  clientId?: string | null;
  partnerAccountId?: string | null;
  sdkToken?: string | null;
  klarnaNetworkSessionToken?: string;
  acquiringConfig?: AcquiringConfig;
}

/**
 * The properties that decide what Klarna presents and how its components are made: a change
 * mounts them afresh.
 */
export const PRESENTATION_INPUTS = [
  'clientId',
  'partnerAccountId',
  'sdkToken',
  'klarnaNetworkSessionToken',
  'acquiringConfig',
  'amount',
  'currency',
  'locale',
  'intents',
  'subscriptionBillingInterval',
  'subscriptionBillingIntervalFrequency',
  'initiationMode',
  'buttonShape',
  'buttonTheme',
  'iconShape',
] as const;

/** The attributes that decide what Klarna presents, and the backend the element calls. */
export interface PresentationAttributes extends SdkAttributes {
  /** A number, or a string of digits: frameworks such as React 19 set `amount="11800"` as a string property. */
  amount?: number | string;
  currency?: string;
  locale?: string;
  intents?: Intent[] | string;
  subscriptionBillingInterval?: string;
  subscriptionBillingIntervalFrequency?: number | string;
  initiationMode?: string;
  // The backend is called at the press, but a missing one is a configuration error, said at once.
  initiateUrl?: string;
  initiate?: unknown;
}

/** Whole numbers as numbers; a string must be digits only ("118.00" is NaN, so it is refused). */
const wholeNumber = (value: number | string | undefined) =>
  typeof value === 'string' ? amountConverter(value) : value;

/** `amount` accepts whole numbers only: "118.00" is a mistake for 11800, not 118. Neither is reflected. */
export const amountConverter = (value: string | null) =>
  value === null ? undefined : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
export const intentsConverter = (value: string | null) => (value === null ? undefined : parseIntents(value));

function parseIntents(value: Intent[] | string): string[] {
  const list = Array.isArray(value) ? value : value.split(/[\s,]+/);
  return list.map((intent) => String(intent).trim().toUpperCase()).filter(Boolean);
}

/** A bad attribute: the page's own error. */
export const invalid = (message: string) => new PayWithKlarnaError('init', 'invalid-config', message);

/** The locale of `element`: its `locale`, else the nearest `lang`, else the browser's. */
export function resolveLocale(element: Element, locale: string | null | undefined): string {
  if (locale) return locale;
  const lang = element.closest('[lang]')?.getAttribute('lang')?.trim();
  const browser = navigator.language || 'en-US';
  if (!lang) return browser;
  // A bare language ("de") takes the browser's region when the languages agree ("de-AT").
  if (!lang.includes('-') && browser.toLowerCase().startsWith(`${lang.toLowerCase()}-`)) return browser;
  return lang;
}

/** The `KlarnaSDK()` configuration for these attributes (unset ones left out); none without a client id. */
export function sdkConfigFor(attributes: SdkAttributes, locale: string): SdkConfig | undefined {
  const clientId = attributes.clientId?.trim();
  if (!clientId) return undefined;
  const sdkConfig: SdkConfig = { clientId, locale };
  for (const key of ['partnerAccountId', 'sdkToken', 'klarnaNetworkSessionToken'] as const) {
    const value = attributes[key]?.trim();
    if (value) sdkConfig[key] = value;
  }
  if (attributes.acquiringConfig) sdkConfig.acquiringConfig = attributes.acquiringConfig;
  return sdkConfig;
}

/** `value`, when `allowed` lists it; else the error that names the attribute and what it may be. */
function oneOf<T extends string>(attribute: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw invalid(`${attribute} must be one of ${allowed.join(', ')} (got ${value}).`);
  return value as T;
}

/** Turns the attributes into an SDK configuration and a presentation request, or names what is wrong. */
export function readPresentationInputs(attributes: PresentationAttributes, locale: string): PresentationInputs {
  const { currency } = attributes;
  const amount = wholeNumber(attributes.amount);
  const sdkConfig = sdkConfigFor(attributes, locale);
  if (!sdkConfig) throw invalid('client-id is required (your Klarna client id).');
  const { acquiringConfig } = attributes;
  if (
    acquiringConfig != null &&
    (typeof acquiringConfig !== 'object' ||
      typeof acquiringConfig.paymentAccountId !== 'string' ||
      !acquiringConfig.paymentAccountId.trim())
  ) {
    throw invalid('acquiringConfig needs its paymentAccountId.');
  }
  if (!currency || !/^[A-Za-z]{3}$/.test(currency.trim())) {
    throw invalid(`currency must be a three-letter ISO 4217 code (got ${JSON.stringify(currency ?? null)}).`);
  }
  const intents = parseIntents(attributes.intents ?? ['PAY']);
  const unknown = intents.filter((intent) => !INTENTS.includes(intent as Intent));
  if (unknown.length) throw invalid(`unknown intents ${unknown.join(', ')}: use ${INTENTS.join(', ')}.`);
  if (intents.length === 0) intents.push('PAY');
  if (amount !== undefined && (!Number.isSafeInteger(amount) || amount < 0)) {
    throw invalid('amount must be a whole number of minor units, e.g. 11800 for 118.00.');
  }
  const needAmount = intents.filter((intent) => AMOUNT_INTENTS.includes(intent as Intent));
  if (amount === undefined && needAmount.length)
    throw invalid(`amount is required for the ${needAmount.join(' and ')} intent.`);
  if (attributes.initiationMode) oneOf('initiation-mode', attributes.initiationMode, INITIATION_MODES);
  const request: PresentationInputs['request'] = {
    currency: currency.trim().toUpperCase(),
    locale,
    intents: intents as Intent[],
  };
  if (amount !== undefined) request.amount = amount;
  const interval = attributes.subscriptionBillingInterval?.trim().toUpperCase();
  if (interval) request.subscriptionBillingInterval = oneOf('subscription-billing-interval', interval, INTERVALS);
  const frequency = wholeNumber(attributes.subscriptionBillingIntervalFrequency ?? undefined);
  if (frequency !== undefined) {
    if (!Number.isSafeInteger(frequency) || frequency < 1) {
      throw invalid('subscription-billing-interval-frequency must be a whole number above 0.');
    }
    request.subscriptionBillingIntervalFrequency = frequency;
  }
  if (!attributes.initiateUrl && !attributes.initiate)
    throw invalid('initiate-url or the initiate property is required.');
  return { sdkConfig, request };
}

/** The attributes that shape Klarna's payment button. */
export interface ButtonAttributes {
  buttonShape?: ButtonShape;
  buttonTheme?: ButtonTheme;
  initiationMode?: InitiationMode;
}

/** The configuration of Klarna's payment button for the presented request. */
export function buttonConfigFor(
  attributes: ButtonAttributes,
  request: PresentationRequest | undefined,
  disabled: boolean,
  initiate: PaymentButtonConfig['initiate'],
): PaymentButtonConfig {
  const config: PaymentButtonConfig = { locale: request?.locale, initiate };
  // ADD_TO_WALLET is a presentation intent; the button knows PAY, SUBSCRIBE, SIGNUP, SIGNIN and DONATE
  const intents = request?.intents.filter((intent) => intent !== 'ADD_TO_WALLET');
  if (intents?.length) config.intents = intents;
  if (attributes.buttonShape) config.shape = attributes.buttonShape;
  if (attributes.buttonTheme) config.theme = attributes.buttonTheme;
  if (attributes.initiationMode) config.initiationMode = attributes.initiationMode;
  if (disabled) config.disabled = true;
  return config;
}
