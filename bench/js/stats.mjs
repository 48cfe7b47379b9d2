// Timing helpers of the JS rows: tinybench takes the samples, this file pools them over rounds
// and summarises them (median, p25-p75, min-max) so every row is read the same way.
import { Bench } from "tinybench";

/** `gc()` when Node runs with --expose-gc (run.mjs insists on it), else nothing. */
function collect() {
  globalThis.gc?.();
}

/** Linear-interpolated quantile of an ascending array. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** One round's tinybench, keeping its samples and stopping at the first throw. */
function newBench({ time, warmupTime, iterations, warmupIterations }) {
  return new Bench({
    time,
    warmupTime,
    iterations,
    warmupIterations: warmupIterations ?? Math.min(iterations, 16),
    retainSamples: true,
    throws: true,
  });
}

/** `{ median, p25, p75, min, max, n }` of raw values (any unit). */
export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    n: sorted.length,
  };
}

/**
 * Times `ours` against `baseline` (each `{ name, fn }`, `fn` doing `batch` operations per call)
 * in `rounds` interleaved rounds (A,B then B,A, …) so that load drifting on a shared machine
 * hits both sides alike. Returns per-operation summaries in microseconds, and the ratio
 * (ours / baseline): the median of the per-round ratios (each pairs the two sides measured
 * next to each other in time), with their range. A change of the machine's speed in the
 * middle of a row cannot skew it, whereas the ratio of the pooled medians can: samples from a
 * fast and a slow phase can put the two sides' medians in different phases.
 */
export async function compare({ ours, baseline, batch = 1, rounds, time, warmupTime, iterations, warmupIterations }) {
  const pooled = { ours: [], baseline: [] };
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    const bench = newBench({ time, warmupTime, iterations, warmupIterations });
    const order = round % 2 === 0 ? ["ours", "baseline"] : ["baseline", "ours"];
    const sides = { ours, baseline };
    // A forced collection before each side's warm-up and run (outside the timed window): the
    // garbage the other side left behind (zod's, JSON.parse's) must not be collected on this
    // side's clock. Each side still pays for the collections of its own garbage.
    for (const side of order) bench.add(side, sides[side].fn, { beforeAll: collect });
    await bench.run();
    const medians = {};
    for (const task of bench.tasks) {
      const samples = task.result.latency.samples ?? [];
      const perOp = samples.map((ms) => (ms * 1000) / batch);
      pooled[task.name].push(...perOp);
      medians[task.name] = summary(perOp).median;
    }
    perRound.push(medians.ours / medians.baseline);
  }
  const a = summary(pooled.ours);
  const b = summary(pooled.baseline);
  return {
    unit: "µs",
    ours: { name: ours.name, ...a },
    baseline: { name: baseline.name, ...b },
    ratio: summary(perRound).median,
    ratioRange: [Math.min(...perRound), Math.max(...perRound)],
    rounds,
  };
}

/** Times `fn` alone (no baseline), like {@link compare}. */
export async function measure({ name, fn, batch = 1, rounds, time, warmupTime, iterations }) {
  const values = [];
  for (let round = 0; round < rounds; round++) {
    const bench = newBench({ time, warmupTime, iterations });
    bench.add(name, fn, { beforeAll: collect });
    await bench.run();
    values.push(...(bench.tasks[0].result.latency.samples ?? []).map((ms) => (ms * 1000) / batch));
  }
  return { unit: "µs", ours: { name, ...summary(values) } };
}
