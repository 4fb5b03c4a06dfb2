import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { mountWithFake, radios } from './helpers.js';
import type { PayWithKlarna } from '../../src/pay-with-klarna.js';
import { installFakeKlarna } from '../../src/testing/index.js';
import { configureKlarnaSdk } from '../../src/sdk/loader.js';

const element = (attributes = html``) =>
  html`<pay-with-klarna
    client-id="klarna_test_client_abc"
    amount="11800"
    currency="USD"
    locale="en-US"
    initiate-url="/x"
    >${attributes}</pay-with-klarna
  >`;

const subheaderText = (el: PayWithKlarna) =>
  el.querySelector('[slot=standard-subheader] klarna-fake-ui')?.getAttribute('data-text') ?? '';

describe('reactive properties', () => {
  it("are Lit's accessors on the prototype: no instance field shadows one", async () => {
    const { element: el } = await mountWithFake(element());
    const { PayWithKlarna } = await import('../../src/pay-with-klarna.js');
    const names = [...PayWithKlarna.elementProperties.keys()].map(String);
    expect(names).to.include.members(['clientId', 'amount', 'name', 'selected', 'initiate', 'initiateData']);
    expect(names.filter((name) => Object.hasOwn(el, name))).to.deep.equal([]);
    expect(el.name).to.equal('');
    expect(el.iconShape).to.equal('badge');
    expect(el.initiateTimeout).to.equal(30000);
  });
});

