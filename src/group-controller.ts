import type { ReactiveController, ReactiveControllerHost } from '@lit/reactive-element';
import {
  arrowDirection,
  chooseRadio,
  groupMembers,
  hideOthers,
  isGroupRadio,
  isKlarnaMember,
  neighbour,
  syncGroupRadios,
  uncheckOthers,
  type GroupControl,
  type KlarnaGroupMember,
} from './payment-group.js';
import type { OptionKind } from './presentation.js';

/**
 * The element's place in the checkout's group of payment methods. It hears the group (a native
 * radio chosen, arrow keys moving in, radios added or taken away), hides and shows the other methods
 * for SHOW_ONLY_KLARNA, and after each update sets what the group's radios carry for Klarna: their
 * tab stops and their positions in the set.
 */
export class GroupController implements ReactiveController {
  /** The customer chose a method of the group, Klarna or another: PRESELECT_KLARNA no longer applies. */
  customerChose = false;
  /** Where the group is heard: its form, or the document outside forms. */
  #root?: Node;
  /** Shows again the payment methods SHOW_ONLY_KLARNA hid. */
  #showOthers?: () => void;
  readonly #host: KlarnaGroupMember & ReactiveControllerHost;
  /** A radio added to the group (or taken from the page): its tab stop and position follow. */
  readonly #mutations = new MutationObserver(() => syncGroupRadios(this.#host));

  constructor(host: KlarnaGroupMember & ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    this.#listen();
  }

  hostUpdate(): void {
    this.#listen(); // the name may have changed
  }

  hostUpdated(): void {
    // The group's native radios leave the Tab order while Klarna's option is its tab stop, and come
    // back when that ends: also at a disconnect, whose options = [] brings an update.
    syncGroupRadios(this.#host);
  }

  hostDisconnected(): void {
    this.#listen(); // to nothing
    this.showOthers();
  }

  /** Unchecks the group's other members: Klarna is now the chosen method. */
  uncheckOthers(byCustomer: boolean): void {
    uncheckOthers(this.#host, byCustomer);
  }

  /** Hides the group's other methods (SHOW_ONLY_KLARNA); returns false when they are hidden already. */
  hideOthers(): boolean {
    if (this.#showOthers) return false;
    this.#showOthers = hideOthers(this.#host);
    return true;
  }

  showOthers(): void {
    this.#showOthers?.();
    this.#showOthers = undefined;
  }

  /**
   * One tab stop for the group: the selected option; with nothing selected, the group's native radios
   * take it as they do among themselves (the first forward, the last back), so Klarna's first option
   * is one only when the group has no radio that can take focus.
   */
  tabStop(first: OptionKind | undefined, selected: OptionKind | undefined, disabled: boolean): OptionKind | undefined {
    if (disabled) return undefined;
    if (selected) return selected;
    const host = this.#host;
    const taken = groupMembers(host).some(
      (member) =>
        member !== host &&
        (isKlarnaMember(member) ? member.selected : member.checked || (!member.disabled && member.checkVisibility())),
    );
    return taken ? undefined : first;
  }

  /** An arrow key went past Klarna's first or last option: on to the group's next member; with none, around within this element. */
  moveOn(direction: 1 | -1): void {
    const next = this.next(direction) ?? this.#host;
    if (isKlarnaMember(next)) next.selectFromKeyboard(direction);
    else chooseRadio(next);
  }

  /** The group's next available member in `direction`, as native radios go. */
  next(direction: 1 | -1): GroupControl | undefined {
    return neighbour(this.#host, groupMembers(this.#host), direction);
  }

  /** The group's changes, keys and new members are heard on its form, or on the document outside forms (nowhere while disconnected or unnamed). */
  #listen(): void {
    const host = this.#host;
    const root = host.name && host.isConnected ? (host.form ?? host.getRootNode()) : undefined;
    if (root === this.#root) return;
    this.#root?.removeEventListener('change', this.#onChange);
    this.#root?.removeEventListener('keydown', this.#onKeydown as EventListener, true);
    this.#mutations.disconnect();
    root?.addEventListener('change', this.#onChange);
    root?.addEventListener('keydown', this.#onKeydown as EventListener, true);
    if (root) this.#mutations.observe(root, { childList: true, subtree: true });
    this.#root = root;
  }

  /** A native radio of the group was checked by the customer: Klarna is no longer chosen. */
  readonly #onChange = (event: Event) => {
    if (!isGroupRadio(event.target, this.#host.name, this.#host.form) || !event.target.checked) return;
    this.customerChose = true;
    this.#host.releaseSelection(true);
    this.#host.requestUpdate();
  };

  /** Arrow keys on a native radio next to this element move into it, as they would between radios. */
  readonly #onKeydown = (event: KeyboardEvent) => {
    const direction = arrowDirection(event);
    if (!direction || !isGroupRadio(event.target, this.#host.name, this.#host.form)) return;
    if (neighbour(event.target, groupMembers(this.#host), direction) !== this.#host) return;
    if (this.#host.selectFromKeyboard(direction)) event.preventDefault();
  };
}
