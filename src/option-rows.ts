import { OPTION_KINDS, hasPart, type OptionKind, type OptionView } from './presentation.js';

/** What the shadow DOM shows: everything it paints comes from here. */
export interface RowsState {
  /** Klarna is loading and nothing is shown yet: the placeholder keeps the space. */
  loading: boolean;
  /** What the live region says while loading. */
  loadingText: string;
  options: OptionView[];
  selectedKind?: OptionKind;
  disabled: boolean;
  /** The option that is the group's tab stop, if any. */
  tabStop?: OptionKind;
}

/** What the customer does to a row. */
export interface RowsListener {
  chosen(kind: OptionKind): void;
  keydown(event: KeyboardEvent, kind: OptionKind): void;
}

/** The shadow DOM of one option that changes with state. */
interface Row {
  option: HTMLElement;
  radio: HTMLElement;
  details: HTMLElement;
  parts: Record<'badge' | 'message' | 'terms' | 'button', HTMLElement>;
}

function el(tag: string, attributes: Record<string, string>, ...children: Node[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/**
 * The element's shadow DOM: a live region, the placeholder kept while loading, and one row per kind
 * of option, whose parts are named slots for the light-DOM containers Klarna's components mount into.
 * Built once with DOM calls (no HTML strings, so pages that enforce Trusted Types are fine); `paint`
 * then only flips the attributes that depend on state.
 */
export class OptionRows {
  readonly #rows = new Map<OptionKind, Row>();
  // The live region stays in place (a region added or hidden with its text is not read out); the
  // placeholder only keeps the row's height (the host draws nothing while loading). A live region
  // without role="status", so that a page's own getByRole('status') finds only the page's.
  readonly #announcer = el('span', { class: 'visually-hidden', 'aria-live': 'polite' });
  readonly #placeholder = el('div', { part: 'placeholder', 'aria-hidden': 'true' });
  readonly #list = el('div', { part: 'options', role: 'none' });

  constructor(root: ShadowRoot, listener: RowsListener) {
    for (const kind of OPTION_KINDS) {
      const slot = (part: string, attributes: Record<string, string> = {}, tag = 'span') =>
        el(tag, { part, ...attributes }, el('slot', { name: `${kind}-${part}` }));
      const parts = {
        badge: slot('badge'),
        message: slot('message', {}, 'div'),
        terms: slot('terms', {}, 'div'),
        button: slot('button', {}, 'div'),
      };
      const radio = el(
        'div',
        {
          part: 'radio',
          role: 'radio',
          id: `${kind}-radio`,
          'aria-labelledby': `${kind}-header`,
          'aria-describedby': `${kind}-subheader`,
        },
        el('span', { part: 'indicator' }),
        slot('icon'),
        el(
          'span',
          { class: 'texts' },
          slot('header', { id: `${kind}-header` }),
          slot('subheader', { id: `${kind}-subheader` }),
        ),
        parts.badge,
      );
      radio.addEventListener('click', () => listener.chosen(kind));
      radio.addEventListener('keydown', (event) => listener.keydown(event, kind));
      const details = el('div', { part: 'details' }, parts.message, parts.terms, parts.button);
      const option = el('div', { part: 'option' }, radio, details);
      this.#list.append(option);
      this.#rows.set(kind, { option, radio, details, parts });
    }
    root.append(this.#announcer, this.#placeholder, this.#list);
  }

  paint(state: RowsState): void {
    this.#placeholder.hidden = !state.loading;
    this.#announcer.textContent = state.loading ? state.loadingText : '';
    this.#list.hidden = state.loading;
    for (const [kind, row] of this.#rows) {
      const option = state.options.find((candidate) => candidate.kind === kind);
      const selected = state.selectedKind === kind;
      row.option.hidden = !option;
      row.option.toggleAttribute('data-selected', selected);
      row.radio.setAttribute('aria-checked', String(selected));
      row.radio.setAttribute('aria-disabled', String(state.disabled));
      row.radio.tabIndex = state.tabStop === kind ? 0 : -1;
      row.details.hidden = !selected;
      for (const [part, node] of Object.entries(row.parts))
        node.hidden = !option || !hasPart(option.source, part as keyof Row['parts']);
    }
  }

  radioFor(kind: OptionKind | undefined): HTMLElement | undefined {
    return kind && this.#rows.get(kind)?.radio;
  }

  /** The radios the customer sees, in order. */
  get shownRadios(): HTMLElement[] {
    return [...this.#rows.values()].map((row) => row.radio).filter((radio) => radio.checkVisibility());
  }
}
