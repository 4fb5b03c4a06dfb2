import { OPTION_KINDS, PARTS, hasPart, mountPart, partOf, type OptionKind, type OptionView } from './presentation.js';
import type { IconShape, KlarnaPaymentButton, KlarnaUIElement, PaymentButtonConfig } from './sdk/types.js';

interface Mount {
  container: HTMLElement;
  component?: KlarnaUIElement;
}

/**
 * Klarna's components live in light-DOM children of the element (one per option and part),
 * which its shadow DOM places through named slots: the SDK never has to reach into a shadow root.
 */
export class OptionMounts {
  /** Each light-DOM container by its slot name (`standard-icon`), with the SDK component mounted in it, if any. */
  readonly #mounts = new Map<string, Mount>();
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
        const mount = this.#mount(`${option.kind}-${part}`);
        mount.component = mountPart(partOf(option.source, part)!, mount.container, iconShape, part === 'icon');
      }
    }
  }

  /**
   * Klarna's button goes to the selected option only, as Klarna's guides ask: mounted when it is
   * selected, unmounted when it is not, except `keep` (a button whose payment is being started).
   * Returns whether a button that had focus was unmounted.
   */
  syncButton(
    selected: OptionView | undefined,
    buttonConfig: (option: OptionView) => PaymentButtonConfig,
    keep?: OptionKind,
  ): boolean {
    let hadFocus = false;
    for (const kind of OPTION_KINDS) {
      if (kind !== selected?.kind && kind !== keep) hadFocus = this.#unmount(`${kind}-button`) || hadFocus;
    }
    const slot = `${selected?.kind}-button`;
    if (selected && !this.#mounts.has(slot) && hasPart(selected.source, 'button')) {
      const mount = this.#mount(slot);
      mount.component = selected.source.paymentButton!.component!(buttonConfig(selected));
      mount.component.mount(mount.container);
    }
    return hadFocus;
  }

  /** Unmounts every SDK component and removes its container. */
  unmountAll(): void {
    for (const slot of this.#mounts.keys()) this.#unmount(slot);
  }

  setButtonsState(state: 'disabled' | 'loading', value: boolean, only?: OptionKind): void {
    for (const kind of OPTION_KINDS) {
      const button = this.#mounts.get(`${kind}-button`)?.component as KlarnaPaymentButton | undefined;
      if (!only || only === kind) button?.toggleState?.(state, value);
    }
  }

  /** The mount of `slot`, with its container in the host's light DOM made on first use. */
  #mount(slot: string): Mount {
    let mount = this.#mounts.get(slot);
    if (!mount) {
      const container = document.createElement('div');
      container.slot = slot;
      this.#host.append(container);
      this.#mounts.set(slot, (mount = { container }));
    }
    return mount;
  }

  /** Unmounts the component in `slot`, then removes its container; returns whether it had focus. */
  #unmount(slot: string): boolean {
    const mount = this.#mounts.get(slot);
    if (!mount) return false;
    const hadFocus = mount.container.matches(':focus-within');
    this.#mounts.delete(slot);
    try {
      mount.component?.unmount(); // before its container goes, or the SDK warns that it was not mounted
    } catch {
      // an SDK component that cannot unmount must not keep the others mounted
    }
    mount.container.remove();
    return hadFocus;
  }
}
