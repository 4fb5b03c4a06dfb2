import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { DOC_PAGES, repo } from './support/docs.mjs';

/** A page's text without its code blocks and code spans, where brackets are code, not links. */
const prose = (text) => text.replace(/^(\s*)(`{3,})[^\n]*\n[\s\S]*?^\s*\2\s*$/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's anchors for a page's headings: lowercased, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(file) {
  const seen = new Map();
  const anchors = new Set();
  for (const [, heading] of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = heading
      .toLowerCase()
      .replace(/<[^>]+>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count ? `${base}-${count}` : base);
  }
  // headings written with inline code lose their backticks, not their words: read them from the raw text too
  for (const [, heading] of readFileSync(file, 'utf8').matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    anchors.add(
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .trim()
        .replace(/\s/g, '-'),
    );
  }
  return anchors;
}

describe('links in the docs', () => {
  const links = DOC_PAGES.flatMap((page) =>
    [...prose(readFileSync(join(repo, page), 'utf8')).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map(
      (match) => ({ page, target: match[1] }),
    ),
  );

  it('are there to check (the README links to every page of docs/)', () => {
    const fromReadme = new Set(
      links.filter((link) => link.page === 'README.md').map((link) => link.target.split('#')[0]),
    );
    const unlinked = DOC_PAGES.filter((page) => page !== 'README.md' && !fromReadme.has(page));
    assert.deepEqual(unlinked, [], 'pages the README does not link to');
  });

  it('point at files of the repository that exist, and at headings those pages have', () => {
    const broken = [];
    for (const { page, target } of links) {
      if (/^(https?:|mailto:)/.test(target)) continue;
      const [path, anchor] = target.split('#');
      const file = path ? normalize(join(repo, dirname(page), decodeURIComponent(path))) : join(repo, page);
      if (!file.startsWith(repo) || !existsSync(file)) {
        broken.push(`${page}: ${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined && !(file.endsWith('.md') && anchorsOf(file).has(anchor)))
        broken.push(`${page}: ${target} (no such heading)`);
    }
    assert.deepEqual(broken, []);
  });

  it('go to absolute URLs only on the web, never to a path of this machine', () => {
    const local = links.filter(({ target }) => /^(file:|\/)/.test(target));
    assert.deepEqual(local, []);
  });
});
