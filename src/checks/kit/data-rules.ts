/**
 * The data checks' verdicts, as pure functions of indexed exports (kit/data-index.ts): what the
 * server returned compared with what the request and the documents imply. Each skips, never
 * passes, when its inputs cannot tell a conforming answer from a broken one.
 */
import { fail, pass, skip } from '../context';
import type { CheckOutcome } from '../types';
import type { DataIndex, IndexedResource } from './data-index';
import type { IndexedExport } from './data-exports';
import { manifestItems } from '../../flows/manifest';
import { evidence, iso, sample, unread, updatedAt as at } from './data-words';

/** Enrollees with data at or before `_since` needed before "nobody was filtered" means anything. */
export const MIN_ENROLLEES_TO_JUDGE = 5;

/** Resources updated at or before `since` (those without lastUpdated aside). */
function upTo(index: DataIndex, since: number): IndexedResource[] {
  return [...index.resources.values()].filter((r) => r.lastUpdated !== undefined && r.lastUpdated <= since);
}

/**
 * With `_since`, no resource updated at or before it comes back (Patient: everyone's data is
 * filtered); and, given the unfiltered export of the same endpoint, every resource it holds updated
 * after `_since` comes back (an export that drops some, new enrollees' or by another date, is not
 * `_since` applied).
 */
export function judgeSince(filtered: IndexedExport, since: number, unfiltered?: IndexedExport): CheckOutcome {
  const ev = unfiltered ? evidence(filtered, unfiltered) : evidence(filtered);
  const dated = [...filtered.index.resources.values()].filter((r) => r.lastUpdated !== undefined);
  if (dated.length === 0)
    return skip(
      `${filtered.label} returned no resource with a meta.lastUpdated, so it shows nothing about _since`,
      ev,
    );
  const stale = upTo(filtered.index, since);
  if (stale.length)
    return fail(
      `${stale.length} of ${dated.length} resources were updated at or before _since=${iso(since)}: ${sample(stale.map(at))}`,
      ev,
    );
  if (filtered.incomplete) return skip(unread(filtered), ev);
  const due = unfiltered
    ? [...unfiltered.index.resources.values()].filter(
        (r) => r.lastUpdated !== undefined && r.lastUpdated > since,
      )
    : [];
  const lost = due.filter((r) => !filtered.index.resources.has(r.key));
  if (lost.length)
    return fail(
      `${filtered.label} lacks ${lost.length} of the ${due.length} resources ${unfiltered!.label} holds updated after _since=${iso(since)}: ${sample(lost.map(at))}`,
      ev,
    );
  return pass(
    `${dated.length} resources, all updated after _since=${iso(since)} (inside the data's range)${unfiltered ? `, none of the ${due.length} ${unfiltered.label} holds updated after it missing` : ''}`,
    ev,
  );
}

/** Per enrollee of the unfiltered data with something at or before `since`, how the filtered export treated them. */
interface EnrolleeTreatment {
  /** Enrollees with data at or before `since` in the unfiltered export. */
  judged: string[];
  /** Of those, the ones the filtered export returned data at or before `since` for (treated as new). */
  withHistory: string[];
}

function treatment(unfiltered: DataIndex, filtered: DataIndex, since: number): EnrolleeTreatment {
  const before = unfiltered.byEnrollee();
  const after = filtered.byEnrollee();
  const judged = [...before.entries()]
    .filter(([, rs]) => rs.some((r) => r.lastUpdated !== undefined && r.lastUpdated <= since))
    .map(([who]) => who);
  const withHistory = judged.filter((who) =>
    (after.get(who) ?? []).some((r) => r.lastUpdated !== undefined && r.lastUpdated <= since),
  );
  return { judged, withHistory };
}

/**
 * Group with `_since`: existing enrollees get only resources updated after it, so some enrollees
 * with older data must come back without it; only newly attributed ones keep their history.
 */
