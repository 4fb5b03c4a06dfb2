import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../../demo/server/store.ts';
import { startStorefront, stopStorefront } from '../support/storefront-process.mjs';

/** S22: the embedded database's directory belongs to one server process at a time. */
describe('one server per data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pwk-data-dir-'));
  const runs = [];
  after(async () => {
    await Promise.all(runs.map((run) => stopStorefront(run, 'SIGKILL')));
    rmSync(dataDir, { recursive: true, force: true });
  });
  const start = async () => {
    const run = await startStorefront({ DATA_DIR: dataDir });
    runs.push(run);
    return run;
  };
  const newOrder = async (url) =>
    (
      await fetch(`${url}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ lines: [{ sku: 'mug', quantity: 2 }] }),
      })
    ).json();
  const orderAt = async (url, id) => (await fetch(`${url}/api/orders/${id}`)).json();

  it('a second server on the same directory refuses to start and says why; the first goes on serving', async () => {
    const first = await start();
    assert.ok(first.url, first.output);
    const order = await newOrder(first.url);
    const second = await start();
    assert.equal(second.url, undefined, 'the second one served');
    assert.equal(await second.exited, 1);
    assert.match(
      second.output.trim(),
      new RegExp(
        `^The data directory ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another process \\(pid ${first.pid}, since [^)]+\\): two servers on one embedded database would split its orders\\. Stop the other one, give this one its own DATA_DIR, or share a PostgreSQL server between them with DATABASE_URL\\.$`,
      ),
    );
    assert.equal((await orderAt(first.url, order.id)).number, order.number);
  });

  it('after kill -9 of the server holding it, a restart opens the directory at once, with every order in it', async () => {
    const [running] = runs.filter((run) => run.url && run.exitCode === undefined);
    const order = await newOrder(running.url);
    assert.equal(await stopStorefront(running, 'SIGKILL'), 'SIGKILL');
    const restarted = await start();
    assert.ok(restarted.url, `it did not start: ${restarted.output}`);
    const seen = await orderAt(restarted.url, order.id);
    assert.deepEqual([seen.number, seen.amount, seen.status], [order.number, 4800, 'open']);
    // and a server stopped as a deploy stops it hands the directory over as well
    assert.equal(await stopStorefront(restarted), 0);
    const next = await start();
    assert.ok(next.url, next.output);
    assert.equal((await orderAt(next.url, order.id)).number, order.number);
  });

  it(
    "the directory, and the simulator's state in it, are the owner's alone",
    { skip: process.platform === 'win32' },
    async () => {
      const parent = mkdtempSync(join(tmpdir(), 'pwk-data-mode-'));
      const umask = process.umask(0o022); // as most systems' default: what the server is started with
      try {
        const mode = (path) => (statSync(path).mode & 0o777).toString(8);
        // one made by the server, and one there already, readable by everyone
        const made = join(parent, 'new', 'storefront');
        const existing = mkdtempSync(join(parent, 'existing-'));
        chmodSync(existing, 0o755);
        for (const dir of [existing, made]) {
          const run = await startStorefront({ DATA_DIR: dir });
          try {
            assert.ok(run.url, run.output);
            assert.equal(mode(dir), '700', `${dir} is the owner's alone`);
            assert.equal(mode(join(dir, 'klarna-simulator.json')), '600');
          } finally {
            await stopStorefront(run);
          }
        }
      } finally {
        process.umask(umask);
        rmSync(parent, { recursive: true, force: true });
      }
    },
  );

  it('within one process too: the embedded database opens a directory once at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pwk-data-dir-'));
    try {
      const first = await openDatabase({ dataDir: dir, log: () => {} });
      await assert.rejects(
        openDatabase({ dataDir: dir, log: () => {} }),
        new RegExp(`is in use by another process \\(pid ${process.pid},`),
      );
      await first.close();
      const again = await openDatabase({ dataDir: dir, log: () => {} });
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
