/**
 * `npm start` as a child process (demo/server/main.ts, without the build), on a free port of
 * 127.0.0.1, with nothing of this process's Klarna settings: resolves once it prints its address,
 * or once it exits without having started.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../demo/server/main.ts', import.meta.url));

export function startStorefront(env = {}) {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('KLARNA_') && !['PUBLIC_URL', 'DATABASE_URL', 'DATA_DIR'].includes(name),
    ),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...inherited, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { child, pid: child.pid, output: '', url: undefined, exitCode: undefined };
  run.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve((run.exitCode = code ?? signal))));
  return new Promise((resolve) => {
    const read = (chunk) => {
      run.output += chunk;
      const address = /Storefront: (http:\/\/127\.0\.0\.1:\d+)\//.exec(run.output);
      if (address && !run.url) {
        run.url = address[1];
        resolve(run);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    run.exited.then(() => resolve(run));
  });
}

/** Ends it as a deploy does (SIGTERM), or as a crash does (`kill -9`), and waits until it is gone. */
export async function stopStorefront(run, signal = 'SIGTERM') {
  if (run.exitCode === undefined) run.child.kill(signal);
  return run.exited;
}