describe('changes, bursts and stale answers', () => {
  it('an amount change asks for a new presentation and shows it, keeping the selection', async () => {
    const { element: el, fake } = await mountWithFake(element());
    expect(subheaderText(el)).to.equal('4 interest-free payments of $29.50');
    radios(el)[0]!.click();
    const next = oneEvent(el, 'klarna-presentation');
    el.setAttribute('amount', '20000');
    await next;
    await el.updateComplete;
    expect(fake.presentationCalls.map((call) => call.amount)).to.deep.equal([11800, 20000]);
    expect(subheaderText(el)).to.equal('4 interest-free payments of $50.00');
    expect(el.selected).to.equal(true);
    expect(
      fake.mounted.filter((mount) => mount.part === 'button'),
      'the old components were unmounted',
    ).to.have.length(1);
  });

  it("a customer on Klarna's button keeps focus in Klarna when an amount change remounts it", async () => {
    const { element: el } = await mountWithFake(element());
    radios(el)[0]!.click();
    await el.updateComplete;
    const button = el.querySelector<HTMLElement>('[slot=standard-button] klarna-fake-payment-button')!;
    button.shadowRoot!.querySelector('button')!.focus();
    expect(el.matches(':focus-within')).to.equal(true);
    const next = oneEvent(el, 'klarna-presentation');
    el.setAttribute('amount', '20000');
    await next;
    await el.updateComplete;
    await el.updateComplete;
    expect(button.isConnected, 'the old button was unmounted').to.equal(false);
    expect(el.matches(':focus-within'), 'focus stayed in the element').to.equal(true);
    expect(el.shadowRoot!.activeElement?.getAttribute('role')).to.equal('radio');
  });

  it('a string amount property (React 19 sets amount="11800" as one) is read as minor units', async () => {
    const { element: el, fake } = await mountWithFake(element());
    const next = oneEvent(el, 'klarna-presentation');
    (el as unknown as { amount: string }).amount = '20000';
    await next;
    await el.updateComplete;
    expect(fake.presentationCalls.map((call) => call.amount)).to.deep.equal([11800, 20000]);
    expect(subheaderText(el)).to.equal('4 interest-free payments of $50.00');
  });

  it('a string amount in major units ("118.00") is refused as the attribute is', async () => {
    const { element: el } = await mountWithFake(element());
    const original = console.error;
    console.error = () => {};
    const failed = oneEvent(el, 'klarna-error');
    (el as unknown as { amount: string }).amount = '118.00';
    const event = await failed;
    console.error = original;
    expect(event.detail.error.message).to.match(/amount must be a whole number of minor units/);
  });

  it('a burst of changes is coalesced and only the last amount is shown', async () => {
    // each answer takes longer than the whole burst (20 changes 5 ms apart) should, with room for a
    // busy machine, where a 5 ms timer may fire much later (three engines share two cores)
    const { element: el, fake } = await mountWithFake(element(), { presentationDelayMs: 300 });
    const done = new Promise<void>((resolve) => {
      el.addEventListener('klarna-presentation', () => el.amount === 12000 && resolve());
    });
    // twenty changes, each its own update, all while the first presentation is on its way (30 ms)
    for (let step = 1; step <= 20; step++) {
      el.amount = 11800 + step * 10;
      await el.updateComplete;
    }
    await done;
    await el.updateComplete;
    expect(fake.presentationCalls.length, 'far fewer requests than changes').to.be.at.most(6);
    expect(fake.presentationCalls.at(-1)!.amount).to.equal(12000);
    expect(subheaderText(el)).to.equal('4 interest-free payments of $30.00');
  });

  it('an older answer arriving after a newer one is never shown', async () => {
    const { element: el, fake } = await mountWithFake(element());
    // the first change answers slowly, the second quickly
    fake.configure({ presentationDelayMs: (request) => (request.amount === 5000 ? 300 : 0) });
    const shown: number[] = [];
    el.addEventListener('klarna-presentation', () => shown.push(el.amount!));
    el.amount = 5000;
    await el.updateComplete;
    el.amount = 7000;
    await el.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(shown).to.deep.equal([7000]);
    expect(subheaderText(el)).to.equal('4 interest-free payments of $17.50');
  });

  it('an attribute turned invalid while a presentation is on its way: the error stands, the old answer never shows', async () => {
    const { element: el, fake } = await mountWithFake(element());
    fake.configure({ presentationDelayMs: 200 });
    el.amount = 5000;
    await el.updateComplete;
    const presented: unknown[] = [];
    el.addEventListener('klarna-presentation', (event) => presented.push(event));
    const failed = oneEvent(el, 'klarna-error');
    el.setAttribute('amount', '50.00');
    expect((await failed).detail.reason).to.equal('invalid-config');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(presented).to.have.length(0);
    expect(el.getBoundingClientRect().height).to.equal(0);
    expect(el.instruction).to.equal(undefined);
  });

  it('currency, locale, intents and subscription attributes are passed and each change asks again', async () => {
    const { element: el, fake } = await mountWithFake(
      html`<pay-with-klarna
        client-id="klarna_test_client_abc"
        amount="999"
        currency="eur"
        locale="de-DE"
        intents="subscribe"
        subscription-billing-interval="MONTH"
        subscription-billing-interval-frequency="1"
        initiate-url="/x"
      ></pay-with-klarna>`,
    );
    expect(fake.presentationCalls[0]).to.deep.equal({
      amount: 999,
      currency: 'EUR',
      locale: 'de-DE',
      intents: ['SUBSCRIBE'],
      subscriptionBillingInterval: 'MONTH',
      subscriptionBillingIntervalFrequency: 1,
    });
    expect(fake.sdkCalls[0]).to.deep.equal({
      clientId: 'klarna_test_client_abc',
      products: ['PAYMENT'],
      locale: 'de-DE',
    });
    for (const [attribute, value] of [
      ['currency', 'SEK'],
      ['intents', 'PAY SUBSCRIBE'],
      ['subscription-billing-interval', 'YEAR'],
    ]) {
      const next = oneEvent(el, 'klarna-presentation');
      el.setAttribute(attribute!, value!);
      await next;
    }
    expect(fake.presentationCalls.at(-1)).to.deep.include({
      currency: 'SEK',
      intents: ['PAY', 'SUBSCRIBE'],
      subscriptionBillingInterval: 'YEAR',
    });
  });

  it("a new button shape or theme remounts Klarna's button with it", async () => {
    const { element: el, fake } = await mountWithFake(element(), { instruction: 'PRESELECT_KLARNA' });
    const next = oneEvent(el, 'klarna-presentation');
    el.setAttribute('button-theme', 'dark');
    await next;
    expect(fake.buttonConfigs.at(-1)).to.deep.include({ theme: 'dark' });
    expect(fake.mounted.filter((mount) => mount.part === 'button')).to.have.length(1);
  });

  it("without a locale attribute, the page's lang is used", async () => {
    const { fake } = await mountWithFake(
      html`<div lang="sv-SE">
        <pay-with-klarna
          client-id="klarna_test_client_abc"
          amount="100"
          currency="SEK"
          initiate-url="/x"
        ></pay-with-klarna>
      </div>`,
    );
    expect(fake.presentationCalls[0]!.locale).to.equal('sv-SE');
  });
});

