/**
 * Synthetic data generation speed: MB of NDJSON produced per CPU-second for each resource type
 * (one core, plain JSON and with the sorted-keys quirk), plus the cost of planning the
 * extra-large ACO's export. The server streams these files on the fly, so this bounds serving.
 */
import {
  beneficiaryFacts,
  beneficiaryResources,
  factsContext,
  fileLines,
  filterOf,
  planExport,
} from '../src/mock/data';
import type { ExportResourceType, ExportSpec } from '../src/mock/data/types';
import type { BenchRow } from './types';

const TARGET_MB_PER_S = 30;

function extraLarge(types: ExportResourceType[]): ExportSpec {
  return {
    aco: { cmsId: 'A9993', beneficiaries: 30000, adjudicated: true, partiallyAdjudicated: true },
    version: 'v2',
    types,
    runout: false,
    transactionTime: new Date('2026-06-01T12:00:00Z'),
    seed: 1,
    jobId: 1,
  };
}

/** CPU seconds (user + system) spent in `fn`: robust against other processes sharing the cores. */
function cpuSeconds(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** Generates lines of `type` until about `budgetBytes` were produced; returns MB per CPU-second. */
function measure(
  type: ExportResourceType,
  budgetBytes: number,
  sortKeys: boolean,
): { mbPerS: number; avgLine: number } {
  const spec = extraLarge([type]);
  const files = planExport(spec).filter((f) => f.kind === 'output');
  let bytes = 0;
  let lines = 0;
  const seconds = cpuSeconds(() => {
    for (const file of files) {
      for (const line of fileLines(spec, file, { sortKeys })) {
        bytes += line.length + 1;
        lines++;
        if (bytes >= budgetBytes) return;
      }
    }
  });
  return { mbPerS: bytes / 1e6 / Math.max(seconds, 1e-6), avgLine: lines ? bytes / lines : 0 };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** MB per CPU-second of JSON.stringify over a fixed set of prebuilt EOB objects. */
function stringifyOnly(budgetBytes: number): number {
  const spec = extraLarge(['ExplanationOfBenefit']);
  const ctx = factsContext(spec);
  const filter = filterOf(spec);
  const objects: object[] = [];
  for (let i = 0; objects.length < 500; i++) {
    objects.push(
      ...beneficiaryResources(ctx, filter, 'v2', beneficiaryFacts(ctx, i), 'ExplanationOfBenefit'),
    );
  }
  let bytes = 0;
  const seconds = cpuSeconds(() => {
    while (bytes < budgetBytes) for (const o of objects) bytes += JSON.stringify(o).length + 1;
  });
  return bytes / 1e6 / Math.max(seconds, 1e-6);
}

/** How many lines of each type the export has, from the beneficiary facts (no resources built). */
function resourceCounts(spec: ExportSpec): Record<ExportResourceType, number> {
  const counts: Record<ExportResourceType, number> = {
    Patient: 0,
    Coverage: 0,
    ExplanationOfBenefit: 0,
    Claim: 0,
    ClaimResponse: 0,
    Observation: 0,
  };
  const ctx = factsContext(spec);
  for (let i = 0; i < spec.aco.beneficiaries; i++) {
    const facts = beneficiaryFacts(ctx, i);
    if (facts.error) continue;
    counts.Patient++;
    counts.Coverage += facts.coverage.length;
    counts.ExplanationOfBenefit += facts.claims.length;
    counts.Claim += facts.partialClaims.length;
    counts.ClaimResponse += facts.partialClaims.length;
  }
  return counts;
}

export async function runBench(options: { quick: boolean }): Promise<BenchRow[]> {
  const budget = options.quick ? 8e6 : 40e6;
  const rows: BenchRow[] = [];
  // Warm the JIT so the first measured type is not penalised.
  measure('ExplanationOfBenefit', 2e6, false);

  const planSeconds = cpuSeconds(() =>
    planExport(extraLarge(['Patient', 'Coverage', 'ExplanationOfBenefit', 'Claim', 'ClaimResponse'])),
  );
  rows.push({
    bench: 'mock-data',
    metric: 'plan A9993 export (5 types)',
    value: Math.round(planSeconds * 1000),
    unit: 'ms CPU',
    target: '< 500 ms',
    pass: planSeconds < 0.5,
  });

  // Baseline: serializing already-built EOB objects, the floor any JSON-producing server pays.
  const baseline = stringifyOnly(budget);
  const baselineMetric = 'JSON.stringify only (prebuilt EOB objects)';
  rows.push({ bench: 'mock-data', metric: baselineMetric, value: round1(baseline), unit: 'MB/CPU-s' });

  const types: ExportResourceType[] = [
    'ExplanationOfBenefit',
    'Patient',
    'Coverage',
    'Claim',
    'ClaimResponse',
  ];
  const counts = resourceCounts(extraLarge(types));
  const measured = new Map<ExportResourceType, { mbPerS: number; avgLine: number }>();
  for (const type of types) {
    const m = measure(type, budget, false);
    measured.set(type, m);
    rows.push({
      bench: 'mock-data',
      metric: `generate ${type}`,
      value: round1(m.mbPerS),
      unit: 'MB/CPU-s',
      baseline: baselineMetric,
      ratio: Math.round((m.mbPerS / baseline) * 100) / 100,
    });
    rows.push({
      bench: 'mock-data',
      metric: `average ${type} line`,
      value: Math.round(m.avgLine),
      unit: 'bytes',
    });
  }

  // The default (adjudicated) A9993 export: its size from line counts (cheap facts) times measured
  // line sizes, and the rate at which one core generates that mix (time-weighted per type).
  let exportBytes = 0;
  let exportSeconds = 0;
  for (const type of ['Patient', 'Coverage', 'ExplanationOfBenefit'] as const) {
    const m = measured.get(type)!;
    const bytes = m.avgLine * counts[type];
    exportBytes += bytes;
    exportSeconds += bytes / 1e6 / m.mbPerS;
  }
  const mixRate = exportBytes / 1e6 / exportSeconds;
  rows.push({
    bench: 'mock-data',
    metric: 'generate A9993 default export (Patient+Coverage+EOB mix)',
    value: round1(mixRate),
    unit: 'MB/CPU-s',
    baseline: baselineMetric,
    ratio: Math.round((mixRate / baseline) * 100) / 100,
    target: `>= ${TARGET_MB_PER_S} MB/s`,
    pass: mixRate >= TARGET_MB_PER_S,
  });
  rows.push({
    bench: 'mock-data',
    metric: 'A9993 default export size (estimated)',
    value: Math.round(exportBytes / 1e7) / 100,
    unit: 'GB',
    target: '0.5–1.2 GB',
    pass: exportBytes >= 0.5e9 && exportBytes <= 1.2e9,
  });
  const plain = rows.find((r) => r.metric === 'generate ExplanationOfBenefit');
  const sorted = measure('ExplanationOfBenefit', budget, true);
  rows.push({
    bench: 'mock-data',
    metric: 'generate ExplanationOfBenefit, sorted keys (quirk)',
    value: round1(sorted.mbPerS),
    unit: 'MB/CPU-s',
    ...(plain
      ? { baseline: plain.metric, ratio: Math.round((sorted.mbPerS / plain.value) * 100) / 100 }
      : {}),
  });
  return rows;
}
