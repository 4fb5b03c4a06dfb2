import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

let files;
/** The paths `npm pack` puts into the package (relative to its root, e.g. `dist/pay-with-klarna.js`), from the current build. */
export function packedFiles() {
  files ??= JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
  )[0].files.map(({ path }) => path);
  return files;
}
