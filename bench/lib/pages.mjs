/**
 * The checkout pages the benchmark loads, generated from the query string of /page:
 *   int=ours|peer        <pay-with-klarna> (the script-tag bundle) or the guide's hand-written sample
 *   hint=none|modulepreload|preload-cors|preload   a resource hint for klarna.mjs in <head>
 *   merchant=<ms>        the merchant's own methods come from /api/payment-methods after <ms>;
 *                        without it they are in the HTML
 *   n=<count>            number of <pay-with-klarna> elements (ours only)
 *   configure=<json>     configureKlarnaSdk(<json>) in the module that imports the bundle (ours only)
 *   initiateDelay=<ms>   how long the merchant backend takes to answer initiate
 *   css=<text>           extra CSS for the page (for trying out page-side rules)
 */
export const KLARNA_SDK_URL = 'https://js.klarna.com/web-sdk/v2/klarna.mjs';
const CLIENT_ID = 'klarna_test_client_bench';

const HINTS = {
  none: '',
  modulepreload: `<link rel="modulepreload" href="${KLARNA_SDK_URL}" />`,
  'preload-cors': `<link rel="preload" as="script" crossorigin href="${KLARNA_SDK_URL}" />`,
  preload: `<link rel="preload" as="script" href="${KLARNA_SDK_URL}" />`,
};

const STYLE = `
  body { margin: 0; padding: 24px; font: 16px/1.4 system-ui, sans-serif; }
  main { width: 560px; }
  fieldset { display: grid; gap: 12px; border: 1px solid #ddd; padding: 16px; }
  /* :not([hidden]): SHOW_ONLY_KLARNA hides the other methods with the hidden attribute */
  label[data-payment-method]:not([hidden]) { display: flex; gap: 8px; align-items: center; min-height: 3rem; border: 1px solid #c9c9d0; border-radius: 8px; padding: 0 16px; }
  .klarna-option { border: 1px solid #c9c9d0; border-radius: 8px; padding: 8px 16px; }
  .klarna-option-row { display: flex; gap: 12px; align-items: center; }
  .klarna-option-details { display: grid; gap: 12px; margin-top: 12px; }
`;

// The merchant loads its own enabled payment methods from its server, then renders them.
const MERCHANT_SCRIPT = (delay) => `<script type="module">
  fetch('/api/payment-methods?delay=${delay}')
    .then((response) => response.json())
    .then((methods) => {
      document.getElementById('merchant-methods').replaceChildren(
        ...methods.map(({ id, label }) => {
          const row = document.createElement('label');
          row.dataset.paymentMethod = id;
          const radio = document.createElement('input');
          radio.type = 'radio';
          radio.name = 'payment';
          radio.value = id;
          row.append(radio, ' ', label);
          return row;
        }),
      );
    });
</script>`;

const STATIC_METHODS = `<label data-payment-method="card"><input type="radio" name="payment" value="card" /> Card</label>
          <label data-payment-method="paypal"><input type="radio" name="payment" value="paypal" /> PayPal</label>`;

/**
 * The peer: Klarna's guide ("Initialize the Web SDK", "Request payment presentation", "Render Klarna
 * according to instructions", "Mount payment option components") written out by hand, as a merchant
 * following it would: await import, await KlarnaSDK, await presentation, then DOM calls. Its payment
 * button is mounted when Klarna is selected or preselected, as Klarna's token-creation guide and every
 * integration read on the live SDK do, and as <pay-with-klarna> does; the acquirer guide's sample
 * mounts it with the other components, which would time a different page. The server
 * serves it as /peer.js, the merchant's own checkout script, loaded from the page's <head> as
 * <pay-with-klarna>'s bundle is: a page under the strict CSP the README gives allows no inline script.
 */
