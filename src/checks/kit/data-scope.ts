/**
 * Verdicts on whose data an export holds and how far back it goes: the requesting organization's
 * enrollees only, claims from 2014 on, the full history without `_since`, the default types of
 * Patient/$export, and the Patient compartment. Pure functions of indexed exports (data-index.ts);
 * each skips, never passes, when its inputs cannot tell.
 */
import { fail, pass, skip } from '../context';
import type { CheckOutcome } from '../types';
import type { IndexedExport } from './data-exports';
import { manifestItems } from '../../flows/manifest';
import { evidence, iso, sample, unread, updatedAt } from './data-words';

/** The earliest service date the documents say BCDA returns (seed 000 §/Group, §/Patient). */
export const EARLIEST_SERVICE_DAY = '2014-01-01';

/** The transactionTime of an export's manifest in epoch ms, when it is an instant. */
export function transactionTimeOf(e: IndexedExport): number | undefined {
  const at = e.run.manifest?.transactionTime;
  const ms = typeof at === 'string' ? Date.parse(at) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Two organizations' exports of the same request: data for each one's own enrollees, so their
 * Patients cannot be the same set. (They may overlap: which enrollees two organizations share is
 * not visible from outside.)
 */
export function judgeOwnEnrollees(mine: IndexedExport, theirs: IndexedExport): CheckOutcome {
  const ev = evidence(mine, theirs);
  const a = mine.index.patientIds();
  const b = theirs.index.patientIds();
  for (const [e, ids] of [
    [mine, a],
    [theirs, b],
  ] as const) {
    if (ids.size === 0) return skip(`${e.label} holds no Patient to compare`, ev);
    if (e.incomplete)
      return skip(`${e.label} was not read whole (${e.incomplete}): its Patients are not known`, ev);
  }
  const shared = [...a].filter((id) => b.has(id));
  if (shared.length === a.size && shared.length === b.size)
    return fail(
      `both organizations got the same ${a.size} Patient(s) (${sample(shared)}): the export does not depend on who asks`,
      ev,
    );
  // Data about an enrollee the other organization's export has and this one's Patients do not is
  // the other organization's: nothing of this export says the enrollee is attributed here.
  const leaked = [...mine.index.resources.values()].filter(
    (r) => r.type !== 'Patient' && r.patient !== undefined && b.has(r.patient) && !a.has(r.patient),
  );
  if (leaked.length)
    return fail(
      `${mine.label} holds ${leaked.length} resource(s) about enrollees that are not among its Patients but are among the other organization's (${sample(leaked.map((r) => `${r.key} → Patient/${r.patient!}`))}): another organization's data`,
      ev,
    );
  return pass(
    `the two organizations got different Patients: ${a.size} and ${b.size}, ${shared.length} in both`,
    ev,
  );
}

/** Without `_since`, no claim has a service date before 2014. */
export function judgeFrom2014(e: IndexedExport): CheckOutcome {
  const ev = evidence(e);
  const claims = [...e.index.resources.values()].filter((r) => r.serviceStart !== undefined);
  if (claims.length === 0)
    return skip(
      `${e.label} returned no claim with a service date to compare with ${EARLIEST_SERVICE_DAY}`,
      ev,
    );
  const early = claims.filter((r) => r.serviceStart! < EARLIEST_SERVICE_DAY);
  if (early.length)
    return fail(
      `${early.length} of ${claims.length} claims have service dates before ${EARLIEST_SERVICE_DAY}: ${sample(early.map((r) => `${r.key} (${r.serviceStart})`))}`,
      ev,
    );
  if (e.incomplete) return skip(unread(e), ev);
  const earliest = claims.map((r) => r.serviceStart!).sort()[0]!;
  return pass(`${claims.length} claims, the earliest served ${earliest}`, ev);
}

/** An unfiltered export and a `_since` export of the same endpoint. */
export interface HistoryPair {
  unfiltered: IndexedExport;
  filtered: IndexedExport;
  since: number;
  /**
   * Whether the unfiltered export must hold resources updated at or before `_since`: not when
   * `_since` was taken from its own data, which makes that true by construction.
   */
  olderExpected: boolean;
}

/**
 * Without `_since` the export holds the full history: resources updated at or before a `_since`
 * taken from the data, and every resource a `_since` export of the same endpoint returns (those
 * modified after the unfiltered export's transactionTime aside: they may be new).
 */
export function judgeFullHistory(pairs: readonly HistoryPair[]): CheckOutcome {
  const ev = evidence(...pairs.flatMap((p) => [p.unfiltered, p.filtered]));
  const problems: string[] = [];
  const judged: string[] = [];
  const unjudged: string[] = [];
  for (const { unfiltered, filtered, since, olderExpected } of pairs) {
    const whole = !unfiltered.incomplete;
    if (olderExpected) {
      const older = [...unfiltered.index.resources.values()].filter(
        (r) => r.lastUpdated !== undefined && r.lastUpdated <= since,
      );
      if (older.length)
        judged.push(`${unfiltered.label} holds ${older.length} resources updated at or before ${iso(since)}`);
      else if (whole)
        problems.push(
          `${unfiltered.label} holds no resource updated at or before ${iso(since)}, though the data has some (the _since was taken from inside its range): older resources are missing`,
        );
      else unjudged.push(unread(unfiltered));
    }
    const at = transactionTimeOf(unfiltered);
    const comparable = [...filtered.index.resources.values()].filter(
      (r) => at === undefined || r.lastUpdated === undefined || r.lastUpdated <= at,
    );
    if (comparable.length === 0) {
      unjudged.push(`${filtered.label} returned nothing to look for in ${unfiltered.label}`);
      continue;
    }
    const missing = comparable.filter((r) => !unfiltered.index.resources.has(r.key));
    if (missing.length && whole)
      problems.push(
        `${unfiltered.label} lacks ${missing.length} of the ${comparable.length} resources ${filtered.label} returned: ${sample(missing.map(updatedAt))}`,
      );
    else if (missing.length) unjudged.push(unread(unfiltered));
    else judged.push(`${unfiltered.label} holds all ${comparable.length} resources of ${filtered.label}`);
  }
  if (problems.length) return fail(problems.join('; '), ev);
  if (!judged.length) return skip(unjudged.join('; ') || 'nothing to compare', ev);
  if (unjudged.length) return skip(`${judged.join('; ')}; but ${unjudged.join('; ')}`, ev);
  return pass(judged.join('; '), ev);
}

/**
 * Patient/$export without `_type`: the manifest lists, and the files hold, each of `required`
 * (the documents' three types for BCDA; the IG asks only for the Patients themselves).
 */
export function judgeDefaultTypes(e: IndexedExport, required: readonly string[]): CheckOutcome {
  const ev = evidence(e);
  const listed = new Set(manifestItems(e.run.manifest?.output).map((i) => i.type));
  const lines = e.index.types();
  if (listed.size === 0 && e.index.size === 0)
    return skip(`${e.label} returned no data at all: the organization may have no enrollee`, ev);
  const notListed = required.filter((t) => !listed.has(t));
  const noLines = required.filter((t) => listed.has(t) && !lines.has(t));
  const problems = [
    notListed.length ? `the manifest lists no ${notListed.join(', ')} file` : undefined,
    noLines.length && !e.incomplete ? `no ${noLines.join(', ')} resource in the files` : undefined,
  ].filter((p): p is string => p !== undefined);
  if (problems.length) return fail(`${e.label}: ${problems.join('; ')}`, ev);
  if (e.incomplete && noLines.length) return skip(unread(e), ev);
  return pass(`${e.label}: ${[...listed].sort().join(', ')}, each with resources`, ev);
}

/**
 * Patient/$export returns the Patient compartment of its Patients: every other resource points at
 * a Patient of the same export (Coverage.beneficiary, ExplanationOfBenefit.patient, Claim.patient
 * or its contained Patient's MBI).
 */
export function judgeCompartment(e: IndexedExport): CheckOutcome {
  const ev = evidence(e);
  const patients = e.index.patientIds();
  if (patients.size === 0)
    return skip(`${e.label} holds no Patient, so no resource can be placed in a Patient's compartment`, ev);
  if (e.incomplete)
    return skip(`${e.label} was not read whole (${e.incomplete}): a Patient may be in a file not read`, ev);
  const others = [...e.index.resources.values()].filter((r) => r.type !== 'Patient');
  if (others.length === 0) return skip(`${e.label} holds Patients only: nothing points at one`, ev);
  const outside = others.flatMap((r) => {
    const who = e.index.enrolleeOf(r);
    if (who === undefined) return [`${r.key} points at no Patient`];
    return patients.has(who) ? [] : [`${r.key} points at Patient/${who}, not in the export`];
  });
  if (outside.length)
    return fail(
      `${outside.length} of ${others.length} resources lie outside the compartments of the export's ${patients.size} Patients: ${sample(outside)}`,
      ev,
    );
  return pass(
    `${others.length} resources, each in the compartment of one of the export's ${patients.size} Patients`,
    ev,
  );
}
