/**
 * The checkout's group of payment methods: the controls of one form (or of the document, outside
 * forms) that share a `name`, native radios and pay-with-klarna elements alike, in document order.
 */

/** What a pay-with-klarna element offers to the other members of its group. */
export interface KlarnaGroupMember extends HTMLElement {
  readonly isKlarnaGroupMember: true;
  name: string;
  readonly form: HTMLFormElement | null;
  readonly selected: boolean;
  /** True while an option is selected and shown: the group's tab stop is then Klarna's, unless disabled. */
  readonly optionChecked: boolean;
  /** Deselects because another member of the group was chosen. */
  releaseSelection(byCustomer: boolean): void;
  /** Moves focus to the first (direction 1) or last (-1) visible option and selects it, as arrow keys do. */
  selectFromKeyboard(direction: 1 | -1): boolean;
  /** Its options' radios (in its shadow root) that the customer sees, in order. */
  readonly shownRadios: HTMLElement[];
}

export type GroupControl = HTMLInputElement | KlarnaGroupMember;

export function isKlarnaMember(element: unknown): element is KlarnaGroupMember {
  return Boolean(element && (element as KlarnaGroupMember).isKlarnaGroupMember === true);
}

export function isGroupRadio(
  element: unknown,
  name: string,
  form: HTMLFormElement | null,
): element is HTMLInputElement {
  return (
    element instanceof HTMLInputElement && element.type === 'radio' && element.name === name && element.form === form
  );
}

export function groupMembers(host: GroupControl): GroupControl[] {
  const { name, form } = host;
  if (!name) return [host];
  const candidates: Iterable<Element> = form
    ? Array.from(form.elements)
    : (host.getRootNode() as Document | ShadowRoot).querySelectorAll(`[name="${CSS.escape(name)}"]`);
  const members: GroupControl[] = [];
  for (const element of candidates) {
    if (isGroupRadio(element, name, form)) members.push(element);
    else if (isKlarnaMember(element) && element.name === name && element.form === form) members.push(element);
  }
  return members;
}

/** Unchecks every other member: Klarna is now the chosen method. */
export function uncheckOthers(host: KlarnaGroupMember, byCustomer: boolean): void {
  for (const member of groupMembers(host)) {
    if (member === host) continue;
    if (isKlarnaMember(member)) {
      if (member.selected) member.releaseSelection(byCustomer);
    } else if (member.checked) {
      member.checked = false;
    }
  }
}

/** Hides the group's other payment methods (not other Klarna elements); returns how to show them again. */
export function hideOthers(host: KlarnaGroupMember): () => void {
  const hidden: HTMLElement[] = [];
  for (const member of groupMembers(host)) {
    if (member === host || isKlarnaMember(member)) continue;
    // What stands for that payment method on the page: what to hide to hide it.
    const container = (member.closest('[data-payment-method]') ?? member.closest('label') ?? member) as HTMLElement;
    if (container.contains(host) || container.hidden) continue;
    hiddenMethods.lend(container, 'hidden', '');
    // `hidden` alone loses to a page rule such as `label { display: flex }`
    hiddenMethods.lend(container, 'style', `${container.getAttribute('style') ?? ''};display:none!important`);
    hidden.push(container);
  }
  return () => hidden.forEach((container) => hiddenMethods.giveBack(container, ['hidden', 'style']));
}

const ARROWS: Record<string, 1 | -1> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };

/**
 * Where an arrow key moves within a radio group: 1 forward, -1 back, undefined for other keys. As
 * with native radios, Left and Right swap on right-to-left pages, and a key pressed with Alt, Ctrl
 * or Meta is left to the browser (Alt+Left is Back).
 */
export function arrowDirection(event: KeyboardEvent): 1 | -1 | undefined {
  const direction = event.altKey || event.ctrlKey || event.metaKey ? undefined : ARROWS[event.key];
  return direction && /Left|Right/.test(event.key) && (event.target as Element).matches(':dir(rtl)')
    ? (-direction as 1 | -1)
    : direction;
}