export function judgeGroupSinceExisting(
  unfiltered: IndexedExport,
  filtered: IndexedExport,
  since: number,
  /** BCDA's documents say what each cohort gets (seed 000 §/Group); the IG leaves it to the server. */
  cohortsDocumented = true,
): CheckOutcome {
  const ev = evidence(unfiltered, filtered);
  const { judged, withHistory } = treatment(unfiltered.index, filtered.index, since);
  if (judged.length < MIN_ENROLLEES_TO_JUDGE)
    return skip(
      `only ${judged.length} enrollee(s) of the unfiltered export have data updated at or before _since=${iso(since)}: too few to tell whether _since was applied to existing enrollees`,
      ev,
    );
  if (withHistory.length === judged.length)
    return fail(
      `_since=${iso(since)} was applied to no enrollee: all ${judged.length} enrollees with data at or before it got that data back (${sample(withHistory)}), as if every one were newly attributed`,
      ev,
    );
  if (filtered.incomplete) return skip(unread(filtered), ev);
  // Whichever cohort an enrollee is in, its data updated after _since comes back: a server that
  // filters on another timestamp (the Patient's, the enrollment's) drops some of it (bulkdata@254).
  const lost = [...unfiltered.index.resources.values()]
    .filter(
      (r) => r.lastUpdated !== undefined && r.lastUpdated > since && !filtered.index.resources.has(r.key),
    )
    .map((r) => r.key);
  if (lost.length)
    return fail(
      `${filtered.label} lacks ${lost.length} resource(s) of the unfiltered export updated after _since=${iso(since)}: ${sample(lost)}; _since keeps every resource updated after it`,
      ev,
    );
  // An existing enrollee gets none of its older data, a newly attributed one all of it: part of it is neither.
  const before = unfiltered.index.byEnrollee();
  const mixed = (cohortsDocumented ? withHistory : []).flatMap((who) => {
    const older = (before.get(who) ?? []).filter(
      (r) => r.lastUpdated !== undefined && r.lastUpdated <= since,
    );
    const absent = older.filter((r) => !filtered.index.resources.has(r.key));
    return absent.length
      ? [`${who} got ${older.length - absent.length} of ${older.length} (not ${absent[0]!.key})`]
      : [];
  });
  if (mixed.length)
    return fail(
      `${mixed.length} enrollee(s) got part of their data from before _since=${iso(since)} back: ${sample(mixed)}; an existing enrollee gets none of it, a newly attributed one all of it`,
      ev,
    );
  return pass(
    `${judged.length - withHistory.length} of ${judged.length} enrollees with data at or before _since=${iso(since)} got only newer data (existing); ${withHistory.length} got their history (newly attributed)`,
    ev,
  );
}

/**
 * Group with `_since`: newly attributed enrollees (those it returns older data for) get their full
 * history, and nobody loses what Patient with the same `_since` returns.
 */
export function judgeGroupSinceNew(
  unfiltered: IndexedExport,
  patient: IndexedExport,
  group: IndexedExport,
  since: number,
): CheckOutcome {
  const ev = evidence(unfiltered, patient, group);
  if (group.incomplete)
    return skip(`${group.label} was not read whole (${group.incomplete}): what it lacks cannot be told`, ev);
  const lost = [...patient.index.resources.keys()].filter((k) => !group.index.resources.has(k));
  if (lost.length)
    return fail(
      `${group.label} lacks ${lost.length} resource(s) that ${patient.label} returned for the same _since (${sample(lost)}): every enrollee's data updated after _since belongs in both`,
      ev,
    );
  const { withHistory } = treatment(unfiltered.index, group.index, since);
  if (withHistory.length === 0)
    return skip(
      `${group.label} returned no enrollee's data from before _since, so it shows no newly attributed enrollee: whether they get their full history cannot be told`,
      ev,
    );
  const before = unfiltered.index.byEnrollee();
  const partial = withHistory.flatMap((who) => {
    const missing = (before.get(who) ?? []).filter((r) => !group.index.resources.has(r.key));
    return missing.length
      ? [`${who} lacks ${missing.length} of ${before.get(who)!.length} (${missing[0]!.key})`]
      : [];
  });
  if (partial.length)
    return fail(
      `${partial.length} of ${withHistory.length} newly attributed enrollee(s) came back without their full history: ${sample(partial)}`,
      ev,
    );
  return pass(
    `${withHistory.length} newly attributed enrollee(s) came back with their full history; everything ${patient.label} returned is there too`,
    ev,
  );
}

/** Patient and Group/all cover the same enrollees: with `_since`, Patient returns all of Group/all's newer data and no one else's. */
export function judgeSameEnrollees(
  unfiltered: IndexedExport,
  patient: IndexedExport,
  since: number,
): CheckOutcome {
  const ev = evidence(unfiltered, patient);
  for (const e of [unfiltered, patient])
    if (e.incomplete) return skip(`${e.label} was not read whole (${e.incomplete})`, ev);
  const newer = [...unfiltered.index.resources.values()].filter(
    (r) => r.lastUpdated !== undefined && r.lastUpdated > since,
  );
  if (newer.length === 0)
    return skip(`${unfiltered.label} has no resource updated after _since=${iso(since)} to look for`, ev);
  const missing = newer.filter((r) => !patient.index.resources.has(r.key));
  const current = unfiltered.index.enrollees();
  const strangers = [...patient.index.enrollees()].filter((who) => !current.has(who));
  const problems = [
    missing.length
      ? `${patient.label} lacks ${missing.length} of the ${newer.length} resources ${unfiltered.label} holds updated after _since (${sample(missing.map((r) => r.key))})`
      : undefined,
    strangers.length
      ? `${patient.label} returns ${strangers.length} enrollee(s) ${unfiltered.label} does not have (${sample(strangers)})`
      : undefined,
  ].filter((p): p is string => p !== undefined);
  if (problems.length) return fail(problems.join('; '), ev);
  return pass(
    `${patient.label} returned all ${newer.length} resources of ${unfiltered.label} updated after _since, and no other enrollee`,
    ev,
  );
}

