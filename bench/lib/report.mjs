/**
 * Turns results.json into the one table (printed, and in README-section.md) and the README section.
 * Everything shown is computed here from the stored figures, so the section cannot drift from them.
 */
import { FRAME_MS } from './cases.mjs';
import { median, medianInterval, seededRandom, signCounts } from './stats.mjs';

const ms = (value) => (value === null || value === undefined ? '–' : `${Math.round(value)}`);
const signed = (value, digits = 0) =>
  value === null || value === undefined
    ? '–'
    : `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(digits)}`;
const kB = (bytes) => `${(bytes / 1000).toFixed(2)} kB`;
const ratio = (value) => (value === null || value === undefined ? '–' : `${value.toFixed(2)}×`);
const cls = (value) => (value === null || value === undefined ? '–' : value === 0 ? '0' : value.toFixed(4));
const hintName = (hint) =>
  ({
    none: 'no hint',
    modulepreload: 'modulepreload',
    'preload-cors': 'preload as=script crossorigin',
    preload: 'preload as=script',
  })[hint];
const HINT_TAGS = {
  modulepreload: '<link rel="modulepreload" href="https://js.klarna.com/web-sdk/v2/klarna.mjs">',
  'preload-cors': '<link rel="preload" as="script" crossorigin href="https://js.klarna.com/web-sdk/v2/klarna.mjs">',
};

/**
 * Ours against the peer: the median of (ours − peer) over runs paired by round (same cell, run back
 * to back), on the time beyond each run's own floor. Within one frame counts as equal: paint happens
 * on frame boundaries. Faster or slower needs at least three pairs in four to agree, else "unclear".
 */
export function compare(delta, pairs) {
  if (Math.abs(delta) <= FRAME_MS) return { verdict: 'equal', ok: true, delta };
  // A difference counts only when (nearly) every pair of runs agrees on its sign; else it is noise.
  const consistent = (count) => !pairs || count >= Math.ceil(0.75 * pairs.n);
  // "unclear" is not shown to be equal, so it does not meet "faster or equal" either
  if (delta > 0)
    return consistent(pairs?.slower)
      ? { verdict: 'slower', ok: false, delta }
      : { verdict: 'unclear', ok: false, delta };
  return consistent(pairs?.faster) ? { verdict: 'faster', ok: true, delta } : { verdict: 'unclear', ok: false, delta };
}

/** Ours against the peer in one cell. */
function versusPeer(ours, peer) {
  return compare(
    ours.versusPeerMs?.median ?? ours.beyondFloorMs.median - peer.beyondFloorMs.median,
    ours.versusPeerPairs,
  );
}

/** How much the connection (TLS on 127.0.0.1) and transfer added to the set SDK latency, over every run of the matrix. */
export function downloadOverhead(results) {
  const values = results.timeToKlarna.cells.map((cell) => cell.sdkDownloadMs.median - cell.sdkMs).sort((a, b) => a - b);
  return { low: values[0], median: values[values.length >> 1], high: values[values.length - 1] };
}

function findCell(results, { cpu, sdkMs, presentationMs, integration, hint }) {
  return results.timeToKlarna.cells.find(
    (cell) =>
      cell.cpu === cpu &&
      cell.sdkMs === sdkMs &&
      cell.presentationMs === presentationMs &&
      cell.integration === integration &&
      cell.hint === hint,
  );
}

/** Whether Klarna could appear within 100 ms of the merchant's methods at all: its floor allows it. */
export function gapAllowed(cell) {
  return cell.floorMs.median < cell.merchantMethodsMs.median + 100;
}

function timing(cell) {
  return `${ms(cell.timeToKlarnaMs.median)} / ${ms(cell.timeToKlarnaMs.p95)} ms · ${ratio(cell.ratioToFloor.median)} · gap ${signed(cell.gapToMerchantMs.median)} / ${signed(cell.gapToMerchantMs.p95)}`;
}

