/**
 * The file list of an export: one sub-job per type and beneficiary batch (BCDA's batch sizes),
 * empty data files omitted, an `-error.ndjson` beside each batch with unknown beneficiaries.
 */
import { cohortOf, population, type Cohort } from './attribution';
import { beneficiaryFacts, isErrorBeneficiary, type BeneficiaryFacts } from './beneficiary';
import { uuidFromParts } from './random';
import { checkExportSpec } from './spec-check';
import { GENERATED_TYPES, cohortFilter, entitled, factsContext, filterOf, hasLines } from './selection';
import type { ExportResourceType, ExportSpec, PlannedFile } from './types';

/** Beneficiaries per file (BCDA `getMaxBeneCount`). */
export const BATCH_SIZES: Readonly<Record<ExportResourceType, number>> = {
  ExplanationOfBenefit: 50,
  Patient: 5000,
  Coverage: 4000,
  Claim: 4000,
  ClaimResponse: 4000,
  Observation: 5000,
};

/** v3 EOB exports with the default System-Type filter list this file first under `error`. */
export const WARNINGS_FILE_NAME = 'warnings-and-info.ndjson';

/** The data file name of one batch: a UUID-v4-shaped hash of everything that defines the export. */
export function batchFileName(
  spec: ExportSpec,
  type: ExportResourceType,
  batch: number,
  cohort?: Cohort,
): string {
  const uuid = uuidFromParts([
    'bcda-mock-file',
    spec.seed,
    spec.aco.cmsId,
    spec.version,
    spec.jobId,
    spec.types.join(','),
    spec.since ? spec.since.toISOString() : '',
    spec.runout,
    type,
    batch,
    // Absent for an export that is not split, so those names stay what they were.
    ...(cohort ? [cohort] : []),
  ]);
  return `${uuid}.ndjson`;
}

export function errorFileName(dataFileName: string): string {
  return dataFileName.replace(/\.ndjson$/, '-error.ndjson');
}

export function planExport(spec: ExportSpec): PlannedFile[] {
  checkExportSpec(spec);
  const total = spec.aco.beneficiaries;
  const [first, last] = population(spec);
  const ctx = factsContext(spec);
  // Facts are cheap but not free; each beneficiary's are computed at most once per plan.
  const cache: Array<BeneficiaryFacts | undefined> = [];
  const factsAt = (i: number): BeneficiaryFacts => (cache[i - first] ??= beneficiaryFacts(ctx, i));
  // A Group/all export with _since is two file sets: existing enrollees, then the newly attributed.
  const cohorts: Array<Cohort | undefined> = !spec.newEnrollees
    ? [undefined]
    : spec.newEnrollees.omit
      ? ['existing']
      : ['existing', 'new'];

  const outputs: PlannedFile[] = [];
  const errors: PlannedFile[] = [];
  const types = [...new Set(spec.types)].filter((t) => GENERATED_TYPES.includes(t) && entitled(spec, t));
  for (const type of types) {
    const size = BATCH_SIZES[type];
    for (const cohort of cohorts) {
      const filter = cohortFilter(filterOf(spec), cohort);
      for (let batch = 0, start = first; start < last; batch++, start += size) {
        const end = Math.min(last, start + size);
        let data = false;
        let error = false;
        for (let i = start; i < end; i++) {
          if (cohort && cohortOf(spec, i) !== cohort) continue;
          if (isErrorBeneficiary(spec.seed, spec.aco.cmsId, i, total)) error = true;
          else if (!data && hasLines(filter, factsAt(i), type)) data = true;
          if (data && error) break;
        }
        if (!data && !error) continue;
        const name = batchFileName(spec, type, batch, cohort);
        const range: [number, number] = [start, end];
        const tag = cohort ? { cohort } : {};
        if (data) outputs.push({ name, type, kind: 'output', beneficiaries: range, ...tag });
        if (error)
          errors.push({
            name: errorFileName(name),
            type: 'OperationOutcome',
            kind: 'error',
            beneficiaries: range,
            ...tag,
          });
      }
    }
  }
  if (spec.version === 'v3' && types.includes('ExplanationOfBenefit')) {
    errors.unshift({
      name: WARNINGS_FILE_NAME,
      type: 'OperationOutcome',
      kind: 'error',
      beneficiaries: [0, 0],
    });
  }
  return [...outputs, ...errors];
}
