// Offline only: the testing kit's fake SDK stands in for klarna.mjs, and its journey opens the
// simulator's hosted page. The simulator reads the outcome the person chose from the session token.
import { configureKlarnaSdk } from '/assets/pay-with-klarna.js';
import * as fakeKlarna from '/assets/klarna-fake.mjs';

const choice = (id, fallback) => sessionStorage.getItem(`simulator-${id}`) ?? document.getElementById(id)?.value ?? fallback;

function openJourney({ paymentRequestUrl }) {
  const popup = window.open(paymentRequestUrl, 'klarna-journey', 'popup,width=480,height=720');
  if (!popup) {
    location.assign(paymentRequestUrl); // pop-up blocked: the journey returns to the order page
    return new Promise(() => {});
  }
  const origin = new URL(paymentRequestUrl).origin;
  return new Promise((resolve) => {
    const finish = (outcome) => {
      clearInterval(watch);
      window.removeEventListener('message', onMessage);
      resolve(outcome);
    };
    const onMessage = (event) => {
      if (event.origin === origin && event.data?.type === 'klarna-simulator-journey') finish(event.data.state === 'COMPLETED' ? 'complete' : 'abort');
    };
    const watch = setInterval(() => popup.closed && finish('abort'), 500);
    window.addEventListener('message', onMessage);
  });
}

globalThis[Symbol.for('pay-with-klarna.fake-options')] = {
  initDelayMs: 40,
  presentationDelayMs: 80,
  sessionToken: () => `krn:network:us1:test:session-token:sim.${choice('outcome', 'step-up')}.${choice('webhook', 'prompt')}.${crypto.randomUUID()}`,
  openJourney,
};
configureKlarnaSdk({ sdk: fakeKlarna });
