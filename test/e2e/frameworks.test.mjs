import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launch, openPage } from './support/browser.mjs';
import { buildExample } from './support/examples.mjs';

function serve(directory) {
  const server = http.createServer((request, response) => {
    const path = normalize(new URL(request.url, 'http://127.0.0.1').pathname).replace(/^\/+/, '') || 'index.html';
    try {
      const body = readFileSync(join(directory, path));
      response
        .writeHead(200, { 'content-type': extname(path) === '.html' ? 'text/html' : 'text/javascript' })
        .end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const EXAMPLES = [
  { name: 'react', what: 'React 19 in StrictMode' },
  { name: 'vue', what: 'Vue 3' },
  { name: 'svelte', what: 'Svelte 5' },
];

describe('framework examples', () => {
  let browser;
  const built = new Map();
  before(async () => {
    browser = await launch();
    for (const { name } of EXAMPLES) {
      const outDir = await buildExample(name);
      built.set(name, { outDir, server: await serve(outDir) });
    }
  });
  after(async () => {
    await browser?.close();
    for (const { outDir, server } of built.values()) {
      server.close();
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  for (const { name, what } of EXAMPLES) {
    it(`${what}: attributes bound to state, the amount live, events handled, one SDK load`, async () => {
      const { page, klarnaRequests, errors, context } = await openPage(browser);
      await page.goto(`http://127.0.0.1:${built.get(name).server.address().port}/`);
      await page.getByRole('radio', { name: 'Pay with Klarna' }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Klarna: SHOW_KLARNA' }).waitFor();
      assert.equal(
        await page.getByRole('status').count(),
        1,
        "the page's own status is the only one: the element's live region has no role",
      );
      await page.getByText('4 interest-free payments of $6.00').waitFor();
      await page.getByLabel('Mugs').fill('3');
      await page.getByText('4 interest-free payments of $18.00').waitFor();
      const fake = await page.evaluate(() => {
        const { sdkCalls, presentationCalls } = globalThis[Symbol.for('pay-with-klarna.fake')];
        return { sdkCalls: sdkCalls.length, amounts: presentationCalls.map((call) => call.amount) };
      });
      assert.equal(klarnaRequests.length, 1);
      assert.equal(fake.sdkCalls, 1);
      assert.equal(fake.amounts.at(-1), 7200);
      const data = await page.locator('pay-with-klarna').evaluate((element) => element.initiateData);
      assert.deepEqual(data, { cart: `${name}-demo` }, 'objects reach the element as properties');
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});

/**
 * The types the package ships for each framework (dist/frameworks/, generated from the manifest),
 * checked as a merchant's app checks them: through the package's exports, skipLibCheck off. Each
 * type test has @ts-expect-error (in Vue templates @vue-expect-error) on a wrong event detail
 * property, a wrong attribute value and an unknown attribute: a checker that finds no error there
 * fails. The framework examples above use the same types.
 */
// The three checkers run side by side: each spends most of its time loading types.
describe('the shipped framework types', { concurrency: true }, () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const check = (tool, ...args) =>
    new Promise((resolve, reject) => {
      execFile(
        join(root, 'node_modules/.bin', tool),
        args,
        { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${tool} ${args.join(' ')} failed:\n${stdout}${stderr}`)) : resolve(),
      );
    });

  it('React 19, Preact and Svelte 5 (tsc): the type tests, and the React examples', () =>
    check('tsc', '-p', 'test/types/tsconfig.json'));

  it('Vue 3 (vue-tsc): the type test, and the Vue example', () =>
    check('vue-tsc', '-p', 'test/types/tsconfig.vue.json'));

  it('Svelte 5 (svelte-check): the Svelte example', () =>
    check(
      'svelte-check',
      '--tsconfig',
      './demo/frameworks/svelte/tsconfig.json',
      '--fail-on-warnings',
      '--output',
      'machine',
    ));
});
