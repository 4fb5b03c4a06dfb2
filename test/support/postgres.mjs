/**
 * A throwaway PostgreSQL server for the tests: a new cluster in a temporary directory, on a free
 * port of 127.0.0.1, trusting local connections, removed by stop(). Debian's server binaries
 * (`npm run setup` installs them when missing); as root, the server runs as the `postgres` user,
 * since PostgreSQL refuses to run as root.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The directory of initdb and pg_ctl: Debian keeps them off PATH, under /usr/lib/postgresql/<version>/bin. */
function serverBinaries() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'pg_ctl'))) : [];
  if (!versions.length) throw new Error(`No PostgreSQL server under ${root}: run \`npm run setup\`, which installs Debian's postgresql package.`);
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

export async function startPostgres() {
  const bin = serverBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'pwk-postgres-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout), Number(group));
  }
  chmodSync(dir, 0o700);
  const as = (command, args) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]) : run(join(bin, command), args));
  const data = join(dir, 'data');
  const port = await freePort();
  await as('initdb', ['--pgdata', data, '--auth', 'trust', '--username', 'shop', '--encoding', 'UTF8', '--no-sync']);
  const settings = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off`;
  await as('pg_ctl', ['start', '--pgdata', data, '--wait', '--log', join(dir, 'server.log'), '--options', settings]);
  return {
    url: `postgres://shop@127.0.0.1:${port}/postgres`,
    async stop() {
      await as('pg_ctl', ['stop', '--pgdata', data, '--mode', 'fast', '--wait']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