export const PEER_MODULE = `
  const qs = (selector) => document.querySelector(selector);
  /** containerId → mounts that option's payment button; removed once it has run. */
  const buttons = new Map();

  const { KlarnaSDK } = await import("${KLARNA_SDK_URL}");
  const Klarna = await KlarnaSDK({ clientId: "${CLIENT_ID}", products: ["PAYMENT"], locale: "en-US" });
  const paymentPresentation = await Klarna.Payment.presentation({
    amount: 11800,
    currency: "USD",
    locale: "en-US",
    intents: ["PAY"],
  });
  renderKlarna(paymentPresentation);

  function renderKlarna(paymentPresentation) {
    if (!paymentPresentation) return;
    const root = qs("#klarna-payment-method");
    if (!root) {
      console.error("Missing #klarna-payment-method container.");
      return;
    }
    root.innerHTML = \`<div id="klarna-option-default" class="klarna-option default" style="display:none;"></div>\`;
    const option = paymentPresentation.paymentOption;
    if (!option) return;
    renderKlarnaOption("klarna-option-default", option);
    switch (paymentPresentation.instruction) {
      case "HIDE_KLARNA":
        return;
      case "SHOW_ONLY_KLARNA":
        for (const other of document.querySelectorAll("[data-payment-method]")) other.style.display = "none";
        qs("#klarna-option-default").style.display = "block";
        toggleKlarnaPaymentOptionSelection("klarna-option-default", true);
        return;
      case "PRESELECT_KLARNA":
        qs("#klarna-option-default").style.display = "block";
        toggleKlarnaPaymentOptionSelection("klarna-option-default", true);
        return;
      default:
        qs("#klarna-option-default").style.display = "block";
    }
  }

  function renderKlarnaOption(containerId, option) {
    const container = qs(\`#\${containerId}\`);
    if (!container) {
      console.error(\`Missing #\${containerId} container.\`);
      return;
    }
    const ids = {
      icon: \`\${containerId}-icon\`,
      header: \`\${containerId}-header\`,
      subhdr: \`\${containerId}-subheader\`,
      badge: \`\${containerId}-badge\`,
      message: \`\${containerId}-message\`,
      terms: \`\${containerId}-terms\`,
      button: \`\${containerId}-payment-button\`,
    };
    container.innerHTML = \`
      <label class="klarna-option-row">
        <input type="radio" name="payment" value="klarna" id="\${containerId}-radio" />
        <span id="\${ids.icon}"></span>
        <span><span id="\${ids.header}"></span><br /><span id="\${ids.subhdr}"></span></span>
        <span id="\${ids.badge}"></span>
      </label>
      <div class="klarna-option-details" id="\${containerId}-details" style="display:none;">
        <div id="\${ids.message}"></div>
        <div id="\${ids.terms}"></div>
        <div id="\${ids.button}"></div>
      </div>\`;
    // Mount every component but the button now, including those not yet visible; visibility is
    // toggled later. The button is mounted once Klarna is selected or preselected.
    option.icon.component().mount(\`#\${ids.icon}\`);
    option.header.component().mount(\`#\${ids.header}\`);
    option.subheader.component().mount(\`#\${ids.subhdr}\`);
    option.badge?.component().mount(\`#\${ids.badge}\`);
    option.message?.component().mount(\`#\${ids.message}\`);
    option.terms?.component().mount(\`#\${ids.terms}\`);
    buttons.set(containerId, () =>
      option.paymentButton
        .component({
          id: "klarna-payment-button",
          shape: "default",
          theme: "default",
          intents: ["PAY"],
          initiationMode: "DEVICE_BEST",
          initiate: (params) => initiateKlarnaPayment(params),
        })
        .mount(\`#\${ids.button}\`),
    );
    qs(\`#\${containerId}-radio\`).addEventListener("change", () => toggleKlarnaPaymentOptionSelection(containerId, true));
    for (const other of document.querySelectorAll('input[name="payment"]:not([value="klarna"])')) {
      other.addEventListener("change", () => toggleKlarnaPaymentOptionSelection(containerId, false));
    }
  }

  function toggleKlarnaPaymentOptionSelection(containerId, isSelected) {
    const container = qs(\`#\${containerId}\`);
    if (!container) {
      console.error(\`Missing container #\${containerId}.\`);
      return;
    }
    const display = isSelected ? "block" : "none";
    // the first selection mounts the button; it stays mounted, hidden with the details, after that
    if (isSelected && buttons.has(containerId)) {
      buttons.get(containerId)();
      buttons.delete(containerId);
    }
    qs(\`#\${containerId}-radio\`).checked = isSelected;
    qs(\`#\${containerId}-details\`).style.display = isSelected ? "grid" : display;
  }

  async function initiateKlarnaPayment(params) {
    const response = await fetch("/api/klarna/initiate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...params, amount: 11800, currency: "USD" }),
    });
    return response.json();
  }
`;

export function renderPage(params) {
  const integration = params.get('int') ?? 'ours';
  const hint = HINTS[params.get('hint') ?? 'none'];
  if (hint === undefined) throw new Error(`unknown hint ${params.get('hint')}`);
  const merchant = params.get('merchant');
  const count = Number(params.get('n') ?? 1);
  const configure = params.get('configure');
  const initiateUrl = `/api/klarna/initiate?delay=${Number(params.get('initiateDelay') ?? 0)}`;
  const amount = Number(params.get('amount') ?? 11800);

  const head = [hint, merchant !== null ? MERCHANT_SCRIPT(Number(merchant)) : ''];
  if (integration === 'ours') {
    head.push(
      configure
        ? `<script type="module">import { configureKlarnaSdk } from '/dist/pay-with-klarna.js'; configureKlarnaSdk(${JSON.stringify(JSON.parse(configure))});</script>`
        : `<script type="module" src="/dist/pay-with-klarna.js"></script>`,
    );
  } else if (integration === 'peer') {
    head.push('<script type="module" src="/peer.js"></script>');
  } else {
    throw new Error(`unknown integration ${integration}`);
  }

  let klarna;
  if (integration === 'peer') {
    klarna = '<div id="klarna-payment-method"></div>';
  } else if (count === 1) {
    klarna = `<pay-with-klarna name="payment" client-id="${CLIENT_ID}" amount="${amount}" currency="USD" initiate-url="${initiateUrl}"></pay-with-klarna>`;
  } else {
    klarna = Array.from(
      { length: count },
      (_, i) =>
        `<pay-with-klarna client-id="${CLIENT_ID}" amount="${amount + i * 100}" currency="USD" initiate-url="${initiateUrl}"></pay-with-klarna>`,
    ).join('\n          ');
  }

  return `<!doctype html>
<html lang="en-US">
  <head>
    <meta charset="utf-8" />
    <title>Checkout</title>
    ${head.filter(Boolean).join('\n    ')}
    <style>${STYLE}${(params.get('css') ?? '').replace(/</g, '')}</style>
  </head>
  <body>
    <main>
      <h1>Checkout</h1>
      <form id="payment-form" onsubmit="return false">
        <fieldset>
          <legend>Payment method</legend>
          <div id="merchant-methods" style="display: contents">${merchant !== null ? '' : STATIC_METHODS}</div>
          ${klarna}
        </fieldset>
        <button type="submit" id="place-order">Place order</button>
      </form>
      <p id="below">Shipping and returns: free within 30 days.</p>
    </main>
  </body>
</html>
`;
}
