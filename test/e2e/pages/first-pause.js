// A first pause far longer than any test waits: if it were not skipped, the retry would come a minute late.
import { configureKlarnaSdk } from '/dist/pay-with-klarna.js';
configureKlarnaSdk({ retryDelaysMs: [60_000, 1_500] });
