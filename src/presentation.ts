import { PayWithKlarnaError } from './errors.js';
import type {
  IconShape,
  Instruction,
  KlarnaUIElement,
  PaymentPresentation,
  PresentationOption,
  PresentationPart,
} from './sdk/types.js';

export const INSTRUCTIONS: readonly Instruction[] = ['SHOW_KLARNA', 'PRESELECT_KLARNA', 'SHOW_ONLY_KLARNA', 'HIDE_KLARNA'];

/** The two rows an element can show, in the order Klarna asks for: a saved option first. */
export type OptionKind = 'saved' | 'standard';
export const OPTION_KINDS: readonly OptionKind[] = ['saved', 'standard'];

export type PartName = 'icon' | 'badge' | 'header' | 'subheader' | 'message' | 'terms' | 'button';
/** The radio row's parts, then the details shown while the option is selected. */
export const PARTS: readonly PartName[] = ['icon', 'header', 'subheader', 'badge', 'message', 'terms', 'button'];

export interface OptionView {
  kind: OptionKind;
  id: string;
  source: PresentationOption;
}

export interface ReadPresentation {
  instruction: Instruction;
  /** Set when Klarna sent an instruction this version does not know; it is then shown as SHOW_KLARNA. */
  unknownInstruction?: string;
  options: OptionView[];
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
  if (isOption(saved)) options.push({ kind: 'saved', id: saved.paymentOptionId ?? 'SAVED_PAYMENT_OPTION', source: saved });
  if (isOption(standard)) options.push({ kind: 'standard', id: standard.paymentOptionId ?? 'KLARNA', source: standard });
  if (options.length === 0 && isOption(presentation)) {
    options.push({ kind: 'standard', id: presentation.paymentOptionId ?? 'KLARNA', source: presentation });
  }
  if (options.length === 0 && instruction !== 'HIDE_KLARNA') {
    throw new PayWithKlarnaError('presentation', 'presentation', 'Klarna sent a presentation with no payment option to show.');
  }
  return { instruction, unknownInstruction: known ? undefined : String(raw), options };
}

function isOption(value: unknown): value is PresentationOption {
  if (!value || typeof value !== 'object') return false;
  const option = value as PresentationOption;
  return Boolean(option.header || option.paymentButton);
}

export function hasPart(source: PresentationOption, part: PartName): boolean {
  const value = part === 'button' ? source.paymentButton : source[part];
  return Boolean(value && typeof value === 'object');
}

/**
 * Mounts one presentation part into `container`. Every documented SDK revision gives each part a
 * component, which Klarna keeps current. A part without one shows its raw text, if any, as text;
 * raw image URLs and links are never used (they would be the SDK's markup from outside the SDK).
 */
export function mountPart(part: PresentationPart, container: HTMLElement, iconShape: IconShape, isIcon: boolean): KlarnaUIElement | undefined {
  if (typeof part.component === 'function') {
    const element = part.component(isIcon ? { shape: iconShape } : undefined);
    element.mount(container);
    return element;
  }
  const text = isIcon ? undefined : (part.text ?? part.short?.text ?? part.enriched?.text);
  if (text) container.append(text);
  return undefined;
}
