import { expect, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { ariaSnapshot, fakeButton, isShown, mountWithFake, press, radios } from './helpers.js';
import type { PayWithKlarna } from '../../src/pay-with-klarna.js';

const checkout = (instruction = html``) => html`
  <form>
    ${instruction}
    <label><input type="radio" name="payment" value="card" /> Card</label>
    <pay-with-klarna
      name="payment"
      client-id="klarna_test_client_abc"
      amount="11800"
      currency="USD"
      locale="en-US"
      initiate-url="/test-backend/ok/x"
    ></pay-with-klarna>
    <label><input type="radio" name="payment" value="paypal" /> PayPal</label>
  </form>
`;

function countChanges(element: PayWithKlarna) {
  const seen = { count: 0 };
  element.addEventListener('change', () => seen.count++);
  return seen;
}

describe('selection and the payment-method group', () => {
  it('a click selects Klarna, fires one change, unchecks the others and shows the button', async () => {
    const { element } = await mountWithFake(checkout());
    const card = element.form!.querySelector<HTMLInputElement>('[value=card]')!;
    card.click();
    const changes = countChanges(element);
    radios(element)[0]!.click();
    await element.updateComplete;
    expect(element.selected).to.equal(true);
    expect(changes.count).to.equal(1);
    expect(card.checked).to.equal(false);
    expect(new FormData(element.form!).get('payment')).to.equal('klarna');
    expect(isShown(element, 'standard', 'button')).to.equal(true);
    await expect(element).shadowDom.to.be.accessible();
    radios(element)[0]!.click();
    expect(changes.count, 'clicking the selected option again changes nothing').to.equal(1);
  });

  it("Klarna's button is mounted for the selected option only, and unmounted when another method is chosen; the row's parts stay", async () => {
    const { element, fake } = await mountWithFake(checkout(), { savedOption: true });
    const buttons = () => fake.mounted.filter((mount) => mount.part === 'button').map((mount) => mount.paymentOptionId);
    const rowParts = fake.mounted.filter((mount) => ['icon', 'header', 'subheader', 'badge'].includes(mount.part));
    expect(rowParts.map((mount) => mount.part).sort()).to.deep.equal([
      'badge',
      'header',
      'header',
      'icon',
      'icon',
      'subheader',
      'subheader',
    ]);
    expect(buttons(), 'nothing selected: no button').to.deep.equal([]);

    radios(element)[0]!.click();
    await element.updateComplete;
    expect(buttons()).to.deep.equal([fake.paymentOptionIds.saved]);
    expect(isShown(element, 'saved', 'button')).to.equal(true);
    radios(element)[1]!.click();
    await element.updateComplete;
    expect(buttons()).to.deep.equal([fake.paymentOptionIds.standard]);
    expect(isShown(element, 'standard', 'button')).to.equal(true);
    element.form!.querySelector<HTMLInputElement>('[value=card]')!.click();
    await element.updateComplete;
    expect(buttons(), 'another method chosen: no button').to.deep.equal([]);

    expect(
      rowParts.every((mount) => mount.unmountedAt === undefined),
      'icon, header, subheader and badge stayed mounted',
    ).to.equal(true);
    const pressable = fake.mounts.filter((mount) => mount.part === 'button');
    expect(pressable).to.have.length(2);
    expect(
      pressable.some((mount) => mount.containerRemovedFirst),
      'each button unmounted before its container went',
    ).to.equal(false);
    expect(element.querySelectorAll('[slot$=-button]').length, 'no empty containers left').to.equal(0);
  });

  it('selecting Klarna moves nothing beyond the details it opens: its row stays put and the button is there as they open', async () => {
    const { element } = await mountWithFake(checkout());
    const radio = radios(element)[0]!;
    const before = radio.getBoundingClientRect().top;
    radio.click();
    await element.updateComplete;
    const opened = element.getBoundingClientRect().height;
    const button = element.querySelector('[slot=standard-button] klarna-fake-payment-button')!;
    expect(button.getBoundingClientRect().height, 'the button takes its space at once').to.be.greaterThan(0);
    await new Promise(requestAnimationFrame);
    await new Promise(requestAnimationFrame);
    expect(radio.getBoundingClientRect().top).to.equal(before);
    expect(element.getBoundingClientRect().height, 'nothing grows afterwards').to.equal(opened);
  });

  it("a customer on Klarna's button keeps focus in Klarna when code deselects it and its button goes", async () => {
    const { element } = await mountWithFake(checkout(), { instruction: 'PRESELECT_KLARNA' });
    fakeButton(element).focus();
    expect(element.matches(':focus-within')).to.equal(true);
    element.selected = false;
    await element.updateComplete;
    await element.updateComplete;
    expect(element.querySelector('klarna-fake-payment-button') === null, 'the button went').to.equal(true);
    expect(element.matches(':focus-within'), 'focus stayed in Klarna').to.equal(true);
    expect(element.shadowRoot!.activeElement?.getAttribute('role')).to.equal('radio');
  });

  it('checking another method deselects Klarna and fires change; setting selected in code fires none', async () => {
    const { element, fake } = await mountWithFake(checkout());
    radios(element)[0]!.click();
    const changes = countChanges(element);
    element.form!.querySelector<HTMLInputElement>('[value=paypal]')!.click();
    await element.updateComplete;
    expect(element.selected).to.equal(false);
    expect(changes.count).to.equal(1);
    expect(new FormData(element.form!).get('payment')).to.equal('paypal');

    element.selected = true;
    await element.updateComplete;
    expect(element.paymentOptionId).to.equal(fake.paymentOptionIds.standard);
    expect(element.form!.querySelector<HTMLInputElement>('[value=paypal]')!.checked).to.equal(false);
    element.selected = false;
    await element.updateComplete;
    expect(changes.count).to.equal(1);
  });

  it('the radio circle and the row stand out from a white page by 3:1 at least (WCAG 1.4.11)', async () => {
    const { element } = await mountWithFake(checkout());
    const luminance = (color: string) => {
      const [r, g, b] = color
        .match(/\d+/g)!
        .slice(0, 3)
        .map((part) => Number(part) / 255)
        .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const contrastOnWhite = (color: string) => 1.05 / (luminance(color) + 0.05);
    const indicator = element.shadowRoot!.querySelector('[part=indicator]')!;
    const option = element.shadowRoot!.querySelector('[part=option]')!;
    expect(contrastOnWhite(getComputedStyle(indicator).borderTopColor)).to.be.at.least(3);
    expect(contrastOnWhite(getComputedStyle(option).borderTopColor)).to.be.at.least(3);
  });

  it('a value attribute sets what the form submits; a form reset deselects', async () => {
    const { element } = await mountWithFake(checkout());
    element.value = 'klarna-us';
    radios(element)[0]!.click();
    await element.updateComplete;
    expect(new FormData(element.form!).get('payment')).to.equal('klarna-us');
    element.form!.reset();
    await element.updateComplete;
    expect(element.selected).to.equal(false);
    expect(new FormData(element.form!).get('payment')).to.equal(null);
  });

  it('arrow keys move through the whole group as between native radios; Space selects', async () => {
    const { element, fake } = await mountWithFake(checkout(), { savedOption: true });
    const [card, paypal] = element.form!.querySelectorAll<HTMLInputElement>('input');
    card!.focus();
    await sendKeys({ press: 'ArrowDown' });
    await element.updateComplete;
    expect(element.paymentOptionId, "from the card radio into Klarna's first option").to.equal(
      fake.paymentOptionIds.saved,
    );
    expect(element.shadowRoot!.activeElement?.id).to.equal('saved-radio');
    await sendKeys({ press: 'ArrowDown' });
    await element.updateComplete;
    expect(element.paymentOptionId).to.equal(fake.paymentOptionIds.standard);
    await sendKeys({ press: 'ArrowDown' });
    await element.updateComplete;
    expect(element.selected).to.equal(false);
    expect(paypal!.checked).to.equal(true);
    expect(focusedName()).to.equal('input[value=paypal]');
    await sendKeys({ press: 'ArrowUp' });
    await element.updateComplete;
    expect(element.paymentOptionId, 'back up from PayPal lands on the last Klarna option').to.equal(
      fake.paymentOptionIds.standard,
    );
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ press: 'ArrowUp' });
    await element.updateComplete;
    expect(card!.checked).to.equal(true);
    expect(element.selected).to.equal(false);

    element.focus();
    expect(element.shadowRoot!.activeElement?.id).to.equal('saved-radio');
    await press('Space');
    await element.updateComplete;
    expect(element.paymentOptionId).to.equal(fake.paymentOptionIds.saved);
  });

  it('an arrow with Alt, Ctrl or Meta is left to the browser (Alt+Left is Back); Left and Right swap on a right-to-left page', async () => {
    const { element, fake } = await mountWithFake(checkout(), { savedOption: true });
    const card = element.form!.querySelector<HTMLInputElement>('[value=card]')!;
    card.focus();
    for (const chord of ['Alt+ArrowDown', 'Control+ArrowRight', 'Meta+ArrowDown']) {
      // the arrow's own keydown (the modifier's comes first)
      const pressed = new Promise<KeyboardEvent>((resolve) => {
        const onKeydown = (event: KeyboardEvent) =>
          event.key.startsWith('Arrow') && (document.removeEventListener('keydown', onKeydown), resolve(event));
        document.addEventListener('keydown', onKeydown);
      });
      await press(chord);
      const event = await pressed;
      expect([event.altKey || event.ctrlKey || event.metaKey, event.defaultPrevented], chord).to.deep.equal([
        true,
        false,
      ]);
      await element.updateComplete;
      expect(element.selected, chord).to.equal(false);
    }
    element.form!.dir = 'rtl';
    element.focus();
    await press('Space');
    await sendKeys({ press: 'ArrowLeft' });
    await element.updateComplete;
    expect(element.paymentOptionId, 'Left is forward on a right-to-left page').to.equal(fake.paymentOptionIds.standard);
    await sendKeys({ press: 'ArrowRight' });
    await element.updateComplete;
    expect(element.paymentOptionId, 'and Right is back').to.equal(fake.paymentOptionIds.saved);
  });

  /** What has focus, named (an element itself in a failed assertion would have chai print the whole page). */
  const focusedName = () => {
    const focused = document.activeElement;
    return focused instanceof HTMLInputElement ? `input[value=${focused.value}]` : (focused?.localName ?? 'nothing');
  };

  /** Focus on Klarna's option, then a new amount whose presentation `change` makes Klarna go away. */
  async function focusWhileKlarnaGoes(
    change: Parameters<Awaited<ReturnType<typeof mountWithFake>>['fake']['configure']>[0],
    settledBy: string,
  ) {
    const { element, fake } = await mountWithFake(checkout());
    radios(element)[0]!.focus();
    expect(element.matches(':focus-within')).to.equal(true);
    fake.configure(change);
    const settled = oneEvent(element, settledBy);
    element.amount = 20000;
    await settled;
    await element.updateComplete;
  }

  it("focus on Klarna moves on to the group's next method when Klarna says HIDE_KLARNA", async () => {
    await focusWhileKlarnaGoes({ instruction: 'HIDE_KLARNA' }, 'klarna-presentation');
    expect(focusedName(), 'not lost to the page').to.equal('input[value=paypal]');
  });

  it("focus on Klarna moves on to the group's next method when Klarna becomes unavailable", async () => {
    await focusWhileKlarnaGoes({ presentationError: new Error('Klarna is down') }, 'klarna-error');
    expect(focusedName(), 'not lost to the page').to.equal('input[value=paypal]');
  });

  it('Tab reaches Klarna once, on the selected option', async () => {
    const { element } = await mountWithFake(checkout(), { savedOption: true, instruction: 'PRESELECT_KLARNA' });
    const stops: string[] = [];
    (document.activeElement as HTMLElement | null)?.blur();
    for (let press = 0; press < 6; press++) {
      await sendKeys({ press: 'Tab' });
      const focused = document.activeElement;
      if (!focused || focused === document.body) break; // Chromium and Firefox: past the page's last stop
      const stop =
        focused === element
          ? `klarna:${element.shadowRoot!.activeElement?.id}`
          : `${focused.localName}:${(focused as HTMLInputElement).value}`;
      if (stop === stops[0]) break; // WebKit: round to the page's first stop again
      stops.push(stop);
    }
    expect(
      stops.filter((stop) => stop.startsWith('klarna:')),
      stops.join(' → '),
    ).to.deep.equal(['klarna:saved-radio']);
  });

  // ---- one tab stop for the group while Klarna is its selection ------------------------------------

  /** A checkout with a field before the group and a button after it; the page gives two radios a tabindex of its own. */
  const tabCheckout = () => html`
    <form>
      <input id="email" />
      <label><input type="radio" name="payment" value="card" tabindex="0" /> Card</label>
      <pay-with-klarna
        name="payment"
        client-id="klarna_test_client_abc"
        amount="11800"
        currency="USD"
        locale="en-US"
        initiate-url="/test-backend/ok/x"
      ></pay-with-klarna>
      <label><input type="radio" name="payment" value="paypal" /> PayPal</label>
      <label><input type="radio" name="payment" value="gift" tabindex="x7" /> Gift card</label>
      <button type="button" id="pay">Pay</button>
    </form>
  `;

  /** What has focus, for a list of tab stops: Klarna's option by id, a radio by value, anything else by id. */
  const stopName = () => {
    const focused = document.activeElement as HTMLElement | null;
    if (focused?.localName === 'pay-with-klarna') return `klarna:${focused.shadowRoot!.activeElement?.id}`;
    if (focused?.closest('pay-with-klarna')) return "klarna:Klarna's button";
    return focused instanceof HTMLInputElement && focused.type === 'radio'
      ? `radio:${focused.value}`
      : `#${focused?.id ?? 'nothing'}`;
  };

  /** The stops real Tab (or Shift+Tab) presses make from `start` up to `end`, `end` excluded. */
  async function tabStops(start: HTMLElement, key: 'Tab' | 'Shift+Tab', end: string): Promise<string[]> {
    start.focus();
    const stops: string[] = [];
    for (let count = 0; count < 8; count++) {
      await press(key);
      const stop = stopName();
      if (stop === end) return stops;
      stops.push(stop);
    }
    return [...stops, '(never reached the end)'];
  }

  /** Each native radio's tabindex attribute as the page has it ("none" when absent). */
  const tabindexes = (form: HTMLFormElement) =>
    [...form.querySelectorAll<HTMLInputElement>('input[type=radio]')]
      .map((radio) => `${radio.value}=${radio.getAttribute('tabindex') ?? 'none'}`)
      .join(' ');
  const OWN = 'card=0 paypal=none gift=x7';
  const OUT = 'card=-1 paypal=-1 gift=-1';

  it('while Klarna is selected, Tab from the field before the group and Shift+Tab from after it both land on its checked option only', async () => {
    const { element, fake } = await mountWithFake(tabCheckout(), {
      savedOption: true,
      instruction: 'PRESELECT_KLARNA',
    });
    const form = element.form!;
    expect(element.paymentOptionId).to.equal(fake.paymentOptionIds.saved);
    const email = form.querySelector<HTMLElement>('#email')!;
    const pay = form.querySelector<HTMLElement>('#pay')!;
    expect((await tabStops(email, 'Tab', '#pay')).join(' → ')).to.equal("klarna:saved-radio → klarna:Klarna's button");
    expect((await tabStops(pay, 'Shift+Tab', '#email')).join(' → ')).to.equal(
      "klarna:Klarna's button → klarna:saved-radio",
    );

    // the customer picks Klarna's other option with the keyboard: still the only stop, on that option
    element.focus();
    await sendKeys({ press: 'ArrowDown' });
    await element.updateComplete;
    expect(element.paymentOptionId).to.equal(fake.paymentOptionIds.standard);
    expect((await tabStops(email, 'Tab', '#pay')).join(' → ')).to.equal(
      "klarna:standard-radio → klarna:Klarna's button",
    );
  });

  it('with nothing selected, the group is one Tab stop, its first radio, as a native group with nothing checked', async () => {
    const { element } = await mountWithFake(tabCheckout(), { instruction: 'SHOW_KLARNA' });
    const form = element.form!;
    expect(element.selected).to.equal(false);
    expect((await tabStops(form.querySelector<HTMLElement>('#email')!, 'Tab', '#pay')).join(' → ')).to.equal(
      'radio:card',
    );
    expect(tabindexes(form), "the radios keep the page's own tabindex").to.equal(OWN);
  });

  it("a native radio chosen again gets the page's own tabindex back, exactly, and Tab stops on it", async () => {
    const { element } = await mountWithFake(tabCheckout(), { instruction: 'PRESELECT_KLARNA' });
    const form = element.form!;
    expect(tabindexes(form), 'out of the Tab order while Klarna is selected').to.equal(OUT);
    element.focus();
    await sendKeys({ press: 'ArrowDown' }); // from Klarna's option to PayPal, as between native radios
    await element.updateComplete;
    expect(stopName()).to.equal('radio:paypal');
    expect(element.selected).to.equal(false);
    expect(tabindexes(form)).to.equal(OWN);
    expect((await tabStops(form.querySelector<HTMLElement>('#email')!, 'Tab', '#pay')).join(' → ')).to.equal(
      'radio:paypal',
    );

    form.querySelector<HTMLInputElement>('[value=paypal]')!.focus();
    await sendKeys({ press: 'ArrowUp' }); // back into Klarna
    await element.updateComplete;
    expect(element.selected).to.equal(true);
    expect(tabindexes(form)).to.equal(OUT);
    form.querySelector<HTMLInputElement>('[value=card]')!.click();
    await element.updateComplete;
    expect(tabindexes(form)).to.equal(OWN);
  });

  it("the page's own tabindex comes back when Klarna is deselected in code, disabled, reset with the form, hidden or unavailable", async () => {
    const { element, fake } = await mountWithFake(tabCheckout(), { instruction: 'PRESELECT_KLARNA' });
    const form = element.form!;
    const reselect = async () => {
      element.selected = true;
      await element.updateComplete;
      expect(tabindexes(form), 'out again').to.equal(OUT);
    };
    element.selected = false;
    await element.updateComplete;
    expect(tabindexes(form), 'selected = false').to.equal(OWN);
    await reselect();

    element.disabled = true;
    await element.updateComplete;
    expect(tabindexes(form), 'disabled: Klarna has no tab stop, so the radios keep theirs').to.equal(OWN);
    element.disabled = false;
    await element.updateComplete;
    expect(tabindexes(form)).to.equal(OUT);
    const fieldset = document.createElement('fieldset');
    form.append(fieldset);
    fieldset.append(element); // a move: Klarna is mounted afresh, still selected
    await oneEvent(element, 'klarna-presentation');
    await element.updateComplete;
    expect(tabindexes(form)).to.equal(OUT);
    fieldset.disabled = true;
    await element.updateComplete;
    expect(tabindexes(form), 'in a disabled fieldset').to.equal(OWN);
    fieldset.disabled = false;
    await element.updateComplete;
    expect(tabindexes(form)).to.equal(OUT);

    form.reset();
    await element.updateComplete;
    expect(tabindexes(form), 'form reset').to.equal(OWN);
    await reselect();

    fake.configure({ instruction: 'HIDE_KLARNA' });
    let settled = oneEvent(element, 'klarna-presentation');
    element.amount = 20000;
    await settled;
    await element.updateComplete;
    expect(tabindexes(form), 'HIDE_KLARNA').to.equal(OWN);

    fake.configure({ instruction: 'PRESELECT_KLARNA' });
    element.amount = 20001;
    await oneEvent(element, 'klarna-presentation');
    await reselect();
    fake.configure({ presentationError: new Error('Klarna is down') });
    settled = oneEvent(element, 'klarna-error');
    element.amount = 20002;
    await settled;
    await element.updateComplete;
    expect(tabindexes(form), 'unavailable').to.equal(OWN);
  });

  it("the page's own tabindex comes back when the selected Klarna element leaves the page", async () => {
    const { element } = await mountWithFake(tabCheckout(), { instruction: 'PRESELECT_KLARNA' });
    const form = element.form!;
    expect(tabindexes(form)).to.equal(OUT);
    element.remove();
    await element.updateComplete;
    expect(tabindexes(form)).to.equal(OWN);
    form.querySelector('[value=card]')!.after(element);
    await oneEvent(element, 'klarna-presentation');
    await element.updateComplete;
    expect(element.selected, 'back on the page, still selected').to.equal(true);
    expect(tabindexes(form)).to.equal(OUT);
  });

  it('two Klarna elements: the radios stay out while either is selected, and come back when a radio is chosen or the selected one leaves', async () => {
    const { root } = await mountWithFake<HTMLFormElement>(html`
      <form>
        <label><input type="radio" name="payment" value="card" tabindex="0" /> Card</label>
        <pay-with-klarna
          name="payment"
          client-id="klarna_test_client_abc"
          amount="100"
          currency="USD"
          initiate-url="/x"
        ></pay-with-klarna>
        <pay-with-klarna
          name="payment"
          client-id="klarna_test_client_abc"
          amount="100"
          currency="USD"
          initiate-url="/x"
          value="klarna-2"
        ></pay-with-klarna>
        <label><input type="radio" name="payment" value="paypal" /> PayPal</label>
      </form>
    `);
    const [first, second] = root.querySelectorAll('pay-with-klarna');
    await Promise.all([first!.updateComplete, second!.updateComplete]);
    if (radios(second!).length === 0) await oneEvent(second!, 'klarna-presentation');
    const settle = () => Promise.all([first!.updateComplete, second!.updateComplete]);
    radios(first!)[0]!.click();
    await settle();
    expect(tabindexes(root)).to.equal('card=-1 paypal=-1');
    radios(second!)[0]!.click();
    await settle();
    expect(tabindexes(root), 'the other Klarna element selected').to.equal('card=-1 paypal=-1');
    first!.remove();
    await settle();
    expect(tabindexes(root), 'an unselected one left').to.equal('card=-1 paypal=-1');
    root.querySelector<HTMLInputElement>('[value=paypal]')!.click();
    await settle();
    expect(tabindexes(root), 'a radio chosen').to.equal('card=0 paypal=none');
    radios(second!)[0]!.click();
    await settle();
    expect(tabindexes(root)).to.equal('card=-1 paypal=-1');
    second!.remove();
    await settle();
    expect(tabindexes(root), 'the selected one left').to.equal('card=0 paypal=none');
  });

  it('a radio added to the group while Klarna is selected takes no tab stop, and gets its own tabindex back when it leaves', async () => {
    const { element } = await mountWithFake(tabCheckout(), { instruction: 'PRESELECT_KLARNA' });
    const form = element.form!;
    const later = Object.assign(document.createElement('input'), { type: 'radio', name: 'payment', value: 'later' });
    later.setAttribute('tabindex', '0');
    form.querySelector('#pay')!.before(later);
    await new Promise((resolve) => setTimeout(resolve));
    expect(later.getAttribute('tabindex')).to.equal('-1');
    expect((await tabStops(form.querySelector<HTMLElement>('#email')!, 'Tab', '#pay')).join(' → ')).to.equal(
      "klarna:standard-radio → klarna:Klarna's button",
    );
    later.remove();
    await new Promise((resolve) => setTimeout(resolve));
    expect(later.getAttribute('tabindex'), 'off the page, its own again').to.equal('0');
    expect(tabindexes(form)).to.equal(OUT);
  });

  it('disabled: not selectable, announced as disabled, its button inactive', async () => {
    const { element, fake } = await mountWithFake(checkout(), { instruction: 'PRESELECT_KLARNA' });
    element.disabled = true;
    await element.updateComplete;
    const button = fake.mounted.find((mount) => mount.part === 'button')!.element;
    expect(button.hasAttribute('disabled')).to.equal(true);
    element.selected = false;
    await element.updateComplete;
    radios(element)[0]!.click();
    expect(element.selected).to.equal(false);
    expect(await ariaSnapshot('pay-with-klarna')).to.contain('[disabled]');
    await expect(element).shadowDom.to.be.accessible();
  });

  it('two Klarna elements in one group behave as radios of it', async () => {
    const { root } = await mountWithFake<HTMLFormElement>(html`
      <form>
        <pay-with-klarna
          name="payment"
          client-id="klarna_test_client_abc"
          amount="100"
          currency="USD"
          initiate-url="/x"
        ></pay-with-klarna>
        <pay-with-klarna
          name="payment"
          client-id="klarna_test_client_abc"
          amount="100"
          currency="USD"
          initiate-url="/x"
          value="klarna-2"
        ></pay-with-klarna>
      </form>
    `);
    const [first, second] = root.querySelectorAll('pay-with-klarna');
    await Promise.all([first!.updateComplete, second!.updateComplete]);
    if (radios(second!).length === 0) await oneEvent(second!, 'klarna-presentation');
    radios(first!)[0]!.click();
    const changes = countChanges(first!);
    radios(second!)[0]!.click();
    await first!.updateComplete;
    expect([first!.selected, second!.selected]).to.deep.equal([false, true]);
    expect(changes.count).to.equal(1);
    expect(new FormData(root).getAll('payment')).to.deep.equal(['klarna-2']);
  });
});
