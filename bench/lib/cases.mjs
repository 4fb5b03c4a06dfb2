/**
 * The measurements. Each takes { browser, server, reps, random, log } and returns plain data
 * (samples summarised as { median, p95, n }) for results.json; report.mjs turns it into the table.
 */
import { readFileSync } from 'node:fs';
import { loadAndMeasure, openPage, pageUrl } from './browser.mjs';
import { round, seededRandom, shuffle, signCounts, summary } from './stats.mjs';
import { longestTask, mainThreadTasks, TRACE_CATEGORIES } from './trace.mjs';

export const FRAME_MS = 1000 / 60;
/** KlarnaSDK() takes this long in every case: a round trip of its own. */
export const INIT_MS = 50;
export const MERCHANT_MS = 300;
export const SDK_MS = [50, 150, 400];
/**
 * The presentation's latency comes after KlarnaSDK() for every integration alike, so its middle value
 * adds little; without it, each cell gets more pairs in the time budget.
 */
export const PRESENTATION_MS = [50, 400];
export const CPU_RATES = [1, 4];
/**
 * How many times each round visits a cell, per CPU rate: at 4× the machine's jitter is several
 * times larger (a run varies by ±20 ms against ±5 ms at 1×), so it gets twice the pairs.
 */
export const VISITS_PER_ROUND = { 1: 1, 4: 2 };
/** Where the hint check adds its extra variants. */
export const HINT_CHECK_CELL = { sdkMs: 150, presentationMs: 50 };
const MATRIX_VARIANTS = [
  { int: 'ours', hint: 'none' },
  { int: 'ours', hint: 'modulepreload' },
  { int: 'peer', hint: 'none' },
  { int: 'peer', hint: 'modulepreload' },
];
const HINT_CHECK_VARIANTS = [
  { int: 'ours', hint: 'preload-cors' },
  { int: 'ours', hint: 'preload' },
];

const variantKey = ({ int, hint }) => `${int}/${hint}`;

/** The download of klarna.mjs that import() waited for: the last to finish (a preload it could not reuse comes first). */
const sdkDownload = (run) =>
  run.sdkFetches.reduce((last, fetch) => (!last || fetch.end > last.end ? fetch : last), null);

/**
 * The floor of one run: the page's first byte, then the klarna.mjs download as long as it really took
 * in this run (the set latency plus the TLS connection and transfer, which vary with the machine's load),
 * KlarnaSDK() and the presentation, one after another, plus one frame.
 */
function floorOf(run, presentationMs) {
  const download = sdkDownload(run);
  return run.responseStart + (download ? download.end - download.start : NaN) + INIT_MS + presentationMs + FRAME_MS;
}

/** Two throwaway loads, so the first measured run does not pay for a cold renderer. */
async function warmUp(page, server) {
  for (const int of ['ours', 'peer']) await loadAndMeasure(page, pageUrl(server, { int, fake: {} }));
}

/**
 * 1–3: time to Klarna against the floor, ours against the peer, and the gap to the merchant's own
 * methods (which its server takes MERCHANT_MS to list), for every latency cell at 1× and 4× CPU,
 * with and without <link rel=modulepreload>. The hint check's extra variants run in one cell.
 */
