import { PayWithKlarnaError } from './errors.js';
import type {
  IconShape,
  Instruction,
  KlarnaUIElement,
  PaymentPresentation,
  PresentationOption,
  PresentationPart,
} from './sdk/types.js';

export const INSTRUCTIONS: readonly Instruction[] = [
  'SHOW_KLARNA',
  'PRESELECT_KLARNA',
  'SHOW_ONLY_KLARNA',
  'HIDE_KLARNA',
];

/** The two rows an element can show, in the order Klarna asks for: a saved option first. */
export type OptionKind = 'saved' | 'standard';
export const OPTION_KINDS: readonly OptionKind[] = ['saved', 'standard'];

export type PartName = 'icon' | 'badge' | 'header' | 'subheader' | 'message' | 'terms' | 'button';
/** The radio row's parts, then the details shown while the option is selected. */
export const PARTS: readonly PartName[] = ['icon', 'header', 'subheader', 'badge', 'message', 'terms', 'button'];

export interface OptionView {
  kind: OptionKind;
  /** Klarna's id for the option; the latest flat shape carries none (the SDK hands it to initiate). */
  id?: string;
  source: PresentationOption;
}

/**
 * The option ids of the presentation Klarna's SDK makes up when Klarna refused the client id or the
 * page's origin (a 401 it does not pass on): a generic Klarna option with no session behind it.
 */
export const FALLBACK_OPTION_IDS: readonly string[] = ['KLARNA', 'CHANGE_PLAN', 'SAVED_PAYMENT_OPTION'];

export interface ReadPresentation {
  instruction: Instruction;
  /** Set when Klarna sent an instruction this version does not know; it is then shown as SHOW_KLARNA. */
  unknownInstruction?: string;
  options: OptionView[];
  /** Every option carries one of Klarna's fallback ids: Klarna did not accept this page. */
  fallback: boolean;
}

/** Reads both shapes Klarna returns: options (`paymentOption`/`savedPaymentOption`) or flat. */
export function readPresentation(presentation: PaymentPresentation | undefined): ReadPresentation {
  if (!presentation || typeof presentation !== 'object') {
    throw new PayWithKlarnaError('presentation', 'presentation', 'Klarna sent an empty presentation.');
  }
  const raw = presentation.instruction;
  const known = INSTRUCTIONS.includes(raw as Instruction);
  const instruction: Instruction = known ? (raw as Instruction) : 'SHOW_KLARNA';

  const options: OptionView[] = [];
  const { savedPaymentOption: saved, paymentOption: standard } = presentation;
  if (isOption(saved)) options.push({ kind: 'saved', id: saved.paymentOptionId, source: saved });
  if (isOption(standard)) options.push({ kind: 'standard', id: standard.paymentOptionId, source: standard });
  if (options.length === 0 && isOption(presentation)) {
    options.push({ kind: 'standard', id: presentation.paymentOptionId, source: presentation });
  }
  if (options.length === 0 && instruction !== 'HIDE_KLARNA') {
    throw new PayWithKlarnaError(
      'presentation',
      'presentation',
      'Klarna sent a presentation with no payment option to show.',
    );
  }
  const fallback = options.length > 0 && options.every((option) => FALLBACK_OPTION_IDS.includes(option.id!));
  return { instruction, unknownInstruction: known ? undefined : String(raw), options, fallback };
}

/** Klarna's fallback presentation, as the failure it is: said once, naming what to check. */
export function notEntitled(clientId: string): PayWithKlarnaError {
  const { origin } = location;
  return new PayWithKlarnaError(
    'presentation',
    'not-entitled',
    `Klarna did not accept client id ${clientId} on ${origin}: put ${origin} on its allowlist.`,
  );
}

function isOption(value: unknown): value is PresentationOption {
  if (!value || typeof value !== 'object') return false;
  const option = value as PresentationOption;
  return Boolean(option.header || option.paymentButton);
}

export function hasPart(source: PresentationOption, part: PartName): boolean {
  const value = part === 'button' ? source.paymentButton : partOf(source, part);
  return Boolean(value && typeof value === 'object');
}

/**
 * What to mount for `part` (the button aside). r6's flat subheader comes in two forms: the short
 * one goes in the row, the enriched one (with its link) is the selected option's message.
 */
export function partOf(source: PresentationOption, part: Exclude<PartName, 'button'>): PresentationPart | undefined {
  const { subheader } = source;
  if (part === 'subheader' && subheader?.short && !subheader.component) return subheader.short;
  if (part === 'message') return source.message ?? subheader?.enriched;
  return source[part];
}

/**
 * Mounts one presentation part into `container`. Every documented SDK revision gives each part a
 * component, which Klarna keeps current. A part without one shows its raw text, if any, as text;
 * raw image URLs and links are never used (they would be the SDK's markup from outside the SDK).
 */
export function mountPart(
  part: PresentationPart,
  container: HTMLElement,
  iconShape: IconShape,
  isIcon: boolean,
): KlarnaUIElement | undefined {
  if (typeof part.component === 'function') {
    const element = part.component(isIcon ? { shape: iconShape } : undefined);
    element.mount(container);
    return element;
  }
  const text = isIcon ? undefined : (part.text ?? part.short?.text ?? part.enriched?.text);
  if (text) container.append(text);
  return undefined;
}
