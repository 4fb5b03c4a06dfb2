import { transform } from 'lightningcss';
import { defineConfig, type Plugin } from 'vite';

/**
 * Minifies the CSS inside the element's css`…` literal: Lit keeps template text as written, and
 * its comments and indentation were 5% of the gzipped bundle. The literal must be plain text.
 */
function minifyElementCss(): Plugin {
  return {
    name: 'minify-element-css',
    transform(code, id) {
      if (!id.endsWith('.styles.ts')) return null;
      return code.replace(/css`([^`]*)`/g, (_, text: string) => {
        if (/\$\{|\\/.test(text)) throw new Error(`${id}: minify-element-css only takes css\`\` literals without \${…} or backslashes`);
        const { code: minified } = transform({ filename: id, code: Buffer.from(text), minify: true });
        return `css\`${minified.toString()}\``;
      });
    },
  };
}

/**
 * Drops marks from the finished bundle that only a later build would read: the minifier's
 * `/* @__PURE__ *\/` (nothing shakes this file again) and `/* @vite-ignore *\/` on the SDK import
 * (it only silences our own build's warning). The `webpackIgnore` mark stays: without it, a
 * merchant's webpack would turn the import of Klarna's URL into a module of its own that fails.
 */
function dropBuildMarks(): Plugin {
  return {
    name: 'drop-build-marks',
    generateBundle(_, bundle) {
      for (const chunk of Object.values(bundle)) if (chunk.type === 'chunk') chunk.code = chunk.code.replaceAll('/* @__PURE__ */ ', '').replace('/* @vite-ignore */\n', '');
    },
  };
}

/**
 * Starts the script-tag bundle with V8's explicit compile hint (Chromium 136+; other engines read a
 * comment): nearly every function in it runs while the page loads or at the first press of Klarna's
 * button, so compiling them all on the thread that streams the file beats compiling each on the main
 * thread at its first call. On first visits at 4× CPU it shortened the longest loading task from
 * 38 to 29 ms and the press's from 26 to 18 ms (medians). It must be the file's first line.
 */
const COMPILE_HINT = '//# allFunctionsCalledOnLoad';
function compileHint(): Plugin {
  return {
    name: 'compile-hint',
    generateBundle(_, bundle) {
      for (const chunk of Object.values(bundle)) if (chunk.type === 'chunk') chunk.code = `${COMPILE_HINT}\n${chunk.code}`;
    },
  };
}

// `vite build` makes the script-tag bundle (Lit inside); `vite build --mode fake` makes the
// testing kit's stand-in for klarna.mjs, served in place of Klarna's URL by network-level tests.
export default defineConfig(({ mode }) => {
  const fake = mode === 'fake';
  return {
    plugins: fake ? [] : [minifyElementCss(), dropBuildMarks(), compileHint()],
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
