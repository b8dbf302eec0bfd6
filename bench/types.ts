/** One row of the `npm run bench` table. Ratios are against a baseline measured in the same run. */
export interface BenchRow {
  /** Benchmark group, e.g. `fhir-validate`, `mock-serve`. */
  bench: string;
  /** What was measured, e.g. `full validation, 1 thread`. */
  metric: string;
  value: number;
  unit: string;
  /** Metric (same bench) this row is compared with. */
  baseline?: string;
  /** value / baseline value, or (where the bench says so) the median of per-round ratios. */
  ratio?: number;
  /** Human-readable target, e.g. `>= 0.7 x baseline` or `< 300 MB`. */
  target?: string;
  /** Whether the target is met (absent when the row has no target). */
  pass?: boolean;
}

/** Each bench/<name>.bench.ts module exports this. */
export type BenchModule = { runBench(options: { quick: boolean }): Promise<BenchRow[]> };