/** The next available member in `direction`, wrapping around, as native radios do. */
export function neighbour(host: GroupControl, members: GroupControl[], direction: 1 | -1): GroupControl | undefined {
  const start = members.indexOf(host);
  for (let step = 1; step < members.length; step++) {
    const candidate = members[(start + direction * step + members.length * step) % members.length]!;
    if ((isKlarnaMember(candidate) || !candidate.disabled) && candidate.checkVisibility()) return candidate;
  }
  return undefined;
}

/** Checks a native radio as the browser does for a customer: checked, focused, `input` and `change` fired. */
export function chooseRadio(radio: HTMLInputElement): void {
  radio.focus();
  if (radio.checked) return;
  radio.checked = true;
  radio.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  radio.dispatchEvent(new Event('change', { bubbles: true }));
}

/**
 * Attributes set on the page's own elements, each with the page's value (null: it had none) kept
 * the first time, until the element gets it back exactly.
 */
class PageAttributes {
  readonly #own = new Map<HTMLElement, Map<string, string | null>>();

  /** The elements that carry an attribute of ours. */
  get elements(): HTMLElement[] {
    return [...this.#own.keys()];
  }

  lend(element: HTMLElement, name: string, value: string): void {
    let own = this.#own.get(element);
    if (!own) this.#own.set(element, (own = new Map()));
    if (!own.has(name)) own.set(name, element.getAttribute(name));
    element.setAttribute(name, value);
  }

  giveBack(element: HTMLElement, names: string[]): void {
    const own = this.#own.get(element);
    for (const name of names) {
      if (!own?.has(name)) continue;
      const value = own.get(name)!;
      if (value === null) element.removeAttribute(name);
      else element.setAttribute(name, value);
      own.delete(name);
    }
    if (own?.size === 0) this.#own.delete(element);
  }
}

/** The containers of the methods SHOW_ONLY_KLARNA hid. */
const hiddenMethods = new PageAttributes();
/** The group's native radios: their tab stops and set positions. */
const radios = new PageAttributes();

const POSITION = ['aria-posinset', 'aria-setsize'];

/**
 * What the group's native radios carry for Klarna, judged for `host`'s group and for every radio
 * that carries something, each by its own group as it is now (radios that left the group, or the
 * page, get the page's own values back):
 * - One tab stop per group, as for native radios: while a Klarna element of the group has its
 *   checked option focusable (selected, shown, not disabled), the radios leave the Tab order.
 * - One set for assistive technology. Klarna's options are ARIA radios in a shadow root, the page's
 *   methods native radios: unless told, a screen reader counts each side as a set of its own. While
 *   a Klarna element of the group shows options, each shown member (native radio or Klarna option)
 *   gets its position in the whole group and the group's size.
 */
export function syncGroupRadios(host: KlarnaGroupMember): void {
  // Nothing to set or give back: the common case, on each update and each change of the page.
  const carrying = radios.elements as HTMLInputElement[];
  if (!host.optionChecked && !host.shownRadios.length && !carrying.length) return;
  const judged = new Set<GroupControl>();
  for (const start of [host, ...carrying]) {
    if (judged.has(start)) continue;
    const members = groupMembers(start);
    if (!members.includes(start)) members.push(start); // a radio taken from the page: a group of its own
    members.forEach((member) => judged.add(member));
    const klarnas = members.filter(isKlarnaMember);
    const tabStopTaken = klarnas.some((member) => member.optionChecked && !member.matches(':disabled'));
    const counted = klarnas.some((member) => member.shownRadios.length > 0);
    const shown = members.flatMap((member) =>
      isKlarnaMember(member) ? member.shownRadios : member.checkVisibility() ? [member] : [],
    );
    for (const radio of members) {
      if (isKlarnaMember(radio)) continue;
      if (tabStopTaken) radios.lend(radio, 'tabindex', '-1');
      else radios.giveBack(radio, ['tabindex']);
      if (!counted || !shown.includes(radio)) radios.giveBack(radio, POSITION);
    }
    if (!counted) continue;
    shown.forEach((radio, index) => {
      // Klarna's own radios are the elements': only the page's are given back
      const set = (name: string, value: string) =>
        radio instanceof HTMLInputElement ? radios.lend(radio, name, value) : radio.setAttribute(name, value);
      set('aria-posinset', String(index + 1));
      set('aria-setsize', String(shown.length));
    });
  }
}
