// React 19 JSX with the shipped types: `import type {} from 'pay-with-klarna/react'` once in the app.
import type {} from 'pay-with-klarna/react';
import type { PayWithKlarna } from 'pay-with-klarna';

let status = '';

export const checkout = (
  <pay-with-klarna
    client-id="klarna_test_client"
    amount={11800}
    currency="USD"
    intents={['PAY']}
    initiation-mode="REDIRECT"
    subscription-billing-interval="MONTH"
    button-shape="pill"
    initiate-timeout={20000}
    initiateData={{ cart: 'c-1' }}
    strings={{ loading: 'Loading Klarna…' }}
    ref={(element: PayWithKlarna | null) => element?.refresh()}
    className="payment-method"
    onklarna-presentation={(event) => (status = event.detail.instruction)}
    onklarna-complete={(event) => (status = event.detail.paymentRequest.paymentRequestId ?? '')}
    onklarna-error={(event) => (status = `${event.detail.phase}/${event.detail.reason}: ${event.detail.error.message}`)}
  />
);

// @ts-expect-error the detail of klarna-complete has no `nonsense`
export const wrongDetail = <pay-with-klarna onklarna-complete={(event) => (status = event.detail.nonsense)} />;

// @ts-expect-error initiation-mode takes DEVICE_BEST, REDIRECT, ON_PAGE or POPUP
export const wrongValue = <pay-with-klarna initiation-mode="SOMETIMES" />;

// @ts-expect-error amount is a number of minor units, not a string
export const wrongType = <pay-with-klarna amount="118.00" />;

// @ts-expect-error there is no attribute or property `amout`
export const unknownAttribute = <pay-with-klarna amout={11800} />;

// @ts-expect-error `presentation` is read-only: not something a template sets
export const readOnly = <pay-with-klarna presentation={undefined} />;

export { status };
