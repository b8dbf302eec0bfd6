/** Spec operationIds the checks name in their `operations` (feeds the coverage matrix). */
import type { OperationId, VersionedOperationBase } from '../../core/operations';

/**
 * The three versioned operationIds of one endpoint, e.g. `listJobs` → listJobsV1, listJobsV2, listJobsV3.
 * A base the spec lacks, or one it serves unversioned (getToken), is a compile error.
 */
export function versioned(base: VersionedOperationBase): OperationId[] {
  // The template's type is every base with every suffix, which the compiler checks against
  // OperationId: no cast.
  return (['V1', 'V2', 'V3'] as const).map((v) => `${base}${v}` as const);
}
