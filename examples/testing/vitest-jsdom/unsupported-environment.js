// The same test for jsdom and happy-dom: neither has ElementInternals form association or custom
// states, so <pay-with-klarna> says so, once, and does nothing else. What a test can check there is
// your page's own code around it.
import { expect, vi } from 'vitest';
import { renderCheckout } from '../checkout.js';

export const title = 'the element reports unsupported-environment once, and the page shows its own message';

export async function reportsUnsupportedOnce() {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const errors = [];
  document.addEventListener('klarna-error', (event) => errors.push(event.detail));
  const klarna = renderCheckout(document.body);
  await vi.waitFor(() => expect(errors).toHaveLength(1));
  expect(errors[0]).toMatchObject({ phase: 'init', reason: 'unsupported-environment', retryable: false });
  expect(document.querySelector('[role=status]').textContent).toBe(
    'Klarna is unavailable (unsupported-environment). Please choose another payment method.',
  );
  expect(warn).toHaveBeenCalledTimes(1);

  // and stays quiet: no loop, whatever the page does next
  klarna.setAttribute('amount', '12000');
  klarna.refresh();
  await new Promise((resolve) => setTimeout(resolve, 0)); // a task later: a loop of updates would have run by now
  expect(errors).toHaveLength(1);
  expect(klarna.shadowRoot).toBeNull();
  expect(klarna.hasUpdated, 'no update cycle at all').toBe(false);
}
