import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import { configureKlarnaSdk, type KlarnaSdkOptions } from '../../src/sdk/loader.js';
import type { PayWithKlarna } from '../../src/pay-with-klarna.js';
import { FakeKlarna, klarnaError } from '../../src/testing/index.js';
import { mountWithFake } from './helpers.js';

const checkout = html`
  <form>
    <label><input type="radio" name="payment" value="card" checked /> Card</label>
    <pay-with-klarna
      name="payment"
      client-id="klarna_test_client_abc"
      amount="11800"
      currency="USD"
      locale="en-US"
      initiate-url="/x"
    ></pay-with-klarna>
  </form>
`;

/** Mounts the checkout with `sdk` as the SDK source and returns the first klarna-error. */
async function failWith(sdk: KlarnaSdkOptions['sdk'], options: Partial<KlarnaSdkOptions> = {}) {
  configureKlarnaSdk({ sdk, timeoutMs: 2000, retryDelaysMs: [], ...options });
  const failed = oneEvent(document, 'klarna-error');
  const started = performance.now();
  const form = await fixture<HTMLFormElement>(checkout);
  const event = await failed;
  const element = form.querySelector('pay-with-klarna')!;
  await element.updateComplete;
  return { event, element, form, elapsed: performance.now() - started };
}

function expectUnavailable(element: PayWithKlarna, form: HTMLFormElement) {
  expect(element.getBoundingClientRect().height, 'takes no space').to.equal(0);
  expect(element.selected).to.equal(false);
  const card = form.querySelector<HTMLInputElement>('[value=card]')!;
  expect(card.checked && card.checkVisibility(), 'the other methods stay usable').to.equal(true);
}

