import { expect, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { KlarnaPresentationEvent } from '../../src/events.js';
import { ariaSnapshot, isShown, mountWithFake, radios, shadow } from './helpers.js';

const checkout = (extra = html``) => html`
  <form>
    <label data-payment-method="card"><input type="radio" name="payment" value="card" checked /> Card</label>
    <label><input type="radio" name="payment" value="paypal" /> PayPal</label>
    <pay-with-klarna
      name="payment"
      client-id="klarna_test_client_abc"
      amount="11800"
      currency="USD"
      locale="en-US"
      initiate-url="/test-backend/ok/x"
    ></pay-with-klarna>
    ${extra}
  </form>
`;

describe('rendering the presentation', () => {
  it("SHOW_KLARNA: one unselected radio named by Klarna's header, with icon and subheader, details hidden", async () => {
    const { element, fake } = await mountWithFake(checkout(), { instruction: 'SHOW_KLARNA' });
    expect(radios(element)).to.have.length(1);
    expect(element.selected).to.equal(false);
    expect(element.instruction).to.equal('SHOW_KLARNA');
    expect(element.paymentOptionId).to.equal(undefined);
    expect(isShown(element, 'standard', 'icon')).to.equal(true);
    expect(isShown(element, 'standard', 'header')).to.equal(true);
    expect(isShown(element, 'standard', 'subheader')).to.equal(true);
    expect(isShown(element, 'standard', 'message')).to.equal(false);
    expect(isShown(element, 'standard', 'button')).to.equal(false);
    const snapshot = await ariaSnapshot('pay-with-klarna');
    expect(snapshot).to.contain('radio "Pay with Klarna"');
    expect(snapshot).not.to.contain('[checked]');
    // the icon asked for is the badge shape, and every component but the button (Klarna is not selected) was mounted exactly once
    expect(fake.mounted.find((mount) => mount.part === 'icon')?.config).to.deep.equal({ shape: 'badge' });
    expect(fake.mounted.map((mount) => mount.part).sort()).to.deep.equal([
      'header',
      'icon',
      'message',
      'subheader',
      'terms',
    ]);
    const card = element.form!.querySelector<HTMLInputElement>('[value=card]')!;
    expect(card.checked, "SHOW_KLARNA leaves the merchant's choice alone").to.equal(true);
    await expect(element).shadowDom.to.be.accessible();
  });

  it('PRESELECT_KLARNA: Klarna selected with message, terms and button shown; the other radios unchecked', async () => {
    const { element, fake } = await mountWithFake<HTMLFormElement>(checkout(), { instruction: 'PRESELECT_KLARNA' });
    expect(element.selected).to.equal(true);
    expect(element.paymentOptionId).to.equal(fake.paymentOptionIds.standard);
    expect(element.hasAttribute('selected')).to.equal(true);
    for (const part of ['message', 'terms', 'button']) expect(isShown(element, 'standard', part), part).to.equal(true);
    const form = element.form!;
    expect([...form.querySelectorAll<HTMLInputElement>('input')].some((input) => input.checked)).to.equal(false);
    expect(new FormData(form).get('payment')).to.equal('klarna');
    expect(await ariaSnapshot('pay-with-klarna')).to.contain('radio "Pay with Klarna" [checked]');
    await expect(element).shadowDom.to.be.accessible();
  });

  it('PRESELECT_KLARNA with a saved option: saved row first, selected, with its badge', async () => {
    const { element, fake } = await mountWithFake(checkout(), { instruction: 'PRESELECT_KLARNA', savedOption: true });
    const rows = radios(element);
    expect(rows).to.have.length(2);
    expect(rows[0]!.id).to.equal('saved-radio');
    expect(element.paymentOptionId).to.equal(fake.paymentOptionIds.saved);
    expect(isShown(element, 'saved', 'badge')).to.equal(true);
    expect(isShown(element, 'saved', 'button')).to.equal(true);
    expect(isShown(element, 'standard', 'button'), 'only the selected option shows its button').to.equal(false);
    const snapshot = await ariaSnapshot('pay-with-klarna');
    expect(snapshot).to.match(/radio "Klarna ···· saved account" \[checked\][\s\S]*radio "Pay with Klarna"/);
    await expect(element).shadowDom.to.be.accessible();
  });

  it('SHOW_ONLY_KLARNA: selected, and the other payment methods are hidden until the instruction changes', async () => {
    // a common page rule that would beat the hidden attribute alone
    const { element, fake } = await mountWithFake(
      checkout(
        html`<input type="radio" name="payment" value="bare" /><style>
            label {
              display: flex;
            }
          </style>`,
      ),
      {
        instruction: 'SHOW_ONLY_KLARNA',
      },
    );
    const form = element.form!;
    expect(element.selected).to.equal(true);
    const card = form.querySelector<HTMLElement>('[data-payment-method=card]')!;
    const paypalLabel = form.querySelector<HTMLInputElement>('[value=paypal]')!.closest('label')!;
    const bare = form.querySelector<HTMLInputElement>('[value=bare]')!;
    expect([card.hidden, paypalLabel.hidden, bare.hidden]).to.deep.equal([true, true, true]);
    expect([card, paypalLabel, bare].map((hidden) => hidden.checkVisibility())).to.deep.equal([false, false, false]);
    await expect(element).shadowDom.to.be.accessible();

    fake.configure({ instruction: 'SHOW_KLARNA' });
    const next = oneEvent(element, 'klarna-presentation');
    element.amount = 5000;
    await next;
    expect([card.hidden, paypalLabel.hidden, bare.hidden]).to.deep.equal([false, false, false]);
    expect([card, paypalLabel, bare].map((shown) => shown.checkVisibility())).to.deep.equal([true, true, true]);
    expect(card.getAttribute('style'), 'no inline style left behind').to.equal(null);
    expect(element.selected, 'the selection is kept').to.equal(true);
  });

  it('SHOW_ONLY_KLARNA hiding the method the customer is on moves their focus to Klarna, not to the page; focus elsewhere stays', async () => {
    const { element, fake } = await mountWithFake(checkout(html`<input name="email" />`), {
      instruction: 'SHOW_KLARNA',
    });
    const form = element.form!;
    const card = form.querySelector<HTMLInputElement>('[value=card]')!;
    card.focus();
    fake.configure({ instruction: 'SHOW_ONLY_KLARNA' });
    let next = oneEvent(element, 'klarna-presentation');
    element.amount = 5000;
    await next;
    await element.updateComplete;
    await waitUntil(() => document.activeElement === element, 'focus to move on to Klarna', { timeout: 5000 });
    expect(card.checkVisibility()).to.equal(false);
    expect(document.activeElement?.localName, 'focus on Klarna').to.equal('pay-with-klarna');
    expect(element.shadowRoot!.activeElement === radios(element)[0], "on Klarna's option").to.equal(true);
    expect(radios(element)[0]!.getAttribute('aria-checked')).to.equal('true');

    fake.configure({ instruction: 'SHOW_KLARNA' });
    next = oneEvent(element, 'klarna-presentation');
    element.amount = 6000;
    await next;
    await element.updateComplete;
    const email = form.querySelector<HTMLInputElement>('[name=email]')!;
    email.focus();
    fake.configure({ instruction: 'SHOW_ONLY_KLARNA' });
    next = oneEvent(element, 'klarna-presentation');
    element.amount = 7000;
    await next;
    await element.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(document.activeElement === email, 'a field that stays visible keeps its focus').to.equal(true);
  });

  it('SHOW_ONLY_KLARNA on two Klarna elements of one group hides neither of them', async () => {
    const { root } = await mountWithFake<HTMLFormElement>(
      html`<form>
        <label data-payment-method="card"><input type="radio" name="payment" value="card" /> Card</label>
        <pay-with-klarna
          name="payment"
          client-id="c"
          amount="100"
          currency="USD"
          locale="en-US"
          initiate-url="/x"
        ></pay-with-klarna>
        <pay-with-klarna
          name="payment"
          client-id="c"
          amount="100"
          currency="USD"
          locale="en-US"
          initiate-url="/x"
        ></pay-with-klarna>
      </form>`,
      { instruction: 'SHOW_ONLY_KLARNA' },
    );
    const [first, second] = root.querySelectorAll('pay-with-klarna');
    if (second!.instruction === undefined) await oneEvent(second!, 'klarna-presentation');
    expect(first!.checkVisibility() && second!.checkVisibility()).to.equal(true);
    expect(root.querySelector<HTMLElement>('[data-payment-method=card]')!.hidden).to.equal(true);
    expect([first!.selected, second!.selected].filter(Boolean), 'one of them is chosen').to.have.length(1);
  });

  it('HIDE_KLARNA: takes no space, selects nothing, mounts nothing', async () => {
    const { element, fake } = await mountWithFake(checkout(), { instruction: 'HIDE_KLARNA' });
    expect(element.getBoundingClientRect().height).to.equal(0);
    expect(element.checkVisibility()).to.equal(false);
    expect(element.selected).to.equal(false);
    expect(fake.mounted).to.have.length(0);
    expect(new FormData(element.form!).get('payment')).to.equal('card');
  });

  it('an unknown instruction is shown as SHOW_KLARNA with one console warning', async () => {
    const warnings: unknown[][] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      const { element, fake } = await mountWithFake(checkout(), { instruction: 'SHOW_KLARNA_SPARKLY' });
      expect(element.instruction).to.equal('SHOW_KLARNA');
      expect(radios(element)).to.have.length(1);
      const again = oneEvent(element, 'klarna-presentation');
      element.amount = 100;
      await again;
      expect(fake.presentationCalls).to.have.length(2);
    } finally {
      console.warn = original;
    }
    expect(warnings).to.have.length(1);
    expect(String(warnings[0]![0])).to.contain('SHOW_KLARNA_SPARKLY');
  });

  it('missing optional parts leave no empty boxes', async () => {
    const { element } = await mountWithFake(checkout(), {
      instruction: 'PRESELECT_KLARNA',
      omit: ['message', 'terms', 'badge'],
    });
    expect(shadow(element, '[part=message]')!.checkVisibility()).to.equal(false);
    expect(shadow(element, '[part=terms]')!.checkVisibility()).to.equal(false);
    expect(isShown(element, 'standard', 'button')).to.equal(true);
    await expect(element).shadowDom.to.be.accessible();
  });

  it('accepts the flat presentation shape of the latest SDK revision, which carries no option id, and invents none', async () => {
    const presented = oneEvent(document, 'klarna-presentation');
    const { element } = await mountWithFake(checkout(), { instruction: 'PRESELECT_KLARNA', shape: 'flat' });
    expect(radios(element)).to.have.length(1);
    expect(element.paymentOptionId).to.equal(undefined);
    expect((await presented).detail.paymentOptionIds).to.deep.equal([]);
    expect(isShown(element, 'standard', 'button')).to.equal(true);
    expect(await ariaSnapshot('pay-with-klarna')).to.contain('radio "Pay with Klarna" [checked]');
  });

  it("klarna-presentation carries Klarna's paymentStatus where the SDK gives one", async () => {
    for (const [options, expected] of [
      [{ paymentStatus: 'PENDING_PARTNER_AUTHORIZATION' }, 'PENDING_PARTNER_AUTHORIZATION'],
      [{ shape: 'flat' }, 'REQUIRES_CUSTOMER_ACTION'],
      [{}, undefined],
    ] as const) {
      const presented = oneEvent(document, 'klarna-presentation');
      await mountWithFake(checkout(), options);
      expect((await presented).detail.paymentStatus, JSON.stringify(options)).to.equal(expected);
    }
  });

  it("r6's flat shape: the short subheader goes in the row, the enriched one is the selected option's message", async () => {
    const { element, fake } = await mountWithFake(checkout(), { shape: 'r6' });
    const slotOf = (part: string) =>
      fake.mounted.filter((mount) => mount.part === part).map((mount) => mount.container.slot);
    expect(slotOf('subheader')).to.deep.equal(['standard-subheader']);
    expect(slotOf('message')).to.deep.equal(['standard-message']);
    expect(isShown(element, 'standard', 'subheader')).to.equal(true);
    expect(isShown(element, 'standard', 'message'), 'not selected: no message').to.equal(false);
    radios(element)[0]!.click();
    await element.updateComplete;
    expect(isShown(element, 'standard', 'message')).to.equal(true);
    expect(isShown(element, 'standard', 'button')).to.equal(true);
    await expect(element).shadowDom.to.be.accessible();
  });

  it("r6's presentationupdate is followed: Klarna's newer texts replace the old ones and the selection stays", async () => {
    const { element, fake } = await mountWithFake(checkout(), { shape: 'r6', instruction: 'PRESELECT_KLARNA' });
    const subheader = () =>
      element.querySelector('[slot=standard-subheader] klarna-fake-ui')?.getAttribute('data-text');
    expect(subheader()).to.equal('4 interest-free payments of $29.50');
    fake.configure({ texts: { subheader: 'Pay in 3 interest-free payments of $39.33' } });
    const updated = oneEvent(element, 'klarna-presentation');
    await fake.updatePresentation();
    await updated;
    await element.updateComplete;
    expect(subheader()).to.equal('Pay in 3 interest-free payments of $39.33');
    expect(element.selected).to.equal(true);
    expect(
      fake.mounted.filter((mount) => mount.part === 'subheader'),
      'the old one was unmounted',
    ).to.have.length(1);
  });

  it('klarna-presentation carries the instruction and option ids; cancelling it leaves the other methods alone', async () => {
    const events: KlarnaPresentationEvent[] = [];
    const onPresentation = (event: KlarnaPresentationEvent) => {
      events.push(event);
      event.preventDefault();
    };
    document.addEventListener('klarna-presentation', onPresentation);
    try {
      const { element, fake } = await mountWithFake(checkout(), { instruction: 'SHOW_ONLY_KLARNA', savedOption: true });
      expect(events).to.have.length(1);
      expect(events[0]!.detail).to.deep.equal({
        instruction: 'SHOW_ONLY_KLARNA',
        paymentStatus: undefined,
        paymentOptionIds: [fake.paymentOptionIds.saved, fake.paymentOptionIds.standard],
      });
      const form = element.form!;
      expect(form.querySelector<HTMLElement>('[data-payment-method=card]')!.hidden).to.equal(false);
      expect(form.querySelector<HTMLInputElement>('[value=card]')!.checked).to.equal(true);
      expect(element.selected, 'Klarna is shown but not chosen').to.equal(false);
      expect(new FormData(form).getAll('payment')).to.deep.equal(['card']);
    } finally {
      document.removeEventListener('klarna-presentation', onPresentation);
    }
  });

  it("announces that Klarna is loading in the page's language, or in the merchant's own words", async () => {
    const { element, fake } = await mountWithFake(html`<div lang="de-DE">${checkout()}</div>`);
    fake.configure({ presentationDelayMs: 300 });
    const german = document.createElement('pay-with-klarna');
    for (const attribute of ['client-id', 'amount', 'currency', 'initiate-url'])
      german.setAttribute(attribute, element.getAttribute(attribute)!);
    element.after(german);
    await german.updateComplete;
    expect(german.shadowRoot!.querySelector('[aria-live]')!.textContent).to.equal('Klarna wird geladen…');
    german.strings = { loading: 'Einen Moment, Klarna kommt…' };
    await german.updateComplete;
    expect(german.shadowRoot!.querySelector('[aria-live]')!.textContent).to.equal('Einen Moment, Klarna kommt…');
  });

  it('keeps its height while loading, so nothing jumps when Klarna appears', async () => {
    const { element, fake } = await mountWithFake(checkout(), { presentationDelayMs: 0 });
    const shown = element.getBoundingClientRect().height;
    fake.configure({ presentationDelayMs: 300 });
    const fresh = document.createElement('pay-with-klarna');
    for (const attribute of element.getAttributeNames())
      fresh.setAttribute(attribute, element.getAttribute(attribute)!);
    const presented = oneEvent(fresh, 'klarna-presentation');
    element.after(fresh);
    await fresh.updateComplete;
    const loading = fresh.getBoundingClientRect().height;
    expect(loading).to.be.greaterThan(0);
    expect(loading).to.equal(shown);
    await expect(fresh).shadowDom.to.be.accessible();
    await presented;
    await fresh.updateComplete;
    expect(fresh.getBoundingClientRect().height).to.equal(shown);
  });
});
