import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { name, exports } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
// docs/frameworks.md's section on Node, from its heading to the next (or the end)
const frameworks = readFileSync(new URL('../../docs/frameworks.md', import.meta.url), 'utf8');
const nodeStart = frameworks.indexOf('\n## Importing the package in Node\n');
const nodeEnd = frameworks.indexOf('\n## ', nodeStart + 1);
const npmSection = frameworks.slice(nodeStart, nodeEnd < 0 ? undefined : nodeEnd).replace(/^```[^]*?^```$/gm, '');

/** The package's JavaScript entries, as a user imports them: `pay-with-klarna`, `pay-with-klarna/define`, … */
const scriptEntries = Object.entries(exports)
  .filter(([, target]) => /\.m?js$/.test(typeof target === 'string' ? target : target.default))
  .map(([key]) => (key === '.' ? name : `${name}/${key.slice(2)}`));

/** The backticked package specifiers in the Node section's sentence that contains `phrase`. */
function entriesReadmeSays(phrase) {
  const sentence = npmSection.split(/(?<=\.)\s+(?=[A-Z])/).find((text) => text.includes(phrase));
  assert.ok(nodeStart >= 0, 'docs/frameworks.md has no section "Importing the package in Node"');
  assert.ok(sentence, `docs/frameworks.md's section on Node has no sentence with "${phrase}"`);
  return [...sentence.matchAll(/`([^`]+)`/g)]
    .map((match) => match[1])
    .filter((text) => text === name || text.startsWith(`${name}/`));
}
const safeEntries = entriesReadmeSays('throws nothing');
const browserOnlyEntries = entriesReadmeSays('browser-only');

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
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }),
  );
}

describe('importing the package in Node (server-side rendering)', () => {
  // What Lit's server build puts on globalThis by itself (its customElements stand-in, among others).
  const [{ added: litsOwn }] = importInNode('@lit/reactive-element');

  it("docs/frameworks.md's sentences on Node name every JavaScript entry of the package, each as safe or as browser-only", () => {
    assert.deepEqual([...safeEntries, ...browserOnlyEntries].sort(), [...scriptEntries].sort());
  });

  for (const entry of safeEntries) {
    it(`${entry} imports without throwing and adds nothing to the global scope beyond Lit's own`, () => {
      const [alone] = importInNode(entry);
      // the framework types' modules (pay-with-klarna/react, …) are empty: their .d.ts is the point
      const typesOnly = exports[`./${entry.slice(name.length + 1)}`]?.default?.startsWith('./dist/frameworks/');
      assert.ok(typesOnly ? alone.exports.length === 0 : alone.exports.length > 0);
      assert.deepEqual(
        alone.added.filter((key) => !litsOwn.includes(key)),
        [],
      );
      const [, afterLit] = importInNode('@lit/reactive-element', entry);
      assert.deepEqual(afterLit.added, [], 'with Lit loaded first, nothing at all');
    });
  }

  for (const entry of browserOnlyEntries) {
    it(`${entry}, which the docs call browser-only, is the one that throws in Node, as they say`, () => {
      const script = `try { await import(${JSON.stringify(entry)}); console.log('no error'); } catch (error) { console.log(String(error)); }`;
      const { stdout } = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: root,
        encoding: 'utf8',
      });
      assert.equal(stdout.trim(), 'ReferenceError: HTMLElement is not defined');
      assert.ok(
        npmSection.includes('`ReferenceError: HTMLElement is not defined`'),
        'docs/frameworks.md names the error',
      );
    });
  }

  it("define registers <pay-with-klarna> in Lit's server-side registry, for Lit SSR to render it", () => {
    const script = `await import('./dist/lib/define.js'); console.log(String(customElements.get('pay-with-klarna')?.name));`;
    assert.equal(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }).trim(),
      'PayWithKlarna',
    );
  });
});
