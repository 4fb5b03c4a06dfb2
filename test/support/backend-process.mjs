/**
 * The reference backend alone in a process of its own, as one machine of several runs it:
 * `node --import tsx test/support/backend-process.mjs` with BACKEND_OPTIONS (startBackend's
 * options as JSON; `klarna.signingKeys` as [id, secret] pairs). Prints `listening <url>`, then its
 * log; a SIGTERM stops it as a deploy does.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.env.BACKEND_OPTIONS) {
  const { startBackend } = await import('../../demo/server/main.ts');
  const options = JSON.parse(process.env.BACKEND_OPTIONS);
  const backend = await startBackend({
    ...options,
    klarna: { ...options.klarna, signingKeys: new Map(options.klarna.signingKeys) },
    log: (line) => console.log(line),
  });
  console.log(`listening ${backend.url}`);
  process.once('SIGTERM', async () => {
    await backend.stop();
    process.exit(0);
  });
}

/** Starts one such process; resolves with its url, pid, log lines and a way to kill it. */
export function startBackendProcess(options) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BACKEND_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { child, pid: child.pid, lines: [], url: undefined };
  run.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  /** Ends it: SIGTERM as a deploy, SIGKILL as `kill -9`. */
  run.kill = (signal = 'SIGKILL') => (child.kill(signal), run.exited);
  return new Promise((resolve, reject) => {
    let partial = '';
    const read = (chunk) => {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop();
      for (const line of lines) {
        run.lines.push(line);
        const listening = /^listening (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        if (listening) resolve(Object.assign(run, { url: listening[1] }));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    run.exited.then((code) =>
      reject(new Error(`the backend process exited (${code}) before it listened:\n${run.lines.join('\n')}${partial}`)),
    );
  });
}
