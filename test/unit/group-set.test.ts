import { expect, html, oneEvent } from '@open-wc/testing';
import { mountWithFake, radios } from './helpers.js';
import type { PayWithKlarna } from '../../src/pay-with-klarna.js';

// Card (the page gave it positions of its own, counting its two radios), Klarna, PayPal, one group.
const checkout = () => html`
  <form>
    <label data-payment-method="card"
      ><input type="radio" name="payment" value="card" aria-posinset="1" aria-setsize="2" /> Card</label
    >
    <pay-with-klarna
      name="payment"
      client-id="klarna_test_client_abc"
      amount="11800"
      currency="USD"
      locale="en-US"
      initiate-url="/test-backend/ok/x"
    ></pay-with-klarna>
    <label data-payment-method="paypal"><input type="radio" name="payment" value="paypal" /> PayPal</label>
  </form>
`;

/** Each radio of the group as a screen reader counts it: "<value or Klarna option id> <position>/<size>". */
function positions(element: PayWithKlarna): string[] {
  const position = (radio: Element) =>
    `${radio.getAttribute('aria-posinset') ?? '-'}/${radio.getAttribute('aria-setsize') ?? '-'}`;
  const natives = [...element.form!.querySelectorAll<HTMLInputElement>('input[type=radio]')].map((radio) => ({
    radio,
    name: radio.value,
  }));
  const klarna = radios(element).map((radio) => ({ radio, name: radio.id }));
  const inOrder = [...natives, ...klarna].sort((a, b) => {
    const [x, y] = [
      a.radio.getRootNode() === document ? a.radio : element,
      b.radio.getRootNode() === document ? b.radio : element,
    ];
    return x === y ? 0 : x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
  });
  return inOrder.map(({ radio, name }) => `${name} ${position(radio)}`);
}

describe("one radio group for assistive technology: the page's radios and Klarna's options", () => {
  it("each shown method has its position in the whole group and the size of the group, Klarna's two options included", async () => {
    const { element } = await mountWithFake(checkout(), { savedOption: true });
    expect(positions(element)).to.deep.equal(['card 1/4', 'saved-radio 2/4', 'standard-radio 3/4', 'paypal 4/4']);
  });

  it('a radio added to the group is counted, and one taken away gets its own values back', async () => {
    const { element } = await mountWithFake(checkout());
    const gift = Object.assign(document.createElement('input'), { type: 'radio', name: 'payment', value: 'gift' });
    element.form!.append(gift);
    await new Promise((resolve) => setTimeout(resolve)); // the group's mutation observer
    expect(positions(element)).to.deep.equal(['card 1/4', 'standard-radio 2/4', 'paypal 3/4', 'gift 4/4']);
    const card = element.form!.querySelector<HTMLInputElement>('[value=card]')!;
    card.closest('label')!.remove();
    await new Promise((resolve) => setTimeout(resolve));
    expect(positions(element)).to.deep.equal(['standard-radio 1/3', 'paypal 2/3', 'gift 3/3']);
    expect(
      [card.getAttribute('aria-posinset'), card.getAttribute('aria-setsize')],
      "off the page, the card radio has the page's own values",
    ).to.deep.equal(['1', '2']);
  });

  it("under SHOW_ONLY_KLARNA the hidden methods are not counted; with Klarna gone, the page's own values come back exactly", async () => {
    const { element, fake } = await mountWithFake(checkout(), { instruction: 'SHOW_ONLY_KLARNA', savedOption: true });
    expect(positions(element)).to.deep.equal(['card 1/2', 'saved-radio 1/2', 'standard-radio 2/2', 'paypal -/-']);
    fake.configure({ instruction: 'HIDE_KLARNA' });
    const presented = oneEvent(element, 'klarna-presentation');
    element.amount = 20000;
    await presented;
    await element.updateComplete;
    expect(positions(element), "Klarna shows nothing: the page's radios as the page made them").to.deep.equal([
      'card 1/2',
      'paypal -/-',
    ]);
  });
});
