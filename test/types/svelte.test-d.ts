// Svelte 5 with the shipped types: `import type {} from 'pay-with-klarna/svelte'` once in the app.
// What svelte-check checks a <pay-with-klarna …> against is SvelteHTMLElements['pay-with-klarna'].
import type {} from 'pay-with-klarna/svelte';
import type { SvelteHTMLElements } from 'svelte/elements';

type Attributes = SvelteHTMLElements['pay-with-klarna'];
let status = '';

export const checkout: Attributes = {
  'client-id': 'klarna_test_client',
  amount: 11800,
  currency: 'USD',
  'icon-shape': 'square',
  initiateData: { cart: 'c-1' },
  'onklarna-presentation': (event) => (status = event.detail.paymentOptionIds.join(' ')),
  'onklarna-error': (event) => (status = String(event.detail.retryable)),
  onchange: () => (status = 'changed'),
};

export const wrongDetail: Attributes = {
  // @ts-expect-error the detail of klarna-presentation has no `nonsense`
  'onklarna-presentation': (event) => (status = event.detail.nonsense),
};

export const wrongValue: Attributes = {
  // @ts-expect-error subscription-billing-interval takes DAY, WEEK, MONTH or YEAR
  'subscription-billing-interval': 'FORTNIGHT',
};

export const unknownAttribute: Attributes = {
  // @ts-expect-error there is no attribute or property `amout`
  amout: 11800,
};

export { status };
