import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Imports `entries` one after the other in a fresh Node process, and reports what each added to globalThis. */
function importInNode(...entries) {
  const script = `
    const added = [];
    for (const entry of ${JSON.stringify(entries)}) {
      const before = new Set(Object.keys(globalThis));
      const module = await import(entry);
      added.push({ exports: Object.keys(module), added: Object.keys(globalThis).filter((key) => !before.has(key)).sort() });
    }
    console.log(JSON.stringify(added));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }));
}

describe('importing the package in Node (server-side rendering)', () => {
  // What Lit's server build puts on globalThis by itself (its customElements stand-in, among others).
  const [{ added: litsOwn }] = importInNode('@lit/reactive-element');

  for (const entry of ['./dist/lib/index.js', './dist/lib/define.js', './dist/lib/testing/index.js']) {
    it(`${entry} imports without throwing and adds nothing to the global scope beyond Lit's own`, () => {
      const [alone] = importInNode(entry);
      assert.ok(alone.exports.length > 0);
      assert.deepEqual(alone.added.filter((key) => !litsOwn.includes(key)), []);
      const [, afterLit] = importInNode('@lit/reactive-element', entry);
      assert.deepEqual(afterLit.added, [], 'with Lit loaded first, nothing at all');
    });
  }

  it('define registers <pay-with-klarna> in Lit\'s server-side registry, for Lit SSR to render it', () => {
    const script = `await import('./dist/lib/define.js'); console.log(String(customElements.get('pay-with-klarna')?.name));`;
    assert.equal(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }).trim(), 'PayWithKlarna');
  });
});
