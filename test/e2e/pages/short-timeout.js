// Configured in the module that imports the bundle, before any element starts loading.
import { configureKlarnaSdk } from '/dist/pay-with-klarna.js';
configureKlarnaSdk({ timeoutMs: 600, retryDelaysMs: [100] });
