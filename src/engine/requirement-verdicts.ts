/**
 * What a run showed about each requirement of the table: met, broken, or not checked (and why),
 * read from the results of the checks that verify it. report.json carries one small record per
 * requirement (id, status, the reason where the run decided it); what the requirement says, its
 * level and its checks are the table's (spec/requirements/, `list --requirements --json`).
 */
import type { ApiVersion, Profile } from '../core/vocabulary';
import { GENERIC_SOURCES, type Requirement, type RequirementsTable } from '../requirements/table';
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
  status: RequirementStatus;
  /**
   * Why, where this run decided it: the deviation, the checks that reached no verdict, why it does
   * not apply. The table's own reasons (untestable, superseded, no check) are not repeated here.
   */
  reason?: string;
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
  results: ReadonlyMap<string, Pick<CheckResult, 'id' | 'outcome' | 'knownDeviation'>>,
  scope: RunScope,
): RequirementVerdict {
  const id = r.id;
  if (r.supersededBy) return { id, status: 'superseded' };
  if (!r.testable) return { id, status: 'untestable' };
  const away = notApplicable(r, scope);
  if (away) return { id, status: 'not applicable', reason: away };
  if (!r.checks.length) return { id, status: 'no check' };
  const ran = r.checks.flatMap((c) => results.get(c) ?? []);
  if (!ran.length) return { id, status: 'not selected' };
  if (ran.some(isTripped)) return { id, status: 'broken' };
  const deviation = ran.find((x) => x.outcome === 'warn' && x.knownDeviation)?.knownDeviation;
  if (deviation) return { id, status: 'known deviation', reason: deviation };
  if (ran.some((x) => x.outcome === 'pass')) return { id, status: 'met' };
  return { id, status: 'not checked', reason: ran.map((x) => `${x.id} ${x.outcome}`).join(', ') };
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
export function countStatuses(
  verdicts: readonly Pick<RequirementVerdict, 'status'>[],
): Record<RequirementStatus, number> {
  const counts = Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, 0])) as Record<
    RequirementStatus,
    number
  >;
  for (const v of verdicts) counts[v.status] += 1;
  return counts;
}
