// Offline only: the testing kit's fake SDK stands in for klarna.mjs, and its journey opens the
// simulator's hosted page. The simulator reads the outcome the person chose from the session token.
import { configureKlarnaSdk } from '/assets/pay-with-klarna.js';
import * as fakeKlarna from '/assets/klarna-fake.mjs';

const choice = (id, fallback) =>
  sessionStorage.getItem(`simulator-${id}`) ?? document.getElementById(id)?.value ?? fallback;
const fake = () => globalThis[Symbol.for('pay-with-klarna.fake')];

/**
 * The journey's window opens within the press, before the backend is asked, as Klarna's SDK does:
 * browsers allow a pop-up in the click's task, and WebKit no longer after an `await fetch()`. It
 * goes to Klarna's page once the backend has answered, and is closed if the press leads to no
 * journey (a decline, an error, an approval at once).
 */
let pressWindow; // the window opened at the press, until its journey ends
const claimed = new WeakSet(); // windows a journey has taken
let press; // this press: { window, calls }, between the two listeners below

const isKlarnaButton = (event) => event.composedPath().some((node) => node.localName === 'klarna-fake-payment-button');
window.addEventListener(
  'click',
  (event) => {
    press = undefined;
    if (!isKlarnaButton(event) || !fake()) return;
    if (pressWindow && !pressWindow.closed) return; // a journey is under way: this press opens nothing
    pressWindow = window.open('about:blank', 'klarna-journey', 'popup,width=480,height=720') ?? undefined;
    if (!pressWindow) return; // blocked: the journey goes to Klarna in this tab instead
    pressWindow.document.title = 'Klarna';
    pressWindow.document.body?.append('Opening Klarna…');
    press = { window: pressWindow, calls: fake().initiateCalls.length };
  },
  true,
);
// Later in the same click: the fake has taken the press (or refused it) and the backend is being asked.
window.addEventListener('click', (event) => {
  if (!press || !isKlarnaButton(event)) return;
  const { window: opened, calls } = press;
  press = undefined;
  const call = fake().initiateCalls[calls];
  const closeUnlessJourney = () => claimed.has(opened) || opened.close();
  if (call) call.settled.then(closeUnlessJourney);
  else closeUnlessJourney();
});

function openJourney({ paymentRequestUrl }) {
  let popup = pressWindow && !pressWindow.closed ? pressWindow : undefined;
  if (popup) popup.location.replace(paymentRequestUrl);
  else popup = window.open(paymentRequestUrl, 'klarna-journey', 'popup,width=480,height=720');
  if (!popup) {
    location.assign(paymentRequestUrl); // pop-up blocked: the journey returns to the order page
    return new Promise(() => {});
  }
  claimed.add(popup);
  const origin = new URL(paymentRequestUrl).origin;
  return new Promise((resolve) => {
    const finish = (outcome) => {
      clearInterval(watch);
      window.removeEventListener('message', onMessage);
      if (pressWindow === popup) pressWindow = undefined;
      resolve(outcome);
    };
    const onMessage = (event) => {
      if (event.origin === origin && event.data?.type === 'klarna-simulator-journey')
        finish(event.data.state === 'COMPLETED' ? 'complete' : 'abort');
    };
    const watch = setInterval(() => popup.closed && finish('abort'), 500);
    window.addEventListener('message', onMessage);
  });
}

globalThis[Symbol.for('pay-with-klarna.fake-options')] = {
  initDelayMs: 40,
  presentationDelayMs: 80,
  sessionToken: () =>
    `krn:network:us1:test:session-token:sim.${choice('outcome', 'step-up')}.${choice('webhook', 'prompt')}.${crypto.randomUUID()}`,
  openJourney,
};
configureKlarnaSdk({ sdk: fakeKlarna });
