import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/define.js';
import type { PayWithKlarna } from '../../src/pay-with-klarna.js';
import { configureKlarnaSdk } from '../../src/sdk/loader.js';
import { installFakeKlarna, pressKlarnaButton, waitForKlarna } from '../../src/testing/index.js';

const checkout = (amount = 11800) => html`
  <form>
    <label><input type="radio" name="payment" value="card" /> Card</label>
    <pay-with-klarna
      name="payment"
      client-id="klarna_test_client_abc"
      amount=${amount}
      currency="USD"
      locale="en-US"
      initiate-url="/x"
    ></pay-with-klarna>
  </form>
`;

describe("the testing kit, used as a merchant's test uses it", () => {
  it("installFakeKlarna() after the element connected (and asked Klarna's real SDK) moves it to the fake", async () => {
    configureKlarnaSdk({ sdk: undefined, timeoutMs: 2000, retryDelaysMs: [] }); // Klarna's real URL, refused here
    const form = await fixture<HTMLFormElement>(checkout());
    const element = form.querySelector('pay-with-klarna')!;
    element.initiate = async () => ({ paymentRequestId: 'krn:payment:eu1:request:kit-1' });

    const fake = installFakeKlarna();
    expect(await waitForKlarna(element)).to.equal('SHOW_KLARNA');
    expect(fake.presentationCalls.map((call) => call.amount)).to.deep.equal([11800]);
    expect(
      fake.mounted.some((mount) => mount.container.closest('pay-with-klarna') === element),
      "the fake's components are in the element",
    ).to.equal(true);
  });

  it("pressKlarnaButton() selects Klarna as the customer would, and presses the fake's button, which querySelector('button') does not find", async () => {
    const fake = installFakeKlarna({ journey: 'complete' });
    const form = await fixture<HTMLFormElement>(checkout());
    const element = form.querySelector('pay-with-klarna')!;
    element.initiate = async () => ({ paymentRequestId: 'krn:payment:eu1:request:kit-2' });
    await waitForKlarna(element);
    expect(element.selected, 'SHOW_KLARNA selects nothing').to.equal(false);
    expect(element.querySelector('button'), "the fake's button is in its own shadow root").to.equal(null);

    const changed = oneEvent(element, 'change');
    const completed = oneEvent(element, 'klarna-complete');
    await pressKlarnaButton(element);
    await changed;
    const { detail } = await completed;
    expect(element.selected).to.equal(true);
    expect(detail.paymentRequest.paymentRequestId).to.equal('krn:payment:eu1:request:kit-2');
    expect(fake.initiateCalls).to.have.length(1);
  });

  it("pressKlarnaButton(element, 'saved') presses the saved option's button; a missing option is named", async () => {
    const fake = installFakeKlarna({ savedOption: true, instruction: 'PRESELECT_KLARNA', journey: 'none' });
    const form = await fixture<HTMLFormElement>(checkout());
    const element = form.querySelector<PayWithKlarna>('pay-with-klarna')!;
    element.initiate = async () => ({ paymentRequestId: 'krn:payment:eu1:request:kit-3' });
    await pressKlarnaButton(element, 'standard');
    await fake.initiateCalls[0]!.settled;
    expect(fake.initiateCalls.map((call) => call.paymentOptionId)).to.deep.equal([fake.paymentOptionIds.standard]);
    await pressKlarnaButton(element, 'saved');
    await fake.initiateCalls[1]!.settled;
    expect(fake.initiateCalls.map((call) => call.paymentOptionId)).to.deep.equal([
      fake.paymentOptionIds.standard,
      fake.paymentOptionIds.saved,
    ]);

    installFakeKlarna();
    const plain = (await fixture<HTMLFormElement>(checkout(500))).querySelector('pay-with-klarna')!;
    const refused = await pressKlarnaButton(plain, 'saved').then(
      () => undefined,
      (error: Error) => error,
    );
    expect(refused?.message).to.equal('pressKlarnaButton(): <pay-with-klarna> shows no saved option.');
  });

  it('waitForKlarna() does not miss a presentation that came before the test asked, and rejects for an element that failed', async () => {
    installFakeKlarna();
    const presented = oneEvent(document, 'klarna-presentation');
    const form = await fixture<HTMLFormElement>(checkout());
    const element = form.querySelector('pay-with-klarna')!;
    await presented; // with the fake's answers at once, it came before fixture() returned
    expect(await waitForKlarna(element), 'after klarna-presentation fired').to.equal('SHOW_KLARNA');

    const broken = document.createElement('pay-with-klarna');
    broken.setAttribute('client-id', 'klarna_test_client_abc');
    const failed = oneEvent(broken, 'klarna-error');
    form.append(broken); // no currency: invalid-config
    await failed;
    const error = await waitForKlarna(broken).then(
      () => undefined,
      (reason: Error) => reason,
    );
    expect(error?.message).to.contain('unavailable');
  });
});
