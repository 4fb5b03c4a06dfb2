// The script-tag build: registers <pay-with-klarna> and exposes the same API as the npm package.
import './early-sdk.js'; // first: Klarna's download is requested before the rest is evaluated
import './define.js';
export * from './index.js';
