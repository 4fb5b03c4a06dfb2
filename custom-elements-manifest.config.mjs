import { posix } from 'node:path';

// `npx cem analyze` writes dist/custom-elements.json from the element's JSDoc, never by hand.
// README's API reference is generated from that file (`npm run docs`, scripts/readme-api.mjs), so
// what the plugins below add is what the README says. So are the framework types and editor data
// (scripts/integrations.mjs), and test/e2e/package.test.mjs validates the result.

/** The schema version the manifest follows (https://github.com/webcomponents/custom-elements-manifest). */
const SCHEMA_VERSION = '2.1.0';

/** The declarations of every module. */
const declarationsOf = (manifest) => manifest.modules.flatMap((module) => module.declarations ?? []);

/** `{ a: A; b?: B }` from an interface or type literal in the event's own module; else the type as written. */
function typeShape(ts, typeNode, sourceFile) {
  const literal = (members) =>
    `{ ${members
      .filter((member) => ts.isPropertySignature(member) && member.type)
      .map(
        (member) =>
          `${member.name.getText(sourceFile)}${member.questionToken ? '?' : ''}: ${member.type.getText(sourceFile)}`,
      )
      .join('; ')} }`;
  if (ts.isTypeLiteralNode(typeNode)) return literal(typeNode.members);
  if (ts.isTypeReferenceNode(typeNode) && ts.isIdentifier(typeNode.typeName) && !typeNode.typeArguments) {
    const name = typeNode.typeName.text;
    for (const statement of sourceFile.statements) {
      if (ts.isInterfaceDeclaration(statement) && statement.name.text === name && !statement.heritageClauses)
        return literal(statement.members);
      if (ts.isTypeAliasDeclaration(statement) && statement.name.text === name && ts.isTypeLiteralNode(statement.type))
        return literal(statement.type.members);
    }
  }
  return typeNode.getText(sourceFile);
}

/** Each `class … extends CustomEvent<Detail>` by its name: `{ name, shape }` of its detail type. */
const eventDetails = new Map();

/** Each `type Name = 'a' | 'b'` (a union of string literals) by its name: the union, spelled out. */
const literalUnions = new Map();

/** `src/x.ts`, or `./y.js` relative to the module `from`, as the file the package ships: `dist/lib/x.js`. */
function shippedPath(path, from) {
  const source = path.startsWith('.') ? posix.join(posix.dirname(from), path) : path.replace(/^\//, '');
  return source.startsWith('src/') ? `dist/lib/${source.slice(4).replace(/\.ts$/, '.js')}` : path;
}

/** Every `module` reference inside `value` (exports, superclasses, inherited members), rewritten by shippedPath. */
function rewriteModuleReferences(value, from) {
  if (Array.isArray(value)) value.forEach((item) => rewriteModuleReferences(item, from));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'module' && typeof inner === 'string') value.module = shippedPath(inner, from);
      else rewriteModuleReferences(inner, from);
    }
  }
}

