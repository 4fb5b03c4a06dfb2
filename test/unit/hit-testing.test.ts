import { expect, html } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';
import { mountWithFake, radios } from './helpers.js';

const checkout = html`
  <form>
    <label><input type="radio" name="payment" value="card" checked /> Card</label>
    <pay-with-klarna
      name="payment"
      client-id="klarna_test_client_abc"
      amount="11800"
      currency="USD"
      locale="en-US"
      initiate-url="/test-backend/ok/x"
    ></pay-with-klarna>
  </form>
`;

/**
 * A W3C WebDriver Element Click (Selenium, WebdriverIO) aims at the centre of the element and
 * answers "element click intercepted" when something other than the element or its descendants
 * is there. That is checked here in every engine (Firefox has no WebDriver classic on this
 * machine); test/e2e/webdriver.test.mjs clicks through chromedriver and WebKitWebDriver. (Firefox
 * answers elementFromPoint over a slotted text with the shadow tree's element around the slot, so
 * there the first check holds with or without the element's rule; the real click counts in all.)
 */
describe("a click at the centre of Klarna's option, as WebDriver's Element Click makes it", () => {
  it('hits the option itself (not the light-DOM texts slotted into it), and selects it', async () => {
    const { element } = await mountWithFake(checkout, { savedOption: true });
    const shown = radios(element);
    expect(shown.map((radio) => radio.id)).to.deep.equal(['saved-radio', 'standard-radio']);
    for (const radio of shown) {
      const box = radio.getBoundingClientRect();
      const [x, y] = [Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2)];
      const hit = element.shadowRoot!.elementFromPoint(x, y);
      expect(
        radio.contains(hit),
        `${radio.id}: the click would go to <${hit?.localName} ${hit?.getAttribute('slot') ?? hit?.getAttribute('part')}>`,
      ).to.equal(true);
      await sendMouse({ type: 'click', position: [x, y] });
      await element.updateComplete;
      expect(radio.getAttribute('aria-checked'), radio.id).to.equal('true');
    }
  });
});
