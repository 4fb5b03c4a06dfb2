/** @jsxImportSource preact */
// Preact with the shipped types: `import type {} from 'pay-with-klarna/preact'` once in the app.
import type {} from 'pay-with-klarna/preact';

let status = '';

export const checkout = (
  <pay-with-klarna
    client-id="klarna_test_client"
    amount={11800}
    currency="USD"
    initiation-mode="POPUP"
    initiateData={() => ({ cart: 'c-1' })}
    onklarna-initiate={(event) => (status = event.detail.paymentOptionId ?? '')}
    onklarna-abort={(event) => (status = event.detail.paymentRequest.state ?? '')}
  />
);

// @ts-expect-error the detail of klarna-initiate has no `nonsense`
export const wrongDetail = <pay-with-klarna onklarna-initiate={(event) => (status = event.detail.nonsense)} />;

// @ts-expect-error button-theme takes default, light, dark or outlined
export const wrongValue = <pay-with-klarna button-theme="neon" />;

// @ts-expect-error there is no attribute or property `amout`
export const unknownAttribute = <pay-with-klarna amout={11800} />;

export { status };