export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/testing/**', 'src/**/*.styles.ts'],
  litelement: true,
  packagejson: false,
  outdir: 'dist',
  plugins: [
    {
      // The analyzer also guesses events from dispatchEvent() calls (typed event classes read as
      // nameless or as "error"); the public contract is what the JSDoc's @fires declares.
      name: 'documented-events-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const declaration of declarationsOf(customElementsManifest)) {
          if (declaration.events)
            declaration.events = declaration.events.filter((event) => event.name && event.description);
        }
      },
    },
    {
      // The analyzer drops the type argument of `extends CustomEvent<Detail>`, so an event class
      // says nothing of its detail; record it as the class's read-only `detail` field. An event of
      // the element (`@fires {KlarnaCompleteEvent}`) then gets its detail type as its `type`, as tools
      // that generate framework types from the manifest read it (`CustomEvent<type>`), and the
      // detail's shape as `parsedType`, where those tools look for a type spelled out.
      name: 'event-details',
      analyzePhase({ ts, node }) {
        if (!ts.isClassDeclaration(node) || !node.name) return;
        const base = node.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
        const detailType = base?.typeArguments?.[0];
        if (!detailType || base.expression.getText(node.getSourceFile()) !== 'CustomEvent') return;
        const sourceFile = node.getSourceFile();
        eventDetails.set(node.name.text, {
          name: detailType.getText(sourceFile),
          shape: typeShape(ts, detailType, sourceFile),
        });
      },
      moduleLinkPhase({ moduleDoc }) {
        for (const declaration of moduleDoc.declarations ?? []) {
          const detail = declaration.kind === 'class' && eventDetails.get(declaration.name);
          if (!detail || declaration.members?.some((member) => member.name === 'detail')) continue;
          (declaration.members ??= []).push({
            kind: 'field',
            name: 'detail',
            type: { text: detail.name },
            readonly: true,
          });
        }
      },
      packageLinkPhase({ customElementsManifest }) {
        for (const declaration of declarationsOf(customElementsManifest)) {
          for (const event of declaration.events ?? []) {
            const detail = eventDetails.get(event.type?.text);
            if (detail) Object.assign(event, { type: { text: detail.name }, parsedType: { text: detail.shape } });
          }
        }
      },
    },
    {
      // An attribute typed with a union alias (`ButtonShape`) also gets the union spelled out as its
      // `parsedType` (`'default' | 'pill' | 'rect'`): editors (VS Code's custom data, JetBrains'
      // web-types) offer those values.
      name: 'union-values',
      analyzePhase({ ts, node }) {
        if (!ts.isTypeAliasDeclaration(node) || !ts.isUnionTypeNode(node.type)) return;
        const literals = node.type.types.every(
          (type) => ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal),
        );
        if (literals)
          literalUnions.set(node.name.text, node.type.types.map((type) => `'${type.literal.text}'`).join(' | '));
      },
      packageLinkPhase({ customElementsManifest }) {
        for (const declaration of declarationsOf(customElementsManifest)) {
          for (const item of [...(declaration.attributes ?? []), ...(declaration.members ?? [])]) {
            // `Intent[]`: the attribute is a space-separated list of those values
            const union = literalUnions.get(item.type?.text?.replace(/\s*\|\s*undefined$/, '').replace(/\[\]$/, ''));
            if (union) item.parsedType = { text: union };
          }
        }
      },
    },
    {
      // Tidying what the analyzer reads from the source into what a reader of the manifest needs.
      name: 'tidy-members',
      packageLinkPhase({ customElementsManifest }) {
        for (const declaration of declarationsOf(customElementsManifest)) {
          // Lit's `static properties` read as an attribute for every entry, `state: true` ones too, and
          // mark the others `public` explicitly: private state has no attribute; public is the default.
          const privateFields = new Set();
          for (const member of declaration.members ?? []) {
            if (member.privacy === 'private') {
              privateFields.add(member.name);
              delete member.attribute;
            }
            if (member.privacy === 'public') delete member.privacy;
          }
          if (declaration.attributes)
            declaration.attributes = declaration.attributes.filter(
              (attribute) => !privateFields.has(attribute.fieldName),
            );
          // `@cssprop --name - What it does. Default 0.75rem.`: the default becomes the property's `default`.
          for (const property of declaration.cssProperties ?? []) {
            const match =
              property.default === undefined && /^(.*?)\s*Default (.+?)\.?$/s.exec(property.description ?? '');
            if (match) Object.assign(property, { description: match[1], default: match[2] });
          }
        }
      },
    },
    {
      // Last: the manifest describes the package as shipped (dist/lib/*.js, whose .d.ts files carry
      // the types), in the current schema, not the sources it was read from.
      name: 'shipped-files',
      packageLinkPhase({ customElementsManifest }) {
        customElementsManifest.schemaVersion = SCHEMA_VERSION;
        for (const module of customElementsManifest.modules) {
          const source = module.path;
          module.path = shippedPath(source, source);
          rewriteModuleReferences(module.exports, source);
          rewriteModuleReferences(module.declarations, source);
          // A built-in superclass (Error, CustomEvent) is the platform's, not this module's.
          for (const declaration of module.declarations ?? []) {
            const { superclass } = declaration;
            if (superclass?.module && typeof globalThis[superclass.name] === 'function')
              declaration.superclass = { name: superclass.name, package: 'global:' };
          }
        }
      },
    },
  ],
};
