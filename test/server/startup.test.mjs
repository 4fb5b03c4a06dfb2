import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../demo/server/main.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'pwk-startup-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

/** `npm start` with `env` (and nothing of this process's Klarna settings): its exit code and what it printed, or 'running' if it started. */
function start(env) {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('KLARNA_') && name !== 'PUBLIC_URL'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...inherited, PORT: '0', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => {
    // a server that starts prints its address: then it did not refuse
    const started = setInterval(() => {
      if (!output.includes('Storefront:')) return;
      clearInterval(started);
      child.kill();
    }, 50);
    child.on('exit', (code) => {
      clearInterval(started);
      resolve({ code: output.includes('Storefront:') ? 'running' : code, output: output.trim() });
    });
  });
}

const KLARNA = {
  KLARNA_API_KEY: 'test-api-key-not-real',
  KLARNA_CLIENT_ID: 'klarna_test_client_x',
  KLARNA_WEBHOOK_SIGNING_KEYS: 'key-1:secret-one',
  PUBLIC_URL: 'https://shop.example',
};

describe('the storefront refuses to start on a Klarna environment it cannot trust', () => {
  it('Klarna variables without KLARNA_API_KEY: refused, not run against the simulator', async () => {
    for (const env of [
      { KLARNA_CLIENT_ID: 'klarna_test_client_x' },
      { KLARNA_LIVE: 'true' },
      { KLARNA_WEBHOOK_SIGNING_KEYS: 'key-1:secret-one', KLARNA_API_KEY: '' },
    ]) {
      const { code, output } = await start(env);
      assert.equal(code, 1, JSON.stringify(env));
      assert.match(
        output,
        /^KLARNA_API_KEY is not set, but KLARNA_\w+ is: set KLARNA_API_KEY to use Klarna, or unset it for the offline simulator/,
        JSON.stringify(env),
      );
    }
  });

  it("KLARNA_LIVE and the API base disagree: Klarna's live host without KLARNA_LIVE, or the reverse", async () => {
    const cases = [
      [
        { KLARNA_API_BASE: 'https://api-global.klarna.com' },
        "KLARNA_API_BASE (api-global.klarna.com) is Klarna's live environment, but KLARNA_LIVE is not true.",
      ],
      [
        { KLARNA_LIVE: 'true', KLARNA_API_BASE: 'https://api-global.test.klarna.com' },
        "KLARNA_LIVE=true, but KLARNA_API_BASE (api-global.test.klarna.com) is Klarna's test environment.",
      ],
      [{ KLARNA_LIVE: 'yes' }, 'KLARNA_LIVE is true or false, not "yes".'],
    ];
    for (const [env, message] of cases)
      assert.deepEqual(await start({ ...KLARNA, ...env }), { code: 1, output: message });
  });

  it('KLARNA_WEBHOOK_SIGNING_KEYS that does not parse: refused, naming the entry and never its secret', async () => {
    const cases = [
      [
        'secret-without-an-id',
        'KLARNA_WEBHOOK_SIGNING_KEYS entry 1 is not id:secret (no signing key id before a colon).',
      ],
      [
        'key-1:secret-one,other-secret',
        'KLARNA_WEBHOOK_SIGNING_KEYS entry 2 is not id:secret (no signing key id before a colon).',
      ],
      ['key-1:', 'KLARNA_WEBHOOK_SIGNING_KEYS entry 1 has no secret after its id.'],
      [',', 'KLARNA_WEBHOOK_SIGNING_KEYS holds no signing key (id:secret[,id2:secret2]).'],
    ];
    for (const [keys, message] of cases) {
      const { code, output } = await start({ ...KLARNA, KLARNA_WEBHOOK_SIGNING_KEYS: keys });
      assert.deepEqual({ code, output }, { code: 1, output: message });
      assert.ok(!output.includes('secret-one') && !output.includes('other-secret'), 'no secret in the message');
    }
  });

  it('a misspelt Klarna variable without KLARNA_API_KEY is refused too, naming it', async () => {
    const { code, output } = await start({ KLARNA_CLIENTID: 'klarna_test_client_x' });
    assert.equal(code, 1);
    assert.match(output, /^KLARNA_API_KEY is not set, but KLARNA_CLIENTID is:/);
  });

  it('a PUBLIC_URL that is not an http(s) origin is refused, naming it', async () => {
    for (const value of ['notaurl', 'https://shop.example/store', 'ftp://shop.example', 'https://shop.example/?a=1']) {
      assert.deepEqual(await start({ ...KLARNA, PUBLIC_URL: value }), {
        code: 1,
        output: `PUBLIC_URL is the shop's public origin, such as https://shop.example, not ${JSON.stringify(value)}.`,
      });
    }
  });

  it('offline with no Klarna variable, it starts', async () => {
    assert.equal((await start({})).code, 'running');
  });
});