describe('failures: unavailable, with one klarna-error that says why', () => {
  let unhandled: PromiseRejectionEvent[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => unhandled.push(event);
  beforeEach(() => {
    unhandled = [];
    window.addEventListener('unhandledrejection', onUnhandled);
  });
  afterEach(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    window.removeEventListener('unhandledrejection', onUnhandled);
    expect(
      unhandled.map((event) => String(event.reason)),
      'no unhandled promise rejection',
    ).to.deep.equal([]);
  });

  it("C1: Klarna's URL blocked (as here: nothing leaves the machine) is a network failure", async () => {
    const { event, element, form } = await failWith(undefined);
    expect(event.detail).to.deep.include({ phase: 'load', reason: 'network', retryable: true });
    expect(event.detail.error.message).to.contain('https://js.klarna.com/web-sdk/v2/klarna.mjs');
    expectUnavailable(element, form);
  });

  it('C2: a failing download is retried with backoff, then unavailable; refresh() loads again', async () => {
    const fake = new FakeKlarna();
    let attempts = 0;
    let healthy = false;
    const sdk = async () => {
      attempts++;
      if (!healthy)
        throw new TypeError('Failed to fetch dynamically imported module: https://js.klarna.com/web-sdk/v2/klarna.mjs');
      return fake.module;
    };
    const { event, element, elapsed } = await failWith(sdk, { retryDelaysMs: [50, 100] });
    expect(attempts, 'one try and two retries').to.equal(3);
    expect(elapsed, 'the backoff was waited').to.be.at.least(150);
    expect(event.detail.reason).to.equal('network');
    healthy = true;
    const presented = oneEvent(element, 'klarna-presentation');
    element.refresh();
    await presented;
    expect(attempts).to.equal(4);
    expect(element.getBoundingClientRect().height).to.be.greaterThan(0);
  });

  it('C3: a download that never answers is unavailable at the timeout; its late arrival is ignored', async () => {
    const fake = new FakeKlarna();
    let arrive!: (module: unknown) => void;
    const { event, element, elapsed } = await failWith(() => new Promise((resolve) => (arrive = resolve)), {
      timeoutMs: 300,
    });
    expect(event.detail).to.deep.include({ phase: 'load', reason: 'timeout', retryable: true });
    expect(elapsed, 'at the 300 ms timeout, not the default 15 s').to.be.within(250, 7_500);
    arrive(fake.module);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.sdkCalls).to.have.length(0);
    expect(element.getBoundingClientRect().height).to.equal(0);
  });

  it('C4: a module without KlarnaSDK is invalid-sdk, not retried', async () => {
    let attempts = 0;
    const { event } = await failWith(
      async () => {
        attempts++;
        return { somethingElse: true };
      },
      { retryDelaysMs: [10, 10] },
    );
    expect(event.detail).to.deep.include({ phase: 'load', reason: 'invalid-sdk', retryable: false });
    expect(attempts).to.equal(1);
  });

  it('C4: a module that throws while evaluating is invalid-sdk', async () => {
    const { event } = await failWith(async () => {
      throw new SyntaxError('Unexpected token <');
    });
    expect(event.detail).to.deep.include({ reason: 'invalid-sdk' });
  });

  it("C5: KlarnaSDK() rejecting is an init failure with Klarna's code, tried once for all elements", async () => {
    const fake = new FakeKlarna({ initError: klarnaError('ACCESS_ERROR', 'PERMISSION_DENIED', 'Origin not allowed') });
    configureKlarnaSdk({ sdk: fake.module, timeoutMs: 2000, retryDelaysMs: [] });
    const errors: Event[] = [];
    const onError = (event: Event) => errors.push(event);
    document.addEventListener('klarna-error', onError);
    await fixture(
      html`<div>
        ${[1, 2, 3].map(() => html`<pay-with-klarna client-id="bad" amount="100" currency="USD" locale="en-US" initiate-url="/x"></pay-with-klarna>`)}
      </div>`,
    );
    await waitUntil(() => errors.length >= 3, 'each element to report the failure', { timeout: 5000 });
    document.removeEventListener('klarna-error', onError);
    expect(fake.sdkCalls, 'no retry storm').to.have.length(1);
    expect(errors).to.have.length(3);
    const detail = (errors[0] as CustomEvent).detail;
    expect(detail).to.deep.include({ phase: 'init', reason: 'init' });
    expect(detail.error.code).to.equal('PERMISSION_DENIED');
    expect(detail.error.message).to.contain('allowlisted');
  });

  it('C9: presentation() rejecting is unavailable, nothing half-rendered', async () => {
    const fake = new FakeKlarna({ presentationError: new Error('boom') });
    const { event, element, form } = await failWith(fake.module);
    expect(event.detail).to.deep.include({ phase: 'presentation', reason: 'presentation', retryable: true });
    expect(fake.mounted).to.have.length(0);
    expectUnavailable(element, form);
  });

  it("C9: Klarna's own presentation error keeps its code; an input or access error is not worth retrying, a technical one is", async () => {
    const cases: Array<[unknown, string | undefined, boolean]> = [
      [klarnaError('INPUT_ERROR', 'VALIDATION_ERROR', 'currency ABC is not supported'), 'VALIDATION_ERROR', false],
      [klarnaError('ACCESS_ERROR', 'PERMISSION_DENIED', 'Origin not allowed'), 'PERMISSION_DENIED', false],
      [klarnaError('TECHNICAL_ERROR', 'TECHNICAL_ERROR', 'Try again later'), 'TECHNICAL_ERROR', true],
    ];
    for (const [error, code, retryable] of cases) {
      const { event, element, form } = await failWith(new FakeKlarna({ presentationError: error }).module);
      expect(event.detail, String(code)).to.deep.include({ phase: 'presentation', reason: 'presentation', retryable });
      expect(event.detail.error.code).to.equal(code);
      expect(event.detail.error.message).to.equal(
        `Klarna's presentation failed: ${(error as { errorMessage: string }).errorMessage}`,
      );
      expectUnavailable(element, form);
    }
  });

  it('says why Klarna is unavailable on the console too, as a warning, for a page that does not listen for klarna-error', async () => {
    const warnings: unknown[][] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      const { event } = await failWith(
        new FakeKlarna({ initError: klarnaError('ACCESS_ERROR', 'PERMISSION_DENIED', 'Origin not allowed') }).module,
      );
      expect(warnings).to.deep.equal([[`<pay-with-klarna>: ${event.detail.error.message}`]]);
      expect(event.detail.error.message).to.contain('PERMISSION_DENIED');
    } finally {
      console.warn = original;
    }
  });

  for (const shape of ['options', 'flat'] as const) {
    it(`Klarna's silent fallback for a client id or origin it refused (${shape} shape) is unavailable, not an option: one console error says what to check; refresh() asks again`, async () => {
      const said: Array<[string, string]> = [];
      const { error, warn } = console;
      console.error = (text: unknown) => said.push(['error', String(text)]);
      console.warn = (text: unknown) => said.push(['warn', String(text)]);
      const fake = new FakeKlarna({ fallback: true, savedOption: true, instruction: 'PRESELECT_KLARNA', shape });
      try {
        const { event, element, form } = await failWith(fake.module);
        expect(event.detail).to.deep.include({ phase: 'presentation', reason: 'not-entitled', retryable: false });
        expectUnavailable(element, form);
        expect(fake.mounted, 'nothing of the stand-in is mounted').to.have.length(0);
        expect(said).to.have.length(1);
        expect(said[0]![0]).to.equal('error');
        for (const named of ['klarna_test_client_abc', location.origin, 'allowlist'])
          expect(said[0]![1]).to.contain(named);

        fake.configure({ fallback: false });
        const presented = oneEvent(element, 'klarna-presentation');
        element.refresh();
        await presented;
        await element.updateComplete;
        expect(element.getBoundingClientRect().height).to.be.greaterThan(0);
        expect(fake.presentationCalls).to.have.length(2);
      } finally {
        Object.assign(console, { error, warn });
      }
    });
  }

  it('C9: presentation() never answering is unavailable at the timeout', async () => {
    const fake = new FakeKlarna({ presentationHangs: true });
    const { event, element, form, elapsed } = await failWith(fake.module, { timeoutMs: 300 });
    expect(event.detail).to.deep.include({ phase: 'presentation', reason: 'timeout' });
    expect(elapsed, 'at the 300 ms timeout, not the default 15 s').to.be.within(250, 7_500);
    expectUnavailable(element, form);
  });
});

