/**
 * Minifies the CSS inside the element's unsafeCSS(`…`) literal, wherever the element is built: Lit
 * keeps the text as written, and its comments and indentation were 5% of the gzipped bundle. Used
 * by vite.config.ts for the script-tag bundle and by `node scripts/minify-css.mjs FILE…` for the
 * files tsc writes to dist/lib/, which a merchant's own bundler takes as they are.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { transform } from 'lightningcss';
import { readArgs } from './args.mjs';

/** `code` with every unsafeCSS(`…`) literal minified; the literal must be plain text (no ${…}, no backslashes). */
export function minifyUnsafeCss(code, file) {
  if (!/unsafeCSS\(`/.test(code)) throw new Error(`${file}: found no unsafeCSS(\`…\`) literal to minify`);
  return code.replace(/unsafeCSS\(`([^`]*)`\)/g, (_, text) => {
    if (/\$\{|\\/.test(text))
      throw new Error(`${file}: only unsafeCSS(\`…\`) literals without \${…} or backslashes can be minified`);
    const { code: minified } = transform({ filename: file, code: Buffer.from(text), minify: true });
    return `unsafeCSS(\`${minified.toString()}\`)`;
  });
}

function main() {
  const { positionals: files } = readArgs('node scripts/minify-css.mjs FILE…', { allowPositionals: true });
  if (!files.length) throw new Error('Usage: node scripts/minify-css.mjs FILE…');
  for (const file of files) writeFileSync(file, minifyUnsafeCss(readFileSync(file, 'utf8'), file));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
