/**
 * Helpers for tests of a page with <pay-with-klarna> and the testing kit's fake, in a real browser
 * (web-test-runner, Vitest's browser mode, Playwright's component tests): what a customer does and
 * sees, without knowing where the fake puts its DOM.
 */
import type { PayWithKlarna } from '../pay-with-klarna.js';
import type { Instruction } from '../sdk/types.js';

type OptionKind = 'standard' | 'saved';

/** Every <pay-with-klarna> on the page: in the document and in open shadow roots (a framework's components). */
export function elementsOnPage(root: Document | ShadowRoot = document): PayWithKlarna[] {
  const found = [...root.querySelectorAll('pay-with-klarna')];
  for (const host of root.querySelectorAll('*')) if (host.shadowRoot) found.push(...elementsOnPage(host.shadowRoot));
  return found;
}

/**
 * Klarna's presentation on `element`: at once when one is shown already (a klarna-presentation that
 * fired before the test listened is not missed), else at the next klarna-presentation. Rejects with
 * the error of a klarna-error, or at once when Klarna is unavailable already.
 */
export function waitForKlarna(element: PayWithKlarna): Promise<Instruction> {
  if (element.instruction) return Promise.resolve(element.instruction);
  // connected without a shadow root: the page lacks what the element needs (jsdom, happy-dom)
  const unsupported = element.isConnected && !element.shadowRoot;
  if (unsupported || element.matches(':state(unavailable)')) {
    return Promise.reject(
      new Error('<pay-with-klarna> is unavailable: its klarna-error said why (it is also on the console).'),
    );
  }
  return new Promise((resolve, reject) => {
    const settle = (event: Event) => {
      element.removeEventListener('klarna-presentation', settle);
      element.removeEventListener('klarna-error', settle);
      if (event.type === 'klarna-presentation')
        resolve((event as CustomEvent<{ instruction: Instruction }>).detail.instruction);
      else reject((event as CustomEvent<{ error: Error }>).detail.error);
    };
    element.addEventListener('klarna-presentation', settle);
    element.addEventListener('klarna-error', settle);
  });
}

/**
 * Presses Klarna's payment button in `element` as a customer does. It waits for Klarna to be shown
 * (waitForKlarna), selects an option first when none is (a click on its radio; `option` picks the
 * saved or the standard one), and clicks the fake's button: a real <button> in the fake component's
 * shadow root, which `element.querySelector('button')` does not find. Resolves once clicked; what
 * follows (klarna-initiate, your backend, klarna-complete) comes as events.
 */
export async function pressKlarnaButton(element: PayWithKlarna, option?: OptionKind): Promise<void> {
  const instruction = await waitForKlarna(element);
  if (instruction === 'HIDE_KLARNA')
    throw new Error('pressKlarnaButton(): Klarna said HIDE_KLARNA, so <pay-with-klarna> shows no button.');
  await element.updateComplete;
  const shown = [...element.shadowRoot!.querySelectorAll<HTMLElement>('[part=radio]')].filter((radio) =>
    radio.checkVisibility(),
  );
  const kindOf = (radio: HTMLElement) => radio.id.replace(/-radio$/, '') as OptionKind;
  const selected = shown.find((candidate) => candidate.getAttribute('aria-checked') === 'true');
  const radio =
    selected && (!option || kindOf(selected) === option)
      ? selected
      : shown.find((candidate) => !option || kindOf(candidate) === option);
  if (!radio) throw new Error(`pressKlarnaButton(): <pay-with-klarna> shows no ${option ? `${option} ` : ''}option.`);
  if (radio !== selected) {
    radio.click(); // the customer chooses Klarna first: its button shows with the selected option
    await element.updateComplete;
  }
  const button = element
    .querySelector(`[slot="${kindOf(radio)}-button"] klarna-fake-payment-button`)
    ?.shadowRoot?.querySelector('button');
  if (!button)
    throw new Error(
      "pressKlarnaButton(): no button of the testing kit's fake in <pay-with-klarna>: is the fake installed (installFakeKlarna) or served for Klarna's URL?",
    );
  button.click();
}