describe('bad attributes get an error that names them', () => {
  const cases: Array<[string, ReturnType<typeof html>, RegExp]> = [
    [
      'missing client-id',
      html`<pay-with-klarna amount="100" currency="USD" initiate-url="/x"></pay-with-klarna>`,
      /client-id/,
    ],
    [
      'amount in major units',
      html`<pay-with-klarna client-id="c" amount="118.00" currency="USD" initiate-url="/x"></pay-with-klarna>`,
      /amount must be a whole number of minor units/,
    ],
    [
      'missing amount for PAY',
      html`<pay-with-klarna client-id="c" currency="USD" initiate-url="/x"></pay-with-klarna>`,
      /amount is required for the PAY intent/,
    ],
    [
      'bad currency',
      html`<pay-with-klarna client-id="c" amount="100" currency="dollars" initiate-url="/x"></pay-with-klarna>`,
      /currency must be a three-letter ISO 4217 code/,
    ],
    [
      'unknown intent',
      html`<pay-with-klarna
        client-id="c"
        amount="100"
        currency="USD"
        intents="PAY BUY"
        initiate-url="/x"
      ></pay-with-klarna>`,
      /unknown intents BUY/,
    ],
    [
      'bad initiation mode',
      html`<pay-with-klarna
        client-id="c"
        amount="100"
        currency="USD"
        initiation-mode="MODAL"
        initiate-url="/x"
      ></pay-with-klarna>`,
      /initiation-mode must be one of/,
    ],
    ['no backend', html`<pay-with-klarna client-id="c" amount="100" currency="USD"></pay-with-klarna>`, /initiate-url/],
  ];
  for (const [name, template, message] of cases) {
    it(name, async () => {
      const fake = new FakeKlarna();
      const errors: string[] = [];
      const original = console.error;
      console.error = (text: unknown) => errors.push(String(text));
      configureKlarnaSdk({ sdk: fake.module });
      const failed = oneEvent(document, 'klarna-error');
      const element = await fixture<PayWithKlarna>(template);
      const event = await failed;
      console.error = original;
      expect(event.detail).to.deep.include({ phase: 'init', reason: 'invalid-config', retryable: false });
      expect(event.detail.error.message).to.match(message);
      expect(
        errors.some((text) => message.test(text)),
        'also said on the console',
      ).to.equal(true);
      expect(element.getBoundingClientRect().height).to.equal(0);
      expect(fake.presentationCalls).to.have.length(0);
    });
  }

  it('ADD_TO_WALLET and SIGNIN need no amount', async () => {
    const { fake } = await mountWithFake(
      html`<pay-with-klarna client-id="c" currency="USD" intents="ADD_TO_WALLET" initiate-url="/x"></pay-with-klarna>`,
    );
    expect(fake.presentationCalls[0]).not.to.have.property('amount');
  });

  it('an initiate-url set after the element connected brings Klarna back', async () => {
    const fake = new FakeKlarna();
    configureKlarnaSdk({ sdk: fake.module });
    const failed = oneEvent(document, 'klarna-error');
    const element = await fixture<PayWithKlarna>(
      html`<pay-with-klarna client-id="c" amount="150" currency="USD"></pay-with-klarna>`,
    );
    await failed;
    const presented = oneEvent(element, 'klarna-presentation');
    element.initiateUrl = '/api/klarna/initiate';
    await presented;
    expect(element.instruction).to.equal('SHOW_KLARNA');
  });

  it('an initiate-url taken away after Klarna showed is a configuration error, not a press that posts to /null', async () => {
    const { element } = await mountWithFake(
      html`<pay-with-klarna client-id="c" amount="150" currency="USD" initiate-url="/x"></pay-with-klarna>`,
    );
    expect(element.instruction).to.equal('SHOW_KLARNA');
    const failed = oneEvent(element, 'klarna-error');
    element.initiateUrl = undefined;
    const { detail } = await failed;
    expect([detail.phase, detail.reason]).to.deep.equal(['init', 'invalid-config']);
    expect(detail.error.message).to.contain('initiate-url');
    await waitUntil(() => element.getBoundingClientRect().height === 0, 'Klarna is no longer offered');
  });

  it('a fixed attribute brings Klarna back', async () => {
    const fake = new FakeKlarna();
    configureKlarnaSdk({ sdk: fake.module });
    const failed = oneEvent(document, 'klarna-error');
    const element = await fixture<PayWithKlarna>(
      html`<pay-with-klarna client-id="c" amount="1.5" currency="USD" initiate-url="/x"></pay-with-klarna>`,
    );
    await failed;
    const presented = oneEvent(element, 'klarna-presentation');
    element.setAttribute('amount', '150');
    await presented;
    await element.updateComplete;
    expect(element.getBoundingClientRect().height).to.be.greaterThan(0);
  });
});
