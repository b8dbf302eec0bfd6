/**
 * The beneficiaries a job could not export: those BFD "cannot find" (the data generator's fixture,
 * about 1 in 200 and one among the first 50 of every organization), in the batches the job's file
 * plan covers. A control endpoint reports them, so a client can check that a partly failed export
 * still completes and that its error files name each of them (seed 001, bulkdata@142).
 */
import type { MockContext } from './context';
import { cohortOf } from './data/attribution';
import { beneficiaryMbi, isErrorBeneficiary } from './data';
import type { Job } from './jobs';
import { jobFiles } from './manifest';

/** Most MBIs reported for one job: enough to check, never a dump of a large organization. */
export const MAX_REPORTED_FAILURES = 1000;

/** The MBIs of the job's beneficiaries BFD could not find, each once, in index order. */
export function failedBeneficiaries(ctx: MockContext, job: Job): string[] {
  const { seed, aco } = job.spec;
  const indexes = new Set<number>();
  for (const file of jobFiles(ctx, job)) {
    if (file.kind !== 'error') continue;
    const [start, end] = file.beneficiaries;
    for (let i = start; i < end && indexes.size < MAX_REPORTED_FAILURES; i++) {
      if (file.cohort && cohortOf(job.spec, i) !== file.cohort) continue;
      if (isErrorBeneficiary(seed, aco.cmsId, i, aco.beneficiaries)) indexes.add(i);
    }
  }
  return [...indexes].sort((a, b) => a - b).map((i) => beneficiaryMbi(seed, aco.cmsId, i));
}
