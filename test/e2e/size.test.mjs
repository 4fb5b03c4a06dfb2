import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { GZIP_BUDGET_BYTES, bundleSizes, bytes } from '../../scripts/bundle-size.mjs';

// What every merchant's customer downloads on the payment page, Lit included.
it(`the script-tag bundle is at most ${bytes(GZIP_BUDGET_BYTES)} gzip (${GZIP_BUDGET_BYTES / 1024} KB)`, () => {
  const { gzip } = bundleSizes();
  assert.ok(
    gzip <= GZIP_BUDGET_BYTES,
    `dist/pay-with-klarna.js is ${bytes(gzip)} gzip, ${bytes(gzip - GZIP_BUDGET_BYTES)} over the ceiling of ${bytes(GZIP_BUDGET_BYTES)}`,
  );
});

// The SDK import must keep webpackIgnore (a merchant's webpack would otherwise turn Klarna's URL into
// a module of its own that fails) and lose the @vite-ignore mark the build drops (vite.config.ts).
it("the bundle's import of Klarna's SDK keeps webpackIgnore and nothing else", () => {
  const bundle = readFileSync(new URL('../../dist/pay-with-klarna.js', import.meta.url), 'utf8');
  assert.match(bundle, /import\(\s*\/\* webpackIgnore: true \*\/\s*\w+(?:\(\))?\)/); // a variable, or the call that gives the URL
  assert.doesNotMatch(bundle, /@vite-ignore/);
});

// The figures come from this machine's zlib and brotli; another CPU can compress a few bytes
// differently (Node's zlib picks its hash by CPU features), so README may be off by 1%.
it("README states the bundle's current size", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  const sizes = bundleSizes();
  const match = /\*\*([\d,]+) bytes gzip\*\* \(([\d,]+) minified, ([\d,]+) brotli\)/.exec(readme);
  assert.ok(match, 'README should state the bundle as **N bytes gzip** (N minified, N brotli)');
  const [gzip, min, brotli] = match.slice(1).map((text) => Number(text.replaceAll(',', '')));
  const near = (stated, measured) => Math.abs(stated - measured) <= measured / 100;
  const figure = (count) => count.toLocaleString('en-US');
  const actual = `**${figure(sizes.gzip)} bytes gzip** (${figure(sizes.min)} minified, ${figure(sizes.brotli)} brotli)`;
  assert.equal(min, sizes.min, `README should say: ${actual}`);
  assert.ok(near(gzip, sizes.gzip) && near(brotli, sizes.brotli), `README should say: ${actual}`);
});
