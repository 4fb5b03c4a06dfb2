import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Builds demo/frameworks/<name> as a merchant would, into a fresh temporary directory, and returns it.
 * Development mode, so React's StrictMode double-mounts and React reports hydration mismatches.
 */
export async function buildExample(name) {
  const outDir = mkdtempSync(join(tmpdir(), `pwk-${name}-`));
  const directory = join(root, 'demo/frameworks', name);
  await build({
    configFile: existsSync(join(directory, 'vite.config.mjs')) ? join(directory, 'vite.config.mjs') : false,
    root: directory,
    base: './',
    mode: 'development',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': JSON.stringify('development') },
    build: { outDir, emptyOutDir: true, target: 'es2022', minify: false },
  });
  return outDir;
}
