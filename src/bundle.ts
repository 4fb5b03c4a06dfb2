// The script-tag build: registers <pay-with-klarna> and exposes the same API as the npm package.
import './define.js';
export * from './index.js';