export async function timeToKlarna({ browser, server, reps, random, log, deadline = Infinity, minRounds = 3 }) {
  const samples = new Map();
  const pages = new Map();
  for (const cpu of CPU_RATES) {
    const opened = await openPage(browser, { cpu, net: { sdkDelayMs: 0 } });
    await warmUp(opened.page, server);
    pages.set(cpu, opened);
  }
  // One group per latency cell; a round visits the cells in a shuffled order and runs a cell's
  // variants back to back (also shuffled), so ours and the peer meet the same machine load.
  const groups = [];
  for (const sdkMs of SDK_MS) {
    for (const presentationMs of PRESENTATION_MS) {
      const extra =
        sdkMs === HINT_CHECK_CELL.sdkMs && presentationMs === HINT_CHECK_CELL.presentationMs ? HINT_CHECK_VARIANTS : [];
      groups.push({ sdkMs, presentationMs, variants: [...MATRIX_VARIANTS, ...extra] });
    }
  }
  let failed = 0;
  let rounds = 0;
  let slowestRound = 0;
  for (let round = 0; round < reps; round++) {
    // Keep the whole run inside its time budget: no round that would end after the deadline,
    // unless fewer than minRounds have run.
    if (round >= minRounds && Date.now() + slowestRound > deadline) {
      log(`  stopping after ${round} rounds: another would end after the time budget`);
      break;
    }
    const started = Date.now();
    for (const cpu of CPU_RATES) {
      const { page, net, sdkRequests } = pages.get(cpu);
      const visits = Array.from({ length: VISITS_PER_ROUND[cpu] ?? 1 }, (_, visit) =>
        groups.map((group) => ({ ...group, visit })),
      ).flat();
      for (const { sdkMs, presentationMs, variants, visit } of shuffle(visits, random)) {
        for (const variant of shuffle(variants, random)) {
          net.sdkDelayMs = sdkMs;
          const requestsBefore = sdkRequests.length;
          const url = pageUrl(server, {
            int: variant.int,
            hint: variant.hint,
            merchant: MERCHANT_MS,
            fake: { initDelayMs: INIT_MS, presentationDelayMs: presentationMs },
          });
          const run = await loadAndMeasure(page, url);
          const key = `${cpu}|${sdkMs}|${presentationMs}|${variantKey(variant)}`;
          if (!samples.has(key)) samples.set(key, { cpu, sdkMs, presentationMs, ...variant, runs: [] });
          if (!run.finished || run.errors.length) {
            failed++;
            continue;
          }
          const floor = floorOf(run, presentationMs);
          samples.get(key).runs.push({
            ...run,
            round,
            visit,
            sdkRequests: sdkRequests.length - requestsBefore,
            floor,
            beyondFloor: run.klarnaAt - floor,
          });
        }
      }
    }
    rounds++;
    slowestRound = Math.max(slowestRound, Date.now() - started);
    log(`  round ${round + 1}/${reps}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  for (const { context } of pages.values()) await context.close();

  const cells = [];
  for (const entry of samples.values()) {
    const { runs } = entry;
    // ours minus the peer in the same visit of the same round, same cell, same page hint: time beyond each run's own
    // floor, so that the download's jitter in one run of the pair does not count
    const peer = samples.get(`${entry.cpu}|${entry.sdkMs}|${entry.presentationMs}|peer/${entry.hint}`);
    const partner = (run) => peer.runs.find((other) => other.round === run.round && other.visit === run.visit);
    const paired =
      entry.int === 'ours' && peer ? runs.map((run) => run.beyondFloor - (partner(run)?.beyondFloor ?? NaN)) : [];
    const pairedRaw =
      entry.int === 'ours' && peer ? runs.map((run) => run.klarnaAt - (partner(run)?.klarnaAt ?? NaN)) : [];
    cells.push({
      cpu: entry.cpu,
      sdkMs: entry.sdkMs,
      presentationMs: entry.presentationMs,
      integration: entry.int,
      hint: entry.hint,
      timeToKlarnaMs: summary(runs.map((run) => run.klarnaAt)),
      floorMs: summary(runs.map((run) => run.floor)),
      nominalFloorMs: summary(
        runs.map((run) => run.responseStart + entry.sdkMs + INIT_MS + entry.presentationMs + FRAME_MS),
      ),
      beyondFloorMs: summary(runs.map((run) => run.beyondFloor)),
      ratioToFloor: summary(
        runs.map((run) => run.klarnaAt / run.floor),
        3,
      ),
      merchantMethodsMs: summary(runs.map((run) => run.merchantAt)),
      gapToMerchantMs: summary(runs.map((run) => run.klarnaAt - run.merchantAt)),
      sdkFetchStartMs: summary(runs.map((run) => run.sdkFetches[0]?.start)),
      sdkDownloadMs: summary(
        runs.map((run) => {
          const download = sdkDownload(run);
          return download ? download.end - download.start : NaN;
        }),
      ),
      versusPeerMs: paired.length ? summary(paired) : null,
      versusPeerRawMs: pairedRaw.length ? summary(pairedRaw) : null,
      // each pair's difference, for the estimate pooled over cells (report.mjs)
      versusPeerPairsMs: paired.length ? paired.filter(Number.isFinite).map((difference) => round(difference)) : null,
      versusPeerPairs: paired.length ? signCounts(paired) : null,
      sdkRequestsPerPage: Math.max(0, ...runs.map((run) => run.sdkRequests)),
      sdkFetchInitiators: [...new Set(runs.flatMap((run) => run.sdkFetches.map((fetch) => fetch.initiator)))],
    });
  }
  return { rounds, cells, failedRuns: failed };
}

/** Shifts from the probe, split into those with a source inside the element and all of them. */
function shiftTotals(shifts) {
  const counted = shifts.filter((shift) => !shift.hadRecentInput);
  const inside = counted.filter((shift) => shift.sources.some((source) => source.inside));
  const sum = (list) => list.reduce((total, shift) => total + shift.value, 0);
  return {
    inside: sum(inside),
    page: sum(counted),
    sources: [
      ...new Set(
        counted.flatMap((shift) => shift.sources.map((source) => `${source.node}${source.inside ? ' (inside)' : ''}`)),
      ),
    ],
  };
}

/** Layout shift and the amount burst are near-deterministic: fewer runs do. */
export const fewRuns = (reps) => Math.min(reps, 3);

/**
 * The stylesheet rule the README gives for the element's row before its module has run (Performance),
 * read from the README so the two cannot part. Without it, the page moves down by the row's height
 * when the element upgrades: that is the merchant's page missing the README's rule, not the element.
 */
export function readmeRowRule() {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rule = readme.match(/^pay-with-klarna:not\(:defined\) \{[^}\n]*\}/m)?.[0];
  if (!rule)
    throw new Error(
      'README.md no longer gives a pay-with-klarna:not(:defined) { … } rule; the layout-shift pages use it',
    );
  return rule;
}

/** 4: layout shift caused by the element, per instruction, a load failure and an amount change. */
export async function layoutShift({ browser, server, reps: allReps }) {
  const reps = fewRuns(allReps);
  const rowRule = readmeRowRule();
  const sdkMs = 50;
  const fake = (instruction) => ({ instruction, initDelayMs: INIT_MS, presentationDelayMs: 50 });
  // The peer runs the same pages where the guide's sample has something to do.
  const cases = [
    { id: 'show', label: 'SHOW_KLARNA', params: { fake: fake('SHOW_KLARNA') }, peer: true },
    { id: 'preselect', label: 'PRESELECT_KLARNA', params: { fake: fake('PRESELECT_KLARNA') }, peer: true },
    { id: 'show-only', label: 'SHOW_ONLY_KLARNA', params: { fake: fake('SHOW_ONLY_KLARNA') }, peer: true },
    { id: 'hide', label: 'HIDE_KLARNA', params: { fake: fake('HIDE_KLARNA') }, peer: true },
    {
      id: 'load-failure',
      label: 'load failure (klarna.mjs answers 503; no retry after a pause)',
      params: { fake: fake('SHOW_KLARNA'), configure: { retryDelaysMs: [] } },
      klarna: (response) => response.writeHead(503, { 'access-control-allow-origin': '*' }).end('unavailable'),
      peer: true,
    },
    {
      id: 'amount-change',
      label: 'amount change (after SHOW_KLARNA)',
      params: { fake: fake('SHOW_KLARNA') },
      changeAmount: true,
    },
  ];
  const { page, net, context } = await openPage(browser, { cpu: 1 });
  await warmUp(page, server);
  const results = [];
  const measure = async (item, int) => {
    net.sdkDelayMs = sdkMs;
    net.klarna = item.klarna;
    // the element's page as the README has merchants write it: its row kept before the module runs
    await page.goto(pageUrl(server, { int, ...item.params, css: int === 'ours' ? rowRule : undefined }), {
      waitUntil: 'commit',
    });
    await page.waitForFunction(() => window.__bench !== undefined);
    const shifts = await page.evaluate(
      async ([changeAmount, peer]) => {
        const bench = window.__bench;
        // The peer fires no events: its page is settled once Klarna is painted, or well after the
        // latencies (50 + 50 + 50 ms) have passed when it shows nothing.
        await (peer ? Promise.race([bench.done, new Promise((resolve) => setTimeout(resolve, 700))]) : bench.settled);
        await bench.frames(5);
        if (!changeAmount) return bench.shifts;
        const before = bench.shifts.length;
        const presented = bench.presentations.length;
        document.querySelector('pay-with-klarna').amount = 25900;
        await new Promise((resolve) => {
          const wait = () => (bench.presentations.length > presented ? resolve() : setTimeout(wait, 5));
          wait();
        });
        await bench.frames(5);
        return bench.shifts.slice(before);
      },
      [Boolean(item.changeAmount), int === 'peer'],
    );
    net.klarna = undefined;
    return shiftTotals(shifts);
  };
  const summarise = (runs) => ({
    insideElement: summary(
      runs.map((run) => run.inside),
      5,
    ),
    wholePage: summary(
      runs.map((run) => run.page),
      5,
    ),
    sources: [...new Set(runs.flatMap((run) => run.sources))],
  });
  for (const item of cases) {
    const ours = [];
    const peer = [];
    for (let rep = 0; rep < reps; rep++) {
      ours.push(await measure(item, 'ours'));
      if (item.peer) peer.push(await measure(item, 'peer'));
    }
    results.push({ id: item.id, label: item.label, ...summarise(ours), peer: item.peer ? summarise(peer) : null });
  }
  await context.close();
  return { sdkMs, presentationMs: 50, elementPageRule: rowRule, cases: results };
}

/** 5: 20 amount changes within 200 ms, once Klarna shows. */
export async function amountBurst({ browser, server, reps: allReps }) {
  const reps = fewRuns(allReps);
  const { page, net, context } = await openPage(browser, { cpu: 1 });
  await warmUp(page, server);
  const results = [];
  for (const presentationMs of [50, 150]) {
    const runs = [];
    for (let rep = 0; rep < reps; rep++) {
      net.sdkDelayMs = 50;
      const loaded = await loadAndMeasure(
        page,
        pageUrl(server, { int: 'ours', fake: { initDelayMs: INIT_MS, presentationDelayMs: presentationMs } }),
      );
      if (!loaded.finished) continue;
      runs.push(
        await page.evaluate(async (presentationMs) => {
          const bench = window.__bench;
          const element = document.querySelector('pay-with-klarna');
          const fake = globalThis[Symbol.for('pay-with-klarna.fake')];
          const requestsBefore = fake.presentationCalls.length;
          const rendersBefore = bench.presentations.length;
          const amounts = Array.from({ length: 20 }, (_, i) => 12_000 + (i + 1) * 137);
          const finalAmount = amounts.at(-1);
          const instalment = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(
            finalAmount / 400,
          );
          const finalText = `4 interest-free payments of ${instalment}`;
          const shownText = () => {
            const subheader = element.querySelector('klarna-fake-ui[part-name="subheader"]');
            return subheader && subheader.getClientRects().length ? subheader.dataset.text : null;
          };
          const firstChangeAt = performance.now();
          await new Promise((resolve) => {
            let i = 0;
            const change = () => {
              element.amount = amounts[i++];
              if (i < amounts.length) setTimeout(change, 10);
              else resolve();
            };
            change();
          });
          const lastChangeAt = performance.now();
          const finalPaintedAt = await Promise.race([
            bench.paintedWhen(() => shownText() === finalText),
            new Promise((resolve) => setTimeout(() => resolve(null), 5_000)),
          ]);
          // Anything still in flight would land within one more presentation latency: wait it out.
          await new Promise((resolve) => setTimeout(resolve, presentationMs * 2 + 100));
          await bench.frames(2);
          return {
            burstMs: lastChangeAt - firstChangeAt,
            requests: fake.presentationCalls.length - requestsBefore,
            renders: bench.presentations.length - rendersBefore,
            lastRequestedAmount: fake.presentationCalls.at(-1).amount,
            finalAmount,
            finalShown: shownText() === finalText,
            finalPaintedAfterLastChangeMs: finalPaintedAt === null ? null : finalPaintedAt - lastChangeAt,
          };
        }, presentationMs),
      );
    }
    results.push({
      presentationMs,
      // one request in flight at a time, each carrying the latest amount when it starts
      serialMinimum: Math.ceil(190 / presentationMs) + 1,
      burstMs: summary(runs.map((run) => run.burstMs)),
      requests: summary(runs.map((run) => run.requests)),
      renders: summary(runs.map((run) => run.renders)),
      finalMatches: runs.filter((run) => run.finalShown && run.lastRequestedAmount === run.finalAmount).length,
      runs: runs.length,
      finalPaintedAfterLastChangeMs: summary(runs.map((run) => run.finalPaintedAfterLastChangeMs ?? NaN)),
    });
  }
  await context.close();
  return { sdkMs: 50, cases: results };
}

/** 6: 1, 5 and 20 elements on one page. */
export async function manyElements({ browser, server, reps, random }) {
  const sdkMs = 150;
  const presentationMs = 150;
  const { page, net, sdkRequests, context } = await openPage(browser, { cpu: 1, net: { sdkDelayMs: sdkMs } });
  await warmUp(page, server);
  const counts = [1, 5, 20];
  const runs = new Map(counts.map((count) => [count, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (const count of shuffle(counts, random)) {
      net.sdkDelayMs = sdkMs;
      const before = sdkRequests.length;
      const run = await loadAndMeasure(
        page,
        pageUrl(server, {
          int: 'ours',
          n: count,
          expect: count,
          fake: { initDelayMs: INIT_MS, presentationDelayMs: presentationMs },
        }),
      );
      if (run.finished)
        runs.get(count).push({ ...run, sdkRequests: sdkRequests.length - before, floor: floorOf(run, presentationMs) });
    }
  }
  await context.close();
  return {
    sdkMs,
    presentationMs,
    cases: counts.map((count) => {
      const list = runs.get(count);
      return {
        elements: count,
        sdkRequests: Math.max(0, ...list.map((run) => run.sdkRequests)),
        sdkCalls: Math.max(0, ...list.map((run) => run.sdkCalls)),
        presentationCalls: Math.max(0, ...list.map((run) => run.presentationCalls)),
        allRenderedMs: summary(list.map((run) => run.klarnaAt)),
        floorMs: summary(list.map((run) => run.floor)),
        ratioToFloor: summary(
          list.map((run) => run.klarnaAt / run.floor),
          3,
        ),
      };
    }),
  };
}

/**
 * 7: at 4× CPU, the click on Klarna's button to its loading state painted, and the longest
 * main-thread task (from a DevTools trace) while loading and while answering the click.
 * The peer's page is traced too, for the load; the guide's sample has no loading state to time.
 */
export async function clickToBusy({ browser, server, reps }) {
  const cpu = 4;
  const fake = { instruction: 'PRESELECT_KLARNA', initDelayMs: INIT_MS, presentationDelayMs: 50 };
  const { page, net, context } = await openPage(browser, { cpu, net: { sdkDelayMs: 50 } });
  await warmUp(page, server);
  const ours = [];
  const peer = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const int of ['ours', 'peer']) {
      net.sdkDelayMs = 50;
      await browser.startTracing(undefined, { categories: TRACE_CATEGORIES });
      let loaded;
      let click = null;
      let trace;
      try {
        loaded = await loadAndMeasure(page, pageUrl(server, { int, initiateDelay: 3_000, fake }));
        if (int === 'ours' && loaded.finished) {
          await page.evaluate(async () => {
            await window.__bench.frames(3);
            await new Promise((resolve) => setTimeout(resolve, 300));
            // Watch every frame from before the click, so the painted time is not late.
            window.__busy = window.__bench.paintedWhen(() =>
              document.querySelector('pay-with-klarna klarna-fake-payment-button')?.hasAttribute('loading'),
            );
          });
          // A press as a customer makes it, not locator.click(): that installs Playwright's own
          // pointer listeners to check what the press hits, whose forced style and layout (5-18 ms
          // at 4× CPU, traced) landed in the task measured here; and it lets go at once, so the
          // move, the press and the release were handled in one task. Here the pointer arrives, and
          // the button is held for 80 ms, a short press, before the release that makes the click.
          const button = page.locator('pay-with-klarna klarna-fake-payment-button button');
          await button.scrollIntoViewIfNeeded();
          const box = await button.boundingBox();
          if (!box) throw new Error("Klarna's payment button has no box to press");
          const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
          await page.mouse.move(x, y);
          // What a press there would hit: the button, or the run stops here instead of waiting forever.
          const hits = await page.evaluate(
            async ([x, y]) => {
              await window.__bench.frames(1);
              // the fake's button is inside its element's shadow root, as Klarna's is
              const host = document.querySelector('pay-with-klarna klarna-fake-payment-button');
              const hit = document.elementFromPoint(x, y);
              const inner = host?.shadowRoot ? host.shadowRoot.elementFromPoint(x, y) : hit;
              return Boolean(host && hit && host.contains(hit) && inner?.closest('button'));
            },
            [x, y],
          );
          if (!hits)
            throw new Error(`a press at ${Math.round(x)},${Math.round(y)} would not reach Klarna's payment button`);
          await page.mouse.down();
          await new Promise((resolve) => setTimeout(resolve, 80));
          await page.mouse.up();
          click = await page.evaluate(async () => {
            const busyAt = await Promise.race([
              window.__busy,
              new Promise((_, reject) =>
                setTimeout(() => reject(new Error('no loading state painted within 5 s of the click')), 5_000),
              ),
            ]);
            await window.__bench.frames(2);
            const clickAt = window.__bench.clicks.at(-1).at;
            const timing = window.__bench.eventTimings.filter((entry) => entry.name === 'click').at(-1);
            return { clickAt, busyAt, eventTimingMs: timing ? timing.duration : null };
          });
          await page.mouse.move(0, 0); // the next page loads without the pointer over its button
        }
      } finally {
        trace = await browser.stopTracing();
      }
      if (!loaded.finished) continue;
      const syncAt = await page.evaluate(() => window.__bench.syncAt);
      const tasks = mainThreadTasks(trace, syncAt);
      // From the first task after the navigation committed (the probe runs in the commit task, which
      // also tears down the previous page) to Klarna painted.
      const load = longestTask(tasks, syncAt, loaded.klarnaAt, { startingInside: true });
      const run = { timeToKlarna: loaded.klarnaAt, longestLoadTask: load.duration };
      if (click) {
        const during = longestTask(tasks, click.clickAt, click.busyAt);
        Object.assign(run, {
          clickToBusy: click.busyAt - click.clickAt,
          eventTimingMs: click.eventTimingMs,
          longestClickTask: during.duration,
        });
      }
      (int === 'ours' ? ours : peer).push(run);
    }
  }
  await context.close();
  return {
    cpu,
    ours: {
      clickToBusyMs: summary(ours.map((run) => run.clickToBusy)),
      eventTimingMs: summary(ours.map((run) => run.eventTimingMs ?? NaN)),
      longestClickTaskMs: summary(ours.map((run) => run.longestClickTask)),
      longestLoadTaskMs: summary(ours.map((run) => run.longestLoadTask)),
    },
    peer: {
      longestLoadTaskMs: summary(peer.map((run) => run.longestLoadTask)),
    },
  };
}