/** Which hint to recommend, from the hint check: one that import() reuses, and the fastest of those. */
export function hintRecommendation(results) {
  const { sdkMs, presentationMs } = results.settings.hintCheckCell;
  const candidates = ['modulepreload', 'preload-cors', 'preload'].map((hint) => {
    const cells = results.settings.cpuRates.map((cpu) =>
      findCell(results, { cpu, sdkMs, presentationMs, integration: 'ours', hint }),
    );
    return { hint, cells, reused: cells.every((cell) => cell && cell.sdkRequestsPerPage === 1) };
  });
  const reused = candidates.filter((candidate) => candidate.reused);
  const score = (candidate) => candidate.cells.reduce((total, cell) => total + cell.beyondFloorMs.median, 0);
  // modulepreload (the hint made for module scripts) unless another reused hint is faster, beyond
  // the floor, by more than a frame at every CPU rate
  let best = reused.find((candidate) => candidate.hint === 'modulepreload') ?? reused[0];
  for (const candidate of reused) {
    if (
      candidate !== best &&
      candidate.cells.every((cell, i) => cell.beyondFloorMs.median < best.cells[i].beyondFloorMs.median - FRAME_MS)
    )
      best = candidate;
  }
  return {
    best: best?.hint ?? null,
    tag: best ? HINT_TAGS[best.hint] : null,
    candidates: candidates.map(({ hint, reused: ok, cells }) => ({
      hint,
      reused: ok,
      requests: cells.map((cell) => cell?.sdkRequestsPerPage),
      score: score({ cells }),
    })),
  };
}

