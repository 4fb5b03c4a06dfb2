import '../src/define.js';
import type { PayWithKlarna } from '../src/pay-with-klarna.js';
import { installFakeKlarna, type FakeJourney } from '../src/testing/index.js';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const klarna = $<PayWithKlarna>('pay-with-klarna');
const log = $<HTMLOListElement>('#log');
const outcome = $<HTMLParagraphElement>('#outcome');

const fake = installFakeKlarna({
  instruction: 'SHOW_KLARNA',
  initDelayMs: 80,
  presentationDelayMs: 150,
  journey: 'complete',
});

function note(text: string) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  log.prepend(item);
}

/** Applies the controls to the fake and asks Klarna again. */
function apply() {
  const [backend, journey] = $<HTMLSelectElement>('#journey').value.split('|') as [string, FakeJourney];
  fake.configure({
    instruction: $<HTMLInputElement>('#instructions input:checked').value,
    savedOption: $<HTMLInputElement>('#saved').checked,
    presentationDelayMs: Number($<HTMLInputElement>('#latency').value),
    presentationError: undefined,
    journey,
  });
  klarna.requestInit = { headers: { 'X-Demo-Outcome': backend } };
  klarna.refresh();
}

for (const control of document.querySelectorAll('#instructions input, #saved, #journey, #latency')) {
  control.addEventListener('change', apply);
}
$('#fail').addEventListener('click', () => {
  fake.configure({ presentationError: new Error('Simulated: Klarna could not be reached') });
  klarna.refresh();
});
$<HTMLInputElement>('#amount').addEventListener('input', (event) => {
  klarna.amount = Number((event.target as HTMLInputElement).value);
});

klarna.addEventListener('klarna-presentation', (event) =>
  note(`klarna-presentation ${event.detail.instruction} [${event.detail.paymentOptionIds.join(', ')}]`),
);
klarna.addEventListener('change', () =>
  note(`change: Klarna ${klarna.selected ? `selected (${klarna.paymentOptionId})` : 'deselected'}`),
);
klarna.addEventListener('klarna-initiate', (event) => {
  outcome.textContent = '';
  note(`klarna-initiate ${event.detail.paymentOptionId}: calling the backend`);
});
klarna.addEventListener('klarna-complete', (event) => {
  outcome.textContent = `Paid with Klarna. Payment request ${event.detail.paymentRequest.paymentRequestId}.`;
  note('klarna-complete');
});
klarna.addEventListener('klarna-abort', () => {
  outcome.textContent = 'You left Klarna without paying. Choose a payment method to try again.';
  note('klarna-abort');
});
klarna.addEventListener('klarna-error', (event) => {
  const { phase, reason, retryable, error } = event.detail;
  if (phase === 'initiate') outcome.textContent = error.message;
  note(`klarna-error ${phase}/${reason}${retryable ? ' (retryable)' : ''}: ${error.message}`);
});
$<HTMLFormElement>('#checkout').addEventListener('change', (event) => {
  const target = event.target as HTMLInputElement;
  if (target.name === 'payment' && target.checked) note(`change: ${target.value} selected`);
});
apply();
if (new URLSearchParams(location.search).has('paid'))
  outcome.textContent = 'Paid with Klarna: the backend approved at once.';
