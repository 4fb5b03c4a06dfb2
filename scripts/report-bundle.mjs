#!/usr/bin/env node
/**
 * After the build: the script-tag bundle's size (min, gzip, brotli) and its Subresource Integrity
 * hash, for a <script integrity> that lets a merchant meet PCI DSS 6.4.3 (inventory and integrity
 * of payment-page scripts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const file = new URL('../dist/pay-with-klarna.js', import.meta.url);
const code = readFileSync(file);
const kB = (bytes) => `${(bytes / 1000).toFixed(2)} kB`;
const gzip = gzipSync(code, { level: 9 }).length;
const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const integrity = `sha384-${createHash('sha384').update(code).digest('base64')}`;
console.log(`dist/pay-with-klarna.js  ${kB(code.length)} min · ${kB(gzip)} gzip · ${kB(brotli)} brotli`);
console.log(`integrity="${integrity}"`);