/** The table's rows: [#, measure, case, ours, peer / reference, goal, result]. */
export function tableRows(results) {
  const rows = [];
  const { settings } = results;

  // 1–3: time to Klarna, against the floor and the peer, and the gap to the merchant's methods
  for (const cpu of settings.cpuRates) {
    for (const sdkMs of settings.sdkMs) {
      for (const presentationMs of settings.presentationMs) {
        for (const hint of ['none', 'modulepreload']) {
          const ours = findCell(results, { cpu, sdkMs, presentationMs, integration: 'ours', hint });
          const peer = findCell(results, { cpu, sdkMs, presentationMs, integration: 'peer', hint });
          if (!ours || !peer) continue;
          const versus = versusPeer(ours, peer);
          const allowed = gapAllowed(ours);
          const gapOk = ours.gapToMerchantMs.median < 100;
          rows.push([
            '1–3',
            'time to Klarna · gap',
            `SDK ${sdkMs} · presentation ${presentationMs} · ${cpu}× CPU · ${hintName(hint)}`,
            timing(ours),
            timing(peer),
            `floor ${ms(ours.floorMs.median)} ms · ≤ peer · gap < 100${allowed ? '' : ' (floor too late)'}`,
            `${versus.verdict === 'unclear' ? '?' : versus.ok ? '✓' : '✗'} ${versus.verdict} ${signed(versus.delta)} ms${ours.versusPeerPairs ? ` (slower in ${ours.versusPeerPairs.slower}/${ours.versusPeerPairs.n})` : ''} · gap ${allowed ? (gapOk ? '✓' : '✗') : 'n/a'}`,
          ]);
        }
      }
    }
  }

  // 1: which preload hint lets the element's import() reuse the download
  const { sdkMs, presentationMs } = settings.hintCheckCell;
  for (const cpu of settings.cpuRates) {
    const none = findCell(results, { cpu, sdkMs, presentationMs, integration: 'ours', hint: 'none' });
    for (const hint of ['modulepreload', 'preload-cors', 'preload']) {
      const cell = findCell(results, { cpu, sdkMs, presentationMs, integration: 'ours', hint });
      if (!cell || !none) continue;
      const reused = cell.sdkRequestsPerPage === 1;
      rows.push([
        '1',
        'preload hint',
        `${hintName(hint)} · SDK ${sdkMs} · presentation ${presentationMs} · ${cpu}× CPU`,
        `${ms(cell.timeToKlarnaMs.median)} / ${ms(cell.timeToKlarnaMs.p95)} ms · klarna.mjs fetched ${cell.sdkRequestsPerPage}× · SDK fetch starts at ${ms(cell.sdkFetchStartMs.median)} ms`,
        `no hint: ${ms(none.timeToKlarnaMs.median)} / ${ms(none.timeToKlarnaMs.p95)} ms · starts at ${ms(none.sdkFetchStartMs.median)} ms`,
        'one download, reused by import()',
        reused
          ? `✓ reused · ${signed(cell.timeToKlarnaMs.median - none.timeToKlarnaMs.median)} ms`
          : `✗ downloaded twice · ${signed(cell.timeToKlarnaMs.median - none.timeToKlarnaMs.median)} ms`,
      ]);
    }
  }

  // 4: layout shift
  const shiftText = (item) =>
    `inside ${cls(item.insideElement.median)} / ${cls(item.insideElement.p95)} · whole page ${cls(item.wholePage.median)} / ${cls(item.wholePage.p95)} · ${item.sources.length ? `moved: ${item.sources.join(', ')}` : 'nothing moved'}`;
  for (const item of results.layoutShift.cases) {
    const inside = item.insideElement.p95;
    const page = item.wholePage.p95;
    rows.push([
      '4',
      'layout shift',
      item.label,
      shiftText(item),
      item.peer ? shiftText(item.peer) : "n/a: the guide's sample does not follow amount changes",
      '0',
      inside === 0 ? (page === 0 ? '✓ 0' : `✓ 0 inside · ✗ moves the page ${cls(page)}`) : `✗ ${cls(inside)}`,
    ]);
  }

  // 5: amount changes
  for (const item of results.amountBurst.cases) {
    const ok = item.finalMatches === item.runs && item.runs > 0;
    rows.push([
      '5',
      '20 amount changes in 200 ms',
      `SDK ${results.amountBurst.sdkMs} · presentation ${item.presentationMs} · 1× CPU`,
      `${ms(item.requests.median)} / ${ms(item.requests.p95)} presentation requests · ${ms(item.renders.median)} renders · final amount shown ${item.finalMatches}/${item.runs} · ${ms(item.finalPaintedAfterLastChangeMs.median)} ms after the last change`,
      `one request in flight at a time: ${item.serialMinimum} requests`,
      'the final amount shown',
      `${ok ? '✓' : '✗'} ${item.requests.median <= item.serialMinimum ? 'no extra requests' : `${item.requests.median - item.serialMinimum} extra requests`}`,
    ]);
  }

  // 6: many elements
  for (const item of results.manyElements.cases) {
    const ok = item.sdkRequests === 1 && item.sdkCalls === 1;
    rows.push([
      '6',
      'many elements',
      `${item.elements} element${item.elements > 1 ? 's' : ''} · SDK ${results.manyElements.sdkMs} · presentation ${results.manyElements.presentationMs} · 1× CPU`,
      `klarna.mjs ${item.sdkRequests}× · KlarnaSDK() ${item.sdkCalls}× · presentation() ${item.presentationCalls}× · all rendered ${ms(item.allRenderedMs.median)} / ${ms(item.allRenderedMs.p95)} ms · ${ratio(item.ratioToFloor.median)}`,
      `floor ${ms(item.floorMs.median)} ms`,
      '1 download, 1 KlarnaSDK()',
      ok ? '✓' : '✗',
    ]);
  }

  // 7: click to busy, longest tasks
  const click = results.clickToBusy;
  rows.push([
    '7',
    'click to busy',
    `Klarna's button, PRESELECT_KLARNA · ${click.cpu}× CPU`,
    `${ms(click.ours.clickToBusyMs.median)} / ${ms(click.ours.clickToBusyMs.p95)} ms to the loading state painted · Event Timing ${ms(click.ours.eventTimingMs.median)} ms`,
    "n/a: the guide's sample sets no loading state",
    '< 100 ms',
    click.ours.clickToBusyMs.p95 < 100 ? '✓' : '✗',
  ]);
  rows.push([
    '7',
    'longest task',
    `answering the click · ${click.cpu}× CPU`,
    `${ms(click.ours.longestClickTaskMs.median)} / ${ms(click.ours.longestClickTaskMs.p95)} ms`,
    '–',
    '< 50 ms',
    click.ours.longestClickTaskMs.p95 < 50 ? '✓' : '✗',
  ]);
  const loadDelta = click.ours.longestLoadTaskMs.median - click.peer.longestLoadTaskMs.median;
  rows.push([
    '7',
    'longest task',
    `loading: after the navigation's commit task until Klarna is painted · ${click.cpu}× CPU`,
    `${ms(click.ours.longestLoadTaskMs.median)} / ${ms(click.ours.longestLoadTaskMs.p95)} ms`,
    `${ms(click.peer.longestLoadTaskMs.median)} / ${ms(click.peer.longestLoadTaskMs.p95)} ms`,
    '< 50 ms',
    `${click.ours.longestLoadTaskMs.p95 < 50 ? '✓' : '✗'} ${signed(loadDelta)} ms against the peer`,
  ]);

  // 8: size
  const { bundle, inside, lit } = results.size;
  rows.push([
    '8',
    'size',
    'dist/pay-with-klarna.js (Lit inside)',
    `${kB(bundle.min)} min · ${kB(bundle.gzip)} gzip · ${kB(bundle.brotli)} brotli`,
    `Lit's ${inside.package} ${inside.version} alone (what the bundle contains): ${kB(inside.min)} · ${kB(inside.gzip)} · ${kB(inside.brotli)}; all of lit ${lit.version}: ${kB(lit.min)} · ${kB(lit.gzip)} · ${kB(lit.brotli)}`,
    `≤ ${bundle.budgetGzip.toLocaleString('en-US')} B gzip`,
    `${bundle.gzip <= bundle.budgetGzip ? '✓' : '✗'} ${bundle.gzip.toLocaleString('en-US')} B gzip · element and loader: +${kB(bundle.gzip - inside.gzip)} gzip, +${kB(bundle.brotli - inside.brotli)} brotli`,
  ]);

  // 9: backend
  const backend = results.backend ?? { measured: false, note: 'not measured' };
  rows.push(
    backend.measured
      ? [
          '9',
          'backend',
          `initiate under a burst: ${backend.requests} requests (${backend.orders} orders, each with a double-click twin), ${backend.concurrency} at a time, against the simulator`,
          `${backend.requestsPerSecond} req/s · p50 ${backend.p50Ms} ms · p99 ${backend.p99Ms} ms · ${backend.errors} errors`,
          `${backend.paymentRequestsOpened} payment requests for ${backend.orders} orders`,
          '0 errors, 0 duplicate payments',
          backend.errors === 0 && backend.duplicatePayments === 0
            ? `✓ ${backend.duplicatePayments} duplicate payments`
            : `✗ ${backend.errors} errors, ${backend.duplicatePayments} duplicate payments`,
        ]
      : ['9', 'backend', 'initiate under a burst', backend.note, '–', '0 duplicate payments', '–'],
  );

  // 10: selecting Klarna to its button painted (absent from runs made before the button was mounted on selection)
  for (const item of results.selectToButton?.cases ?? []) {
    const versus = selectVersusPeer(item);
    // Event Timing reports only events of 16 ms or more: the count says of how many clicks
    const side = (figures) =>
      `${ms(figures.selectToButtonMs.median)} / ${ms(figures.selectToButtonMs.p95)} ms to the button painted · Event Timing ${ms(figures.eventTimingMs.median)} ms (${figures.eventTimingMs.n} of ${figures.selectToButtonMs.n} clicks took ≥ 16 ms)`;
    rows.push([
      '10',
      'select to button',
      `Klarna's radio pressed, ${results.selectToButton.instruction} · ${item.cpu}× CPU`,
      side(item.ours),
      side(item.peer),
      '≤ peer · p95 < 100 ms',
      `${versus.verdict === 'unclear' ? '?' : versus.ok ? '✓' : '✗'} ${versus.verdict} ${signed(versus.delta)} ms (slower in ${item.versusPeerPairs.slower}/${item.versusPeerPairs.n}) · p95 ${item.ours.selectToButtonMs.p95 < 100 ? '✓' : '✗'}`,
    ]);
  }
  return rows;
}

