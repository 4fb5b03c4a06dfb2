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

export function isGroupRadio(element: unknown, name: string, form: HTMLFormElement | null): element is HTMLInputElement {
  return element instanceof HTMLInputElement && element.type === 'radio' && element.name === name && element.form === form;
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
  const restores: Array<() => void> = [];
  for (const member of groupMembers(host)) {
    if (member === host || isKlarnaMember(member)) continue;
    // What stands for that payment method on the page: what to hide to hide it.
    const container = (member.closest('[data-payment-method]') ?? member.closest('label') ?? member) as HTMLElement;
    if (container.contains(host) || container.hidden) continue;
    const hadStyle = container.hasAttribute('style');
    const display = container.style.getPropertyValue('display');
    const priority = container.style.getPropertyPriority('display');
    container.hidden = true;
    // `hidden` alone loses to a page rule such as `label { display: flex }`
    container.style.setProperty('display', 'none', 'important');
    restores.push(() => {
      container.hidden = false;
      if (display) container.style.setProperty('display', display, priority);
      else container.style.removeProperty('display');
      if (!hadStyle && !container.getAttribute('style')) container.removeAttribute('style');
    });
  }
  return () => restores.forEach((restore) => restore());
}

const ARROWS: Record<string, 1 | -1> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };

/**
 * Where an arrow key moves within a radio group: 1 forward, -1 back, undefined for other keys. As
 * with native radios, Left and Right swap on right-to-left pages, and a key pressed with Alt, Ctrl
 * or Meta is left to the browser (Alt+Left is Back).
 */
export function arrowDirection(event: KeyboardEvent): 1 | -1 | undefined {
  const direction = event.altKey || event.ctrlKey || event.metaKey ? undefined : ARROWS[event.key];
  return direction && /Left|Right/.test(event.key) && (event.target as Element).matches(':dir(rtl)') ? (-direction as 1 | -1) : direction;
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

/** The page's own tabindex of each native radio taken out of the Tab order (null: it had none). */
const ownTabIndex = new Map<HTMLInputElement, string | null>();

/**
 * One tab stop per group, as for native radios: while a Klarna element of a radio's group has its
 * checked option focusable (selected, shown, not disabled), the radio leaves the Tab order; otherwise
 * it gets its own tabindex back exactly (attribute present or absent). Judged again for `host`'s
 * group and for every radio taken out before, each by its own group as it is now: radios that left
 * the group, or the page, get theirs back too.
 */
export function syncTabStops(host: KlarnaGroupMember): void {
  // Nothing to take out or give back: the common case, on each update and each change of the page.
  if (!host.optionChecked && !ownTabIndex.size) return;
  for (const radio of [...groupMembers(host), ...ownTabIndex.keys()]) {
    if (isKlarnaMember(radio)) continue;
    const out = groupMembers(radio).some((member) => isKlarnaMember(member) && member.optionChecked && !member.matches(':disabled'));
    if (out === ownTabIndex.has(radio)) continue;
    if (out) {
      ownTabIndex.set(radio, radio.getAttribute('tabindex'));
      radio.tabIndex = -1;
    } else {
      const own = ownTabIndex.get(radio);
      ownTabIndex.delete(radio);
      if (own == null) radio.removeAttribute('tabindex');
      else radio.setAttribute('tabindex', own);
    }
  }
}

/** The page's own aria-posinset and aria-setsize of each native radio the group counts (null: it had none). */
const ownPosition = new Map<HTMLInputElement, Array<string | null>>();
const POSITION = ['aria-posinset', 'aria-setsize'];

/**
 * One set for assistive technology. Klarna's options are ARIA radios in a shadow root, the page's
 * methods native radios: unless told, a screen reader counts each side as a set of its own. While
 * a Klarna element of a group shows options, each shown member (native radio or Klarna option) gets
 * its position in the whole group and the group's size; a native radio gets the page's own values
 * back, exactly, once no Klarna element of its group shows any. Judged, like tab stops, for
 * `host`'s group and for every radio counted before, each by its own group as it is now.
 */
export function syncSetPositions(host: KlarnaGroupMember): void {
  if (!host.shownRadios.length && !ownPosition.size) return;
  const judged = new Set<GroupControl>();
  for (const start of [host, ...ownPosition.keys()]) {
    if (judged.has(start)) continue;
    const members = groupMembers(start);
    if (!members.includes(start)) members.push(start); // a radio taken from the page: a group of its own
    members.forEach((member) => judged.add(member));
    const shown = members.flatMap((member) => (isKlarnaMember(member) ? member.shownRadios : member.checkVisibility() ? [member] : []));
    const counted = members.some((member) => isKlarnaMember(member) && member.shownRadios.length > 0);
    for (const radio of members) {
      if (isKlarnaMember(radio) || (counted && shown.includes(radio)) || !ownPosition.has(radio)) continue;
      POSITION.forEach((name, index) => {
        const own = ownPosition.get(radio)![index];
        if (own == null) radio.removeAttribute(name);
        else radio.setAttribute(name, own);
      });
      ownPosition.delete(radio);
    }
    if (!counted) continue;
    shown.forEach((radio, index) => {
      if (radio instanceof HTMLInputElement && !ownPosition.has(radio)) ownPosition.set(radio, POSITION.map((name) => radio.getAttribute(name)));
      radio.setAttribute('aria-posinset', String(index + 1));
      radio.setAttribute('aria-setsize', String(shown.length));
    });
  }
}
