import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * examples/testing/: a checkout tested with the testing kit as a merchant would test it, in each test
 * runner README names: Vitest's browser mode (Playwright, Chromium), Vitest with jsdom and with
 * happy-dom (where the element only reports unsupported-environment), @web/test-runner, and
 * Playwright Test against the page served on 127.0.0.1 with Klarna's URL answered by the fake.
 * Each imports the package by name (its exports, so the build is what is tested).
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const run = (tool, ...args) =>
  spawnSync(join(root, 'node_modules/.bin', tool), args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', CI: '1' },
  });

/** Runs `tool`, which must exit 0 having passed at least `least` tests and failed none. */
function expectPassed({ status, stdout, stderr }, counts, least) {
  const output = `${stdout}${stderr}`;
  assert.equal(status, 0, output);
  const { passed, failed } = counts(stdout);
  assert.equal(failed, 0, output);
  assert.ok(passed >= least, `${passed} passed, fewer than the ${least} the example has:\n${output}`);
}

describe('the testing examples, in the test runners merchants use', () => {
  it('Vitest: browser mode (Playwright provider, Chromium), and jsdom and happy-dom', () => {
    expectPassed(
      run('vitest', 'run', '--config', 'examples/testing/vitest.config.mjs', '--reporter=json'),
      (stdout) => {
        const report = JSON.parse(stdout.slice(stdout.indexOf('{')));
        return { passed: report.numPassedTests, failed: report.numFailedTests + report.numPendingTests };
      },
      4,
    );
  });

  it('@web/test-runner (Playwright launcher, Chromium)', () => {
    expectPassed(
      run('web-test-runner', '--config', 'examples/testing/web-test-runner/web-test-runner.config.mjs'),
      (stdout) => {
        const [, passed, failed] =
          [...stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').matchAll(/(\d+) passed, (\d+) failed/g)].at(-1) ?? [];
        return { passed: Number(passed), failed: Number(failed) };
      },
      2,
    );
  });

  it("Playwright Test, with the fake served for Klarna's URL", () => {
    expectPassed(
      run('playwright', 'test', '--config', 'examples/testing/playwright/playwright.config.mjs', '--reporter=json'),
      (stdout) => {
        const { stats } = JSON.parse(stdout.slice(stdout.indexOf('{')));
        return { passed: stats.expected, failed: stats.unexpected + stats.flaky };
      },
      2,
    );
  });
});
