#!/usr/bin/env node
/**
 * `npm run bench`: how fast <pay-with-klarna> shows Klarna, against the floor the network sets and
 * against a hand-written integration of Klarna's guide, and what it costs (layout shift, requests,
 * main-thread time, bytes). See bench/README-section.md (written by this script) for the method.
 *
 *   node bench/run.mjs                 measure, print the table, write results.json and README-section.md
 *   node bench/run.mjs --report-only   re-render the table and README-section.md from results.json
 *   BENCH_REPS=<n>                     runs per case, and the most rounds of the latency matrix (default 5)
 *   BENCH_BUDGET_S=<s>                 no matrix round may end after this many seconds (default 265),
 *                                      though at least three run
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { readArgs } from '../scripts/args.mjs';
import { launch, refused } from './lib/browser.mjs';
import {
  amountBurst,
  clickToBusy,
  CPU_RATES,
  fewRuns,
  HINT_CHECK_CELL,
  INIT_MS,
  layoutShift,
  manyElements,
  MERCHANT_MS,
  PRESENTATION_MS,
  SDK_MS,
  seededRandom,
  selectToButton,
  timeToKlarna,
  VISITS_PER_ROUND,
} from './lib/cases.mjs';
import { findings, markdownTable, pooledVersusPeer, readmeSection } from './lib/report.mjs';
import { startServer } from './lib/server.mjs';
import { measureSizes } from './lib/size.mjs';

const here = (path) => new URL(path, import.meta.url);
const repo = here('../');
const resultsFile = here('results.json');
const sectionFile = here('README-section.md');
const log = (message) => process.stderr.write(`${message}\n`);

/** The README's benchmark section is this run's, between its markers, so it cannot drift. */
function updateReadme(section) {
  const readme = new URL('README.md', repo);
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  if (!text.includes(start) || !text.includes(end)) return;
  writeFileSync(
    readme,
    `${text.slice(0, text.indexOf(start) + start.length)}\n${section.trim()}\n${text.slice(text.indexOf(end))}`,
  );
}

function publish(results, wrote) {
  const section = readmeSection(results);
  writeFileSync(sectionFile, section);
  updateReadme(section);
  console.log(markdownTable(results));
  const pooled = pooledVersusPeer(results);
  if (pooled) console.log(`\n${pooled}`);
  const found = findings(results);
  if (found.length) {
    console.log('\nTo improve:');
    for (const line of found) console.log(`- ${line}`);
  }
  console.log(`\nThe measuring run took ${(results.durationMs / 1000).toFixed(1)} s. Wrote ${wrote}.`);
}

// strict: an unknown flag (a typo of --report-only) is refused, never taken for a measuring run
const { values: flags } = readArgs('node bench/run.mjs [--report-only]', {
  options: { 'report-only': { type: 'boolean' } },
});
if (flags['report-only']) {
  publish(JSON.parse(readFileSync(resultsFile, 'utf8')), 'bench/README-section.md');
  process.exit(0);
}

const started = performance.now();

/** The newest modification time under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function ensureBuilt() {
  const outputs = ['dist/pay-with-klarna.js', 'dist/klarna-fake.mjs'].map((file) => new URL(file, repo));
  let built = 0;
  try {
    built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  } catch {
    built = 0;
  }
  if (built > newest(new URL('src/', repo))) return;
  log('dist/ is missing or older than src/: npm run build');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: fileURLToPath(repo), stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    log('the build failed');
    process.exit(1);
  }
}

function cpuModel() {
  try {
    return (
      /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim() ??
      os.cpus()[0]?.model ??
      'unknown'
    );
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

const loadAverage = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
/** Linux's CPU pressure ("some", last 60 s): other work on the machine competing with the run. */
function cpuPressure() {
  try {
    return Number(/^some avg10=[\d.]+ avg60=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? NaN);
  } catch {
    return null;
  }
}

ensureBuilt();
const reps = Number(process.env.BENCH_REPS) || 5;
const machine = {
  nproc: os.availableParallelism?.() ?? os.cpus().length,
  cpuModel: cpuModel(),
  node: process.versions.node,
  loadAverageBefore: loadAverage(),
  cpuPressureBeforePercent: cpuPressure(),
};

log("size: building Lit alone with the project's vite config");
const size = await measureSizes();

const [browser, server] = await Promise.all([launch(), startServer()]);
machine.chromium = browser.version();
// The whole run should stay under five minutes on two cores: the short sections run first, then
// the latency matrix takes as many rounds as fit (at least three, at most BENCH_REPS). After the
// last round come the backend burst (about 10 s) and the report: 265 s leaves half a minute.
const budgetMs = (Number(process.env.BENCH_BUDGET_S) || 265) * 1000;
const deadline = Date.now() - performance.now() + started + budgetMs;
const context = { browser, server, reps, random: seededRandom(5), log, deadline };
const sections = {};
try {
  const timed = async (name, label, run) => {
    const at = performance.now();
    log(label);
    sections[name] = await run(context);
    log(`  ${((performance.now() - at) / 1000).toFixed(1)} s`);
  };
  await timed('layoutShift', '4: layout shift', layoutShift);
  await timed('amountBurst', '5: 20 amount changes in 200 ms', amountBurst);
  await timed('manyElements', '6: 1, 5 and 20 elements', manyElements);
  await timed('clickToBusy', '7: click to busy and the longest tasks at 4× CPU (traced)', clickToBusy);
  await timed(
    'selectToButton',
    '10: selecting Klarna to its button painted, ours and the peer, at 1× and 4× CPU',
    selectToButton,
  );
  await timed(
    'timeToKlarna',
    `1–3: time to Klarna, the peer, the gap (${SDK_MS.length * PRESENTATION_MS.length} latency cells × ${CPU_RATES.length} CPU rates, up to ${reps} rounds)`,
    timeToKlarna,
  );
} finally {
  await browser.close();
  await server.close();
}

// 9: the reference backend is TypeScript, so it runs in a child process under tsx, after the browser work.
log('9: the reference backend under a burst of initiates');
const backendRun = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(here('lib/backend.mjs'))], {
  cwd: fileURLToPath(repo),
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 2],
});
const backend =
  backendRun.status === 0
    ? { measured: true, ...JSON.parse(backendRun.stdout.trim().split('\n').pop()) }
    : { measured: false, note: `the backend benchmark failed (exit ${backendRun.status})` };

machine.loadAverageAfter = loadAverage();
machine.cpuPressureAfterPercent = cpuPressure();
const results = {
  generatedAt: new Date().toISOString(),
  durationMs: Math.round(performance.now() - started),
  machine,
  settings: {
    reps,
    matrixRounds: sections.timeToKlarna.rounds,
    budgetS: budgetMs / 1000,
    repsLayoutShiftAndAmount: fewRuns(reps),
    sdkMs: SDK_MS,
    presentationMs: PRESENTATION_MS,
    cpuRates: CPU_RATES,
    visitsPerRound: VISITS_PER_ROUND,
    initMs: INIT_MS,
    merchantMs: MERCHANT_MS,
    hintCheckCell: HINT_CHECK_CELL,
    frameMs: 1000 / 60,
  },
  offMachineRequestsRefused: refused.length,
  ...sections,
  size,
  backend,
};
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
publish(results, 'bench/results.json and bench/README-section.md');
