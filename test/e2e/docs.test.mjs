import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OUT_OF_DATE, currentReference, renderReference } from '../../scripts/readme-api.mjs';
import { packedFiles } from './support/package.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const script = join(repo, 'scripts/readme-api.mjs');
const docs = (...args) => spawnSync(process.execPath, [script, ...args], { cwd: repo, encoding: 'utf8' });

/**
 * docs/api.md's reference is generated from the manifest the build writes from the element's JSDoc
 * (`npm run docs`); the test command builds first, so this compares the page with the code as it is.
 */
describe("docs/api.md's API reference against dist/custom-elements.json", () => {
  const manifest = JSON.parse(readFileSync(join(repo, 'dist/custom-elements.json'), 'utf8'));
  const element = manifest.modules
    .flatMap((module) => module.declarations ?? [])
    .find((declaration) => declaration.tagName === 'pay-with-klarna');
  const readme = readFileSync(join(repo, 'docs/api.md'), 'utf8');
  const reference = currentReference(readme) ?? '';
  const scratch = mkdtempSync(join(tmpdir(), 'readme-api-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('is what npm run docs writes from the freshly built manifest', () => {
    const { status, stdout, stderr } = docs('--check');
    assert.equal(status, 0, `${stderr}${stdout}`);
  });

  it('lists every attribute, event, part, custom property and state the element has', () => {
    const rowNames = new Set([...reference.matchAll(/^\| `([^`]+)`/gm)].map((row) => row[1]));
    const expected = [
      ...element.attributes.map(({ name }) => name),
      ...element.events.map(({ name }) => name),
      ...element.cssParts.map(({ name }) => name),
      ...element.cssProperties.map(({ name }) => name),
      ...element.cssStates.map(({ name }) => `:state(${name})`),
    ];
    assert.deepEqual(
      expected.filter((name) => !rowNames.has(name)),
      [],
    );
  });

  it('lists every public, documented property and method, and nothing private', () => {
    // The first column names a member, or an attribute whose property the second column names.
    const attributes = new Set(element.attributes.map(({ name }) => name));
    const rowNames = new Set(
      [
        ...reference
          .slice(reference.indexOf('## Attributes'), reference.indexOf('## Events'))
          .matchAll(/^\| `([^`]+)`[^|]* \| `([^`]+)`/gm),
      ].map(([, first, second]) => (attributes.has(first) ? second : first.replace(/\(\)$/, ''))),
    );
    const members = element.members.filter((member) => !member.static && !member.name.startsWith('#'));
    const documented = members.filter((member) => (member.privacy ?? 'public') === 'public' && member.description);
    assert.deepEqual(
      documented.map(({ name }) => name).filter((name) => !rowNames.has(name)),
      [],
    );
    const hidden = members.filter((member) => (member.privacy ?? 'public') !== 'public' || !member.description);
    assert.deepEqual(
      hidden.map(({ name }) => name).filter((name) => rowNames.has(name)),
      [],
    );
  });

  it('has the detail type, spelled out, of every klarna-* event', () => {
    const klarnaEvents = element.events.filter(({ name }) => name.startsWith('klarna-'));
    assert.ok(klarnaEvents.length >= 5);
    for (const event of klarnaEvents) {
      assert.match(
        reference,
        new RegExp(`^\\| \`${event.name}\` \\| \`${event.type.text}\`: \`\\{ \\w`, 'm'),
        `${event.name} has no detail`,
      );
    }
  });

  it('names in its hand-written notes only attributes and events the element has', () => {
    const outside = readme.replace(reference, '');
    const events = new Set(element.events.map(({ name }) => name));
    const unknownEvents = [...new Set([...outside.matchAll(/`(klarna-[a-z-]+)`/g)].map((match) => match[1]))].filter(
      (name) => !events.has(name),
    );
    assert.deepEqual(unknownEvents, [], 'events the page names but the element does not fire');
    const notes = readme.slice(
      readme.indexOf('## More on attributes and properties'),
      readme.indexOf('## More on events'),
    );
    assert.ok(notes.length > 0, 'docs/api.md has no "More on attributes and properties"');
    const names = new Set([...element.attributes.map(({ name }) => name), ...element.members.map(({ name }) => name)]);
    const mentioned = [...notes.matchAll(/`([a-z][a-zA-Z]*(?:-[a-z]+)*)`/g)].map((match) => match[1]);
    const unknown = [...new Set(mentioned)].filter(
      (name) => (name.includes('-') || /[A-Z]/.test(name)) && !names.has(name),
    );
    assert.deepEqual(unknown, [], 'attributes or properties the notes name but the element does not have');
  });

  it('--check fails on a page whose reference was edited by hand, and npm run docs mends it', () => {
    const edited = join(scratch, 'api.md');
    const description = /^\| `client-id` \|.*\| ([^|]+) \|$/m.exec(reference)?.[1];
    assert.ok(description, 'the reference has no client-id row');
    writeFileSync(edited, readme.replace(description, 'Something else.'));

    const check = docs('--check', `--doc=${edited}`);
    assert.equal(check.status, 1);
    assert.match(check.stderr, new RegExp(OUT_OF_DATE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

    assert.equal(docs(`--doc=${edited}`).status, 0);
    assert.equal(readFileSync(edited, 'utf8'), readme.replace(reference, renderReference(manifest).trim()));
  });

  it('--check fails, saying why, when the markers are missing', () => {
    const unmarked = join(scratch, 'UNMARKED.md');
    writeFileSync(unmarked, '# A page without markers\n');
    const check = docs('--check', `--doc=${unmarked}`);
    assert.equal(check.status, 1);
    assert.match(check.stderr, /<!-- api:start -->/);
  });
});

describe("the docs' paths into the npm package", () => {
  // README.md and every page in docs/: where a merchant reads which files to serve and what to import
  const readme = [
    'README.md',
    ...readdirSync(join(repo, 'docs'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => `docs/${file}`),
  ]
    .map((file) => readFileSync(join(repo, file), 'utf8'))
    .join('\n');
  const { name, exports } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));

  it('names, for the files a page serves itself, paths under node_modules/ that the packed package has', () => {
    const named = [
      ...new Set([...readme.matchAll(new RegExp(`\`node_modules/${name}/([^\`]+)\``, 'g'))].map((match) => match[1])),
    ];
    // the script-tag bundle (Quick start) and the fake SDK for network-level tests (Testing kit)
    for (const file of ['dist/pay-with-klarna.js', 'dist/klarna-fake.mjs'])
      assert.ok(named.includes(file), `the docs name no node_modules/${name}/${file}`);
    assert.deepEqual(
      named.filter((file) => !packedFiles().includes(file)),
      [],
      'paths the docs name that the package does not have',
    );
  });

  it('names as package specifiers only what package.json exports', () => {
    const specifiers = [
      ...new Set(
        [...readme.matchAll(new RegExp(`\`${name}(/[^\`\\s]*)?\``, 'g'))].map((match) => `.${match[1] ?? ''}`),
      ),
    ];
    assert.deepEqual(
      specifiers.filter((specifier) => !(specifier in exports)),
      [],
      'specifiers the docs name that the package does not export',
    );
  });
});