describe('connecting, disconnecting and sharing the SDK', () => {
  it('disconnecting unmounts every component; reconnecting many times leaves exactly one set', async () => {
    const { element: el, fake } = await mountWithFake(element(), { instruction: 'PRESELECT_KLARNA' });
    const parent = el.parentElement!;
    for (let round = 0; round < 5; round++) {
      el.remove();
      expect(fake.mounted, `round ${round}: everything unmounted`).to.have.length(0);
      expect(el.childElementCount, 'no containers left behind').to.equal(0);
      const presented = oneEvent(el, 'klarna-presentation');
      parent.append(el);
      await presented;
    }
    await el.updateComplete;
    expect(fake.mounted.filter((mount) => mount.part === 'button')).to.have.length(1);
    expect(el.querySelectorAll('klarna-fake-payment-button')).to.have.length(1);
    expect(fake.sdkCalls, 'one KlarnaSDK() for the whole page').to.have.length(1);
    expect(
      fake.handlers.filter((handler) => handler.event === 'complete'),
      'payment events registered once',
    ).to.have.length(1);
  });

  it('a detached element no longer listens to its old form', async () => {
    const { root, element: el } = await mountWithFake<HTMLFormElement>(html`
      <form>
        <input type="radio" name="payment" value="card" />
        <pay-with-klarna
          name="payment"
          client-id="c"
          amount="100"
          currency="USD"
          locale="en-US"
          initiate-url="/x"
        ></pay-with-klarna>
      </form>
    `);
    radios(el)[0]!.click();
    let changes = 0;
    el.addEventListener('change', () => changes++);
    el.remove();
    root.querySelector<HTMLInputElement>('[value=card]')!.click();
    expect(changes).to.equal(0);
    expect(el.selected, 'a detached element is not told about its old group').to.equal(true);
  });

  it('many elements share one KlarnaSDK() per configuration, with payment events registered before any button mounts', async () => {
    const fake = installFakeKlarna({ initDelayMs: 20 });
    let presented = 0;
    const allPresented = new Promise<void>((resolve) => {
      document.addEventListener('klarna-presentation', function count() {
        if (++presented === 6) {
          document.removeEventListener('klarna-presentation', count);
          resolve();
        }
      });
    });
    await fixture(
      html`<div>
        ${[1, 2, 3, 4, 5].map((n) => html`<pay-with-klarna client-id="klarna_test_client_abc" amount=${n * 100} currency="USD" locale="en-US" initiate-url="/x" selected></pay-with-klarna>`)}
        <pay-with-klarna
          client-id="klarna_test_client_abc"
          amount="100"
          currency="USD"
          locale="fr-FR"
          initiate-url="/x"
          selected
        ></pay-with-klarna>
      </div>`,
    );
    await allPresented;
    expect(fake.sdkCalls.map((call) => call.locale)).to.deep.equal(['en-US', 'fr-FR']);
    const registered = fake.handlers.filter((handler) => ['complete', 'abort', 'error'].includes(handler.event));
    expect(registered, 'complete, abort and error once per instance').to.have.length(6);
    for (const instance of [0, 1]) {
      const buttons = fake.mounts.filter((mount) => mount.part === 'button' && mount.instance === instance);
      expect(buttons.length).to.be.greaterThan(0);
      const firstButton = Math.min(...buttons.map((mount) => mount.mountedAt));
      const handlers = registered.filter((handler) => handler.instance === instance);
      expect(handlers.every((handler) => handler.registeredAt <= firstButton)).to.equal(true);
    }
  });
});

