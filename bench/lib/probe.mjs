/**
 * Runs in every benchmark page before any of the page's own scripts (page.addInitScript).
 * It configures the testing kit's fake from the query string (?fake=<json>) and watches, frame by
 * frame, for Klarna's header and the merchant's own methods to be painted. A "painted" time is
 * taken just after the first frame that shows the thing: a task posted from that frame's
 * requestAnimationFrame callback runs once the frame's rendering is done.
 * It also records layout shifts (with whether their sources lie inside a <pay-with-klarna>),
 * klarna-presentation / klarna-error events, clicks and their Event Timing entries, and a
 * console.timeStamp that lines a DevTools trace up with performance.now().
 */
export function probe() {
  const params = new URLSearchParams(location.search);
  const fakeOptions = params.get('fake');
  if (fakeOptions) globalThis[Symbol.for('pay-with-klarna.fake-options')] = JSON.parse(fakeOptions);
  const expectKlarna = Number(params.get('expect') ?? 1);
  const expectMerchant = params.has('merchant');

  console.timeStamp('bench-sync');
  const bench = {
    syncAt: performance.now(),
    klarnaFrameAt: null,
    klarnaAt: null,
    merchantAt: null,
    presentations: [],
    errors: [],
    shifts: [],
    longTasks: [],
    clicks: [],
    eventTimings: [],
  };
  window.__bench = bench;
  let resolveDone;
  let resolveSettled;
  // The harness waits for this console message rather than evaluating anything in the page while
  // it loads: Playwright's evaluation machinery would compete with the page for the main thread.
  bench.done = new Promise((resolve) => (resolveDone = resolve)).then(() => console.debug('bench:done'));
  /** The first klarna-presentation or klarna-error: Klarna's state is decided. */
  bench.settled = new Promise((resolve) => (resolveSettled = resolve));

  /** Whether `node` is `host` or lies inside it, its shadow tree included. */
  const within = (node, host) => {
    for (let current = node; current; current = current.parentNode ?? current.host) if (current === host) return true;
    return false;
  };
  const describe = (node) => {
    if (!node) return null;
    if (node.nodeType !== 1) return `#${node.nodeName.toLowerCase()}`;
    const slot = node.getAttribute('slot');
    const part = node.getAttribute('part');
    return `${node.localName}${node.id ? `#${node.id}` : ''}${part ? `[part=${part}]` : ''}${slot ? `[slot=${slot}]` : ''}`;
  };

  try {
    new PerformanceObserver((list) => {
      const hosts = [...document.querySelectorAll('pay-with-klarna, #klarna-payment-method')];
      for (const entry of list.getEntries()) {
        const sources = entry.sources.map((source) => ({
          node: describe(source.node),
          inside: Boolean(source.node && hosts.some((host) => within(source.node, host))),
          from: [source.previousRect.y, source.previousRect.height],
          to: [source.currentRect.y, source.currentRect.height],
        }));
        bench.shifts.push({ value: entry.value, at: entry.startTime, hadRecentInput: entry.hadRecentInput, sources });
      }
    }).observe({ type: 'layout-shift', buffered: true });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longTasks.push({ at: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const { name, startTime, duration, processingStart, processingEnd } = entry;
        bench.eventTimings.push({ name, startTime, duration, processingStart, processingEnd });
      }
    }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  } catch {
    // an observer type this browser lacks
  }

  document.addEventListener('klarna-presentation', (event) => {
    bench.presentations.push({ at: performance.now(), instruction: event.detail.instruction });
    resolveSettled();
  });
  document.addEventListener('klarna-error', (event) => {
    const { phase, reason } = event.detail;
    bench.errors.push({ at: performance.now(), phase, reason });
    resolveSettled();
  });
  window.addEventListener(
    'click',
    (event) => bench.clicks.push({ at: event.timeStamp, handledAt: performance.now() }),
    true,
  );

  const shown = (element) =>
    element.isConnected && element.getClientRects().length > 0 && element.getBoundingClientRect().height > 0;
  const countShown = (selector) => {
    let count = 0;
    for (const element of document.querySelectorAll(selector)) if (shown(element)) count++;
    return count;
  };
  const afterFrame = (callback) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => callback(performance.now());
    channel.port2.postMessage(null);
  };
  const allPainted = () => bench.klarnaAt !== null && (!expectMerchant || bench.merchantAt !== null);

  let pending = 0;
  const frame = () => {
    const now = performance.now();
    if (bench.klarnaFrameAt === null && countShown('klarna-fake-ui[part-name="header"]') >= expectKlarna) {
      bench.klarnaFrameAt = now;
      pending++;
      afterFrame((at) => {
        bench.klarnaAt = at;
        if (--pending === 0 && allPainted()) resolveDone();
      });
    }
    if (expectMerchant && bench.merchantFrameAt === undefined && countShown('#merchant-methods > label') > 0) {
      bench.merchantFrameAt = now;
      pending++;
      afterFrame((at) => {
        bench.merchantAt = at;
        if (--pending === 0 && allPainted()) resolveDone();
      });
    }
    if (bench.klarnaFrameAt === null || (expectMerchant && bench.merchantFrameAt === undefined))
      requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  // A failure ends the wait as well: the caller reads bench.errors.
  document.addEventListener('klarna-error', () => resolveDone());

  /** Resolves after `count` more frames have been painted. */
  bench.frames = (count = 1) =>
    new Promise((resolve) => {
      const step = () => (count-- <= 0 ? afterFrame(resolve) : requestAnimationFrame(step));
      requestAnimationFrame(step);
    });
  /** Resolves with the painted time of the first frame where `predicate()` holds. */
  bench.paintedWhen = (predicate) =>
    new Promise((resolve) => {
      const step = () => (predicate() ? afterFrame(resolve) : requestAnimationFrame(step));
      requestAnimationFrame(step);
    });
}
