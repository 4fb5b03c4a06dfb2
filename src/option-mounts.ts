import { PARTS, hasPart, mountPart, type OptionKind, type OptionView, type PartName } from './presentation.js';
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

  /** Mounts every part of every option once; visibility is handled by the shadow DOM afterwards. */
  mountAll(options: OptionView[], iconShape: IconShape, buttonConfig: (option: OptionView) => PaymentButtonConfig): void {
    this.unmountAll();
    for (const option of options) {
      for (const part of PARTS) {
        if (!hasPart(option.source, part)) continue;
        const container = this.#container(option.kind, part);
        if (part === 'button') {
          const button = option.source.paymentButton!.component!(buttonConfig(option));
          button.mount(container);
          this.#mounted.push(button);
          this.#buttons.set(option.kind, button);
        } else {
          const element = mountPart(option.source[part]!, container, iconShape, part === 'icon');
          if (element) this.#mounted.push(element);
        }
      }
    }
  }

  /** Unmounts every SDK component and removes the containers. */
  unmountAll(): void {
    const mounted = this.#mounted;
    this.#mounted = [];
    this.#buttons.clear();
    for (const element of mounted) {
      try {
        element.unmount();
      } catch {
        // an SDK component that cannot unmount must not keep the others mounted
      }
    }
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