describe('returning customers and acquirers: sdkToken, klarnaNetworkSessionToken, acquiringConfig', () => {
  it('sdk-token goes into KlarnaSDK(): a customer Klarna knows gets the saved option', async () => {
    const { element: el, fake } = await mountWithFake(element(), { savedOptionForSdkToken: 'sdk-token-known' });
    expect(radios(el)).to.have.length(1);
    const next = oneEvent(el, 'klarna-presentation');
    el.setAttribute('sdk-token', 'sdk-token-known');
    const { detail } = await next;
    await el.updateComplete;
    expect(fake.sdkCalls.at(-1)).to.deep.equal({
      clientId: 'klarna_test_client_abc',
      locale: 'en-US',
      sdkToken: 'sdk-token-known',
      products: ['PAYMENT'],
    });
    expect(el.sdkToken).to.equal('sdk-token-known');
    expect(detail.paymentOptionIds).to.deep.equal([fake.paymentOptionIds.saved, fake.paymentOptionIds.standard]);
    expect(radios(el)).to.have.length(2);
  });

  it('klarnaNetworkSessionToken and acquiringConfig go into KlarnaSDK(); elements with the same configuration share one, a change re-initialises only the element it is set on', async () => {
    const fake = installFakeKlarna({}, { timeoutMs: 2000, retryDelaysMs: [] });
    const presented = new Map<Element, number>();
    const onPresentation = (event: Event) =>
      presented.set(event.target as Element, (presented.get(event.target as Element) ?? 0) + 1);
    document.addEventListener('klarna-presentation', onPresentation);
    try {
      const both = oneEvent(document, 'klarna-presentation');
      const root = await fixture(html`<div>${element()}${element()}</div>`);
      const [a, b] = root.querySelectorAll('pay-with-klarna');
      await both;
      if (!presented.has(b!)) await oneEvent(b!, 'klarna-presentation');
      expect(fake.sdkCalls, 'one KlarnaSDK() for both').to.have.length(1);

      const next = oneEvent(a!, 'klarna-presentation');
      a!.klarnaNetworkSessionToken = 'krn:network:us1:test:session-token:known';
      a!.acquiringConfig = { paymentAccountId: 'krn:partner:global:account:test:PAY1' };
      await next;
      expect(fake.sdkCalls).to.have.length(2);
      expect(fake.sdkCalls[1]).to.deep.include({
        klarnaNetworkSessionToken: 'krn:network:us1:test:session-token:known',
        acquiringConfig: { paymentAccountId: 'krn:partner:global:account:test:PAY1' },
      });
      expect(presented.get(b!), 'the other element was left alone').to.equal(1);
      expect(
        fake.mounted.filter((mount) => b!.contains(mount.container)).every((mount) => mount.instance === 0),
      ).to.equal(true);
      expect(
        fake.mounted.filter((mount) => a!.contains(mount.container)).every((mount) => mount.instance === 1),
      ).to.equal(true);
    } finally {
      document.removeEventListener('klarna-presentation', onPresentation);
    }
  });

  it('an acquiringConfig without its paymentAccountId is refused with an error that names it', async () => {
    const { element: el, fake } = await mountWithFake(element());
    const { error } = console;
    console.error = () => {};
    try {
      const failed = oneEvent(el, 'klarna-error');
      el.acquiringConfig = {} as never;
      const { detail } = await failed;
      expect(detail).to.deep.include({ phase: 'init', reason: 'invalid-config', retryable: false });
      expect(detail.error.message).to.contain('paymentAccountId');
      expect(fake.sdkCalls, 'KlarnaSDK() was not asked').to.have.length(1);
    } finally {
      console.error = error;
    }
  });
});

describe('configureKlarnaSdk', () => {
  const another = async () => {
    const shown = oneEvent(document, 'klarna-presentation');
    await fixture(element());
    await shown;
  };

  it('changing only timeouts keeps the SDK instance; setting sdk starts afresh', async () => {
    const { fake } = await mountWithFake(element());
    configureKlarnaSdk({ timeoutMs: 5000, retryDelaysMs: [] });
    await another();
    expect(fake.sdkCalls, 'one KlarnaSDK() for both elements').to.have.length(1);
    configureKlarnaSdk({ sdk: fake.module });
    await another();
    expect(fake.sdkCalls, 'a new instance after sdk was set again').to.have.length(2);
  });
});
