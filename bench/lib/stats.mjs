/** Median (the mean of the middle two for an even count). */
export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** How many of some paired differences (ours minus the peer) say slower and faster: what the verdict rule counts. */
export function signCounts(differences) {
  const finite = differences.filter(Number.isFinite);
  return { n: finite.length, slower: finite.filter((d) => d > 0).length, faster: finite.filter((d) => d < 0).length };
}

/**
 * A distribution-free confidence interval for the median: the order statistics that a
 * Binomial(n, ½) count of values below the median keeps it between with at least `level`.
 * Null with too few values (for 95%, fewer than 6).
 */
export function medianInterval(values, level = 0.95) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  let below = 0; // P(count < k) for the k tried
  let k = 0;
  for (let term = 0.5 ** n, j = 0; j < n; j++) {
    if (below + term > (1 - level) / 2) break;
    below += term;
    k = j + 1;
    term = (term * (n - j)) / (j + 1);
  }
  return k === 0 ? null : [sorted[k - 1], sorted[n - k]];
}

/** 95th percentile by nearest rank: with fewer than 20 samples it is the largest. */
export function p95(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  return sorted[Math.ceil(0.95 * sorted.length) - 1];
}

export function summary(values, digits = 1) {
  return {
    median: round(median(values), digits),
    p95: round(p95(values), digits),
    n: values.filter(Number.isFinite).length,
  };
}

export function round(value, digits = 1) {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A small seeded generator, so the shuffled order of runs is the same every time. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle(items, random) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
