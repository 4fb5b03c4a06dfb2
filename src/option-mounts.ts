import { PARTS, hasPart, mountPart, partOf, type OptionKind, type OptionView, type PartName } from './presentation.js';
import type { IconShape, KlarnaPaymentButton, KlarnaUIElement, PaymentButtonConfig } from './sdk/types.js';

/**
 * Klarna's components live in light-DOM children of the element (one per option and part),
 * which its shadow DOM places through named slots: the SDK never has to reach into a shadow root.
 */
export class OptionMounts {
  readonly #containers = new Map<string, HTMLElement>();
  #mounted: KlarnaUIElement[] = [];
  readonly #buttons = new Map<OptionKind, KlarnaPaymentButton>();
  readonly #host: HTMLElement;

  constructor(host: HTMLElement) {
    this.#host = host;
  }

  /**
   * Mounts every part of every option but the button once; visibility is handled by the shadow DOM
   * afterwards. The button is the selected option's alone (`syncButton`).
   */
  mountAll(options: OptionView[], iconShape: IconShape): void {
    this.unmountAll();
    for (const option of options) {
      for (const part of PARTS) {
        if (part === 'button' || !hasPart(option.source, part)) continue;
        const element = mountPart(partOf(option.source, part)!, this.#container(option.kind, part), iconShape, part === 'icon');
        if (element) this.#mounted.push(element);
      }
    }
  }

  /**
   * Klarna's button goes to the selected option only, as Klarna's guides ask: mounted when it is
   * selected, unmounted when it is not, except `keep` (a button whose payment is being started).
   * Returns whether a button that had focus was unmounted.
   */
  syncButton(selected: OptionView | undefined, buttonConfig: (option: OptionView) => PaymentButtonConfig, keep?: OptionKind): boolean {
    let hadFocus = false;
    for (const [kind, button] of this.#buttons) {
      if (kind === selected?.kind || kind === keep) continue;
      const container = this.#containers.get(`${kind}-button`)!;
      hadFocus ||= container.matches(':focus-within');
      this.#buttons.delete(kind);
      unmount(button); // before its container goes, or the SDK warns that it was not mounted
      container.remove();
      this.#containers.delete(`${kind}-button`);
    }
    if (selected && !this.#buttons.has(selected.kind) && hasPart(selected.source, 'button')) {
      const button = selected.source.paymentButton!.component!(buttonConfig(selected));
      button.mount(this.#container(selected.kind, 'button'));
      this.#buttons.set(selected.kind, button);
    }
    return hadFocus;
  }

  /** Unmounts every SDK component, then removes the containers. */
  unmountAll(): void {
    const mounted = [...this.#mounted, ...this.#buttons.values()];
    this.#mounted = [];
    this.#buttons.clear();
    mounted.forEach(unmount);
    for (const container of this.#containers.values()) container.remove();
    this.#containers.clear();
  }

  setButtonsState(state: 'disabled' | 'loading', value: boolean, only?: OptionKind): void {
    for (const [kind, button] of this.#buttons) {
      if (!only || only === kind) button.toggleState?.(state, value);
    }
  }

  #container(kind: OptionKind, part: PartName): HTMLElement {
    const slot = `${kind}-${part}`;
    let container = this.#containers.get(slot);
    if (!container) {
      container = document.createElement('div');
      container.slot = slot;
      this.#host.append(container);
      this.#containers.set(slot, container);
    }
    return container;
  }
}

function unmount(element: KlarnaUIElement): void {
  try {
    element.unmount();
  } catch {
    // an SDK component that cannot unmount must not keep the others mounted
  }
}