/** The integration's part of the page: where its radio for Klarna and its payment button are. */
const KLARNA_ROOT = { ours: 'pay-with-klarna', peer: '#klarna-payment-method' };
/** What the customer presses to select Klarna: the element's option row (role radio), the sample's label row; the first shown (the element has a hidden row for a saved option). */
const KLARNA_RADIO = {
  ours: 'pay-with-klarna [part="radio"]:visible',
  peer: '#klarna-payment-method .klarna-option-row:visible',
};

/**
 * 10: the customer selects Klarna (SHOW_KLARNA, nothing selected) and Klarna's payment button,
 * mounted only then, is painted: from the click event to the first painted frame that shows the
 * button, at 1× and 4× CPU, ours and the peer (which mounts the button on selection too) loaded back
 * to back in a shuffled order, one selection per load.
 */
export async function selectToButton({ browser, server, reps, random }) {
  const fake = { instruction: 'SHOW_KLARNA', initDelayMs: INIT_MS, presentationDelayMs: 50 };
  const results = [];
  for (const cpu of CPU_RATES) {
    const { page, net, context } = await openPage(browser, { cpu, net: { sdkDelayMs: 50 } });
    await warmUp(page, server);
    const runs = { ours: [], peer: [] };
    let failed = 0;
    // as in the matrix, twice the pairs where the machine's jitter is larger
    for (let rep = 0; rep < reps * (VISITS_PER_ROUND[cpu] ?? 1); rep++) {
      for (const int of shuffle(['ours', 'peer'], random)) {
        net.sdkDelayMs = 50;
        const loaded = await loadAndMeasure(page, pageUrl(server, { int, fake }));
        if (!loaded.finished || loaded.errors.length) {
          failed++;
          continue;
        }
        const root = KLARNA_ROOT[int];
        const before = await page.evaluate(async (root) => {
          await window.__bench.frames(3);
          await new Promise((resolve) => setTimeout(resolve, 200));
          const button = document.querySelector(`${root} klarna-fake-payment-button`);
          const shown = (element) =>
            Boolean(element) && element.getClientRects().length > 0 && element.getBoundingClientRect().height > 0;
          // Watch every frame from before the press, so the painted time is not late.
          window.__buttonShown = window.__bench.paintedWhen(() =>
            shown(document.querySelector(`${root} klarna-fake-payment-button`)),
          );
          return { mounted: Boolean(button), shown: shown(button) };
        }, root);
        if (before.shown)
          throw new Error(`${int}: Klarna's payment button is shown before Klarna is selected (SHOW_KLARNA)`);
        // A press as a customer makes it, as for the click to busy (7): the pointer arrives, the
        // row is held for 80 ms, and the release makes the click that selects Klarna.
        const radio = page.locator(KLARNA_RADIO[int]).first();
        const box = await radio.boundingBox();
        if (!box) throw new Error(`${int}: Klarna's radio has no box to press`);
        const [x, y] = [box.x + Math.min(24, box.width / 2), box.y + box.height / 2];
        await page.mouse.move(x, y);
        const hits = await page.evaluate(
          async ([root, x, y]) => {
            await window.__bench.frames(1);
            const hit = document.elementFromPoint(x, y);
            return Boolean(hit && document.querySelector(root)?.contains(hit));
          },
          [root, x, y],
        );
        if (!hits)
          throw new Error(`${int}: a press at ${Math.round(x)},${Math.round(y)} would not reach Klarna's radio`);
        await page.mouse.down();
        await new Promise((resolve) => setTimeout(resolve, 80));
        await page.mouse.up();
        const run = await page.evaluate(async () => {
          const shownAt = await Promise.race([
            window.__buttonShown,
            new Promise((resolve) => setTimeout(() => resolve(null), 5_000)),
          ]);
          await window.__bench.frames(2);
          const clickAt = window.__bench.clicks.at(-1)?.at ?? null;
          const timing = window.__bench.eventTimings.filter((entry) => entry.name === 'click').at(-1);
          return { clickAt, shownAt, eventTimingMs: timing ? timing.duration : null };
        });
        await page.mouse.move(0, 0);
        if (run.shownAt === null || run.clickAt === null) {
          failed++;
          continue;
        }
        runs[int].push({
          rep,
          mountedBefore: before.mounted,
          selectToButton: run.shownAt - run.clickAt,
          eventTimingMs: run.eventTimingMs,
        });
      }
    }
    await context.close();
    const partner = (run) => runs.peer.find((other) => other.rep === run.rep);
    const paired = runs.ours.map((run) => run.selectToButton - (partner(run)?.selectToButton ?? NaN));
    const side = (list) => ({
      selectToButtonMs: summary(list.map((run) => run.selectToButton)),
      eventTimingMs: summary(list.map((run) => run.eventTimingMs ?? NaN)),
      // whether the button was in the page (hidden) before the selection: false for both when it is mounted on selection
      mountedBeforeSelection: list.some((run) => run.mountedBefore),
    });
    results.push({
      cpu,
      ours: side(runs.ours),
      peer: side(runs.peer),
      versusPeerMs: summary(paired),
      versusPeerPairsMs: paired.filter(Number.isFinite).map((difference) => round(difference)),
      versusPeerPairs: signCounts(paired),
      failedRuns: failed,
    });
  }
  return { instruction: fake.instruction, sdkMs: 50, presentationMs: fake.presentationDelayMs, cases: results };
}

export { seededRandom };
