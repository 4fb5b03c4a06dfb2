// `npx cem analyze` writes dist/custom-elements.json from the element's JSDoc, never by hand.
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
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            if (declaration.events) declaration.events = declaration.events.filter((event) => event.name && event.description);
            // Lit's `static properties` read as attributes for every entry, `state: true` ones too,
            // and mark the rest `public` explicitly: private state has no attribute, public is the default.
            const privateFields = new Set((declaration.members ?? []).filter((member) => member.privacy === 'private').map((member) => member.name));
            if (declaration.attributes) declaration.attributes = declaration.attributes.filter((attribute) => !privateFields.has(attribute.fieldName));
            for (const member of declaration.members ?? []) if (member.privacy === 'public') delete member.privacy;
          }
        }
      },
    },
  ],
};
