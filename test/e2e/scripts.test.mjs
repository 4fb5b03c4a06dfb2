import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const run = (script, ...args) =>
  spawnSync(process.execPath, [join(repo, script), ...args], { cwd: repo, encoding: 'utf8' });

describe("the project's scripts refuse what they do not know", () => {
  const scratch = mkdtempSync(join(tmpdir(), 'pwk-scripts-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('readme-api --chek (a typo of --check) fails, names the flag, and leaves an out-of-date docs/api.md as it was', () => {
    const readme = join(scratch, 'api.md');
    const outOfDate = readFileSync(join(repo, 'docs/api.md'), 'utf8').replace(
      '<!-- api:end -->',
      '| a row written by hand |\n<!-- api:end -->',
    );
    writeFileSync(readme, outOfDate);
    const typo = run('scripts/readme-api.mjs', '--chek', `--doc=${readme}`);
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /Unknown option '--chek'/);
    assert.match(typo.stderr, /Usage: node scripts\/readme-api\.mjs \[--check\]/);
    assert.equal(readFileSync(readme, 'utf8'), outOfDate, 'docs/api.md was rewritten');
    assert.equal(
      run('scripts/readme-api.mjs', '--check', `--doc=${readme}`).status,
      1,
      'the real flag still finds it out of date',
    );
  });

  it('readme-api refuses a stray argument', () => {
    const stray = run('scripts/readme-api.mjs', 'check');
    assert.equal(stray.status, 2);
    assert.match(stray.stderr, /Unexpected argument 'check'/);
  });

  for (const script of ['scripts/report-bundle.mjs', 'scripts/minify-css.mjs', 'bench/run.mjs']) {
    it(`${script} refuses an unknown flag before doing anything`, () => {
      const { status, stderr, stdout } = run(script, '--verbose');
      assert.equal(status, 2, stdout);
      assert.match(stderr, /Unknown option '--verbose'/);
      assert.match(stderr, /^Usage: /m);
    });
  }
});
