import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JSDOM } from 'jsdom';
import { transform } from 'lightningcss';
import { KLARNA_SDK_URL, launch, openPage } from './support/browser.mjs';
import { allCodeBlocks, repo } from './support/docs.mjs';

/**
 * Every code block in the docs is run or checked, as docs/development.md says; a block that cannot
 * stand alone says so with `<!-- sample: partial: why -->`. See support/docs.mjs for the markers.
 */
const blocks = allCodeBlocks();
const where = (block) => `${block.page}:${block.line}`;
const manifest = JSON.parse(readFileSync(join(repo, 'dist/custom-elements.json'), 'utf8'));
const element = manifest.modules
  .flatMap((module) => module.declarations ?? [])
  .find((declaration) => declaration.tagName === 'pay-with-klarna');
const { scripts } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));

const KINDS = new Set(['page', 'asset', 'module', 'file', 'json', 'csp', 'partial']);
const typeChecked = (block) => block.kind === 'module' || (!block.kind && ['js', 'ts', 'tsx'].includes(block.lang));

describe('code samples in the docs', () => {
  it('every block has a language, and every marker is one the extractor knows, with what it needs', () => {
    const problems = [];
    for (const block of blocks) {
      if (!block.lang) problems.push(`${where(block)}: no language after the fence`);
      if (block.kind && !KINDS.has(block.kind)) problems.push(`${where(block)}: unknown marker "${block.kind}"`);
      if (['partial', 'file', 'json', 'asset'].includes(block.kind) && !block.arg)
        problems.push(`${where(block)}: "${block.kind}" needs ${block.kind === 'partial' ? 'a reason' : 'a name'}`);
    }
    assert.deepEqual(problems, []);
    assert.ok(
      blocks.filter(typeChecked).length >= 5,
      'the docs have fewer TypeScript samples than expected: is the extractor reading them?',
    );
  });

  it("TypeScript and JavaScript samples type-check against the package, as a merchant's app would (tsc)", () => {
    const scratch = join(repo, '.tmp/doc-samples');
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    const files = new Map();
    blocks.filter(typeChecked).forEach((block, index) => {
      const name = `sample-${index}.${block.lang === 'tsx' ? 'tsx' : 'ts'}`;
      const isModule = /^\s*(import|export)\s/m.test(block.code);
      writeFileSync(join(scratch, name), `${block.code}${isModule ? '' : '\nexport {};\n'}`);
      files.set(name, block);
    });
    // the package as a merchant's app has it once installed: its types, and the tag in HTMLElementTagNameMap
    writeFileSync(join(scratch, 'package.d.ts'), "import type {} from 'pay-with-klarna';\n");
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'bundler',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          strict: true,
          noEmit: true,
          isolatedModules: true,
          jsx: 'react-jsx',
          types: [],
          skipLibCheck: true,
        },
        include: ['*.ts', '*.tsx'],
      }),
    );
    const { status, stdout, stderr } = spawnSync(
      process.execPath,
      [join(repo, 'node_modules/typescript/bin/tsc'), '-p', scratch],
      { cwd: repo, encoding: 'utf8' },
    );
    rmSync(scratch, { recursive: true, force: true });
    const report = `${stdout}${stderr}`.replace(
      /(?:\S*\/)?(sample-\d+\.tsx?)/g,
      (_, name) => `${where(files.get(name))}, sample line `,
    );
    assert.equal(status, 0, report);
  });

  it('blocks marked "file" appear, as they are, in the file they name (which its own test runs)', () => {
    const marked = blocks.filter((block) => block.kind === 'file');
    assert.ok(marked.length > 0);
    for (const block of marked) {
      const source = readFileSync(join(repo, dirname(block.page), block.arg), 'utf8');
      assert.ok(source.includes(block.code.trimEnd()), `${where(block)} is not as it is in ${block.arg}`);
    }
  });

  it('JSON samples parse', () => {
    for (const block of blocks.filter((candidate) => candidate.lang === 'json'))
      assert.doesNotThrow(() => JSON.parse(block.code), where(block));
  });

  it("CSS samples parse, and name only the element's parts, custom properties and states", () => {
    const parts = new Set(element.cssParts.map(({ name }) => name));
    const properties = new Set(element.cssProperties.map(({ name }) => name));
    const states = new Set(element.cssStates.map(({ name }) => name));
    for (const block of blocks.filter((candidate) => candidate.lang === 'css')) {
      assert.doesNotThrow(
        () => transform({ filename: 'sample.css', code: Buffer.from(block.code), errorRecovery: false }),
        where(block),
      );
      const unknown = [
        ...[...block.code.matchAll(/::part\(([\w-]+)\)/g)].map((match) => match[1]).filter((name) => !parts.has(name)),
        ...[...block.code.matchAll(/(--pay-with-klarna-[\w-]+)/g)]
          .map((match) => match[1])
          .filter((name) => !properties.has(name)),
        ...[...block.code.matchAll(/:state\(([\w-]+)\)/g)].map((match) => match[1]).filter((name) => !states.has(name)),
      ];
      assert.deepEqual(unknown, [], `${where(block)} names what the element does not have`);
    }
  });

  it('HTML samples give <pay-with-klarna> only its own attributes, and the <head> hints as the element needs them', () => {
    const attributes = new Set([...element.attributes.map(({ name }) => name), 'id', 'class', 'style', 'hidden']);
    for (const block of blocks.filter((candidate) => candidate.lang === 'html')) {
      const { document } = new JSDOM(block.code).window;
      for (const tag of document.querySelectorAll('pay-with-klarna')) {
        assert.deepEqual(
          tag.getAttributeNames().filter((name) => !attributes.has(name)),
          [],
          `${where(block)}: attributes <pay-with-klarna> does not have`,
        );
      }
      for (const link of document.querySelectorAll('link[rel=modulepreload]')) {
        const href = link.getAttribute('href');
        assert.ok(
          href === KLARNA_SDK_URL || href.endsWith('/pay-with-klarna.js'),
          `${where(block)}: a preload of ${href}`,
        );
        if (link.hasAttribute('integrity'))
          assert.equal(link.getAttribute('crossorigin'), 'anonymous', `${where(block)}: integrity without crossorigin`);
        assert.ok(
          href !== KLARNA_SDK_URL || !link.hasAttribute('integrity'),
          `${where(block)}: Klarna's SDK changes, it cannot carry an integrity hash`,
        );
      }
    }
  });

  it('shell samples run only npm scripts that package.json has', () => {
    const builtIn = new Set(['install', 'pack', 'start', 'test']);
    for (const block of blocks.filter((candidate) => candidate.lang === 'sh')) {
      for (const command of block.code
        .split('\n')
        .flatMap((line) => line.replace(/#.*/, '').split(/&&|;/))
        .map((part) => part.trim().split(/\s+/))) {
        if (command[0] !== 'npm') continue;
        const script = command[1] === 'run' ? command[2] : command[1];
        assert.ok(
          command[1] === 'run'
            ? script in scripts
            : builtIn.has(script) && (!['start', 'test'].includes(script) || script in scripts),
          `${where(block)}: npm ${command.slice(1).join(' ')}`,
        );
      }
    }
  });

  it('the Content-Security-Policy sample names known directives and well-formed sources', () => {
    const [block] = blocks.filter((candidate) => candidate.kind === 'csp');
    assert.ok(block, 'docs/csp.md has its policy marked <!-- sample: csp -->');
    const known = new Set([
      'default-src',
      'object-src',
      'base-uri',
      'script-src',
      'style-src',
      'font-src',
      'connect-src',
      'frame-src',
      'img-src',
    ]);
    for (const directive of block.code
      .split(';')
      .map((text) => text.trim())
      .filter(Boolean)) {
      const [name, ...sources] = directive.split(/\s+/);
      assert.ok(known.has(name), `${where(block)}: ${name}`);
      for (const source of sources)
        assert.match(
          source,
          /^('self'|'none'|'unsafe-inline'|https:\/\/(\*\.)?[a-z0-9.-]+|data:)$/,
          `${where(block)}: ${name} ${source}`,
        );
    }
  });
});

