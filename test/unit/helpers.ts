import { expect, fixture, oneEvent } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { TemplateResult } from 'lit';
import '../../src/define.js';
import type { PayWithKlarna } from '../../src/pay-with-klarna.js';
import { installFakeKlarna, type FakeKlarna, type FakeKlarnaOptions } from '../../src/testing/index.js';

export interface Mounted<T extends Element = Element> {
  root: T;
  element: PayWithKlarna;
  fake: FakeKlarna;
}

/** Installs a fresh fake SDK, renders `template`, and waits for the first presentation (or error). */
export async function mountWithFake<T extends Element = Element>(
  template: TemplateResult,
  options: FakeKlarnaOptions = {},
  loader: { timeoutMs?: number; retryDelaysMs?: number[] } = {},
): Promise<Mounted<T>> {
  const fake = installFakeKlarna(options, { timeoutMs: 2000, retryDelaysMs: [], ...loader });
  const settled = Promise.race([oneEvent(document, 'klarna-presentation'), oneEvent(document, 'klarna-error')]);
  const root = await fixture<T>(template);
  const element = (root.matches('pay-with-klarna') ? root : root.querySelector('pay-with-klarna')) as PayWithKlarna;
  await settled;
  await element.updateComplete;
  return { root, element, fake };
}

export function shadow(element: PayWithKlarna, selector: string): HTMLElement | null {
  return element.shadowRoot!.querySelector<HTMLElement>(selector);
}

export function radios(element: PayWithKlarna): HTMLElement[] {
  return [...element.shadowRoot!.querySelectorAll<HTMLElement>('[role=radio]')].filter((radio) =>
    radio.checkVisibility(),
  );
}

/** The shadow part wrapping `slot` for the option `kind` is shown to the customer. */
export function isShown(element: PayWithKlarna, kind: 'saved' | 'standard', part: string): boolean {
  const slot = element.shadowRoot!.querySelector<HTMLSlotElement>(`slot[name=${kind}-${part}]`);
  return Boolean(
    slot?.parentElement?.checkVisibility() &&
    slot.assignedElements().some((node) => node.childElementCount > 0 || node.textContent),
  );
}

export function fakeButton(element: PayWithKlarna, kind: 'saved' | 'standard' = 'standard'): HTMLButtonElement {
  const host = element.querySelector(`[slot=${kind}-button] klarna-fake-payment-button`)!;
  return host.shadowRoot!.querySelector('button')!;
}

/** The text of `node` as accessible names are computed: the flat tree (slots, shadow roots), aria-label, nothing hidden. */
function accessibleText(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
  if (
    !(node instanceof Element) ||
    node.getAttribute('aria-hidden') === 'true' ||
    getComputedStyle(node).display === 'none'
  )
    return '';
  const label = node.getAttribute('aria-label');
  if (label) return label;
  const children =
    node instanceof HTMLSlotElement ? node.assignedNodes({ flatten: true }) : [...(node.shadowRoot ?? node).childNodes];
  return children.map(accessibleText).join('');
}

/**
 * What a screen reader is told of the element's options under `selector`, one line per radio in
 * Playwright's notation: `- radio "<name>" [checked] [disabled]`, from their role, aria-labelledby,
 * aria-checked and aria-disabled. In Chromium, Playwright's accessibility tree must say the same of
 * each (an engine-only check: that tool exists for Chromium alone).
 */
export async function ariaSnapshot(selector: string): Promise<string> {
  const element = document.querySelector<PayWithKlarna>(selector)!;
  const lines = radios(element).map((radio) => {
    const ids = radio.getAttribute('aria-labelledby')!.split(' ');
    const name = ids
      .map((id) => accessibleText(element.shadowRoot!.getElementById(id)!))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    const states = [
      radio.getAttribute('aria-checked') === 'true' && '[checked]',
      radio.getAttribute('aria-disabled') === 'true' && '[disabled]',
    ];
    return [`- radio "${name}"`, ...states.filter(Boolean)].join(' ');
  });
  const chromium = await executeServerCommand<string | false, { selector: string }>('aria-snapshot', { selector });
  if (chromium !== false) for (const line of lines) expect(chromium, "Chromium's accessibility tree").to.contain(line);
  return lines.join('\n');
}

/**
 * Presses a key or a chord in Playwright's notation ('ArrowDown', 'Space', 'Shift+Tab') as a real
 * key press through the driver of whichever engine runs the test (see web-test-runner.config.mjs).
 */
export async function press(key: string): Promise<void> {
  await executeServerCommand<boolean, { key: string }>('press', { key });
}

let runs = 0;
/** A fresh recording id for the test backend. */
export function backendRun(): string {
  return `run-${Date.now()}-${++runs}`;
}

export interface BackendEntry {
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export async function backendLog(run: string): Promise<BackendEntry[]> {
  return (await fetch(`/test-backend/log/${run}`)).json();
}
