import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/define.js';
import type { PayWithKlarna } from '../../src/pay-with-klarna.js';
import { installFakeKlarna } from '../../src/testing/index.js';

/**
 * A page without ElementInternals' form association or without custom states (jsdom and happy-dom,
 * under Vitest or Jest, lack them) gets one klarna-error, `unsupported-environment`, and an element
 * that does nothing else: no SDK, no presentation, no update loop. Simulated here by taking the
 * missing API away from the element while it is created.
 */
const lacking = {
  ElementInternals: () => undefined,
  'setFormValue (as in jsdom)': (internals: ElementInternals) =>
    Object.defineProperty(internals, 'setFormValue', { value: undefined }),
  'custom states': (internals: ElementInternals) => Object.defineProperty(internals, 'states', { value: undefined }),
};

function createLacking(what: keyof typeof lacking): PayWithKlarna {
  const attachInternals = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'attachInternals')!;
  Object.defineProperty(HTMLElement.prototype, 'attachInternals', {
    configurable: true,
    value:
      what === 'ElementInternals'
        ? undefined
        : function (this: HTMLElement) {
            const internals = attachInternals.value.call(this) as ElementInternals;
            lacking[what](internals);
            return internals;
          },
  });
  try {
    return document.createElement('pay-with-klarna');
  } finally {
    Object.defineProperty(HTMLElement.prototype, 'attachInternals', attachInternals);
  }
}

describe('a page that lacks what the element needs (jsdom, happy-dom)', () => {
  for (const what of Object.keys(lacking) as Array<keyof typeof lacking>) {
    it(`without ${what}: one klarna-error, unsupported-environment, and nothing else, named or not`, async () => {
      const fake = installFakeKlarna();
      const errors: CustomEvent[] = [];
      const record = (event: Event) => errors.push(event as CustomEvent);
      document.addEventListener('klarna-error', record);
      try {
        const form = await fixture<HTMLFormElement>(
          html`<form>
            <label><input type="radio" name="payment" value="card" /> Card</label>
          </form>`,
        );
        const lackingElement = createLacking(what);
        for (const [name, value] of Object.entries({
          name: 'payment',
          'client-id': 'klarna_test_client_abc',
          amount: '11800',
          currency: 'USD',
          'initiate-url': '/x',
        })) {
          lackingElement.setAttribute(name, value);
        }
        const reported = oneEvent(lackingElement, 'klarna-error');
        form.append(lackingElement); // a listener added right after the element connects still hears it
        const { detail } = await reported;
        expect(detail).to.deep.include({ phase: 'init', reason: 'unsupported-environment', retryable: false });
        expect(detail.error.message).to.contain('jsdom, happy-dom');

        // It stays quiet whatever the page does next: a change, a refresh, a move, another element.
        lackingElement.setAttribute('amount', '12000');
        lackingElement.refresh();
        lackingElement.remove();
        form.append(lackingElement);
        const working = document.createElement('pay-with-klarna');
        for (const [name, value] of Object.entries({
          'client-id': 'klarna_test_client_abc',
          amount: '500',
          currency: 'USD',
          'initiate-url': '/x',
        }))
          working.setAttribute(name, value);
        const presented = oneEvent(working, 'klarna-presentation');
        form.append(working);
        await presented; // the working element went all the way through the fake meanwhile

        expect(errors.filter((event) => event.target === lackingElement)).to.have.length(1);
        expect(
          fake.presentationCalls.map((call) => call.amount),
          'only the working element asked Klarna',
        ).to.deep.equal([500]);
        expect(lackingElement.shadowRoot, 'nothing rendered').to.equal(null);
        expect(lackingElement.form, 'no form association').to.equal(null);
        expect(lackingElement.childElementCount, 'no Klarna components mounted').to.equal(0);
      } finally {
        document.removeEventListener('klarna-error', record);
      }
    });
  }
});
