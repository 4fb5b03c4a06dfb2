#!/usr/bin/env node
/**
 * What frameworks and editors need to know of the package's custom elements, generated after
 * `cem analyze` (in `npm run build`) from dist/custom-elements.json, so it cannot drift from the code:
 *
 *   dist/frameworks/react.d.ts    React 19 JSX: attributes and properties as props, `on<event>` handlers
 *   dist/frameworks/preact.d.ts   Preact JSX, the same
 *   dist/frameworks/svelte.d.ts   Svelte 5 (`svelte/elements`), the same
 *   dist/frameworks/vue.d.ts      Vue 3 `GlobalComponents`: props, and events typed for `@klarna-…`
 *   dist/vscode.html-custom-data.json, dist/vscode.css-custom-data.json   VS Code's custom data
 *   dist/web-types.json                                                    JetBrains' web-types
 *
 * Each framework file has an empty `.js` beside it, so that `import 'pay-with-klarna/react'` works in
 * code as well as in types. The editor data come from break-stuff's generators, made for the job.
 * The framework types are written here: those generators disagree on what an event's `type` is (one
 * wraps it in CustomEvent, another takes it as the event), the Vue one imports `Event` from the
 * element's module and declares a global JSX namespace that collides with React's, and the JSX ones
 * offer read-only properties (`form`, `presentation`) as props and their own short list of HTML
 * attributes instead of the framework's.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateJetBrainsWebTypes } from 'custom-element-jet-brains-integration';
import { generateVsCodeCustomElementData } from 'custom-element-vs-code-integration';
import { readArgs } from './args.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const OUT = 'dist/frameworks';

/** A JSDoc comment on one line, safe inside a comment. */
const doc = (text) =>
  text
    ? `/** ${String(text)
        .replace(/\s*\n\s*/g, ' ')
        .replaceAll('*/', '*\\/')} */\n`
    : '';
/** A property key, quoted where it is not an identifier. */
const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`);
const indent = (lines, by = '  ') => lines.join('\n').replace(/^(?=.)/gm, by);

/** The custom elements of the manifest, each as the generators below need it. */
export function elementsOf(manifest) {
  return manifest.modules.flatMap((module) =>
    (module.declarations ?? [])
      .filter((declaration) => declaration.customElement && declaration.tagName)
      .map((element) => {
        const public_ = (member) =>
          (member.privacy ?? 'public') === 'public' && !member.static && !member.name.startsWith('#');
        // what a framework may set: every attribute, and every writable public property
        const attributes = (element.attributes ?? []).filter((attribute) => attribute.fieldName);
        const properties = (element.members ?? []).filter(
          (member) => member.kind === 'field' && public_(member) && !member.readonly && member.description,
        );
        const settable = new Map();
        for (const attribute of attributes)
          settable.set(attribute.name, { field: attribute.fieldName, description: attribute.description });
        for (const property of properties)
          if (!settable.has(property.name))
            settable.set(property.name, { field: property.name, description: property.description });
        const events = (element.events ?? []).map((event) => ({
          name: event.name,
          // An event's `type` is its detail type (see custom-elements-manifest.config.mjs); a plain `Event` has none.
          detail: event.type?.text && event.type.text !== 'Event' ? event.type.text : undefined,
          description: event.description,
        }));
        return { tagName: element.tagName, className: element.name, modulePath: module.path, settable, events };
      }),
  );
}

/** `import type { … } from '…'` of each element's class and detail types, relative to dist/frameworks/. */
function imports(elements) {
  const byModule = new Map();
  for (const { modulePath, className, events } of elements) {
    const names = byModule.get(modulePath) ?? new Set();
    names.add(className);
    for (const { detail } of events) if (detail) names.add(detail);
    byModule.set(modulePath, names);
  }
  return [...byModule]
    .map(([path, names]) => `import type { ${[...names].sort().join(', ')} } from '${posix.relative(OUT, path)}';`)
    .join('\n');
}

/** `export interface PayWithKlarnaAttributes { … }`: what a template may set, each typed as its property. */
function attributesInterface({ className, tagName, settable }) {
  const members = [...settable].map(
    ([name, { field, description }]) => `${doc(description)}${key(name)}?: ${className}['${field}'];`,
  );
  return `${doc(`The attributes and properties of <${tagName}> a template may set, typed as the element's properties.`)}export interface ${className}Attributes {\n${indent(members)}\n}`;
}

/** `on<event-name>` handlers, as React 19, Preact and Svelte 5 take them on a custom element. */
function handlersInterface({ className, events }) {
  const members = events
    .filter(({ detail }) => detail)
    .map(
      ({ name, detail, description }) =>
        `${doc(description)}${key(`on${name}`)}?: (event: CustomEvent<${detail}>) => void;`,
    );
  return `${doc(`The element's own events, as \`on<event-name>\` handlers, each with its event's \`detail\` type.`)}export interface ${className}EventHandlers {\n${indent(members)}\n}`;
}

const HEADER = `// Generated by scripts/integrations.mjs from dist/custom-elements.json (npm run build): do not edit.`;

