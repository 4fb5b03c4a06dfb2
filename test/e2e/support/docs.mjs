import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../../', import.meta.url));

/** The pages a merchant or a contributor reads: README.md, every page in docs/, and the two READMEs beside their code. */
export const DOC_PAGES = [
  'README.md',
  ...readdirSync(join(repo, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/${file}`),
  'bench/README.md',
  'demo/README.md',
];

/**
 * Every fenced code block of a page: `{ page, line, lang, kind, arg, code }`. A block's kind comes
 * from an HTML comment on the line just before its fence, `<!-- sample: KIND ARG -->`:
 *   page          (html) a whole page: served and run in Chromium with the bundle and the fake
 *   module        (js, ts, tsx) type-checked against the package's types (also the default for them)
 *   file PATH     (any) must appear, as it is, in PATH (relative to the page), which a test runs
 *   json NAME     (json) parsed; NAME lets a test compare it with what the simulator sends
 *   csp           (text) a Content-Security-Policy, checked directive by directive
 *   partial: WHY  not run: the block cannot stand alone, and WHY says so
 * Without a comment, a block is checked by its language (see docs-samples.test.mjs).
 */
export function codeBlocks(page) {
  const lines = readFileSync(join(repo, page), 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !new RegExp(`^\\s*${fence}\\s*$`).test(lines[i]); i++)
      body.push(lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i]);
    const marker = /^\s*<!-- sample: ([\w-]+)(?::?\s+(.*?))?\s*-->\s*$/.exec(lines[start - 1] ?? '');
    blocks.push({ page, line: start + 1, lang, kind: marker?.[1], arg: marker?.[2], code: `${body.join('\n')}\n` });
  }
  return blocks;
}

/** Every block of every doc page. */
export const allCodeBlocks = () => DOC_PAGES.flatMap(codeBlocks);

/** The JSON block marked `<!-- sample: json NAME -->` in `page`. */
export function documentedJson(page, name) {
  const block = codeBlocks(page).find((candidate) => candidate.kind === 'json' && candidate.arg === name);
  if (!block) throw new Error(`${page} has no block marked <!-- sample: json ${name} -->`);
  return JSON.parse(block.code);
}

/** The paths of every field in `value`: `a.b`, `a.list[]`, … (for "has every field the docs show"). */
export function fieldPaths(value, prefix = '') {
  if (Array.isArray(value)) return value.flatMap((item) => fieldPaths(item, `${prefix}[]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, inner]) => [
      `${prefix}${prefix ? '.' : ''}${key}`,
      ...fieldPaths(inner, `${prefix}${prefix ? '.' : ''}${key}`),
    ]);
  return [];
}
