/**
 * What a run showed about each requirement of the table: met, broken, or not checked (and why),
 * read from the results of the checks that verify it. The JSON and HTML reports carry this list.
 */
import type { ApiVersion, Outcome, Profile } from '../core/vocabulary';
import {
  GENERIC_SOURCES,
  type Requirement,
  type RequirementLevel,
  type RequirementsTable,
} from '../requirements/table';
import { isTripped, type CheckResult } from './results';

export const REQUIREMENT_STATUSES = [
  'met',
  'broken',
  'known deviation',
  'not checked',
  'not selected',
  'no check',
  'untestable',
  'superseded',
  'not applicable',
] as const;
export type RequirementStatus = (typeof REQUIREMENT_STATUSES)[number];

export interface RequirementVerdict {
  id: string;
  source: string;
  section: string;
  level: RequirementLevel;
  subject: Requirement['subject'];
  statement: string;
  testable: boolean;
  status: RequirementStatus;
  /** Why it was not checked, not testable, superseded or not applicable. */
  reason?: string;
  /** The checks that verify it and what each concluded in this run (absent: not selected). */
  checks: Array<{ id: string; outcome?: Outcome }>;
}

export interface RunScope {
  profile: Profile;
  apiVersion: ApiVersion;
  /** The target is BCDA's public sandbox (or the embedded mock, which stands in for it). */
  sandbox: boolean;
}

/** Why a requirement does not apply to this run, or undefined when it does. */
function notApplicable(r: Requirement, scope: RunScope): string | undefined {
  if (scope.profile !== 'bcda' && !GENERIC_SOURCES.includes(r.source))
    return `a statement of BCDA's documents; the ${scope.profile} profile judges by the Bulk Data IG only`;
  if (r.versions && !r.versions.includes(scope.apiVersion))
    return `about ${r.versions.join('/')} only; this run is ${scope.apiVersion}`;
  if (r.environment === 'sandbox' && !scope.sandbox) return 'holds for the public sandbox only';
  if (r.environment === 'production' && scope.sandbox) return 'holds for production only';
  return undefined;
}

export function judgeRequirement(
  r: Requirement,
  results: ReadonlyMap<string, CheckResult>,
  scope: RunScope,
): RequirementVerdict {
  const checks = r.checks.map((id) => {
    const outcome = results.get(id)?.outcome;
    return outcome ? { id, outcome } : { id };
  });
  const base = {
    id: r.id,
    source: r.source,
    section: r.section,
    level: r.level,
    subject: r.subject,
    statement: r.statement,
    testable: r.testable,
    checks,
  };
  if (r.supersededBy) return { ...base, status: 'superseded', reason: `superseded by ${r.supersededBy}` };
  if (!r.testable) return { ...base, status: 'untestable', reason: r.why ?? 'not testable from outside' };
  const away = notApplicable(r, scope);
  if (away) return { ...base, status: 'not applicable', reason: away };
  if (!r.checks.length)
    return { ...base, status: 'no check', reason: r.uncovered ?? 'no check verifies it yet' };
  const ran = r.checks.flatMap((id) => results.get(id) ?? []);
  if (!ran.length)
    return { ...base, status: 'not selected', reason: 'none of its checks was selected for this run' };
  if (ran.some(isTripped)) return { ...base, status: 'broken' };
  if (ran.some((x) => x.outcome === 'warn' && x.knownDeviation))
    return { ...base, status: 'known deviation', reason: ran.find((x) => x.knownDeviation)!.knownDeviation! };
  if (ran.some((x) => x.outcome === 'pass')) return { ...base, status: 'met' };
  const why = ran.map((x) => `${x.id}: ${x.outcome}: ${x.message}`).join('; ');
  return { ...base, status: 'not checked', reason: why };
}

export function judgeRequirements(
  table: RequirementsTable,
  results: readonly CheckResult[],
  scope: RunScope,
): RequirementVerdict[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  return table.requirements.map((r) => judgeRequirement(r, byId, scope));
}

/** How many requirements ended in each status. */
export function countStatuses(verdicts: readonly RequirementVerdict[]): Record<RequirementStatus, number> {
  const counts = Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, 0])) as Record<
    RequirementStatus,
    number
  >;
  for (const v of verdicts) counts[v.status] += 1;
  return counts;
}