function jsxFile(elements, framework) {
  const { importLine, base, augment } = {
    react: {
      importLine: `import type { DetailedHTMLProps, HTMLAttributes } from 'react';`,
      base: (className) => `DetailedHTMLProps<HTMLAttributes<${className}>, ${className}>`,
      augment: (entries) =>
        `declare module 'react' {\n  namespace JSX {\n    interface IntrinsicElements {\n${indent(entries, '      ')}\n    }\n  }\n}`,
    },
    preact: {
      // exported at the top level since Preact 10.19 (11 has it nowhere else)
      importLine: `import type { HTMLAttributes } from 'preact';`,
      base: (className) => `HTMLAttributes<${className}>`,
      augment: (entries) =>
        `declare module 'preact' {\n  namespace JSX {\n    interface IntrinsicElements {\n${indent(entries, '      ')}\n    }\n  }\n}`,
    },
    svelte: {
      importLine: `import type { HTMLAttributes } from 'svelte/elements';`,
      base: (className) => `HTMLAttributes<${className}>`,
      augment: (entries) =>
        `declare module 'svelte/elements' {\n  interface SvelteHTMLElements {\n${indent(entries, '    ')}\n  }\n}`,
    },
  }[framework];
  const entries = elements.map(
    ({ tagName, className }) =>
      // the framework's own attributes, less those the element gives a type of its own (name, value, …)
      `'${tagName}': Omit<${base(className)}, keyof ${className}Attributes | keyof ${className}EventHandlers> &\n  ${className}Attributes &\n  ${className}EventHandlers;`,
  );
  return [
    HEADER,
    importLine,
    imports(elements),
    ...elements.flatMap((element) => [attributesInterface(element), handlersInterface(element)]),
    augment(entries),
    '',
  ].join('\n\n');
}

function vueFile(elements) {
  const emits = elements.map(
    ({ className, events }) =>
      // a type, not an interface: Vue's EmitsOptions wants the index signature a type literal has implicitly
      `${doc(`The element's events, for \`@event-name\` in templates: \`$event\` is the event itself.`)}export type ${className}Emits = {\n${indent(
        events.map(
          ({ name, detail, description }) =>
            `${doc(description)}${key(name)}: (event: ${detail ? `CustomEvent<${detail}>` : 'Event'}) => void;`,
        ),
      )}\n};`,
  );
  const entries = elements.map(
    ({ tagName, className }) =>
      `'${tagName}': DefineComponent<${className}Attributes, {}, {}, {}, {}, {}, {}, ${className}Emits>;`,
  );
  return [
    HEADER,
    `import type { DefineComponent } from 'vue';`,
    imports(elements),
    ...elements.map(attributesInterface),
    ...emits,
    `declare module 'vue' {\n  interface GlobalComponents {\n${indent(entries, '    ')}\n  }\n}`,
    '',
  ].join('\n\n');
}

function main() {
  readArgs('node scripts/integrations.mjs (no arguments)');
  const manifest = JSON.parse(readFileSync(`${root}dist/custom-elements.json`, 'utf8'));
  const elements = elementsOf(manifest);
  if (!elements.length) throw new Error('dist/custom-elements.json declares no custom element: run cem analyze first.');

  mkdirSync(`${root}${OUT}`, { recursive: true });
  const files = {
    react: jsxFile(elements, 'react'),
    preact: jsxFile(elements, 'preact'),
    svelte: jsxFile(elements, 'svelte'),
    vue: vueFile(elements),
  };
  for (const [framework, types] of Object.entries(files)) {
    writeFileSync(`${root}${OUT}/${framework}.d.ts`, types);
    writeFileSync(`${root}${OUT}/${framework}.js`, `// Types only: see ${framework}.d.ts.\nexport {};\n`);
  }

  const quiet = { hideLogs: true, outdir: `${root}dist`, typesSrc: 'parsedType', descriptionSrc: 'description' };
  generateVsCodeCustomElementData(manifest, quiet);
  const { name, version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  generateJetBrainsWebTypes(manifest, {
    ...quiet,
    packageJson: false,
    webTypesFileName: 'web-types.json',
    libraryName: name,
    libraryVersion: version,
  });
}

main();