/**
 * The README's Quick start, as a page: its HTML, its CSS and its script, the bundle at
 * /assets/pay-with-klarna.js, Klarna's URL answered by the testing kit's fake.
 */
describe("the README's Quick start, run in Chromium", () => {
  const page = blocks.find((block) => block.kind === 'page');
  const assets = new Map(
    blocks.filter((block) => block.kind === 'asset').map((block) => [`/assets/${block.arg}`, block]),
  );
  let browser, server;
  const initiations = [];
  before(async () => {
    server = http.createServer(async (request, response) => {
      const type = (name) =>
        ({ css: 'text/css', js: 'text/javascript' })[name.split('.').pop()] ?? 'text/html; charset=utf-8';
      if (request.method === 'POST' && request.url === '/api/klarna/initiate') {
        let raw = '';
        for await (const chunk of request) raw += chunk;
        initiations.push(JSON.parse(raw));
        return response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/docs/start' }));
      }
      if (request.url === '/assets/pay-with-klarna.js')
        return response
          .writeHead(200, { 'content-type': type('x.js') })
          .end(await readFile(join(repo, 'dist/pay-with-klarna.js')));
      if (assets.has(request.url))
        return response.writeHead(200, { 'content-type': type(request.url) }).end(assets.get(request.url).code);
      if (request.url === '/order/confirmation')
        return response
          .writeHead(200, { 'content-type': type('') })
          .end('<!doctype html><title>Thank you</title><h1>Thank you</h1>');
      if (request.url === '/')
        return response
          .writeHead(200, { 'content-type': type('') })
          .end(
            `<!doctype html><html lang="en-US">${page.code.replace('<head>', '<head><meta charset="utf-8"><title>Checkout</title>')}</html>`,
          );
      response.writeHead(404).end();
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve) ?? resolve());
  });

  it('is marked as a page, with the CSS and script it loads marked as its assets', () => {
    assert.equal(page?.page, 'README.md');
    const loaded = [...page.code.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)]
      .map((match) => match[1])
      .filter((url) => url !== '/assets/pay-with-klarna.js');
    assert.deepEqual([...new Set(loaded)].sort(), [...assets.keys()].sort());
  });

  it('shows Klarna with one download of klarna.mjs, and the customer pays and reaches the confirmation page', async () => {
    const {
      page: tab,
      context,
      klarnaRequests,
      errors,
    } = await openPage(browser, { fakeOptions: { journey: 'complete' } });
    const url = `http://127.0.0.1:${server.address().port}`;
    await tab.goto(`${url}/`);
    const klarna = tab.getByRole('radio', { name: 'Pay with Klarna' });
    await klarna.click();
    assert.deepEqual(klarnaRequests, [KLARNA_SDK_URL], 'the modulepreload and the element share one download');
    // the CSS keeps Klarna's row before the element is defined: the rule is in the page's stylesheet
    const rule = await tab.evaluate(() =>
      [...document.styleSheets]
        .flatMap((sheet) => [...sheet.cssRules])
        .map((cssRule) => cssRule.cssText)
        .find((text) => text.includes(':not(:defined)')),
    );
    assert.match(rule ?? '', /min-height: 4rem/);
    await tab.getByRole('button', { name: 'Pay with Klarna' }).click();
    await tab.waitForURL(`${url}/order/confirmation`);
    assert.deepEqual(
      initiations.map(({ amount, currency }) => ({ amount, currency })),
      [{ amount: 11800, currency: 'USD' }],
    );
    assert.deepEqual(errors, []);
    await context.close();
  });
});
