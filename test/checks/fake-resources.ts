/** Resources of the fake servers the data-check tests run against, as NDJSON lines. */

/** One resource of a fake server's data. */
export interface Res {
  type: 'Patient' | 'Coverage' | 'ExplanationOfBenefit';
  id: string;
  patient: string;
  lastUpdated?: string;
  /** EOB service date. */
  served?: string;
}

/** The resource as the line a server would send: Coverage and EOB point at their Patient. */
export const line = (r: Res): string =>
  JSON.stringify({
    resourceType: r.type,
    id: r.id,
    ...(r.lastUpdated ? { meta: { lastUpdated: r.lastUpdated } } : {}),
    ...(r.type === 'Coverage' ? { beneficiary: { reference: `Patient/${r.patient}` } } : {}),
    ...(r.type === 'ExplanationOfBenefit'
      ? {
          patient: { reference: `Patient/${r.patient}` },
          ...(r.served ? { billablePeriod: { start: r.served, end: r.served } } : {}),
        }
      : {}),
  });
