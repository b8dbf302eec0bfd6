/** Spec operationIds the checks name in their `operations` (feeds the coverage matrix). */

/** The three versioned operationIds of one endpoint, e.g. `listJobs` → listJobsV1, listJobsV2, listJobsV3. */
export function versioned(base: string): string[] {
  return ['V1', 'V2', 'V3'].map((v) => base + v);
}
