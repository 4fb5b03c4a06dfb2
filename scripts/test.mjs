#!/usr/bin/env node
/**
 * The whole test command: formatting (Prettier), type-check, build, component tests in Chromium,
 * Firefox and WebKit (web-test-runner), end-to-end tests in the three engines and Node (node:test).
 * Ends with one line: `N passed, N failed`. Takes no arguments (an unknown flag is refused).
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';

try {
  parseArgs({ args: process.argv.slice(2), options: {}, strict: true, allowPositionals: false });
} catch (error) {
  console.error(`${error.message}\nusage: npm test   (no arguments: run one half with npm run test:unit or test:e2e)`);
  process.exit(2);
}

const testFiles = (...folders) =>
  folders.flatMap((folder) =>
    readdirSync(folder)
      .filter((name) => name.endsWith('.test.mjs'))
      .map((name) => `${folder}/${name}`),
  );

// A failed `gate` ends the run: nothing after a failed build is worth running.
const steps = [
  {
    name: 'format (Prettier, npm run format writes it)',
    command: 'npx',
    args: ['prettier', '--check', '--log-level=warn', '.'],
  },
  { name: 'typecheck', command: 'npx', args: ['tsc', '--noEmit'], gate: true },
  { name: 'build', command: 'npm', args: ['run', '--silent', 'build'], gate: true },
  { name: 'component tests', command: 'npx', args: ['web-test-runner'], counts: /^wtr: (\d+) passed, (\d+) failed$/m },
  {
    name: 'end-to-end and backend tests',
    command: process.execPath,
    // Node 20 applies --test-timeout to each test file as a whole (a file is one test of the run):
    // 10 minutes, so that a file never fails for a busy machine (the storefront's and the backend's
    // take 1-2 minutes with both cores busy), while a hang still ends the run. Waits inside the
    // tests are on conditions, each bounded on its own (Playwright's 30 s, until()'s 30 s).
    args: [
      '--import',
      'tsx',
      '--test',
      '--test-timeout=600000',
      '--test-reporter=spec',
      ...testFiles('test/e2e', 'test/server'),
    ],
    counts: /^ℹ pass (\d+)\s*$[\s\S]*?^ℹ fail (\d+)\s*$/m,
  },
];

function run({ command, args }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        output += chunk;
        process.stdout.write(chunk);
      });
    }
    child.on('close', (code) => resolve({ code, output }));
  });
}

let passed = 0;
let failed = 0;
for (const step of steps) {
  console.log(`\n=== ${step.name}`);
  const { code, output } = await run(step);
  const match = step.counts?.exec(output.replace(/\x1b\[[0-9;]*m/g, ''));
  if (match) {
    passed += Number(match[1]);
    failed += Number(match[2]);
  }
  if (code !== 0 && !(match && Number(match[2]) > 0)) {
    failed += 1; // a step that failed without counting a failed test still fails the run
    console.log(`\n${step.name} failed (exit ${code})`);
    if (step.gate) break;
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
