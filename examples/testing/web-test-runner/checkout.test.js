// The checkout with the testing kit's fake of Klarna's SDK, in @web/test-runner (mocha, chai).
import { expect } from '@open-wc/testing';
import { installFakeKlarna, pressKlarnaButton, waitForKlarna } from 'pay-with-klarna/testing';
import { renderCheckout } from '../checkout.js';

describe('the checkout', () => {
  afterEach(() => document.body.replaceChildren());

  it('pays with Klarna, even with the fake installed after the page rendered', async () => {
    const klarna = renderCheckout(document.body, {
      initiate: async () => ({ paymentRequestId: 'krn:payment:eu1:request:wtr-1' }),
    });
    const fake = installFakeKlarna({ journey: 'complete' });
    expect(await waitForKlarna(klarna)).to.equal('SHOW_KLARNA');
    const completed = new Promise((resolve) => klarna.addEventListener('klarna-complete', resolve, { once: true }));
    await pressKlarnaButton(klarna);
    await completed;
    expect(document.querySelector('[role=status]').textContent).to.equal('Paid: krn:payment:eu1:request:wtr-1');
    expect(fake.initiateCalls.map((call) => call.paymentOptionId)).to.deep.equal([fake.paymentOptionIds.standard]);
  });

  it("shows the page's own message when Klarna fails", async () => {
    installFakeKlarna({
      presentationError: { errorType: 'TECHNICAL_ERROR', errorCode: 'TECHNICAL_ERROR', errorMessage: 'Klarna is down' },
    });
    const klarna = renderCheckout(document.body);
    const failure = await waitForKlarna(klarna).catch((error) => error);
    expect(failure.message).to.contain('Klarna is down');
    expect(document.querySelector('[role=status]').textContent).to.equal(
      'Klarna is unavailable (presentation). Please choose another payment method.',
    );
  });
});
