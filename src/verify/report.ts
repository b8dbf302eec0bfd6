/**
 * The detection table: for every fault, which checks it tripped; for every check, which of the
 * faults it names did trip it; and what the clean mock tripped (nothing, when all is well).
 */
import type { CheckMeta } from '../checks/types';
import type { Area, Level, Outcome } from '../core/vocabulary';
import { TOOL_VERSION } from '../engine/version';
import type { FaultDefinition, FaultName } from '../core/faults';
import { isTripped, type JobCheckResult, type JobResult } from './job';
import type { VerifyJob, VerifyPlan } from './plan';
import type { RequirementsTable } from '../requirements/table';
import { proveRequirements, type RequirementProof, type RequirementProofSummary } from './requirement-proofs';

export const VERIFY_SCHEMA_VERSION = 1;

export interface TrippedCheck {
  id: string;
  level: Level;
  outcome: Outcome;
  message: string;
  /** Where it was tripped, e.g. `v2 bcda`. */
  run: string;
}

export interface FaultDetection {
  name: FaultName;
  area: Area;
  description: string;
  breaks: string;
  refs: string[];
  /** Checks that name this fault as one that must make them fail. */
  declaredBy: string[];
  runs: { version: string; profile: string; suites: string[]; durationMs: number; problem?: string }[];
  tripped: TrippedCheck[];
  detected: boolean;
  /** A MUST-level check failed: `run` exits 1 without --strict. */
  mustDetected: boolean;
  /** Checks that errored under the fault (reported, not counted as detection). */
  errors: { id: string; message: string; run: string }[];
}

export interface CheckProof {
  id: string;
  level: Level;
  area: Area;
  declaredFaults: FaultName[];
  /** Declared faults that did trip this check. */
  provenBy: FaultName[];
}

export interface CleanRun {
  run: string;
  checks: number;
  tripped: TrippedCheck[];
  /** Departures the run must show (the target's documented ones): each with whether it did. */
  expected?: { id: string; reason: string; tripped: boolean }[];
  errors: { id: string; message: string }[];
  knownDeviations: number;
  problem?: string;
}

export interface VerifyReport {
  schemaVersion: number;
  tool: { name: string; version: string };
  generatedAt: string;
  durationMs: number;
  summary: {
    faults: number;
    detected: number;
    /** Faults that fail a MUST-level check, so a plain run exits 1 (the rest need --strict). */
    mustDetected: number;
    undetected: FaultName[];
    checks: number;
    checksProven: number;
    checksUnproven: string[];
    cleanTrips: number;
    cleanErrors: number;
    ok: boolean;
  };
  clean: CleanRun[];
  faults: FaultDetection[];
  checks: CheckProof[];
  /** Per requirement of the table: verified by a check a fault trips, and proven by its own faults. */
  requirements?: { summary: RequirementProofSummary; requirements: RequirementProof[] };
}

const runName = (job: VerifyJob) =>
  `${job.version} ${job.profile}${job.bcdaMock ? ' (BCDA mock)' : ''}${job.quirks ? ' quirks' : ''}`;

function tripsOf(results: readonly JobCheckResult[], run: string): TrippedCheck[] {
  return results
    .filter(isTripped)
    .map((r) => ({ id: r.id, level: r.level, outcome: r.outcome, message: r.message, run }));
}

