import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { GZIP_BUDGET_BYTES, bundleSizes, bytes } from '../../scripts/bundle-size.mjs';

// What every merchant's customer downloads on the payment page, Lit included.
it(`the script-tag bundle is at most ${bytes(GZIP_BUDGET_BYTES)} gzip (12 KB)`, () => {
  const { gzip } = bundleSizes();
  assert.ok(
    gzip <= GZIP_BUDGET_BYTES,
    `dist/pay-with-klarna.js is ${bytes(gzip)} gzip, ${bytes(gzip - GZIP_BUDGET_BYTES)} over the budget of ${bytes(GZIP_BUDGET_BYTES)}`,
  );
});

it("README states the bundle's current size", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  const { min, gzip, brotli } = bundleSizes();
  const stated = `**${gzip.toLocaleString('en-US')} bytes gzip** (${min.toLocaleString('en-US')} minified, ${brotli.toLocaleString('en-US')} brotli)`;
  assert.ok(readme.includes(stated), `README should say: ${stated}`);
});
