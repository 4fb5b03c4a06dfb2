// The package's own types, as a merchant's TypeScript sees them through its exports.
import { PayWithKlarna, type BillingInterval, type InitiationMode, type KlarnaErrorDetail } from 'pay-with-klarna';
import { PayWithKlarna as Defined } from 'pay-with-klarna/define';
import { configureKlarnaSdk, definePayWithKlarna } from 'pay-with-klarna/pay-with-klarna.js';
import { installFakeKlarna, pressKlarnaButton } from 'pay-with-klarna/testing';
import { KlarnaSDK } from 'pay-with-klarna/testing/klarna.mjs';

const element: PayWithKlarna = document.createElement('pay-with-klarna');
export const same: typeof Defined = PayWithKlarna;

// the unions, not string
const mode: InitiationMode = 'POPUP';
const interval: BillingInterval = 'MONTH';
element.initiationMode = mode;
element.subscriptionBillingInterval = interval;
// @ts-expect-error initiationMode takes DEVICE_BEST, REDIRECT, ON_PAGE or POPUP
element.initiationMode = 'SOMETIMES';
// @ts-expect-error subscriptionBillingInterval takes DAY, WEEK, MONTH or YEAR
element.subscriptionBillingInterval = 'FORTNIGHT';

// members the element keeps for itself are not in the published types
// @ts-expect-error paymentCompleted() is internal
element.paymentCompleted({});
// @ts-expect-error releaseSelection() is internal
element.releaseSelection(true);

// events typed on addEventListener
element.addEventListener('klarna-error', (event) => {
  const detail: KlarnaErrorDetail = event.detail;
  console.log(detail.reason, detail.error.phase);
});

// every JavaScript export has types
configureKlarnaSdk({ timeoutMs: 5000 });
definePayWithKlarna();
export const klarna: Promise<unknown> = KlarnaSDK({ clientId: 'klarna_test_client' });
export const fake = installFakeKlarna({ instruction: 'SHOW_KLARNA' });
export const pressed: Promise<void> = pressKlarnaButton(element);