export function buildVerifyReport(
  plan: VerifyPlan,
  catalog: readonly CheckMeta[],
  results: readonly JobResult[],
  timing: { startedAt: number; finishedAt: number },
  table?: RequirementsTable,
): VerifyReport {
  const byKey = new Map(results.map((r) => [r.key, r]));
  const missing = (job: VerifyJob): JobResult => ({
    key: job.key,
    durationMs: 0,
    results: [],
    problem: 'the job did not run',
  });

  const clean: CleanRun[] = plan.clean.map((job) => {
    const r = byKey.get(job.key) ?? missing(job);
    const expected = Object.entries(job.expectedTrips ?? {});
    const trips = tripsOf(r.results, runName(job));
    // An expected departure that does not show is a trip too: the check went blind to it.
    const unseen = expected
      .filter(([id]) => !trips.some((t) => t.id === id))
      .map(([id, reason]) => ({
        id,
        level: 'MUST' as const,
        outcome: 'pass' as const,
        message: `expected to report a documented departure, but did not: ${reason}`,
        run: runName(job),
      }));
    return {
      run: runName(job),
      checks: r.results.length,
      tripped: [...trips.filter((t) => !job.expectedTrips?.[t.id]), ...unseen],
      ...(expected.length
        ? {
            expected: expected.map(([id, reason]) => ({
              id,
              reason,
              tripped: trips.some((t) => t.id === id),
            })),
          }
        : {}),
      errors: r.results.filter((x) => x.outcome === 'error').map((x) => ({ id: x.id, message: x.message })),
      knownDeviations: r.results.filter((x) => x.knownDeviation).length,
      ...(r.problem ? { problem: r.problem } : {}),
    };
  });

  const faults: FaultDetection[] = plan.faults.map(({ fault, declaredBy, jobs }) => {
    const runs = jobs.map((job) => ({ job, result: byKey.get(job.key) ?? missing(job) }));
    const tripped = runs.flatMap(({ job, result }) => tripsOf(result.results, runName(job)));
    const errors = runs.flatMap(({ job, result }) =>
      result.results
        .filter((x) => x.outcome === 'error')
        .map((x) => ({ id: x.id, message: x.message, run: runName(job) })),
    );
    return {
      ...describeFault(fault),
      declaredBy,
      runs: runs.map(({ job, result }) => ({
        version: job.version,
        profile: job.profile,
        suites: job.suites ?? [],
        durationMs: result.durationMs,
        ...(result.problem ? { problem: result.problem } : {}),
      })),
      tripped,
      detected: tripped.length > 0,
      mustDetected: tripped.some((t) => t.level === 'MUST' && t.outcome === 'fail'),
      errors,
    };
  });

  const trippedBy = new Map<string, Set<FaultName>>();
  for (const f of faults)
    for (const t of f.tripped) (trippedBy.get(t.id) ?? trippedBy.set(t.id, new Set()).get(t.id)!).add(f.name);
  // A partial run (--fault) proves only the checks that name one of the faults it ran.
  const planned = new Set(plan.faults.map((f) => f.fault.name));
  const judged = plan.partial ? catalog.filter((c) => c.faults.some((n) => planned.has(n))) : catalog;
  const checks: CheckProof[] = judged.map((c) => ({
    id: c.id,
    level: c.level,
    area: c.area,
    declaredFaults: c.faults,
    provenBy: c.faults.filter((name) => trippedBy.get(c.id)?.has(name)),
  }));

  const undetected = faults.filter((f) => !f.detected).map((f) => f.name);
  const checksUnproven = checks.filter((c) => c.provenBy.length === 0).map((c) => c.id);
  const cleanTrips = clean.reduce((n, c) => n + c.tripped.length, 0);
  const cleanErrors = clean.reduce((n, c) => n + c.errors.length + (c.problem ? 1 : 0), 0);
  const requirements = table ? proveRequirements(table, faults, !plan.partial) : undefined;
  const requirementsOk =
    !requirements ||
    (requirements.summary.unverified.length === 0 && requirements.summary.ownFaultsMissed.length === 0);
  return {
    schemaVersion: VERIFY_SCHEMA_VERSION,
    tool: { name: 'bcda-conformance', version: TOOL_VERSION },
    generatedAt: new Date(timing.finishedAt).toISOString(),
    durationMs: timing.finishedAt - timing.startedAt,
    summary: {
      faults: faults.length,
      detected: faults.length - undetected.length,
      mustDetected: faults.filter((f) => f.mustDetected).length,
      undetected,
      checks: checks.length,
      checksProven: checks.length - checksUnproven.length,
      checksUnproven,
      cleanTrips,
      cleanErrors,
      ok:
        undetected.length === 0 &&
        checksUnproven.length === 0 &&
        cleanTrips === 0 &&
        cleanErrors === 0 &&
        requirementsOk,
    },
    clean,
    faults,
    checks,
    ...(requirements ? { requirements } : {}),
  };
}

function describeFault(
  f: FaultDefinition,
): Pick<FaultDetection, 'name' | 'area' | 'description' | 'breaks' | 'refs'> {
  return { name: f.name, area: f.area, description: f.description, breaks: f.breaks, refs: f.refs };
}
