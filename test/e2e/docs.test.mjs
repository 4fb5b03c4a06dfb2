import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

/** The README's reference and the manifest generated from the element's JSDoc must say the same. */
describe('the README against dist/custom-elements.json', () => {
  const manifest = JSON.parse(readFileSync(new URL('../../dist/custom-elements.json', import.meta.url), 'utf8'));
  const element = manifest.modules.flatMap((module) => module.declarations ?? []).find((declaration) => declaration.tagName === 'pay-with-klarna');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = (title) => readme.slice(readme.indexOf(`## ${title}`), readme.indexOf('\n## ', readme.indexOf(`## ${title}`) + 3));
  /** The first table of a section: its header row up to the first line that is not a row. */
  const firstTable = (text) => {
    const lines = text.split('\n');
    const start = lines.findIndex((line) => line.startsWith('|'));
    const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
    return lines.slice(start, end).join('\n');
  };
  const codeNames = (text) => new Set([...text.matchAll(/^\| (`[^|]+)\|/gm)].flatMap((row) => [...row[1].matchAll(/`([^`]+)`/g)].map((match) => match[1])));

  it('documents exactly the attributes the element has', () => {
    assert.deepEqual([...codeNames(firstTable(section('Attributes')))].sort(), element.attributes.map((attribute) => attribute.name).sort());
  });

  it('documents exactly the events the element fires', () => {
    assert.deepEqual([...codeNames(firstTable(section('Events')))].sort(), element.events.map((event) => event.name).sort());
  });

  it('documents every part, custom property and state', () => {
    const styling = section('Styling');
    for (const { name } of [...element.cssParts, ...element.cssProperties]) assert.ok(styling.includes(`\`${name}\``), `${name} is missing from the README`);
    for (const { name } of element.cssStates) assert.ok(styling.includes(`:state(${name})`), `:state(${name}) is missing from the README`);
  });
});
