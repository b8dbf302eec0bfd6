/** The result records a run produces; report.json is exactly a RunReport. */
import type { CheckMeta, CheckOutcome } from '../checks/types';
import { requirementIdsOf } from '../requirements/table';
import type { ApiVersion, Area, Level, Outcome, Profile } from '../core/vocabulary';
import type { Exchange } from '../http/exchange';
import type { FileValidationSummary } from '../fhir';
import type { PollRecord } from '../flows/poll';
import type { RequirementVerdict } from './requirement-verdicts';

/**
 * 1.1.0: a validation issue's ruleId is the validator's rule code (schema), no longer the check id (FHIR-SCHEMA).
 * 1.2.0: each result names the requirements its check verifies, and `requirements` says what the run
 * showed about each row of the requirements table.
 * 1.3.0: a coverage cell says how many of its answers broke the contract (`contract`).
 * 1.4.0: `run.group` is absent when a bulk-data-ig run found no Group to export; an exchange says the
 * TLS protocol it went over (`tls`).
 */
export const REPORT_SCHEMA_VERSION = '1.4.0';

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
  description: string;
  level: Level;
  area: Area;
  profiles: Profile[];
  refs: string[];
  /** Ids of the requirements (spec/requirements/*.yaml) the check verifies, from the table. */
  requirements: string[];
  operations: string[];
  startedAt: string;
  durationMs: number;
}

export interface CoverageRow {
  operationId: string;
  method: string;
  path: string;
  /** Statuses the spec documents for the operation. */
  documented: number[];
  /** Statuses seen in this run, with how often. */
  observed: Record<string, number>;
  /** Seen but not documented. */
  undocumented: number[];
  /**
   * Status to how many of its responses broke the contract (CONTRACT-* findings other than known
   * deviations), and how many only showed a known deviation; absent when the contract was not judged.
   */
  contract?: Record<string, { broken: number; deviating: number }>;
}

export interface ExportTimeline {
  name: string;
  jobUrl?: string;
  kickoffExchange?: string;
  kickoffAt?: string;
  polls: PollRecord[];
  finalExchange?: string;
  problem?: string;
  downloads: Array<{
    url: string;
    type: string;
    kind: 'output' | 'error';
    exchangeId?: string;
    status?: number;
    bytes: number;
    wireBytes: number;
    startedAt?: string;
    durationMs?: number;
    error?: string;
  }>;
}

export type ValidationFileSummary = Omit<FileValidationSummary, 'references'>;

export interface RunSummary {
  total: number;
  counts: Record<Outcome, number>;
  /** MUST-level checks that failed or errored. */
  mustFailures: string[];
  verdict: 'conformant' | 'not conformant';
}

export interface RunReport {
  schemaVersion: string;
  tool: { name: string; version: string };
  run: {
    target: string;
    embeddedMock: boolean;
    /** Judged as a sandbox (--sandbox, or detected): sandbox-only rules applied. Since 1.2.0. */
    sandbox?: boolean;
    apiVersion: ApiVersion;
    profile: Profile;
    /** Absent when a bulk-data-ig run found no Group to export. */
    group?: string;
    suites: Area[];
    grep?: string;
    startedAt: string;
    finishedAt: string;
    durationMs: number;
    requests: number;
    kickoffs: number;
    jobsStarted: number;
    maxKickoffs: number;
    mockFaults: string[];
    mockQuirks: boolean;
    /**
     * How resource content was handled (src/report/privacy.ts): against a target that may hold
     * real data, bodies with resource content are dropped unless includeSamples.
     */
    privacy?: {
      /** The embedded mock or the public sandbox. */
      syntheticTarget: boolean;
      includeSamples: boolean;
      /** Exchanges whose response body was dropped. */
      omittedBodies: string[];
    };
  };
  summary: RunSummary;
  results: CheckResult[];
  /** What the run showed about each requirement of the table (absent in reports before 1.2.0). */
  requirements?: RequirementVerdict[];
  coverage: CoverageRow[];
  validation: ValidationFileSummary[];
  exports: ExportTimeline[];
  exchanges: Exchange[];
}

/** What a result repeats of its check: the meta fields, and the requirement ids the table gives it. */
export function resultMeta(
  check: CheckMeta,
): Pick<
  CheckResult,
  'id' | 'title' | 'description' | 'level' | 'area' | 'profiles' | 'refs' | 'requirements' | 'operations'
> {
  return {
    id: check.id,
    title: check.title,
    description: check.description,
    level: check.level,
    area: check.area,
    profiles: check.profiles,
    refs: check.refs,
    requirements: [...requirementIdsOf(check.id)],
    operations: check.operations,
  };
}

/**
 * A check that found the target at fault: a failure at any level, a MUST-level error, or a warning
 * that is not a documented quirk of the real server. Used by --strict and `npm run verify`.
 */
export function isTripped(r: Pick<CheckResult, 'outcome' | 'knownDeviation'>): boolean {
  return r.outcome === 'fail' || (r.outcome === 'warn' && !r.knownDeviation);
}

/** Ids of the checks --strict counts against the target (tripped ones, and MUST-level errors). */
export function strictFailures(results: readonly CheckResult[]): string[] {
  return results
    .filter((r) => isTripped(r) || (r.level === 'MUST' && r.outcome === 'error'))
    .map((r) => r.id);
}

export function summarize(results: CheckResult[]): RunSummary {
  const counts: Record<Outcome, number> = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
  for (const r of results) counts[r.outcome] += 1;
  const mustFailures = results
    .filter((r) => r.level === 'MUST' && (r.outcome === 'fail' || r.outcome === 'error'))
    .map((r) => r.id);
  return {
    total: results.length,
    counts,
    mustFailures,
    verdict: mustFailures.length ? 'not conformant' : 'conformant',
  };
}

/**
 * True when this result makes `run` exit 1: a MUST-level failure or error always; under --strict
 * also any check that tripped or a MUST-level error (strictFailures). JUnit marks exactly these as
 * failures, so a CI viewer and the exit code agree.
 */
export function failsRun(r: CheckResult, strict: boolean): boolean {
  if (r.level === 'MUST' && (r.outcome === 'fail' || r.outcome === 'error')) return true;
  return strict && isTripped(r);
}
