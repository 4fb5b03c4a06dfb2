// The checkout with the testing kit's fake of Klarna's SDK, in Vitest's browser mode.
import { installFakeKlarna, pressKlarnaButton, waitForKlarna } from 'pay-with-klarna/testing';
import { page } from 'vitest/browser';
import { beforeEach, expect, it } from 'vitest';
import { renderCheckout } from '../checkout.js';

let fake;
beforeEach(() => {
  fake = installFakeKlarna({ journey: 'complete' }); // before or after rendering: elements on the page move to it
  document.body.replaceChildren();
});

it('pays with Klarna: the backend is asked, Klarna completes, the page says so', async () => {
  const asked = [];
  const klarna = renderCheckout(document.body, {
    initiate: async (request) => {
      asked.push(request);
      return { paymentRequestId: 'krn:payment:eu1:request:vitest-1' };
    },
  });
  await expect.element(page.getByRole('radio', { name: 'Pay with Klarna' })).toBeVisible();
  await pressKlarnaButton(klarna);
  await expect.element(page.getByRole('status')).toHaveTextContent('Paid: krn:payment:eu1:request:vitest-1');
  expect(asked).toMatchObject([{ amount: 11800, currency: 'USD', paymentOptionId: fake.paymentOptionIds.standard }]);
  expect(fake.presentationCalls).toHaveLength(1);
});

it('hides Klarna when Klarna says so, and the card stays', async () => {
  fake.configure({ instruction: 'HIDE_KLARNA' });
  const klarna = renderCheckout(document.body);
  expect(await waitForKlarna(klarna)).toBe('HIDE_KLARNA');
  await expect.element(page.getByRole('radio', { name: 'Pay with Klarna' })).not.toBeInTheDocument();
  await expect.element(page.getByRole('radio', { name: 'Card' })).toBeVisible();
});