/** With `_type`, only the requested types come back (manifest and lines), and each requested type that has data does. */
export function judgeTypes(
  unfiltered: IndexedExport,
  filtered: IndexedExport,
  requested: readonly string[],
): CheckOutcome {
  const ev = evidence(unfiltered, filtered);
  const asked = new Set(requested);
  const listed = manifestItems(filtered.run.manifest?.output).map((i) => i.type);
  const lineTypes = filtered.index.types();
  const extraListed = [...new Set(listed.filter((t) => !asked.has(t)))];
  const extraLines = [...lineTypes].filter((t) => !asked.has(t));
  const available = unfiltered.index.types();
  const absent = requested.filter((t) => available.has(t) && (!listed.includes(t) || !lineTypes.has(t)));
  const problems = [
    extraListed.length ? `the manifest lists ${extraListed.join(', ')}, not asked for` : undefined,
    extraLines.length ? `the files hold ${extraLines.join(', ')} resources, not asked for` : undefined,
    absent.length && !filtered.incomplete
      ? `no ${absent.join(', ')} data although it was asked for and ${unfiltered.label} has some`
      : undefined,
  ].filter((p): p is string => p !== undefined);
  if (problems.length) return fail(`${filtered.label}: ${problems.join('; ')}`, ev);
  if (filtered.incomplete) return skip(unread(filtered), ev);
  return pass(
    `${filtered.label}: only ${[...lineTypes].sort().join(', ')}, each asked-for type with data present`,
    ev,
  );
}

/** 31 December of the year before the export's transactionTime (when it is a date). */
export function runoutLastDay(transactionTime: unknown): string | undefined {
  if (typeof transactionTime !== 'string') return undefined;
  const ms = Date.parse(transactionTime);
  if (!Number.isFinite(ms)) return undefined;
  return `${new Date(ms).getUTCFullYear() - 1}-12-31`;
}

/** Group/runout: every claim's service dates end by 31 December of the previous year. */
export function judgeRunoutDates(runout: IndexedExport): CheckOutcome {
  const ev = evidence(runout);
  const lastDay = runoutLastDay(runout.run.manifest?.transactionTime);
  if (!lastDay)
    return skip('the runout manifest has no usable transactionTime, so "the previous year" is unknown', ev);
  const claims = [...runout.index.resources.values()].filter((r) => r.serviceEnd !== undefined);
  if (claims.length === 0)
    return skip(`${runout.label} returned no claim with a service date to compare with ${lastDay}`, ev);
  const late = claims.filter((r) => r.serviceEnd! > lastDay);
  if (late.length)
    return fail(
      `${late.length} of ${claims.length} claims have service dates after ${lastDay}: ${sample(late.map((r) => `${r.key} (${r.serviceEnd})`))}`,
      ev,
    );
  if (runout.incomplete) return skip(unread(runout), ev);
  return pass(`${claims.length} claims, every service date on or before ${lastDay}`, ev);
}

/** Group/runout: its enrollees were attributed last year but not this year, so none is in Group/all. */
export function judgeRunoutEnrollees(current: IndexedExport, runout: IndexedExport): CheckOutcome {
  const ev = evidence(current, runout);
  if (current.incomplete)
    return skip(
      `${current.label} was not read whole (${current.incomplete}): an overlap could be missed`,
      ev,
    );
  const runoutEnrollees = runout.index.enrollees();
  if (runoutEnrollees.size === 0) return skip(`${runout.label} returned no enrollee to compare`, ev);
  const present = current.index.enrollees();
  const both = [...runoutEnrollees].filter((who) => present.has(who));
  if (both.length)
    return fail(
      `${both.length} of ${runoutEnrollees.size} runout enrollees are also in ${current.label} (currently attributed): ${sample(both)}`,
      ev,
    );
  if (runout.incomplete) return skip(unread(runout), ev);
  return pass(`${runoutEnrollees.size} runout enrollee(s), none of them in ${current.label}`, ev);
}
