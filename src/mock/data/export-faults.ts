/**
 * Data faults about what an export holds as a whole (ExportSpec.dataFaults), beside the content
 * mutations of one resource (mutations.ts): claims older than the documents allow, a resource given
 * twice, one updated after transactionTime, and a job that misses part of its snapshot.
 */
import { datedOn } from './mutations';
import { mix } from './random';
import type { ExportResourceType, ExportSpec } from './types';

export type DataFault =
  /** The first ExplanationOfBenefit of every claim file has its service dates in 2013. */
  | 'claims-before-2014'
  /** The first resource of every data file comes twice: an older version, then the latest. */
  | 'duplicate-resource'
  /** The first resource of every data file has meta.lastUpdated an hour after transactionTime. */
  | 'updated-after-transaction-time'
  /** About one resource in twenty is left out, a different selection for every job. */
  | 'snapshot-drops-resources'
  /** Group/all with _since: existing enrollees' Patient and Coverage are not filtered, only claims. */
  | 'since-existing-claims-only'
  /** Group/all with _since: newly attributed enrollees' claims are filtered like existing ones'. */
  | 'since-new-claims-filtered'
  /** `_since` is compared with a claim's service end day instead of its meta.lastUpdated. */
  | 'since-by-service-date'
  /** `_since` is not applied to Coverage. */
  | 'since-skips-coverage'
  /** `_since` selects beneficiaries with any newer resource, then exports all their data. */
  | 'since-selects-beneficiaries';

/** A service day before 2014, the earliest year the documents say BCDA returns. */
export const BEFORE_2014 = '2013-06-14';

/** One resource in this many is left out under `snapshot-drops-resources`. */
const DROP_ONE_IN = 20;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

type Json = Record<string, unknown>;

/** Whether a job with `snapshot-drops-resources` leaves out this resource (the job id picks which). */
export function droppedFromSnapshot(spec: ExportSpec, beneficiary: number, ordinal: number): boolean {
  if (!spec.dataFaults?.includes('snapshot-drops-resources')) return false;
  return mix(spec.jobId, beneficiary, ordinal, 0xd209) % DROP_ONE_IN === 0;
}

/**
 * The lines for the first resource of a data file under the data faults: the resource, changed,
 * and an older version of it before it when the export gives it twice.
 */
export function firstResourceLines(
  spec: ExportSpec,
  type: ExportResourceType,
  resource: Json,
  serialize: (r: object) => string,
): string[] {
  const faults = new Set(spec.dataFaults ?? []);
  if (faults.has('claims-before-2014') && type === 'ExplanationOfBenefit') datedOn(resource, BEFORE_2014);
  if (faults.has('updated-after-transaction-time')) {
    const meta = (resource['meta'] as Json | undefined) ?? {};
    resource['meta'] = {
      ...meta,
      lastUpdated: new Date(spec.transactionTime.getTime() + HOUR_MS).toISOString(),
    };
  }
  const latest = serialize(resource);
  if (!faults.has('duplicate-resource')) return [latest];
  const meta = (resource['meta'] as Json | undefined) ?? {};
  const updated = typeof meta['lastUpdated'] === 'string' ? Date.parse(meta['lastUpdated']) : NaN;
  const olderAt = Number.isFinite(updated) ? updated - DAY_MS : spec.transactionTime.getTime() - DAY_MS;
  const older = serialize({ ...resource, meta: { ...meta, lastUpdated: new Date(olderAt).toISOString() } });
  return [older, latest];
}
