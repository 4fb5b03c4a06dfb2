import { expect, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { KlarnaErrorEvent } from '../../src/events.js';
import type { PayWithKlarna } from '../../src/pay-with-klarna.js';
import { backendLog, backendRun, fakeButton, mountWithFake } from './helpers.js';
import type { FakeKlarnaOptions } from '../../src/testing/index.js';

async function checkoutWith(scenario: string, options: FakeKlarnaOptions = {}) {
  const run = backendRun();
  const mounted = await mountWithFake(
    html`<pay-with-klarna client-id="klarna_test_client_abc" amount="11800" currency="USD" locale="en-US" initiate-url="/test-backend/${scenario}/${run}" selected></pay-with-klarna>`,
    { journey: 'none', ...options },
  );
  return { ...mounted, run };
}

/** Presses Klarna's button and waits until the SDK's initiate callback has its answer. */
async function press(element: PayWithKlarna, fakeCalls: { settled: Promise<void> }[]) {
  const before = fakeCalls.length;
  fakeButton(element).click();
  await fakeCalls[before]!.settled;
}

function errorsOf(element: PayWithKlarna) {
  const errors: KlarnaErrorEvent[] = [];
  element.addEventListener('klarna-error', (event) => errors.push(event));
  return errors;
}

/** Two selected elements sharing one SDK instance, both rendered. */
async function twoSelectedElements(journey: FakeKlarnaOptions['journey']) {
  const run = backendRun();
  const { root, fake } = await mountWithFake<HTMLElement>(
    html`<div>
      <pay-with-klarna client-id="c" amount="100" currency="USD" locale="en-US" initiate-url="/test-backend/ok/${run}" selected></pay-with-klarna>
      <pay-with-klarna client-id="c" amount="100" currency="USD" locale="en-US" initiate-url="/test-backend/ok/${run}" selected></pay-with-klarna>
    </div>`,
    { journey },
  );
  const [a, b] = root.querySelectorAll('pay-with-klarna');
  if (!b!.querySelector('klarna-fake-payment-button')) await oneEvent(b!, 'klarna-presentation');
  return { a: a!, b: b!, fake };
}

describe('the button and the merchant backend', () => {
  it('POSTs the token, option, amount, currency, locale, intents and initiateData with an idempotency key, and hands the answer to the SDK', async () => {
    const { element, fake, run } = await checkoutWith('ok');
    element.initiateData = () => ({ cartId: 'cart-42' });
    document.cookie = 'session=abc; path=/';
    const announced = oneEvent(element, 'klarna-initiate');
    await press(element, fake.initiateCalls);
    expect((await announced).detail).to.deep.equal({ paymentOptionId: 'KLARNA' });
    const [entry, ...more] = await backendLog(run);
    expect(more).to.have.length(0);
    expect(entry!.body).to.deep.equal({
      klarnaNetworkSessionToken: fake.initiateCalls[0]!.params!.klarnaNetworkSessionToken,
      paymentOptionId: 'KLARNA',
      amount: 11800,
      currency: 'USD',
      locale: 'en-US',
      intents: ['PAY'],
      cartId: 'cart-42',
    });
    expect(entry!.body.klarnaNetworkSessionToken).to.match(/^krn:network:/);
    expect(entry!.headers['idempotency-key']).to.match(/^[0-9a-f-]{36}$/);
    expect(entry!.headers['content-type']).to.equal('application/json');
    expect(entry!.headers.cookie, 'credentials default to same-origin').to.contain('session=abc');
    expect(fake.initiateCalls[0]!.answer).to.deep.equal({ paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/fake-1/start' });
    const config = fake.buttonConfigs.at(-1)!;
    expect(Object.keys(config).sort(), 'unset options are left out').to.deep.equal(['initiate', 'intents', 'locale']);
  });

  it('passes shape, theme and initiation mode to Klarna\'s button, and requestInit headers to the backend', async () => {
    const run = backendRun();
    const { element, fake } = await mountWithFake(
      html`<pay-with-klarna client-id="c" amount="100" currency="USD" locale="en-US" button-shape="pill" button-theme="light" initiation-mode="ON_PAGE" initiate-url="/test-backend/ok/${run}" selected></pay-with-klarna>`,
      { journey: 'none' },
    );
    expect(fake.buttonConfigs.at(-1)).to.deep.include({ shape: 'pill', theme: 'light', initiationMode: 'ON_PAGE', locale: 'en-US', intents: ['PAY'] });
    element.requestInit = { headers: { 'X-CSRF-Token': 'csrf-1' } };
    await press(element, fake.initiateCalls);
    expect((await backendLog(run))[0]!.headers['x-csrf-token']).to.equal('csrf-1');
  });

  it('accepts paymentRequestId and returnUrl answers', async () => {
    const navigated: string[] = [];
    for (const [scenario, answer] of [
      ['id', { paymentRequestId: 'krn:payment:na1:request:fake-2' }],
      ['approved', { returnUrl: 'http://127.0.0.1/order/1' }],
    ] as const) {
      const { element, fake } = await checkoutWith(scenario, { onNavigate: (url) => navigated.push(url) });
      await press(element, fake.initiateCalls);
      expect(fake.initiateCalls[0]!.answer).to.deep.equal(answer);
    }
    await new Promise((resolve) => setTimeout(resolve));
    expect(navigated, 'onNavigate gets the returnUrl in place of going there').to.deep.equal(['http://127.0.0.1/order/1']);
  });

  it('the fake goes to a returnUrl, as Klarna\'s SDK does, when the test sets no onNavigate', async () => {
    // a fragment of this page, so that going there leaves the test running
    const returnUrl = `${location.href.split('#')[0]}#order-1`;
    const { element, fake } = await checkoutWith('ok');
    element.initiate = () => ({ returnUrl });
    let completed = 0;
    element.addEventListener('klarna-complete', () => completed++);
    const arrived = oneEvent(window, 'hashchange');
    try {
      await press(element, fake.initiateCalls);
      await arrived;
      expect(location.href).to.equal(returnUrl);
      expect(completed, 'Klarna fires no event for an answer it only navigates to').to.equal(0);
    } finally {
      history.replaceState(null, '', location.href.split('#')[0]);
    }
  });

  it('a double click makes exactly one backend request and starts one journey', async () => {
    const { element, fake, run } = await checkoutWith('slow', { journey: 'complete' });
    element.initiateTimeout = 5000;
    const errors = errorsOf(element);
    let completed = 0;
    element.addEventListener('klarna-complete', () => completed++);
    const done = oneEvent(element, 'klarna-complete');
    fakeButton(element).click();
    fakeButton(element).click();
    await done;
    await Promise.all(fake.initiateCalls.map((call) => call.settled));
    expect(fake.initiateCalls).to.have.length(2);
    expect(await backendLog(run)).to.have.length(1);
    expect(fake.initiateCalls[0]!.answer).to.deep.equal({ paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/slow/start' });
    expect(fake.initiateCalls[1]!.error, 'the second press is refused').to.be.instanceOf(DOMException);
    expect(completed).to.equal(1);
    expect(errors, 'a refused second press is no failure').to.have.length(0);
  });

  it('a custom initiate that never answers times out like the backend would', async () => {
    const { element, fake } = await checkoutWith('ok');
    element.initiateTimeout = 200;
    let signal: AbortSignal | undefined;
    element.initiate = (context) => {
      signal = context.signal;
      return new Promise(() => {});
    };
    const errors = errorsOf(element);
    await press(element, fake.initiateCalls);
    expect(errors[0]!.detail).to.deep.include({ phase: 'initiate', reason: 'timeout', retryable: true });
    expect(signal!.aborted, 'its signal is aborted too').to.equal(true);
    const button = fake.mounted.find((mount) => mount.part === 'button')!.element;
    expect(button.hasAttribute('loading')).to.equal(false);
  });

  it('a custom initiate that gives up when its signal aborts (as fetch does) still reports a retryable timeout, and the retry keeps the key', async () => {
    const { element, fake } = await checkoutWith('ok');
    element.initiateTimeout = 200;
    const keys: string[] = [];
    element.initiate = ({ signal, idempotencyKey }) => {
      keys.push(idempotencyKey);
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    };
    const errors = errorsOf(element);
    await press(element, fake.initiateCalls);
    expect(errors).to.have.length(1);
    expect(errors[0]!.detail).to.deep.include({ phase: 'initiate', reason: 'timeout', retryable: true });
    expect(errors[0]!.detail.error.message).to.equal('The initiate function did not answer within 200 ms.');
    await press(element, fake.initiateCalls);
    expect(keys).to.have.length(2);
    expect(keys[1], 'a retryable failure: the same payment attempt').to.equal(keys[0]);
  });

  it('initiateData adds to the POST body but cannot replace what was presented and pressed', async () => {
    const { element, fake, run } = await checkoutWith('ok');
    element.initiateData = { cartId: 'cart-7', amount: 1, currency: 'EUR', paymentOptionId: 'SOMETHING_ELSE', klarnaNetworkSessionToken: 'forged', intents: ['SIGNUP'] };
    await press(element, fake.initiateCalls);
    const [entry] = await backendLog(run);
    expect(entry!.body).to.deep.include({ cartId: 'cart-7', amount: 11800, currency: 'USD', paymentOptionId: 'KLARNA', intents: ['PAY'] });
    expect(entry!.body.klarnaNetworkSessionToken).to.equal(fake.initiateCalls[0]!.params!.klarnaNetworkSessionToken);
  });

  it('leaving the page during the backend call aborts it without reporting a failure', async () => {
    const { element, fake, run } = await checkoutWith('slow');
    element.initiateTimeout = 5000;
    const errors = errorsOf(element);
    fakeButton(element).click();
    await waitUntil(async () => (await backendLog(run)).length === 1, 'the backend call to be under way', { timeout: 5000 });
    element.remove();
    await fake.initiateCalls[0]!.settled;
    expect(fake.initiateCalls[0]!.error).to.be.instanceOf(DOMException);
    expect(errors).to.have.length(0);
  });

  it('a new presentation during a payment waits until the payment settles, so its button is never pulled away', async () => {
    const { element, fake, run } = await checkoutWith('slow');
    element.initiateTimeout = 5000;
    fakeButton(element).click();
    await waitUntil(async () => (await backendLog(run)).length === 1, 'the backend call to be under way', { timeout: 5000 });
    element.amount = 300;
    // the fake answers a presentation within the task that asks for it: once the request is seen
    // (from a later task), its answer has reached the element
    await waitUntil(() => fake.presentationCalls.some((call) => call.amount === 300), 'the new presentation to be asked for', { timeout: 5000 });
    const pressed = fake.mounts.find((mount) => mount.part === 'button')!;
    expect(pressed.unmountedAt, 'still mounted while its initiate runs').to.equal(undefined);
    const applied = oneEvent(element, 'klarna-presentation');
    await fake.initiateCalls[0]!.settled;
    await applied;
    expect(pressed.unmountedAt).to.be.a('number');
    expect((await backendLog(run))[0]!.body.amount).to.equal(11800);
    expect(fake.presentationCalls.at(-1)!.amount).to.equal(300);
  });

  it('a 5xx is a retryable initiate error; the button is usable again and a retry reuses the idempotency key', async () => {
    const { element, fake, run } = await checkoutWith('flaky');
    const errors = errorsOf(element);
    await press(element, fake.initiateCalls);
    expect(fake.initiateCalls[0]!.error, 'the SDK\'s initiate rejected').to.be.instanceOf(Error);
    expect(errors).to.have.length(1);
    expect(errors[0]!.detail).to.deep.include({ phase: 'initiate', reason: 'http', retryable: true });
    expect(errors[0]!.detail.error.message).to.contain('503');
    const button = fake.mounted.find((mount) => mount.part === 'button')!.element;
    expect(button.hasAttribute('loading'), 'not left loading').to.equal(false);
    await press(element, fake.initiateCalls);
    expect(fake.initiateCalls[1]!.answer).to.deep.equal({ paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/flaky/start' });
    const log = await backendLog(run);
    expect(log).to.have.length(2);
    expect(log[1]!.headers['idempotency-key']).to.equal(log[0]!.headers['idempotency-key']);
    // after a success, the next payment attempt is a new one
    await press(element, fake.initiateCalls);
    const third = (await backendLog(run))[2]!;
    expect(third.headers['idempotency-key']).not.to.equal(log[0]!.headers['idempotency-key']);
  });

  it('a backend slower than the timeout is aborted: a retryable timeout error', async () => {
    const { element, fake } = await checkoutWith('slow');
    element.initiateTimeout = 200;
    const errors = errorsOf(element);
    await press(element, fake.initiateCalls);
    expect(errors[0]!.detail).to.deep.include({ phase: 'initiate', reason: 'timeout', retryable: true });
    expect(fake.initiateCalls[0]!.answer).to.equal(undefined);
  });

  it('an unreachable backend is a retryable network error', async () => {
    const { element, fake } = await checkoutWith('ok');
    element.initiateUrl = 'http://127.0.0.1:9/nothing-listens-here';
    const errors = errorsOf(element);
    await press(element, fake.initiateCalls);
    expect(errors[0]!.detail).to.deep.include({ phase: 'initiate', reason: 'network', retryable: true });
  });

  for (const scenario of ['garbage', 'empty', 'bad-url']) {
    it(`a 2xx answer that is ${scenario} is an initiate error, and the SDK is never handed it`, async () => {
      const { element, fake } = await checkoutWith(scenario);
      const errors = errorsOf(element);
      await press(element, fake.initiateCalls);
      expect(errors[0]!.detail).to.deep.include({ phase: 'initiate', reason: 'invalid-response', retryable: false });
      expect(fake.initiateCalls[0]!.answer).to.equal(undefined);
      expect(fake.initiateCalls[0]!.error).to.equal(errors[0]!.detail.error);
    });
  }

  it('402 is a decline the shop can show', async () => {
    const { element, fake } = await checkoutWith('declined');
    const errors = errorsOf(element);
    await press(element, fake.initiateCalls);
    expect(errors[0]!.detail).to.deep.include({ phase: 'initiate', reason: 'declined', retryable: false });
    expect(errors[0]!.detail.error.message).to.contain('Please choose another payment method');
  });

  it('cancelling klarna-initiate stops the payment before any backend request', async () => {
    const { element, fake, run } = await checkoutWith('ok');
    const errors = errorsOf(element);
    element.addEventListener('klarna-initiate', (event) => event.preventDefault());
    await press(element, fake.initiateCalls);
    expect(await backendLog(run)).to.have.length(0);
    expect(fake.initiateCalls[0]!.error).to.be.instanceOf(Error);
    expect(errors).to.have.length(0);
  });

  it('an SDK that calls initiate without arguments: the token comes from Klarna.Network.Session', async () => {
    const { element, fake, run } = await checkoutWith('ok', { initiateArgs: 'none' });
    await press(element, fake.initiateCalls);
    const body = (await backendLog(run))[0]!.body;
    expect(body.klarnaNetworkSessionToken).to.match(/^krn:network:us1:test:session-token:/);
    expect(body.paymentOptionId).to.equal('KLARNA');
  });

  it('the initiate property replaces the built-in call and is given the whole context', async () => {
    const { element, fake, run } = await checkoutWith('ok');
    const contexts: unknown[] = [];
    element.initiate = async (context) => {
      contexts.push(context);
      return { paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/own/start', ignored: 'never reaches the SDK' };
    };
    await press(element, fake.initiateCalls);
    expect(await backendLog(run)).to.have.length(0);
    expect(contexts[0]).to.include({ paymentOptionId: 'KLARNA', amount: 11800, currency: 'USD' });
    expect((contexts[0] as { signal: unknown }).signal).to.be.instanceOf(AbortSignal);
    expect((contexts[0] as { idempotencyKey: string }).idempotencyKey).to.match(/^[0-9a-f-]{36}$/);
    expect(fake.initiateCalls[0]!.answer).to.deep.equal({ paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/own/start' });
  });
});

describe('Klarna\'s payment events', () => {
  it('complete is forwarded as klarna-complete with the payment request', async () => {
    const { element, fake } = await checkoutWith('ok', { journey: 'complete' });
    const completed = oneEvent(element, 'klarna-complete');
    fakeButton(element).click();
    const event = await completed;
    expect(event.detail.paymentRequest).to.include({ state: 'COMPLETED' });
    expect(fake.initiateCalls).to.have.length(1);
  });

  it('abort is forwarded as klarna-abort and the button is usable again', async () => {
    const { element, fake } = await checkoutWith('ok', { journey: 'abort' });
    const aborted = oneEvent(element, 'klarna-abort');
    fakeButton(element).click();
    expect((await aborted).detail.paymentRequest).to.include({ state: 'CANCELED', stateReason: 'PURCHASE_FLOW_ABORTED' });
    const button = fake.mounted.find((mount) => mount.part === 'button')!.element;
    expect(button.hasAttribute('loading')).to.equal(false);
  });

  it('a payment error reaches only the element whose button started the flow', async () => {
    const { a, b, fake } = await twoSelectedElements('error');
    const errorsA = errorsOf(a);
    const errorsB = errorsOf(b);
    const failed = oneEvent(b, 'klarna-error');
    fakeButton(b).click();
    const event = await failed;
    expect(event.detail).to.deep.include({ phase: 'payment', reason: 'TECHNICAL_ERROR' });
    expect(event.detail.paymentRequest).to.include({ stateReason: 'TECHNICAL_ERROR' });
    expect(errorsA).to.have.length(0);
    expect(errorsB).to.have.length(1);
    expect(fake.sdkCalls).to.have.length(1);
  });

  it('an SDK that answers the callback with nothing usable reports INVALID_CALLBACK_RESPONSE as a payment error', async () => {
    const { element, fake } = await checkoutWith('ok');
    const failed = oneEvent(element, 'klarna-error');
    await fake.emit('error', Object.assign(new Error('bad'), { errorCode: 'INVALID_CALLBACK_RESPONSE' }));
    expect((await failed).detail).to.deep.include({ phase: 'payment', reason: 'INVALID_CALLBACK_RESPONSE', retryable: false });
  });
});

describe('Klarna\'s payment events after the element left', () => {
  it('events of a flow whose element left the page go to no other element', async () => {
    const { a, b, fake } = await twoSelectedElements('none');
    await press(a, fake.initiateCalls);
    a.remove();
    let heard = 0;
    b.addEventListener('klarna-complete', () => heard++);
    await fake.emit('complete', fake.paymentRequest('COMPLETED'));
    expect(heard).to.equal(0);
  });
});
