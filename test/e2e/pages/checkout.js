// What a merchant's page does with the element's events: tell the customer.
const status = document.getElementById('status');
const say = (text) => (status.textContent = text);
document.addEventListener('klarna-presentation', (event) => say(`Presented: ${event.detail.instruction}`));
document.addEventListener('klarna-complete', (event) => say(`Paid: ${event.detail.paymentRequest.paymentRequestId}`));
document.addEventListener('klarna-abort', () => say('Payment cancelled'));
document.addEventListener('klarna-error', (event) =>
  say(`Error: ${event.detail.phase}/${event.detail.reason}: ${event.detail.error.message}`),
);
