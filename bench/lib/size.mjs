import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GZIP_BUDGET_BYTES, bundleSizes, sizesOf } from '../../scripts/bundle-size.mjs';

const repo = new URL('../../', import.meta.url);

/**
 * The script-tag bundle beside the Lit it contains (`@lit/reactive-element`) and beside all of
 * `lit`, each built alone with the project's own vite.config.ts (same target, minifier and rolldown
 * output options), only the entry swapped. The temporary entries live in the git-ignored .tmp/ so
 * that the packages resolve from node_modules.
 */
export async function measureSizes() {
  const work = new URL('.tmp/bench-size/', repo);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const { build } = await import('vite');
  const alone = async (name, pkg) => {
    await writeFile(new URL(`${name}.js`, work), `export * from '${pkg}';\n`);
    await build({
      root: fileURLToPath(repo),
      configFile: fileURLToPath(new URL('vite.config.ts', repo)),
      mode: 'production',
      logLevel: 'silent',
      build: {
        outDir: fileURLToPath(new URL(`out-${name}/`, work)),
        emptyOutDir: true,
        lib: { entry: fileURLToPath(new URL(`${name}.js`, work)), fileName: () => `${name}.js` },
      },
    });
    const version = JSON.parse(await readFile(new URL(`node_modules/${pkg}/package.json`, repo), 'utf8')).version;
    return { package: pkg, version, ...sizesOf(await readFile(new URL(`out-${name}/${name}.js`, work))) };
  };
  try {
    const inside = await alone('reactive-element', '@lit/reactive-element');
    const lit = await alone('lit', 'lit');
    return { bundle: { ...bundleSizes(), budgetGzip: GZIP_BUDGET_BYTES }, inside, lit };
  } finally {
    await rm(work, { recursive: true, force: true });
    await rmdir(new URL('.tmp/', repo)).catch(() => {}); // only when empty: .tmp/ is shared
  }
}
