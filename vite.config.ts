import { defineConfig } from 'vite';

// `vite build` makes the script-tag bundle (Lit inside); `vite build --mode fake` makes the
// testing kit's stand-in for klarna.mjs, served in place of Klarna's URL by network-level tests.
export default defineConfig(({ mode }) => {
  const fake = mode === 'fake';
  return {
    build: {
      target: 'es2022',
      outDir: 'dist',
      emptyOutDir: !fake,
      minify: true,
      reportCompressedSize: false,
      lib: {
        entry: fake ? 'src/testing/klarna-module.ts' : 'src/bundle.ts',
        formats: ['es'],
        fileName: () => (fake ? 'klarna-fake.mjs' : 'pay-with-klarna.js'),
      },
      // Vite 8 keeps whitespace in lib mode unless the output is minified explicitly.
      rolldownOptions: { output: { minify: true, codeSplitting: false } },
    },
  };
});