/** Ours against the peer in one CPU rate of the selection case: the median of the pairs' differences, by the matrix's rule. */
export function selectVersusPeer(item) {
  return compare(
    item.versusPeerMs.median ?? item.ours.selectToButtonMs.median - item.peer.selectToButtonMs.median,
    item.versusPeerPairs,
  );
}

/** Whether the machine was busy with other work during the run: a load average at or above its cores, before or after. */
export function loadedMachine(machine) {
  const oneMinute = (text) => Number(String(text ?? '').split(' ')[0]);
  return [machine.loadAverageBefore, machine.loadAverageAfter].some((text) => oneMinute(text) >= machine.nproc);
}

const HEADER = ['#', 'measure', 'case', 'ours: median / p95', 'peer / reference', 'goal', 'result'];

export function markdownTable(results) {
  const escape = (cell) => String(cell).replace(/\|/g, '\\|');
  const lines = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`];
  for (const row of tableRows(results)) lines.push(`| ${row.map(escape).join(' | ')} |`);
  return lines.join('\n');
}

/** "no hint: 8 slower, 10 equal; modulepreload: …", over every cell of the matrix. */
export function tally(results) {
  const parts = [];
  for (const hint of ['none', 'modulepreload']) {
    const counts = {};
    for (const ours of results.timeToKlarna.cells.filter((cell) => cell.integration === 'ours' && cell.hint === hint)) {
      const peer = findCell(results, { ...ours, integration: 'peer' });
      if (!peer) continue;
      const { verdict } = versusPeer(ours, peer);
      counts[verdict] = (counts[verdict] ?? 0) + 1;
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const order = ['faster', 'equal', 'unclear', 'slower'].filter((verdict) => counts[verdict]);
    parts.push(
      `${hintName(hint)}: ${order.map((verdict) => `${verdict} in ${counts[verdict]}`).join(', ')} of ${total} cells`,
    );
  }
  return parts
    .join('; with modulepreload on both pages, ')
    .replace(/^no hint: /, 'on the page without a hint: ')
    .replace('; with modulepreload on both pages, modulepreload: ', '; with modulepreload on both pages: ');
}

/**
 * Ours against the peer with every paired run of the matrix at one CPU rate and hint taken
 * together: a cell has too few pairs to tell a few milliseconds from the machine's jitter, but
 * the latencies change both integrations' paths alike, so their pairs can be pooled. Null for
 * results from before the pairs were kept.
 */
export function pooledVersusPeer(results) {
  const cells = results.timeToKlarna.cells.filter((cell) => cell.integration === 'ours' && cell.versusPeerPairsMs);
  if (cells.length === 0) return null;
  const parts = ['none', 'modulepreload'].map((hint) => {
    const rates = results.settings.cpuRates.map((cpu) => {
      const pairs = cells
        .filter((cell) => cell.hint === hint && cell.cpu === cpu)
        .flatMap((cell) => cell.versusPeerPairsMs);
      const interval = medianInterval(pairs);
      const range = interval ? `95% CI ${signed(interval[0], 1)} to ${signed(interval[1], 1)}, ` : '';
      return `${signed(median(pairs), 1)} ms at ${cpu}× CPU (${range}${pairs.length} pairs)`;
    });
    return `${hint === 'none' ? 'without a hint' : 'with modulepreload on both pages'}, ${rates.join(' and ')}`;
  });
  const cellCount = new Set(cells.map((cell) => `${cell.sdkMs}|${cell.presentationMs}`)).size;
  return `Pooled over the ${cellCount} latency cells (the median of the paired differences beyond each run's floor, ours minus the peer; one frame is ${FRAME_MS.toFixed(1)} ms): ${parts.join('; ')}.`;
}

/**
 * What the verdict rule makes of the pairs' spread alone: each cell's own pairs (ours minus the
 * peer) under every pattern of flipped signs, as if the two did not differ (their order within a
 * visit is shuffled, so either could be first), judged by the rule. A real difference widens the
 * flipped pairs too, so these chances are upper estimates of what the machine alone would do.
 * Per CPU rate: the chance that a cell is called "slower", that none of the rate's cells is, and
 * that at least as many are as this run found.
 */
export function chanceVerdicts(results) {
  const cells = results.timeToKlarna.cells.filter(
    (cell) =>
      cell.integration === 'ours' && cell.versusPeerPairsMs?.length && ['none', 'modulepreload'].includes(cell.hint),
  );
  const percent = (value) => (value > 0 && value < 0.005 ? 'under 1%' : `${Math.round(value * 100)}%`);
  const parts = results.settings.cpuRates.flatMap((cpu) => {
    const own = cells.filter((cell) => cell.cpu === cpu);
    if (own.length === 0) return [];
    const chances = own.map((cell) => {
      const pairs = cell.versusPeerPairsMs;
      // every pattern while there are few (2^16); past that (BENCH_REPS raised), as many drawn at random
      const exact = pairs.length <= 16;
      const patterns = exact ? 2 ** pairs.length : 2 ** 16;
      const random = seededRandom(pairs.length);
      let slower = 0;
      for (let signs = 0; signs < patterns; signs++) {
        const flipped = pairs.map((difference, i) =>
          (exact ? signs & (1 << i) : random() < 0.5) ? -difference : difference,
        );
        if (compare(median(flipped), signCounts(flipped)).verdict === 'slower') slower++;
      }
      return slower / patterns;
    });
    // the chance of each number of "slower" cells, the cells taken as independent
    let counts = [1];
    for (const chance of chances)
      counts = [...counts, 0].map((value, k) => value * (1 - chance) + (k > 0 ? counts[k - 1] * chance : 0));
    const found = own.filter(
      (cell) => versusPeer(cell, findCell(results, { ...cell, integration: 'peer' })).verdict === 'slower',
    ).length;
    const atLeast = counts.slice(found).reduce((sum, value) => sum + value, 0);
    return [
      `at ${cpu}× CPU a cell is called slower with a chance of ${percent(median(chances))} (median over its ${own.length} cells; ${percent(Math.min(...chances))} to ${percent(Math.max(...chances))}), none of them with ${percent(counts[0])}` +
        (found ? `, and ${found} or more, as in this run, with ${percent(atLeast)}` : ''),
    ];
  });
  if (parts.length === 0) return null;
  return `By chance alone (each cell's pairs under every pattern of flipped signs${cells.some((cell) => cell.versusPeerPairsMs.length > 16) ? ', or 65,536 of them drawn at random past 16 pairs' : ''}, as if ours and the peer did not differ, judged by the same rule; an upper estimate, since a real difference widens the pairs too): ${parts.join('; ')}.`;
}

/**
 * Without a hint, how much later than the peer ours asks for klarna.mjs: per CPU rate, the median
 * over the latency cells of the difference between the two cells' medians, and its range.
 */
export function fetchStartVersusPeer(results) {
  const rates = results.settings.cpuRates.map((cpu) => {
    const differences = results.timeToKlarna.cells
      .filter((cell) => cell.integration === 'ours' && cell.hint === 'none' && cell.cpu === cpu)
      .map((ours) => [ours, findCell(results, { ...ours, integration: 'peer' })])
      .filter(([ours, peer]) => peer && ours.sdkFetchStartMs && peer.sdkFetchStartMs)
      .map(([ours, peer]) => ours.sdkFetchStartMs.median - peer.sdkFetchStartMs.median);
    if (differences.length === 0) return null;
    return `${signed(median(differences), 1)} ms at ${cpu}× CPU (${signed(Math.min(...differences), 1)} to ${signed(Math.max(...differences), 1)} across the cells)`;
  });
  if (rates.includes(null)) return null;
  return `Without a hint, ours asks for klarna.mjs against the peer (+ is later): ${rates.join(' and ')}; the median per cell of when klarna.mjs's download starts, ours minus the peer.`;
}

/** Ours slower than the peer, gaps over 100 ms where allowed, non-zero shifts: for the summary. */
export function findings(results) {
  const list = [];
  for (const ours of results.timeToKlarna.cells.filter(
    (cell) => cell.integration === 'ours' && ['none', 'modulepreload'].includes(cell.hint),
  )) {
    const peer = findCell(results, { ...ours, integration: 'peer' });
    if (!peer) continue;
    const versus = versusPeer(ours, peer);
    const where = `SDK ${ours.sdkMs} · presentation ${ours.presentationMs} · ${ours.cpu}× · ${hintName(ours.hint)}`;
    if (!versus.ok) {
      const pairs = ours.versusPeerPairs;
      list.push(
        `${versus.verdict === 'slower' ? 'slower than' : 'not shown equal to'} the peer by ${signed(versus.delta)} ms beyond the floor (median of paired runs, slower in ${pairs?.slower}/${pairs?.n}; time to Klarna ${ms(ours.timeToKlarnaMs.median)} against ${ms(peer.timeToKlarnaMs.median)} ms): ${where}`,
      );
    }
    if (gapAllowed(ours) && ours.gapToMerchantMs.median >= 100)
      list.push(
        `gap to the merchant's methods ${Math.round(ours.gapToMerchantMs.median)} ms although the floor allows < 100: ${where}`,
      );
  }
  for (const item of results.selectToButton?.cases ?? []) {
    const versus = selectVersusPeer(item);
    if (!versus.ok) {
      list.push(
        `selecting Klarna to its button painted, ${item.cpu}× CPU: ${versus.verdict === 'slower' ? 'slower than' : 'not shown equal to'} the peer by ${signed(versus.delta)} ms (median of paired runs, slower in ${item.versusPeerPairs.slower}/${item.versusPeerPairs.n}; ${ms(item.ours.selectToButtonMs.median)} against ${ms(item.peer.selectToButtonMs.median)} ms)`,
      );
    }
    if (item.ours.selectToButtonMs.p95 >= 100)
      list.push(
        `selecting Klarna to its button painted, ${item.cpu}× CPU: p95 ${ms(item.ours.selectToButtonMs.p95)} ms, not under 100`,
      );
  }
  for (const item of results.layoutShift.cases) {
    if (item.insideElement.p95 > 0 || item.wholePage.p95 > 0) {
      list.push(
        `layout shift, ${item.label}: inside the element ${cls(item.insideElement.median)}, whole page ${cls(item.wholePage.median)} (moved: ${item.sources.join(', ')})`,
      );
    }
  }
  return list;
}

export function readmeSection(results) {
  const { machine, settings } = results;
  const recommendation = hintRecommendation(results);
  const overhead = downloadOverhead(results);
  const seconds = Math.round(results.durationMs / 1000);
  const lines = [
    '## Benchmark',
    '',
    '```sh',
    `npm run bench    # ${seconds} s on the machine below; builds dist/ first when it is older than src/`,
    '```',
    '',
    '`bench/run.mjs` loads checkout pages from 127.0.0.1 in headless Chromium through Playwright. Nothing is',
    "intercepted: Chromium's host resolver sends js.klarna.com to an HTTPS stand-in for Klarna's CDN on",
    "127.0.0.1 (`bench/lib/klarna-cdn.mjs`), which answers Klarna's URL with the testing kit's fake",
    '(`dist/klarna-fake.mjs`) after a set latency, and resolves every other name to nothing, so no request',
    'leaves the machine. It prints the table below, writes the same figures to',
    '`bench/results.json` and writes this section to `bench/README-section.md` (`node bench/run.mjs --report-only`',
    'renders it again from the JSON). It is not part of `npm test`.',
    '',
    "- **Time to Klarna**: from navigation start to the first painted frame that shows Klarna's header (taken",
    "  just after that frame's rendering). The merchant's own payment methods come from its server in",
    `  ${settings.merchantMs} ms, on the same page. \`KlarnaSDK()\` takes ${settings.initMs} ms in every case. Latencies: klarna.mjs`,
    `  ${settings.sdkMs.join(', ')} ms × presentation ${settings.presentationMs.join(', ')} ms (the presentation comes after \`KlarnaSDK()\` alike for`,
    '  every integration, so a middle value would add little but time that the cells need for more pairs).',
    "- **Floor**: what no integration can beat: the page's first byte, then the klarna.mjs download as long as it",
    `  took in that run (the set latency plus ${Math.round(overhead.low)}–${Math.round(overhead.high)} ms, median ${Math.round(overhead.median)}, of TLS connection and transfer), \`KlarnaSDK()\` and`,
    `  the presentation, one after another, plus one frame (${settings.frameMs.toFixed(1)} ms). The ratio is time to Klarna over the floor.`,
    "- **Peer**: Klarna's guide written out by hand in the same page: `await import(…)`, `await KlarnaSDK(…)`,",
    '  `await presentation(…)`, then DOM calls that mount every component but the payment button, which is mounted',
    "  once Klarna is selected or preselected (as Klarna's token-creation guide asks and the element does), served as the merchant's own",
    '  module script (`/peer.js`, in `<head>` like our bundle: the strict CSP this README gives allows no inline',
    '  script; both scripts are served from memory). Same latencies, same run: each',
    "  round runs a cell's variants back to back. Ours is compared on the median of the paired differences",
    '  of time beyond each run\'s floor; within one frame is "equal", and "faster"/"slower" need three',
    '  pairs in four to agree, else "unclear" (shown ?: not shown equal, so not met).',
    "- **Hint**: what the page's `<head>` has for klarna.mjs. Without one, the script-tag bundle's first act, once",
    '  its module has loaded, is its own `import()` of klarna.mjs, and it yields a task before it evaluates Lit,',
    "  as the peer's first line is its `import()`. With one, the bundle calls `KlarnaSDK()` first and gives the SDK",
    '  up to 50 ms to load before it evaluates Lit.',
    '- **Request stacks**: Playwright drives Chromium through DevTools, whose network domain records the script',
    "  stack of every request (a browser without DevTools attached records none). V8 made a stack's source",
    "  positions on demand, by parsing again the function of each frame: for a frame of a module's top level, the",
    "  whole module. The bundle's `import()` of klarna.mjs took 7–16 ms at 4× CPU (between marks around the call,",
    '  6 loads); the benchmark has V8 make positions as it compiles (`--no-enable-lazy-source-positions`), and the',
    '  call takes 0.4–6 ms. That costs each integration compile time in proportion to its code, so it counts',
    '  against the larger bundle; its size was not measured apart.',
    "- **First visits**: Chromium runs with V8's compilation cache off (`--js-flags=--no-compilation-cache`), so",
    "  every load compiles its scripts afresh, as a customer's first checkout does. With it, V8 reused its",
    '  compilation of the same bundle across loads, which flattered the element (about 30 ms at 4× CPU) more than the peer.',
    "- **Gap**: Klarna painted minus the merchant's methods painted; Klarna asks for under 100 ms. It is n/a",
    "  where the floor itself is 100 ms or more after the merchant's methods.",
    `- **Runs**: the latency matrix ran ${settings.matrixRounds} rounds (as many as fit the ${settings.budgetS} s budget, at most`,
    `  ${settings.reps}); a round visits each cell ${settings.cpuRates.map((cpu) => `${settings.visitsPerRound?.[cpu] ?? 1}× at ${cpu}× CPU`).join(', ')}, where runs vary more; layout shift and amount changes ${settings.repsLayoutShiftAndAmount} runs each; the rest ${settings.reps}. p95 is by nearest`,
    '  rank, so with fewer than 20 runs it is the slowest run. 4× CPU is DevTools CPU throttling.',
    '- **Layout shift**: `layout-shift` entries with a source inside the element, and every entry of the page:',
    '  nothing else on those pages moves, so what moves the page is the integration and the room its page keeps for it.',
    ...(results.layoutShift.elementPageRule
      ? [
          `  The element's pages have the rule this README gives for its row before its module runs (\`${results.layoutShift.elementPageRule}\`):`,
          '  without it, the page moves down by that row when the element upgrades. The kept row is what moves the',
          "  page when it goes (HIDE_KLARNA, a failure). The guide's sample keeps no room, so its page moves when Klarna appears.",
        ]
      : ["  The element's pages had no rule for its row before its module runs, so the page moved as it upgraded."]),
    '- **Longest task**: the longest main-thread task in a DevTools trace of the page; while loading, from the',
    "  first task after the navigation's commit to Klarna painted.",
    '- **The click**: timed from the click event (on release) to the first painted frame with the loading state,',
    "  and its longest task from that event on. The pointer moves onto Klarna's button, presses, and lets go 80 ms",
    "  later, as raw input (`page.mouse`), so the press's own work is not counted. Not `locator.click()`: its check",
    "  of what the press hits added 5–18 ms of style and layout (4× CPU, traced) to the click's task.",
    ...(results.selectToButton
      ? [
          "- **Select to button**: Klarna's payment button is mounted only once Klarna is selected, so the selection",
          `  pays for it. After ${results.selectToButton.instruction} (SDK ${results.selectToButton.sdkMs} ms, presentation ${results.selectToButton.presentationMs} ms) is painted and nothing is selected, the pointer presses`,
          "  Klarna's radio row (the element's option row, the sample's label and radio) as for the click above; timed from",
          '  the click event to the first painted frame that shows the button. One selection per load; ours and the peer',
          `  load back to back in a shuffled order and are compared on the median of the paired differences by the rule above (${results.selectToButton.cases.map((item) => `${item.versusPeerPairs.n} pairs at ${item.cpu}×`).join(', ')}).`,
        ]
      : []),
    '',
    `Machine: ${machine.nproc} cores (${machine.cpuModel}), Chromium ${machine.chromium}, Node ${machine.node};`,
    `load average ${machine.loadAverageBefore} before the run and ${machine.loadAverageAfter} after it. The run took ${seconds} s;`,
    `${results.offMachineRequestsRefused} requests tried to leave 127.0.0.1 (none could).`,
    ...(loadedMachine(machine)
      ? [
          '',
          `**A loaded machine**: the load average was at or above the ${machine.nproc} cores (CPU pressure ${machine.cpuPressureBeforePercent ?? '–'}% before, ${machine.cpuPressureAfterPercent ?? '–'}% after),`,
          'other work competing with the run. Its figures, the matrix and the selection above all, are noisier and slower than on a',
          'quiet machine and are not comparable to runs made on one; the pairs still meet the same load, but fewer verdicts come out clear.',
        ]
      : []),
    '',
    markdownTable(results),
    '',
  ];
  lines.push(`Against the peer, ${tally(results)}.`, '');
  const pooled = pooledVersusPeer(results);
  if (pooled) lines.push(pooled, '');
  const chance = chanceVerdicts(results);
  if (chance) lines.push(chance, '');
  const fetchStarts = fetchStartVersusPeer(results);
  if (fetchStarts) lines.push(fetchStarts, '');
  if (recommendation.best) {
    const { sdkMs, presentationMs } = settings.hintCheckCell;
    const beyond = (hint) =>
      settings.cpuRates.map(
        (cpu) => findCell(results, { cpu, sdkMs, presentationMs, integration: 'ours', hint })?.beyondFloorMs.median,
      );
    const reusedBoth = recommendation.candidates.filter((c) => c.reused).map((c) => c.hint);
    const tie =
      reusedBoth.includes('modulepreload') &&
      reusedBoth.includes('preload-cors') &&
      recommendation.best === 'modulepreload' &&
      beyond('modulepreload').every((value, i) => Math.abs(value - beyond('preload-cors')[i]) <= FRAME_MS);
    const describeHint = (hint) => {
      const cells = settings.cpuRates.map((cpu) =>
        findCell(results, { cpu, sdkMs, presentationMs, integration: 'ours', hint }),
      );
      const starts = `${cells.map((cell) => ms(cell.sdkFetchStartMs.median)).join(' / ')} ms`;
      if (hint === 'none')
        return `without a hint the download starts at ${starts}, when the bundle's own import() asks for it once the bundle has loaded`;
      const reused = cells.every((cell) => cell.sdkRequestsPerPage === 1);
      return `${hintName(hint)} starts it at ${starts} and ${reused ? "the element's `import()` reuses it (one download)" : `\`import()\` downloads it again (${cells[0].sdkRequestsPerPage} downloads)`}`;
    };
    lines.push(
      `Preload hint, measured at SDK ${sdkMs} ms and presentation ${presentationMs} ms (times at ${settings.cpuRates.map((cpu) => `${cpu}×`).join(' / ')} CPU): ` +
        ['none', 'modulepreload', 'preload-cors', 'preload'].map(describeHint).join('; ') +
        `.${tie ? ' The two reused hints do equally well beyond the floor (within a frame); modulepreload is the one made for module scripts.' : ''}` +
        ` Recommended in \`<head>\`, before the element's script:`,
      '',
      '```html',
      recommendation.tag,
      '```',
      '',
    );
  }
  return lines.join('\n');
}
