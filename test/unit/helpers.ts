import { fixture, oneEvent } from '@open-wc/testing';
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
  return [...element.shadowRoot!.querySelectorAll<HTMLElement>('[role=radio]')].filter((radio) => radio.checkVisibility());
}

/** The shadow part wrapping `slot` for the option `kind` is shown to the customer. */
export function isShown(element: PayWithKlarna, kind: 'saved' | 'standard', part: string): boolean {
  const slot = element.shadowRoot!.querySelector<HTMLSlotElement>(`slot[name=${kind}-${part}]`);
  return Boolean(slot?.parentElement?.checkVisibility() && slot.assignedElements().some((node) => node.childElementCount > 0 || node.textContent));
}

export function fakeButton(element: PayWithKlarna, kind: 'saved' | 'standard' = 'standard'): HTMLButtonElement {
  const host = element.querySelector(`[slot=${kind}-button] klarna-fake-payment-button`)!;
  return host.shadowRoot!.querySelector('button')!;
}

/** What Playwright reports of the page's accessibility tree under `selector`. */
export function ariaSnapshot(selector: string): Promise<string> {
  return executeServerCommand<string, { selector: string }>('aria-snapshot', { selector });
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
