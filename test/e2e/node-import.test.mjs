import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Imports `entry` in a fresh Node process after Lit, and reports what it added to globalThis. */
function importInNode(entry) {
  const script = `
    const before = new Set(Object.keys(globalThis));
    await import('lit');
    const afterLit = new Set(Object.keys(globalThis));
    const module = await import('./${entry}');
    const added = Object.keys(globalThis).filter((key) => !afterLit.has(key));
    console.log(JSON.stringify({ exports: Object.keys(module), added }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }));
}

describe('importing the package in Node (server-side rendering)', () => {
  for (const entry of ['dist/lib/index.js', 'dist/lib/define.js', 'dist/lib/testing/index.js']) {
    it(`${entry} imports without throwing and adds nothing to the global scope`, () => {
      const { exports, added } = importInNode(entry);
      assert.ok(exports.length > 0);
      assert.deepEqual(added, []);
    });
  }
});
