/**
 * A throwaway PostgreSQL server for the tests: a new cluster in a temporary directory, reached
 * through a Unix socket in that directory (no TCP port to collide on), trusting local connections,
 * removed by stop(), or when the test process exits. Needs PostgreSQL's server binaries (`npm run
 * setup` installs Debian's when none are found); as root, the server runs as the `postgres` user,
 * since PostgreSQL refuses to run as root.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The directory of initdb and pg_ctl: on PATH, or where Debian keeps them, /usr/lib/postgresql/<version>/bin. */
export function serverBinaries() {
  const found = (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  const onPath = (process.env.PATH ?? '').split(':').find((dir) => dir && found(dir));
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => found(join(root, name, 'bin'))) : [];
  if (!versions.length)
    throw new Error(
      `No PostgreSQL server binaries (initdb, pg_ctl) on PATH or under ${root}: run \`npm run setup\`, which installs Debian's postgresql package, or install PostgreSQL.`,
    );
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

export async function startPostgres() {
  const bin = serverBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'pwk-postgres-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const command = (name, args) =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, name), ...args]] : [join(bin, name), args];
  const as = (name, args) => run(...command(name, args));
  // best effort, and synchronous, so that it also runs as the process exits
  const remove = () => {
    try {
      if (existsSync(join(data, 'postmaster.pid')))
        execFileSync(...command('pg_ctl', ['stop', '--pgdata', data, '--mode', 'immediate', '--wait']), {
          stdio: 'ignore',
        });
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', remove);
  try {
    if (asRoot)
      chownSync(
        dir,
        Number((await run('id', ['-u', 'postgres'])).stdout),
        Number((await run('id', ['-g', 'postgres'])).stdout),
      );
    chmodSync(dir, 0o700);
    // --no-locale: the C locale, which every machine has, whatever LANG names
    await as('initdb', [
      '--pgdata',
      data,
      '--auth',
      'trust',
      '--username',
      'shop',
      '--encoding',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    const settings = `-c listen_addresses= -c unix_socket_directories=${dir} -c fsync=off`;
    await as('pg_ctl', ['start', '--pgdata', data, '--wait', '--log', join(dir, 'server.log'), '--options', settings]);
  } catch (error) {
    remove();
    process.removeListener('exit', remove);
    throw error;
  }
  return {
    url: `postgres://shop@localhost/postgres?host=${encodeURIComponent(dir)}`,
    /** Ends every connection the instances hold, as a database restart or failover does; gives how many it ended. */
    async dropConnections() {
      const psql = existsSync(join(bin, 'psql')) ? join(bin, 'psql') : 'psql';
      const query =
        'select count(pg_terminate_backend(pid)) from pg_stat_activity where pid <> pg_backend_pid() and backend_type = $$client backend$$';
      const { stdout } = await run(psql, [
        '--host',
        dir,
        '--username',
        'shop',
        '--dbname',
        'postgres',
        '--no-psqlrc',
        '--tuples-only',
        '--no-align',
        '--command',
        query,
      ]);
      return Number(stdout.trim());
    },
    async stop() {
      await as('pg_ctl', ['stop', '--pgdata', data, '--mode', 'fast', '--wait']).catch(() => {});
      remove();
      process.removeListener('exit', remove);
    },
  };
}
