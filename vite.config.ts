import { defineConfig, type Plugin } from 'vite';
import { minifyUnsafeCss } from './scripts/minify-css.mjs';

/** The element's CSS, minified (scripts/minify-css.mjs does the same to dist/lib/ after tsc). */
function minifyElementCss(): Plugin {
  return {
    name: 'minify-element-css',
    transform(code, id) {
      return id.endsWith('.styles.ts') ? minifyUnsafeCss(code, id) : null;
    },
  };
}

/**
 * Drops marks from the finished bundle that only a later build would read: the minifier's
 * `/* @__PURE__ *\/` (nothing shakes this file again) and `/* @vite-ignore *\/` on the SDK import
 * (it only silences a warning, here and in a merchant's Vite build of this file). The `webpackIgnore`
 * mark stays, checked by test/e2e/size.test.mjs: without it, a merchant's webpack would turn the
 * import of Klarna's URL into a module of its own that fails.
 */
function dropBuildMarks(): Plugin {
  return {
    name: 'drop-build-marks',
    generateBundle(_, bundle) {
      for (const chunk of Object.values(bundle))
        if (chunk.type === 'chunk')
          chunk.code = chunk.code
            .replaceAll('/* @__PURE__ */ ', '')
            .replace('(\n/* @vite-ignore */\n/* webpackIgnore: true */\n', '(/* webpackIgnore: true */');
    },
  };
}

// `vite build` makes the script-tag bundle (Lit inside); `vite build --mode fake` makes the
// testing kit's stand-in for klarna.mjs, served in place of Klarna's URL by network-level tests.
export default defineConfig(({ mode }) => {
  const fake = mode === 'fake';
  return {
    plugins: fake ? [] : [minifyElementCss(), dropBuildMarks()],
    // public/ holds the demo's images (the storefront serves them at /public/, README shows the
    // screenshots): copied into dist/, they went into the npm package.
    publicDir: false,
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
      rolldownOptions: { output: { minify: true, codeSplitting: false, charset: 'ascii' } },
    },
  };
});
