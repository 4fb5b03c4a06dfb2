import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/define.js';
import { configureKlarnaSdk } from '../../src/sdk/loader.js';
import type { PayWithKlarna } from '../../src/pay-with-klarna.js';
import { mountWithFake } from './helpers.js';

/** An SDK whose parts carry only r6's raw texts and image URLs, without components. */
function r6Sdk(presentation: Record<string, unknown>) {
  return {
    KlarnaSDK: async () => ({
      Payment: {
        on() {},
        presentation: async () => ({
          instruction: 'PRESELECT_KLARNA',
          paymentButton: {
            component: () => {
              const button = document.createElement('button');
              button.textContent = 'Pay with Klarna';
              return {
                htmlElement: button,
                mount: (container: HTMLElement) => container.append(button),
                unmount: () => button.remove(),
              };
            },
          },
          ...presentation,
        }),
      },
    }),
  };
}

async function render(presentation: Record<string, unknown>) {
  configureKlarnaSdk({ sdk: r6Sdk(presentation), timeoutMs: 2000, retryDelaysMs: [] });
  const presented = oneEvent(document, 'klarna-presentation');
  const element = await fixture<PayWithKlarna>(
    html`<pay-with-klarna
      client-id="c"
      amount="100"
      currency="USD"
      locale="en-US"
      initiate-url="/x"
    ></pay-with-klarna>`,
  );
  await presented;
  await element.updateComplete;
  return element;
}

describe("security: Klarna's strings are text, its URLs are checked", () => {
  it("C14: markup in Klarna's texts is shown as text and never runs", async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const element = await render({ header: { text: hostile }, subheader: { short: { text: hostile } } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(element.querySelector('[slot=standard-header]')!.textContent).to.equal(hostile);
    expect(element.querySelector('img, script')).to.equal(null);
    expect((window as { __pwned?: unknown }).__pwned).to.equal(undefined);
  });

  it('C15: javascript:, data: and off-host URLs are not used for links or images', async () => {
    const element = await render({
      header: { text: 'Klarna' },
      icon: { badgeImageUrl: 'data:image/svg+xml,<svg onload=alert(1)>', alt: 'Klarna' },
      subheader: {
        enriched: { text: 'Pay in 4.', link: { href: 'javascript:window.__pwned=3', linkText: 'Learn more' } },
      },
      message: {
        enriched: { text: 'See terms.', link: { href: 'https://klarna.com.evil.example/terms', linkText: 'Terms' } },
      },
    });
    expect(element.querySelector('img')).to.equal(null);
    expect(element.querySelector('a')).to.equal(null);
    expect(element.querySelector('[slot=standard-subheader]')!.textContent).to.equal('Pay in 4.');
  });

  it("C15: without components, even https links and images on Klarna's hosts are left out; the texts stay", async () => {
    const element = await render({
      header: { text: 'Klarna' },
      icon: { badgeImageUrl: 'https://x.klarnacdn.net/payment-method/badge.svg', alt: 'Klarna logo' },
      subheader: {
        enriched: { text: 'Pay in 4.', link: { href: 'https://www.klarna.com/us/pay-in-4/', linkText: 'Learn more' } },
      },
    });
    expect(element.querySelector('img')).to.equal(null);
    expect(element.querySelector('a')).to.equal(null);
    expect(element.querySelector('[slot=standard-header]')!.textContent).to.equal('Klarna');
    expect(element.querySelector('[slot=standard-subheader]')!.textContent).to.equal('Pay in 4.');
  });

  it("C16: very long, right-to-left and emoji texts stay inside the element's box", async () => {
    const long = `${'Ratenzahlungsmöglichkeitenübersicht'.repeat(12)} ادفع على أربع دفعات بدون فوائد 🛍️💳🎉`.repeat(2);
    const { element } = await mountWithFake(
      html`<div style="width: 320px">
        <pay-with-klarna
          client-id="c"
          amount="100"
          currency="USD"
          locale="en-US"
          initiate-url="/x"
          selected
        ></pay-with-klarna>
      </div>`,
      { texts: { header: long, subheader: long, message: long, terms: long }, instruction: 'PRESELECT_KLARNA' },
    );
    const box = element.getBoundingClientRect();
    expect(box.width).to.equal(320);
    for (const part of element.querySelectorAll('[slot]')) {
      const rect = part.getBoundingClientRect();
      expect(rect.right, part.slot).to.be.at.most(box.right + 0.5);
      expect(rect.left, part.slot).to.be.at.least(box.left - 0.5);
    }
    expect(element.scrollWidth).to.be.at.most(element.clientWidth);
  });
});
