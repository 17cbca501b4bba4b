// Estimate throughput, the same code in Node and in the browser: every subject is run in
// rounds (round-robin, so machine load hits all of them alike) and the median per-call time
// of the rounds is reported.
import { PEERS, REQUEST } from './peers.mjs';

/** Items per estimateBatch / estimateTotals call when measuring the per-item cost of a batch. */
export const BATCH_SIZE = 100;

/** The subjects: ours (estimateCost, estimateBatch and estimateTotals per item) and every peer. */
export function subjects(api) {
  const batch = Array.from({ length: BATCH_SIZE }, () => ({ ...REQUEST }));
  return [
    { name: 'rork-cloud-credits estimateCost', ours: true, perCall: 1, run: () => api.estimateCost(REQUEST).total.length },
    { name: 'rork-cloud-credits estimateBatch (per item)', ours: true, perCall: BATCH_SIZE, run: () => api.estimateBatch(batch).total.length },
    { name: 'rork-cloud-credits estimateTotals (per item)', ours: true, perCall: BATCH_SIZE, run: () => api.estimateTotals(batch).total.length },
    ...PEERS.map((peer) => ({ name: `${peer.name} ${peer.api}`, peer: peer.name, perCall: 1, run: () => peer.cost(REQUEST) })),
  ];
}

/** Median of numbers. */
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Per-call nanoseconds of every subject: `rounds` rounds of about `roundMs` each after a warm-up.
 * Returns [{ name, ns, runs: [ns...] }].
 */
export function measure(list, { rounds = 7, roundMs = 150 } = {}) {
  let sink = 0;
  const iterationsFor = (subject) => {
    // Warm up (JIT, caches) and size the round so one round takes about roundMs.
    let n = 16;
    for (;;) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) sink += subject.run() ? 1 : 0;
      const elapsed = performance.now() - t0;
      if (elapsed > roundMs / 4 || n > 1e8) return Math.max(16, Math.round((n * roundMs) / Math.max(elapsed, 0.01)));
      n *= 4;
    }
  };
  const sized = list.map((subject) => ({ subject, n: iterationsFor(subject), runs: [] }));
  for (let round = 0; round < rounds; round++) {
    for (const s of sized) {
      const t0 = performance.now();
      for (let i = 0; i < s.n; i++) sink += s.subject.run() ? 1 : 0;
      const elapsed = performance.now() - t0;
      s.runs.push((elapsed * 1e6) / (s.n * s.subject.perCall));
    }
  }
  if (sink < 0) throw new Error('unreachable: keeps the results alive');
  return sized.map(({ subject, runs }) => ({ name: subject.name, ours: !!subject.ours, peer: subject.peer, ns: median(runs), runs }));
}
