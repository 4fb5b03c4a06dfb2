// `npx cem analyze` writes dist/custom-elements.json from the element's JSDoc, never by hand.
// README's API reference is generated from that file (`npm run docs`, scripts/readme-api.mjs), so
// what the plugins below add is what the README says.

/** The declarations of every module. */
const declarationsOf = (manifest) => manifest.modules.flatMap((module) => module.declarations ?? []);

/** `{ a: A; b?: B }` from an interface or type literal in the event's own module; else the type as written. */
function typeShape(ts, typeNode, sourceFile) {
  const literal = (members) =>
    `{ ${members
      .filter((member) => ts.isPropertySignature(member) && member.type)
      .map((member) => `${member.name.getText(sourceFile)}${member.questionToken ? '?' : ''}: ${member.type.getText(sourceFile)}`)
      .join('; ')} }`;
  if (ts.isTypeLiteralNode(typeNode)) return literal(typeNode.members);
  if (ts.isTypeReferenceNode(typeNode) && ts.isIdentifier(typeNode.typeName) && !typeNode.typeArguments) {
    const name = typeNode.typeName.text;
    for (const statement of sourceFile.statements) {
      if (ts.isInterfaceDeclaration(statement) && statement.name.text === name && !statement.heritageClauses) return literal(statement.members);
      if (ts.isTypeAliasDeclaration(statement) && statement.name.text === name && ts.isTypeLiteralNode(statement.type)) return literal(statement.type.members);
    }
  }
  return typeNode.getText(sourceFile);
}

/** The detail type of each `class … extends CustomEvent<Detail>`, per module, found while analysing. */
const eventDetails = new WeakMap();

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
          if (declaration.events) declaration.events = declaration.events.filter((event) => event.name && event.description);
        }
      },
    },
    {
      // The analyzer drops the type argument of `extends CustomEvent<Detail>`, so an event class
      // says nothing of its detail; record it as the class's read-only `detail` field.
      name: 'event-details',
      analyzePhase({ ts, node, moduleDoc }) {
        if (!ts.isClassDeclaration(node) || !node.name) return;
        const base = node.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
        const detailType = base?.typeArguments?.[0];
        if (!detailType || base.expression.getText(node.getSourceFile()) !== 'CustomEvent') return;
        if (!eventDetails.has(moduleDoc)) eventDetails.set(moduleDoc, new Map());
        eventDetails.get(moduleDoc).set(node.name.text, typeShape(ts, detailType, node.getSourceFile()));
      },
      moduleLinkPhase({ moduleDoc }) {
        for (const [className, text] of eventDetails.get(moduleDoc) ?? []) {
          const declaration = moduleDoc.declarations.find((candidate) => candidate.kind === 'class' && candidate.name === className);
          if (!declaration || declaration.members?.some((member) => member.name === 'detail')) continue;
          (declaration.members ??= []).push({ kind: 'field', name: 'detail', type: { text }, readonly: true });
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
          if (declaration.attributes) declaration.attributes = declaration.attributes.filter((attribute) => !privateFields.has(attribute.fieldName));
          // `@cssprop --name - What it does. Default 0.75rem.`: the default becomes the property's `default`.
          for (const property of declaration.cssProperties ?? []) {
            const match = property.default === undefined && /^(.*?)\s*Default (.+?)\.?$/s.exec(property.description ?? '');
            if (match) Object.assign(property, { description: match[1], default: match[2] });
          }
        }
      },
    },
  ],
};
