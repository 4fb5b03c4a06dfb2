#!/usr/bin/env node
/**
 * After the build: the script-tag bundle's size (min, gzip, brotli) against its gzip budget, and
 * its Subresource Integrity hash, for a <script integrity> that lets a merchant meet PCI DSS 6.4.3
 * (inventory and integrity of payment-page scripts). The budget itself is a test (test/e2e/size.test.mjs).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readArgs } from './args.mjs';
import { BUNDLE, GZIP_BUDGET_BYTES, GZIP_TARGET_BYTES, bundleSizes, bytes } from './bundle-size.mjs';

readArgs('node scripts/report-bundle.mjs (no arguments)');

const { min, gzip, brotli } = bundleSizes();
const integrity = `sha384-${createHash('sha384').update(readFileSync(BUNDLE)).digest('base64')}`;
console.log(
  `dist/pay-with-klarna.js  ${bytes(min)} min · ${bytes(gzip)} gzip (budget ${bytes(GZIP_TARGET_BYTES)}${gzip > GZIP_TARGET_BYTES ? `, over by ${bytes(gzip - GZIP_TARGET_BYTES)}` : ''}; the tests' ceiling ${bytes(GZIP_BUDGET_BYTES)}) · ${bytes(brotli)} brotli`,
);
console.log(`integrity="${integrity}"`);
