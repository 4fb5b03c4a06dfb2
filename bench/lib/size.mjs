import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const repo = new URL('../../', import.meta.url);

/** Bytes of `source`: as is (the build is minified), gzip -9 and brotli quality 11. */
export function sizesOf(source) {
  return {
    min: source.length,
    gzip: gzipSync(source, { level: 9 }).length,
    brotli: brotliCompressSync(source, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: source.length },
    }).length,
  };
}

/**
 * The script-tag bundle beside Lit alone: `export * from 'lit'` built with the project's own
 * vite.config.ts (same target, minifier and rolldown output options), only the entry swapped.
 * The temporary entry lives in the git-ignored .tmp/ so that `lit` resolves from node_modules.
 */
export async function measureSizes() {
  const bundle = await readFile(new URL('dist/pay-with-klarna.js', repo));
  const work = new URL('.tmp/bench-size/', repo);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    await writeFile(new URL('lit-alone.js', work), "export * from 'lit';\n");
    const { build } = await import('vite');
    await build({
      root: fileURLToPath(repo),
      configFile: fileURLToPath(new URL('vite.config.ts', repo)),
      mode: 'production',
      logLevel: 'silent',
      build: {
        outDir: fileURLToPath(new URL('out/', work)),
        emptyOutDir: true,
        lib: { entry: fileURLToPath(new URL('lit-alone.js', work)), fileName: () => 'lit-alone.js' },
      },
    });
    const lit = await readFile(new URL('out/lit-alone.js', work));
    const litVersion = JSON.parse(await readFile(new URL('node_modules/lit/package.json', repo), 'utf8')).version;
    return { bundle: sizesOf(bundle), lit: { version: litVersion, ...sizesOf(lit) } };
  } finally {
    await rm(work, { recursive: true, force: true });
    await rmdir(new URL('.tmp/', repo)).catch(() => {}); // only when empty: .tmp/ is shared
  }
}
