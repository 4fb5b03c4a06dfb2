/**
 * The script-tag bundle's size, one definition for the build report, the budget test and the
 * benchmark: bytes as built (minified), gzip level 9 and brotli quality 11.
 */
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const BUNDLE = new URL('../dist/pay-with-klarna.js', import.meta.url);

/** The budget: "at most 13 KB gzip with Lit inside" (it was 12 KB until 2026-12), 1 KB being 1,024 bytes. */
export const GZIP_BUDGET_BYTES = 13 * 1024;

export function sizesOf(source) {
  return {
    min: source.length,
    gzip: gzipSync(source, { level: 9 }).length,
    brotli: brotliCompressSync(source, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: source.length },
    }).length,
  };
}

export const bundleSizes = () => sizesOf(readFileSync(BUNDLE));

export const bytes = (count) => `${count.toLocaleString('en-US')} B`;
