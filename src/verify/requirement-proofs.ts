/**
 * What `npm run verify` proves per requirement of the table, in two ways:
 * - verified: one of its checks was tripped by a fault that check names (the check can fail);
 * - proven by its own faults: a fault the table lists for the requirement (chosen by what the
 *   requirement says) tripped one of its checks. Where the row lists a fault its checks also name,
 *   the two proofs coincide; they are independent where the fault was written from the row, which
 *   shows as a row fault that none of the row's checks names (`independent`).
 */
import type { Requirement, RequirementLevel, RequirementsTable } from '../requirements/table';
import type { FaultDetection } from './report';

export type RequirementProofStatus =
  /** Testable, has checks, and one of them was tripped by a fault. */
  | 'verified'
  /** Testable with checks, but no fault tripped any of them. */
  | 'unverified'
  /** Testable, no check yet (its `uncovered` reason says what is missing). */
  | 'no check'
  | 'untestable'
  | 'superseded';

export interface RequirementProof {
  id: string;
  source: string;
  section: string;
  level: RequirementLevel;
  statement: string;
  status: RequirementProofStatus;
  checks: string[];
  /** Faults that tripped one of its checks (any fault, named by the check). */
  trippedBy: string[];
  /** The requirement's own faults (from the table). */
  faults: string[];
  /** Those of its own faults that tripped one of its checks. */
  provenBy: string[];
  /**
   * Its own faults that none of its checks names (written from the requirement, not from a check):
   * the independent proof. Only faults that ran are known (a check's faults come with the run).
   */
  independent: string[];
  /** Why it has no independent fault (the table's noIndependentFault), where it says. */
  noIndependentFault?: string;
  /** Why it has no check, is untestable or superseded. */
  reason?: string;
}

export interface RequirementProofSummary {
  requirements: number;
  testable: number;
  withChecks: number;
  verified: number;
  unverified: string[];
  noCheck: number;
  /** Requirements with faults of their own, and those whose own faults all went undetected. */
  withOwnFaults: number;
  ownFaultsMissed: string[];
  /** Requirements with a fault none of their checks names, and those such a fault proved. */
  withIndependentFaults: number;
  independentProven: number;
  /** Verified testable requirements without an independent fault: those that say why, and the others. */
  noIndependentExplained: number;
  noIndependentUnexplained: string[];
}

export function proveRequirements(
  table: RequirementsTable,
  faults: readonly FaultDetection[],
  /** False when only some faults ran (--fault): nothing is then called unverified. */
  complete: boolean,
): { summary: RequirementProofSummary; requirements: RequirementProof[] } {
  const faultsTripping = new Map<string, Set<string>>();
  for (const f of faults)
    for (const t of f.tripped)
      (faultsTripping.get(t.id) ?? faultsTripping.set(t.id, new Set()).get(t.id)!).add(f.name);
  const ran = new Set<string>(faults.map((f) => f.name));
  const declaredBy = new Map<string, readonly string[]>(faults.map((f) => [f.name, f.declaredBy]));

  const requirements = table.requirements.map((r): RequirementProof => {
    const trippedBy = [...new Set(r.checks.flatMap((c) => [...(faultsTripping.get(c) ?? [])]))].sort();
    const provenBy = r.faults.filter((f) => trippedBy.includes(f));
    const independent = r.faults.filter(
      (f) => declaredBy.has(f) && !declaredBy.get(f)!.some((c) => r.checks.includes(c)),
    );
    const base = {
      id: r.id,
      source: r.source,
      section: r.section,
      level: r.level,
      statement: r.statement,
      checks: r.checks,
      trippedBy,
      faults: r.faults,
      provenBy,
      independent,
      ...(r.noIndependentFault ? { noIndependentFault: r.noIndependentFault } : {}),
    };
    return { ...base, ...statusOf(r, trippedBy.length > 0) };
  });
  const testable = requirements.filter((r) => r.status !== 'untestable' && r.status !== 'superseded');
  const withChecks = testable.filter((r) => r.checks.length);
  const ownFaults = requirements.filter((r) => r.faults.length && r.checks.length);
  const withIndependent = ownFaults.filter((r) => r.independent.length);
  // Only a full run knows every row's faults: a partial one (--fault) judges none of them wanting.
  const withoutIndependent = complete ? withChecks.filter((r) => !r.independent.length) : [];
  return {
    summary: {
      requirements: requirements.length,
      testable: testable.length,
      withChecks: withChecks.length,
      verified: requirements.filter((r) => r.status === 'verified').length,
      unverified: complete ? requirements.filter((r) => r.status === 'unverified').map((r) => r.id) : [],
      noCheck: requirements.filter((r) => r.status === 'no check').length,
      withOwnFaults: ownFaults.length,
      ownFaultsMissed: ownFaults
        .filter((r) => r.provenBy.length === 0 && r.faults.some((f) => ran.has(f)))
        .map((r) => r.id),
      withIndependentFaults: withIndependent.length,
      independentProven: withIndependent.filter((r) => r.independent.some((f) => r.provenBy.includes(f)))
        .length,
      noIndependentExplained: withoutIndependent.filter((r) => r.noIndependentFault).length,
      noIndependentUnexplained: withoutIndependent.filter((r) => !r.noIndependentFault).map((r) => r.id),
    },
    requirements,
  };
}

function statusOf(r: Requirement, tripped: boolean): Pick<RequirementProof, 'status' | 'reason'> {
  if (r.supersededBy) return { status: 'superseded', reason: `superseded by ${r.supersededBy}` };
  if (!r.testable) return { status: 'untestable', reason: r.why ?? '' };
  if (!r.checks.length) return { status: 'no check', reason: r.uncovered ?? '' };
  return { status: tripped ? 'verified' : 'unverified' };
}
