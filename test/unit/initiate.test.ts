import { expect, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { KlarnaCompleteEvent, KlarnaErrorEvent } from '../../src/events.js';
import type { PayWithKlarna } from '../../src/pay-with-klarna.js';
import { backendLog, backendRun, fakeButton, mountWithFake } from './helpers.js';
import type { FakeKlarnaOptions } from '../../src/testing/index.js';

async function checkoutWith(scenario: string, options: FakeKlarnaOptions = {}) {
  const run = backendRun();
  const mounted = await mountWithFake(
    html`<pay-with-klarna
      client-id="klarna_test_client_abc"
      amount="11800"
      currency="USD"
      locale="en-US"
      initiate-url="/test-backend/${scenario}/${run}"
      selected
    ></pay-with-klarna>`,
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
      <pay-with-klarna
        client-id="c"
        amount="100"
        currency="USD"
        locale="en-US"
        initiate-url="/test-backend/ok/${run}"
        selected
      ></pay-with-klarna>
      <pay-with-klarna
        client-id="c"
        amount="100"
        currency="USD"
        locale="en-US"
        initiate-url="/test-backend/ok/${run}"
        selected
      ></pay-with-klarna>
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
    expect((await announced).detail).to.deep.equal({ paymentOptionId: fake.paymentOptionIds.standard });
    const [entry, ...more] = await backendLog(run);
    expect(more).to.have.length(0);
    expect(entry!.body).to.deep.equal({
      klarnaNetworkSessionToken: fake.initiateCalls[0]!.params!.klarnaNetworkSessionToken,
      paymentOptionId: fake.paymentOptionIds.standard,
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
    expect(fake.initiateCalls[0]!.answer).to.deep.equal({
      paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/fake-1/start',
    });
    const config = fake.buttonConfigs.at(-1)!;
    expect(Object.keys(config).sort(), 'unset options are left out').to.deep.equal(['initiate', 'intents', 'locale']);
  });

  it("passes shape, theme and initiation mode to Klarna's button, and requestInit headers to the backend", async () => {
    const run = backendRun();
    const { element, fake } = await mountWithFake(
      html`<pay-with-klarna
        client-id="c"
        amount="100"
        currency="USD"
        locale="en-US"
        button-shape="pill"
        button-theme="light"
        initiation-mode="ON_PAGE"
        initiate-url="/test-backend/ok/${run}"
        selected
      ></pay-with-klarna>`,
      { journey: 'none' },
    );
    expect(fake.buttonConfigs.at(-1)).to.deep.include({
      shape: 'pill',
      theme: 'light',
      initiationMode: 'ON_PAGE',
      locale: 'en-US',
      intents: ['PAY'],
    });
    element.requestInit = { headers: { 'X-CSRF-Token': 'csrf-1' } };
    await press(element, fake.initiateCalls);
    expect((await backendLog(run))[0]!.headers['x-csrf-token']).to.equal('csrf-1');
  });

  it("the button gets the presentation's intents without ADD_TO_WALLET, a presentation intent only; ADD_TO_WALLET alone gives it none", async () => {
    for (const [intents, expected] of [
      ['PAY ADD_TO_WALLET', ['PAY']],
      ['ADD_TO_WALLET', undefined],
    ] as const) {
      const { fake } = await mountWithFake(
        html`<pay-with-klarna
          client-id="c"
          amount="100"
          currency="USD"
          locale="en-US"
          intents=${intents}
          initiate-url="/x"
          selected
        ></pay-with-klarna>`,
      );
      expect(fake.presentationCalls[0]!.intents, intents).to.include('ADD_TO_WALLET');
      const config = fake.buttonConfigs.at(-1)!;
      expect(config.intents, intents).to.deep.equal(expected);
      expect('intents' in config, `${intents}: no intents key at all`).to.equal(expected !== undefined);
    }
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
    expect(navigated, 'onNavigate gets the returnUrl in place of going there').to.deep.equal([
      'http://127.0.0.1/order/1',
    ]);
  });

  it("a relative returnUrl is made absolute against the page's URL before it reaches the SDK", async () => {
    const navigated: string[] = [];
    const { element, fake } = await checkoutWith('ok', { onNavigate: (url) => navigated.push(url) });
    element.initiate = () => ({ returnUrl: '/order/7?paid=1' });
    await press(element, fake.initiateCalls);
    const absolute = new URL('/order/7?paid=1', location.href).href;
    expect(fake.initiateCalls[0]!.answer).to.deep.equal({ returnUrl: absolute });
    await fake.initiateCalls[0]!.ended;
    expect(navigated).to.deep.equal([absolute]);
  });

  for (const paymentRequestUrl of [
    '/journey/krn-1',
    'http://pay.test.klarna.com/na/requests/1/start',
    'pay.test.klarna.com/na/requests/1/start',
    42,
  ]) {
    it(`a paymentRequestUrl that is not an absolute https: URL (${paymentRequestUrl}) is refused, naming the field, and never reaches the SDK`, async () => {
      const navigated: string[] = [];
      const { element, fake } = await checkoutWith('ok', { onNavigate: (url) => navigated.push(url) });
      element.initiate = () => ({ paymentRequestUrl, returnUrl: 'https://shop.example/order/1' });
      const errors = errorsOf(element);
      await press(element, fake.initiateCalls);
      expect(errors).to.have.length(1);
      expect(errors[0]!.detail).to.deep.include({ phase: 'initiate', reason: 'invalid-response', retryable: false });
      expect(errors[0]!.detail.error.message).to.contain('paymentRequestUrl must be an absolute https: URL');
      expect(fake.initiateCalls[0]!.answer).to.equal(undefined);
      expect(navigated, 'nor is the returnUrl beside it taken instead').to.deep.equal([]);
    });
  }

  it('an optional shippingConfig beside paymentRequestUrl or paymentRequestId is passed on to the SDK', async () => {
    const shippingConfig = { mode: 'EDITABLE', supportedCountries: ['US'] };
    const answers = [
      { paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/s-1/start', shippingConfig },
      { paymentRequestId: 'krn:payment:na1:request:s-2', shippingConfig },
    ];
    for (const answer of answers) {
      const { element, fake } = await checkoutWith('ok');
      element.initiate = () => ({ ...answer, somethingElse: true });
      await press(element, fake.initiateCalls);
      expect(fake.initiateCalls[0]!.answer).to.deep.equal(answer);
    }
  });

  it("the fake goes to a returnUrl, as Klarna's SDK does, when the test sets no onNavigate", async () => {
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
    expect(fake.initiateCalls[0]!.answer).to.deep.equal({
      paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/slow/start',
    });
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
    element.initiateData = {
      cartId: 'cart-7',
      amount: 1,
      currency: 'EUR',
      paymentOptionId: 'SOMETHING_ELSE',
      klarnaNetworkSessionToken: 'forged',
      intents: ['SIGNUP'],
    };
    await press(element, fake.initiateCalls);
    const [entry] = await backendLog(run);
    expect(entry!.body).to.deep.include({
      cartId: 'cart-7',
      amount: 11800,
      currency: 'USD',
      paymentOptionId: fake.paymentOptionIds.standard,
      intents: ['PAY'],
    });
    expect(entry!.body.klarnaNetworkSessionToken).to.equal(fake.initiateCalls[0]!.params!.klarnaNetworkSessionToken);
  });

  it('leaving the page during the backend call aborts it without reporting a failure', async () => {
    const { element, fake, run } = await checkoutWith('slow');
    element.initiateTimeout = 5000;
    const errors = errorsOf(element);
    fakeButton(element).click();
    await waitUntil(async () => (await backendLog(run)).length === 1, 'the backend call to be under way', {
      timeout: 5000,
    });
    element.remove();
    await fake.initiateCalls[0]!.settled;
    expect(fake.initiateCalls[0]!.error).to.be.instanceOf(DOMException);
    expect(errors).to.have.length(0);
  });

  it('a new presentation during a payment waits until the payment settles, so its button is never pulled away', async () => {
    const { element, fake, run } = await checkoutWith('slow');
    element.initiateTimeout = 5000;
    fakeButton(element).click();
    await waitUntil(async () => (await backendLog(run)).length === 1, 'the backend call to be under way', {
      timeout: 5000,
    });
    element.amount = 300;
    // the fake answers a presentation within the task that asks for it: once the request is seen
    // (from a later task), its answer has reached the element
    await waitUntil(
      () => fake.presentationCalls.some((call) => call.amount === 300),
      'the new presentation to be asked for',
      { timeout: 5000 },
    );
    const pressed = fake.mounts.find((mount) => mount.part === 'button')!;
    expect(pressed.unmountedAt, 'still mounted while its initiate runs').to.equal(undefined);
    const applied = oneEvent(element, 'klarna-presentation');
    await fake.initiateCalls[0]!.settled;
    await applied;
    expect(pressed.unmountedAt).to.be.a('number');
    expect((await backendLog(run))[0]!.body.amount).to.equal(11800);
    expect(fake.presentationCalls.at(-1)!.amount).to.equal(300);
  });

  it('a button whose payment is being started is never unmounted when another method is chosen; it goes once initiate settles', async () => {
    const run = backendRun();
    const { root, element, fake } = await mountWithFake<HTMLFormElement>(
      html`<form>
        <label><input type="radio" name="payment" value="card" /> Card</label>
        <pay-with-klarna
          name="payment"
          client-id="c"
          amount="100"
          currency="USD"
          locale="en-US"
          initiate-url="/test-backend/slow/${run}"
          initiate-timeout="5000"
          selected
        ></pay-with-klarna>
      </form>`,
      { journey: 'none' },
    );
    fakeButton(element).click();
    const pressed = fake.mounted.find((mount) => mount.part === 'button')!;
    root.querySelector<HTMLInputElement>('[value=card]')!.click();
    await element.updateComplete;
    expect(element.selected).to.equal(false);
    expect(pressed.unmountedAt, 'kept while its initiate runs').to.equal(undefined);
    await fake.initiateCalls[0]!.settled;
    await element.updateComplete;
    expect(pressed.unmountedAt, 'then unmounted').to.be.a('number');
    expect(fake.initiateCalls[0]!.answer).to.deep.equal({
      paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/slow/start',
    });
  });

  it('a 5xx is a retryable initiate error; the button is usable again and a retry reuses the idempotency key', async () => {
    const { element, fake, run } = await checkoutWith('flaky');
    const errors = errorsOf(element);
    await press(element, fake.initiateCalls);
    expect(fake.initiateCalls[0]!.error, "the SDK's initiate rejected").to.be.instanceOf(Error);
    expect(errors).to.have.length(1);
    expect(errors[0]!.detail).to.deep.include({ phase: 'initiate', reason: 'http', retryable: true });
    expect(errors[0]!.detail.error.message).to.contain('503');
    const button = fake.mounted.find((mount) => mount.part === 'button')!.element;
    expect(button.hasAttribute('loading'), 'not left loading').to.equal(false);
    await press(element, fake.initiateCalls);
    expect(fake.initiateCalls[1]!.answer).to.deep.equal({
      paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/flaky/start',
    });
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

  it('a rejected initiate is reported once, though the SDK then also emits error for the same press', async () => {
    const { element, fake } = await checkoutWith('declined', { errorAfterRejectedInitiate: true });
    const errors = errorsOf(element);
    fakeButton(element).click();
    await fake.initiateCalls[0]!.ended;
    expect(
      fake.emitted.map((record) => record.event),
      'the SDK emitted error',
    ).to.deep.equal(['error']);
    expect(errors).to.have.length(1);
    expect(errors[0]!.detail).to.deep.include({ phase: 'initiate', reason: 'declined' });
  });

  it("a press the merchant cancelled produces no klarna-error, though the SDK emits error for it; the next payment's error is reported", async () => {
    const { element, fake } = await checkoutWith('ok', { errorAfterRejectedInitiate: true });
    const errors = errorsOf(element);
    const cancel = (event: Event) => event.preventDefault();
    element.addEventListener('klarna-initiate', cancel);
    fakeButton(element).click();
    await fake.initiateCalls[0]!.ended;
    expect(fake.emitted.map((record) => record.event)).to.deep.equal(['error']);
    expect(errors).to.have.length(0);

    element.removeEventListener('klarna-initiate', cancel);
    fake.configure({ journey: 'error' });
    fakeButton(element).click();
    await fake.initiateCalls[1]!.ended;
    expect(errors).to.have.length(1);
    expect(errors[0]!.detail).to.deep.include({ phase: 'payment', reason: 'TECHNICAL_ERROR' });
  });

  it('an SDK that calls initiate without arguments: the token comes from Klarna.Network.Session', async () => {
    const { element, fake, run } = await checkoutWith('ok', { initiateArgs: 'none' });
    await press(element, fake.initiateCalls);
    const body = (await backendLog(run))[0]!.body;
    expect(body.klarnaNetworkSessionToken).to.match(/^krn:network:us1:test:session-token:/);
    expect(body.paymentOptionId).to.equal(fake.paymentOptionIds.standard);
  });

  it("a presentation without option ids: the SDK's id goes to the backend, or none at all, never a made-up one", async () => {
    for (const initiateArgs of ['params', 'none'] as const) {
      const { element, fake, run } = await checkoutWith('ok', { shape: 'flat', initiateArgs });
      await press(element, fake.initiateCalls);
      const body = (await backendLog(run))[0]!.body;
      expect(body.paymentOptionId, initiateArgs).to.equal(
        initiateArgs === 'params' ? fake.paymentOptionIds.standard : undefined,
      );
      expect(Object.keys(body), initiateArgs).to.include.members(['amount', 'currency', 'klarnaNetworkSessionToken']);
    }
  });

  it('the initiate property replaces the built-in call and is given the whole context', async () => {
    const { element, fake, run } = await checkoutWith('ok');
    const contexts: unknown[] = [];
    element.initiate = async (context) => {
      contexts.push(context);
      return {
        paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/own/start',
        ignored: 'never reaches the SDK',
      };
    };
    await press(element, fake.initiateCalls);
    expect(await backendLog(run)).to.have.length(0);
    expect(contexts[0]).to.include({ paymentOptionId: fake.paymentOptionIds.standard, amount: 11800, currency: 'USD' });
    expect((contexts[0] as { signal: unknown }).signal).to.be.instanceOf(AbortSignal);
    expect((contexts[0] as { idempotencyKey: string }).idempotencyKey).to.match(/^[0-9a-f-]{36}$/);
    expect(fake.initiateCalls[0]!.answer).to.deep.equal({
      paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/own/start',
    });
  });
});

describe("Klarna's payment events", () => {
  it('complete is forwarded as klarna-complete with the payment request', async () => {
    const { element, fake } = await checkoutWith('ok', { journey: 'complete' });
    const completed = oneEvent(element, 'klarna-complete');
    fakeButton(element).click();
    const event = await completed;
    expect(event.detail.paymentRequest).to.include({ state: 'COMPLETED' });
    expect(fake.initiateCalls).to.have.length(1);
  });

  it('an SDK with Payment.onComplete / onAbort / onError in place of Payment.on: its events are heard', async () => {
    const { element, fake } = await checkoutWith('ok', { journey: 'complete', eventApi: 'callbacks' });
    expect(fake.handlers.map((handler) => handler.event).sort()).to.deep.equal(['abort', 'complete', 'error']);
    const completed = oneEvent(element, 'klarna-complete');
    fakeButton(element).click();
    expect((await completed).detail.paymentRequest).to.include({ state: 'COMPLETED' });
  });

  it('complete fired twice for one payment request makes one klarna-complete; the SDK gets the first answer both times', async () => {
    const { element, fake } = await checkoutWith('ok', { journey: 'complete', completeTwice: true });
    const completes: KlarnaCompleteEvent[] = [];
    element.addEventListener('klarna-complete', (event) => {
      completes.push(event);
      event.preventDefault();
    });
    fakeButton(element).click();
    await fake.initiateCalls[0]!.ended;
    const emitted = fake.emitted.filter((record) => record.event === 'complete');
    expect(emitted, 'Klarna reported it twice').to.have.length(2);
    expect(completes, 'the page heard it once').to.have.length(1);
    expect(emitted.map((record) => record.answers)).to.deep.equal([[false], [false]]);
  });

  it('a later payment request completes again: only repeats of one payment request are dropped', async () => {
    const { element, fake } = await checkoutWith('ok', { journey: 'complete' });
    const ids: unknown[] = [];
    element.addEventListener('klarna-complete', (event) => ids.push(event.detail.paymentRequest.paymentRequestId));
    for (let attempt = 0; attempt < 2; attempt++) {
      fakeButton(element).click();
      await fake.initiateCalls[attempt]!.ended;
    }
    expect(ids).to.have.length(2);
    expect(ids[0]).not.to.equal(ids[1]);
  });

  for (const key of [
    'klarnaNetworkSessionToken',
    'klarna_network_session_token',
    'interoperabilityToken',
    'none',
  ] as const) {
    it(`klarna-complete carries the network session token from the payment request's stateContext (${key})`, async () => {
      const { element, fake } = await checkoutWith('ok', { journey: 'complete', stateContextToken: key });
      const completed = oneEvent(element, 'klarna-complete');
      fakeButton(element).click();
      const { detail } = await completed;
      const token = fake.initiateCalls[0]!.params!.klarnaNetworkSessionToken;
      expect(token).to.match(/^krn:network:/);
      expect(detail.klarnaNetworkSessionToken).to.equal(key === 'none' ? undefined : token);
    });
  }

  it('a redirect journey leaves the page for the return URL, its template variables filled, and fires no klarna-complete', async () => {
    const navigated: string[] = [];
    const returnUrl =
      'https://shop.example/klarna/return?order=7&id={klarna.payment_request.id}&state={klarna.payment_request.state}&token={klarna.payment_request.klarna_network_session_token}';
    const { element, fake } = await checkoutWith('ok', {
      journey: 'redirect',
      returnUrl,
      onNavigate: (url) => navigated.push(url),
    });
    let completed = 0;
    element.addEventListener('klarna-complete', () => completed++);
    fakeButton(element).click();
    await fake.initiateCalls[0]!.ended;
    expect(navigated).to.have.length(1);
    const back = new URL(navigated[0]!);
    expect(back.origin + back.pathname).to.equal('https://shop.example/klarna/return');
    expect(back.searchParams.get('order')).to.equal('7');
    expect(back.searchParams.get('id')).to.match(/^krn:payment:/);
    expect(back.searchParams.get('state')).to.equal('COMPLETED');
    expect(back.searchParams.get('token')).to.equal(fake.initiateCalls[0]!.params!.klarnaNetworkSessionToken);
    expect(completed).to.equal(0);
    expect(fake.emitted).to.have.length(0);
  });

  it('without onNavigate, a redirect journey makes the page go to the return URL', async () => {
    // a fragment of this page, so that going there leaves the test running
    const page = location.href.split('#')[0];
    const { element, fake } = await checkoutWith('ok', {
      journey: 'redirect',
      redirectState: 'CANCELED',
      returnUrl: `${page}#return/{klarna.payment_request.state}`,
    });
    const arrived = oneEvent(window, 'hashchange');
    try {
      fakeButton(element).click();
      await arrived;
      expect(location.hash).to.equal('#return/CANCELED');
      await fake.initiateCalls[0]!.ended;
    } finally {
      history.replaceState(null, '', page);
    }
  });

  it('abort is forwarded as klarna-abort and the button is usable again', async () => {
    const { element, fake } = await checkoutWith('ok', { journey: 'abort' });
    const aborted = oneEvent(element, 'klarna-abort');
    fakeButton(element).click();
    expect((await aborted).detail.paymentRequest).to.include({
      state: 'CANCELED',
      stateReason: 'PURCHASE_FLOW_ABORTED',
    });
    const button = fake.mounted.find((mount) => mount.part === 'button')!.element;
    expect(button.hasAttribute('loading')).to.equal(false);
  });

  for (const abortState of ['CANCELED', 'SUBMITTED'] as const) {
    it(`abort in state ${abortState}: klarna-abort carries Klarna's state${abortState === 'SUBMITTED' ? ', and the element cancels the request the customer left' : ''}`, async () => {
      const { element, fake } = await checkoutWith('ok', { journey: 'abort', abortState });
      const aborted = oneEvent(element, 'klarna-abort');
      fakeButton(element).click();
      const { detail } = await aborted;
      expect(detail.state).to.equal(abortState);
      const id = detail.paymentRequest.paymentRequestId;
      expect(id).to.match(/^krn:payment:/);
      expect(fake.cancelCalls).to.deep.equal(abortState === 'SUBMITTED' ? [id] : []);
    });
  }

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
    expect((await failed).detail).to.deep.include({
      phase: 'payment',
      reason: 'INVALID_CALLBACK_RESPONSE',
      retryable: false,
    });
  });
});

describe("Klarna's payment events after the element left", () => {
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
