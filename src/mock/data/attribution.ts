/**
 * An organization's attribution history (seed 000 §/Group, §/Attribution_Status): monthly
 * attribution files, the month each current enrollee first appeared in one, and the separate
 * runout population (enrollees attributed last year but not this year). Pure functions of
 * (seed, ACO, index, clock), like every other fact of the generator.
 */
import { acoKey } from './beneficiary';
import { mix } from './random';
import type { ExportSpec, PlannedFile } from './types';
import { MAX_BENEFICIARIES } from './spec-check';

/**
 * Months of attribution files before the newest one. Four years: every `_since` inside the data's
 * three years of lastUpdated values has an older file, so Group/all with such a `_since` starts.
 */
export const ATTRIBUTION_HISTORY_MONTHS = 48;

/** History never starts after January 2019, so the `_since` of BCDA's own test collection (2020) has a file. */
const EARLIEST_FIRST_MONTH = 2019 * 12;

/** Share (per mille) of the current enrollees listed since the organization's first attribution file. */
const FOUNDING_PER_MILLE = 600;

/** A UTC month as one number: year × 12 + month (0-based). */
export function monthOf(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** When a month's attribution file arrived: its first day, 02:00 UTC (as `attribution_status` says). */
export function attributionFileMs(month: number): number {
  return Date.UTC(Math.floor(month / 12), month % 12, 1, 2, 0, 0);
}

/** The month of the newest attribution file at `nowMs`. */
export function latestAttributionMonth(nowMs: number): number {
  const month = monthOf(nowMs);
  return nowMs >= attributionFileMs(month) ? month : month - 1;
}

/** The month of the organization's first attribution file. */
export function firstAttributionMonth(nowMs: number): number {
  return Math.min(EARLIEST_FIRST_MONTH, latestAttributionMonth(nowMs) - ATTRIBUTION_HISTORY_MONTHS);
}

/**
 * The month of the newest attribution file at or before `sinceMs`: who was attributed then is an
 * existing enrollee for a Group/all export with that `_since`. Undefined when every file is newer,
 * where BCDA answers 404 (behavior §2.2).
 */
export function attributionMonthAt(sinceMs: number, nowMs: number): number | undefined {
  const first = firstAttributionMonth(nowMs);
  if (sinceMs < attributionFileMs(first)) return undefined;
  const month = Math.min(latestAttributionMonth(nowMs), monthOf(sinceMs));
  return sinceMs >= attributionFileMs(month) ? month : month - 1;
}

/**
 * The month of the first attribution file that lists a current enrollee: the first file for most,
 * a later one (within the last four years) for the rest.
 */
export function enrolmentMonth(seed: number, cmsId: string, index: number, nowMs: number): number {
  const h = mix(acoKey(seed, cmsId), index, 0xa771b);
  if (h % 1000 < FOUNDING_PER_MILLE) return firstAttributionMonth(nowMs);
  return latestAttributionMonth(nowMs) - (Math.floor(h / 1000) % ATTRIBUTION_HISTORY_MONTHS);
}

/** How many enrollees were attributed last year but not this year (Group/runout): a tenth as many. */
export function runoutCount(beneficiaries: number): number {
  if (beneficiaries <= 0) return 0;
  return Math.min(Math.max(1, Math.round(beneficiaries / 10)), MAX_BENEFICIARIES - beneficiaries);
}

/**
 * The beneficiary indexes an export draws from, [start, end): the current enrollees, or for
 * Group/runout the runout enrollees, numbered after them so that no one is in both.
 */
export function population(spec: ExportSpec): [number, number] {
  const n = spec.aco.beneficiaries;
  // A fault of the Patient export: the runout enrollees come too.
  if (!spec.runout && spec.mutations?.includes('with-runout-enrollees')) return [0, n + runoutCount(n)];
  if (!spec.runout || spec.mutations?.includes('runout-current-enrollees')) return [0, n];
  return [n, n + runoutCount(n)];
}

/** Which cohort of a split export a beneficiary is in. */
export type Cohort = NonNullable<PlannedFile['cohort']>;

/** The beneficiary's cohort when the export splits newly attributed from existing enrollees. */
export function cohortOf(spec: ExportSpec, index: number): Cohort | undefined {
  const split = spec.newEnrollees;
  if (!split) return undefined;
  const month = enrolmentMonth(spec.seed, spec.aco.cmsId, index, spec.transactionTime.getTime());
  return month > split.afterMonth ? 'new' : 'existing';
}
