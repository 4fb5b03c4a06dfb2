import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import Ajv from 'ajv';
import { validateCem } from '@wc-toolkit/cem-validator';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { build } from 'vite';
import { GZIP_BUDGET_BYTES } from '../../scripts/bundle-size.mjs';
import { packedFiles } from './support/package.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const publicDir = join(root, 'public');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(root, 'dist/custom-elements.json'), 'utf8'));
const bin = (name) => join(root, 'node_modules/.bin', name);

describe('the npm package', () => {
  it("ships none of the demo's images (screenshots, product pictures)", () => {
    const demoImages = readdirSync(publicDir, { recursive: true }).filter((name) =>
      /\.(png|svg|jpe?g|webp|gif)$/.test(name),
    );
    assert.ok(demoImages.length > 0, 'public/ has the demo images this test looks for');
    const packed = packedFiles();
    assert.deepEqual(
      packed.filter((path) => /\.(png|svg|jpe?g|webp|gif|avif)$/i.test(path)),
      [],
      'images in the package',
    );
    assert.deepEqual(
      packed.filter((path) => demoImages.some((image) => path.endsWith(image.replaceAll('\\', '/')))),
      [],
    );
  });

  it('still ships what a page serves itself: the script-tag bundle and the fake SDK', () => {
    for (const file of ['dist/pay-with-klarna.js', 'dist/klarna-fake.mjs'])
      assert.ok(packedFiles().includes(file), `${file} is missing`);
  });

  it("ships the pages its README links to, so the links work in node_modules (images excepted: npm's site shows them from the repository)", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/\]\((?!https?:|#)([^)#\s]+)/g)]
      .map((match) => match[1])
      .filter((path) => !/\.(png|svg|jpe?g)$/i.test(path));
    assert.ok(
      linked.some((path) => path.startsWith('docs/')),
      'README links to docs/',
    );
    const packed = packedFiles();
    assert.deepEqual(
      linked.filter((path) => !packed.includes(path.replace(/^\.\//, ''))),
      [],
      'linked from README but not in the package',
    );
  });

  it('ships its LICENSE (MIT, as package.json says) and CHANGELOG.md, and says where it lives', () => {
    assert.equal(packageJson.license, 'MIT');
    assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License\n/);
    for (const file of ['LICENSE', 'CHANGELOG.md', 'README.md'])
      assert.ok(packedFiles().includes(file), `${file} is missing`);
    const home = 'https://github.com/pay-with-klarna/pay-with-klarna';
    assert.equal(packageJson.repository.url, `git+${home}.git`);
    assert.equal(packageJson.homepage, `${home}#readme`);
    assert.equal(packageJson.bugs.url, `${home}/issues`);
  });

  it('has a type declaration, a source map and a declaration map for every module of dist/lib/, and ships the sources they point at', () => {
    const packed = new Set(packedFiles());
    const modules = [...packed].filter((path) => /^dist\/lib\/.*\.js$/.test(path));
    assert.ok(modules.length > 10);
    for (const module of modules) {
      for (const companion of [
        module.replace(/\.js$/, '.d.ts'),
        `${module}.map`,
        module.replace(/\.js$/, '.d.ts.map'),
      ]) {
        assert.ok(packed.has(companion), `${companion} is missing`);
      }
      for (const map of [`${module}.map`, module.replace(/\.js$/, '.d.ts.map')]) {
        const { sources } = JSON.parse(readFileSync(join(root, map), 'utf8'));
        for (const source of sources) {
          const shipped = join(map, '..', source).replace(/^\.\//, '');
          assert.ok(packed.has(shipped), `${map} points at ${shipped}, which the package does not ship`);
        }
      }
    }
  });

  it('publishes no member marked @internal in its types', () => {
    const types = readFileSync(join(root, 'dist/lib/pay-with-klarna.d.ts'), 'utf8');
    assert.match(types, /export declare class PayWithKlarna extends ReactiveElement \{/);
    for (const member of [
      'paymentCompleted',
      'paymentAborted',
      'paymentFailed',
      'releaseSelection',
      'selectFromKeyboard',
      'isKlarnaGroupMember',
      'formResetCallback',
    ]) {
      assert.doesNotMatch(types, new RegExp(`\\b${member}\\b`), `${member} is in the published types`);
    }
  });

  it('points editors at its VS Code custom data and JetBrains web-types, which it ships', () => {
    assert.equal(packageJson['web-types'], './dist/web-types.json');
    for (const file of ['dist/web-types.json', 'dist/vscode.html-custom-data.json', 'dist/vscode.css-custom-data.json'])
      assert.ok(packedFiles().includes(file), `${file} is missing`);
    const vscode = JSON.parse(readFileSync(join(root, 'dist/vscode.html-custom-data.json'), 'utf8'));
    const tag = vscode.tags.find((candidate) => candidate.name === 'pay-with-klarna');
    const values = (name) =>
      tag.attributes.find((attribute) => attribute.name === name)?.values?.map((value) => value.name);
    assert.deepEqual(values('initiation-mode'), ['DEVICE_BEST', 'REDIRECT', 'ON_PAGE', 'POPUP']);
    assert.deepEqual(values('button-shape'), ['default', 'pill', 'rect']);
    const webTypes = JSON.parse(readFileSync(join(root, 'dist/web-types.json'), 'utf8'));
    const element = webTypes.contributions.html.elements.find((candidate) => candidate.name === 'pay-with-klarna');
    assert.deepEqual(
      element.js.events.map((event) => event.name),
      manifest.modules
        .flatMap((module) => module.declarations ?? [])
        .find((declaration) => declaration.tagName)
        ?.events.map((event) => event.name),
    );
  });
});

describe('custom-elements.json', () => {
  const element = manifest.modules
    .flatMap((module) => module.declarations ?? [])
    .find((declaration) => declaration.tagName === 'pay-with-klarna');

  it('follows the current schema (2.1.0) and validates against it', () => {
    const schemaFile = join(root, 'node_modules/custom-elements-manifest/schema.json');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
    assert.equal(
      manifest.schemaVersion,
      JSON.parse(readFileSync(join(root, 'node_modules/custom-elements-manifest/package.json'), 'utf8')).version,
    );
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    assert.ok(validate(manifest), JSON.stringify(validate.errors, null, 2));
  });

  it('@wc-toolkit/cem-validator reports nothing, warnings included', async () => {
    const reported = [];
    const { log, warn, error } = console;
    console.log = console.warn = console.error = (...args) => reported.push(args.join(' '));
    try {
      await validateCem(manifest, {
        packageJsonPath: join(root, 'package.json'),
        cemFileName: 'custom-elements.json',
        logErrors: true,
      });
    } finally {
      Object.assign(console, { log, warn, error });
    }
    assert.deepEqual(
      reported.filter((line) => /warning|error/i.test(line)),
      [],
    );
  });

  it('describes the files the package ships (dist/lib/*.js), not the sources', () => {
    const paths = manifest.modules.map((module) => module.path);
    assert.deepEqual(
      paths.filter((path) => !packedFiles().includes(path)),
      [],
    );
    const references = JSON.stringify(manifest).match(/"module":\s*"[^"]*"/g) ?? [];
    assert.deepEqual(
      references.filter((reference) => !/"dist\/lib\/[\w/-]+\.js"$/.test(reference)),
      [],
    );
  });

  it("gives each klarna-* event its detail type, which the element's module exports", () => {
    const exported = new Set(
      manifest.modules
        .find((module) => module.path === 'dist/lib/pay-with-klarna.js')
        .exports.map((entry) => entry.name),
    );
    const klarnaEvents = element.events.filter((event) => event.name.startsWith('klarna-'));
    assert.deepEqual(
      klarnaEvents.map((event) => [event.name, event.type.text]),
      [
        ['klarna-presentation', 'KlarnaPresentationDetail'],
        ['klarna-initiate', 'KlarnaInitiateDetail'],
        ['klarna-complete', 'KlarnaCompleteDetail'],
        ['klarna-abort', 'KlarnaAbortDetail'],
        ['klarna-error', 'KlarnaErrorDetail'],
      ],
    );
    for (const event of klarnaEvents) assert.ok(exported.has(event.type.text), `${event.type.text} is not exported`);
  });
});

describe('the packed package, as a merchant installs it', () => {
  // `npm pack`, as README's "npm" section says, then the tarball unpacked where npm installs it. Inside
  // the repository (.tmp/, ignored by git), so its one dependency, @lit/reactive-element, resolves
  // from the repository's node_modules: npm install would fetch it, and tests reach no network.
  const scratch = join(root, '.tmp');
  let workspace;
  let tarball;
  before(() => {
    mkdirSync(scratch, { recursive: true });
    workspace = mkdtempSync(join(scratch, 'merchant-'));
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', workspace], {
        cwd: root,
        encoding: 'utf8',
      }),
    );
    tarball = join(workspace, packed.filename);
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it('publint reports nothing, suggestions included', async () => {
    // packed by npm from the repository, so that publint also tells files that exist from files that ship
    const { messages, pkg } = await publint({ pkgDir: root, level: 'suggestion', pack: 'npm' });
    assert.deepEqual(
      messages.map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false })}`),
      [],
    );
  });

  it('arethetypeswrong reports nothing for any export, where an ESM-only package is used (node16 from ESM, bundlers)', () => {
    const { status, stdout, stderr } = spawnSync(
      bin('attw'),
      [tarball, '--profile', 'esm-only', '--format', 'table-flipped', '--no-color', '--no-emoji'],
      { encoding: 'utf8' },
    );
    assert.equal(status, 0, `${stdout}${stderr}`);
    for (const entry of Object.keys(packageJson.exports)) {
      const specifier = entry === '.' ? packageJson.name : `${packageJson.name}/${entry.slice(2)}`;
      assert.ok(stdout.includes(`"${specifier}"`), `attw did not check ${specifier}`);
    }
  });

  it("a merchant's Vite build of pay-with-klarna/define, from the tarball, is within the bundle's gzip budget, its CSS minified", async () => {
    const app = join(workspace, 'app');
    const installed = join(app, 'node_modules/pay-with-klarna');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'merchant-app', private: true, type: 'module' }));
    writeFileSync(join(app, 'main.js'), "import 'pay-with-klarna/define';\n");
    const output = await build({
      root: app,
      configFile: false,
      logLevel: 'silent',
      build: { write: false, target: 'es2022', rolldownOptions: { input: join(app, 'main.js') } },
    });
    const chunks = [output]
      .flat()
      .flatMap((result) => result.output)
      .filter((chunk) => chunk.type === 'chunk');
    const code = chunks.map((chunk) => chunk.code).join('\n');
    assert.ok(code.includes('pay-with-klarna'), 'the element is in the build');
    assert.doesNotMatch(code, /!important keeps the minifier/, "the element's CSS still has its comments");
    const gzip = gzipSync(code, { level: 9 }).length;
    assert.ok(gzip <= GZIP_BUDGET_BYTES, `${gzip} B gzip, over the budget of ${GZIP_BUDGET_BYTES} B`);
  });
});
