/**
 * Which resources of a beneficiary an export contains: entitlement, `_type`, `_since` (on
 * meta.lastUpdated, not for newly attributed enrollees of a split export) and runout (service
 * dates up to 31 December of the previous year).
 */
import type {
  BeneficiaryFacts,
  ClaimFact,
  CoverageFact,
  FactsContext,
  PartialClaimFact,
} from './beneficiary';
import { DAY_MS, horizonFor } from './beneficiary';
import type { ExportResourceType, ExportSpec } from './types';

/** Types the generator produces data for. */
export const GENERATED_TYPES: readonly ExportResourceType[] = [
  'Patient',
  'Coverage',
  'ExplanationOfBenefit',
  'Claim',
  'ClaimResponse',
];

export function factsContext(spec: ExportSpec): FactsContext {
  return {
    seed: spec.seed,
    cmsId: spec.aco.cmsId,
    beneficiaries: spec.aco.beneficiaries,
    partiallyAdjudicated: spec.aco.partiallyAdjudicated,
    horizon: horizonFor(spec.transactionTime),
  };
}

/** Whether the ACO's data entitlement covers the type at all (the server validates `_type`). */
export function entitled(spec: ExportSpec, type: ExportResourceType): boolean {
  if (type === 'Claim' || type === 'ClaimResponse') return spec.aco.partiallyAdjudicated;
  if (type === 'Patient' || type === 'Coverage' || type === 'ExplanationOfBenefit')
    return spec.aco.adjudicated;
  return false;
}

export interface Filter {
  sinceMs: number | undefined;
  /** Last service day (epoch day) a runout export includes, or undefined when not runout. */
  runoutLastDay: number | undefined;
  /** Faults: `_since` left off Patient and Coverage (claims only), or read on claims' service dates. */
  sinceClaimsOnly?: boolean;
  sinceByServiceDate?: boolean;
  /** Faults: `_since` left off Coverage; `_since` choosing whole beneficiaries (export-faults.ts). */
  sinceSkipsCoverage?: boolean;
  sinceSelectsBeneficiaries?: boolean;
  /** The cohort faults of a split export (export-faults.ts), applied by cohortFilter. */
  cohortFaults?: { existingClaimsOnly: boolean; newClaimsFiltered: boolean };
}

export function filterOf(spec: ExportSpec): Filter {
  const year = spec.transactionTime.getUTCFullYear();
  const faults = spec.dataFaults ?? [];
  return {
    sinceMs: spec.since?.getTime(),
    runoutLastDay: spec.runout ? Math.floor(Date.UTC(year - 1, 11, 31) / DAY_MS) : undefined,
    ...(faults.includes('since-by-service-date') ? { sinceByServiceDate: true } : {}),
    ...(faults.includes('since-skips-coverage') ? { sinceSkipsCoverage: true } : {}),
    ...(faults.includes('since-selects-beneficiaries') ? { sinceSelectsBeneficiaries: true } : {}),
    cohortFaults: {
      existingClaimsOnly: faults.includes('since-existing-claims-only'),
      newClaimsFiltered: faults.includes('since-new-claims-filtered'),
    },
  };
}

/** The filter of one cohort of a split export: the newly attributed get their history, no `_since`. */
export function cohortFilter(filter: Filter, cohort: 'new' | 'existing' | undefined): Filter {
  const faults = filter.cohortFaults;
  if (cohort === 'new')
    return faults?.newClaimsFiltered
      ? { ...filter, sinceClaimsOnly: true }
      : { ...filter, sinceMs: undefined };
  if (cohort === 'existing' && faults?.existingClaimsOnly) return { ...filter, sinceClaimsOnly: true };
  return filter;
}

function updatedAfter(filter: Filter, updated: number): boolean {
  return filter.sinceMs === undefined || updated > filter.sinceMs;
}

/** `_since` on a Patient or Coverage: not applied under the claims-only faults. */
function demographicsAfter(filter: Filter, updated: number): boolean {
  return filter.sinceClaimsOnly === true || updatedAfter(filter, updated);
}

/** `_since` on a claim: its lastUpdated, or (fault since-by-service-date) its service end day. */
function claimAfter(filter: Filter, updated: number, endDay: number): boolean {
  return filter.sinceByServiceDate
    ? updatedAfter(filter, (endDay + 1) * DAY_MS - 1)
    : updatedAfter(filter, updated);
}

function inRunout(filter: Filter, endDay: number): boolean {
  return filter.runoutLastDay === undefined || endDay <= filter.runoutLastDay;
}

/**
 * Fault since-selects-beneficiaries: a beneficiary whose Patient (never older than their other
 * resources) was updated after `_since` gets everything, anyone else nothing.
 */
function beneficiaryFilter(filter: Filter, facts: BeneficiaryFacts): Filter {
  if (!filter.sinceSelectsBeneficiaries || filter.sinceMs === undefined) return filter;
  return facts.patientUpdated > filter.sinceMs ? { ...filter, sinceMs: undefined } : filter;
}

export function patientSelected(filter: Filter, facts: BeneficiaryFacts): boolean {
  return demographicsAfter(beneficiaryFilter(filter, facts), facts.patientUpdated);
}

export function selectedCoverage(filter: Filter, facts: BeneficiaryFacts): CoverageFact[] {
  const own = beneficiaryFilter(filter, facts);
  if (own.sinceSkipsCoverage) return facts.coverage;
  return facts.coverage.filter((c) => demographicsAfter(own, c.updated));
}

export function selectedClaims(filter: Filter, facts: BeneficiaryFacts): ClaimFact[] {
  const own = beneficiaryFilter(filter, facts);
  return facts.claims.filter((c) => claimAfter(own, c.updated, c.endDay) && inRunout(own, c.endDay));
}

export function selectedPartialClaims(
  filter: Filter,
  facts: BeneficiaryFacts,
  response: boolean,
): PartialClaimFact[] {
  const own = beneficiaryFilter(filter, facts);
  return facts.partialClaims.filter(
    (c) => claimAfter(own, response ? c.responseUpdated : c.updated, c.endDay) && inRunout(own, c.endDay),
  );
}

/** Whether a (non-error) beneficiary contributes at least one line of the type. */
export function hasLines(filter: Filter, facts: BeneficiaryFacts, type: ExportResourceType): boolean {
  switch (type) {
    case 'Patient':
      return patientSelected(filter, facts);
    case 'Coverage':
      return selectedCoverage(filter, facts).length > 0;
    case 'ExplanationOfBenefit':
      return selectedClaims(filter, facts).length > 0;
    case 'Claim':
      return selectedPartialClaims(filter, facts, false).length > 0;
    case 'ClaimResponse':
      return selectedPartialClaims(filter, facts, true).length > 0;
    default:
      return false;
  }
}
