/**
 * Main-thread tasks of one page from a Chromium trace (browser.startTracing with the
 * devtools.timeline categories). The probe's console.timeStamp('bench-sync') names the page's
 * renderer thread and lines trace time up with the page's performance.now().
 */
export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline'];

export function mainThreadTasks(buffer, syncAt) {
  const { traceEvents: events } = JSON.parse(buffer.toString('utf8'));
  const syncs = events.filter((event) => event.name === 'TimeStamp' && event.args?.data?.message === 'bench-sync');
  const sync = syncs.at(-1); // the last document loaded while tracing
  if (!sync) throw new Error('the trace has no bench-sync mark');
  const offsetMs = sync.ts / 1000 - syncAt;
  return events
    .filter((event) => event.name === 'RunTask' && event.ph === 'X' && event.pid === sync.pid && event.tid === sync.tid)
    .map((event) => ({ start: event.ts / 1000 - offsetMs, duration: event.dur / 1000 }))
    .sort((a, b) => a.start - b.start);
}

/**
 * The longest task that overlaps [from, to] (page time, ms); with `startingInside`, only tasks that
 * start within it (to leave out the navigation's own commit task, which holds the probe).
 */
export function longestTask(tasks, from, to, { startingInside = false } = {}) {
  let longest = { start: null, duration: 0 };
  for (const task of tasks) {
    const overlaps = task.start <= to && task.start + task.duration >= from;
    if (overlaps && (!startingInside || task.start >= from) && task.duration > longest.duration) longest = task;
  }
  return longest;
}
