/**
 * Verdicts on an export as a snapshot at its transactionTime (bulkdata@153, @154, @167, @202) and on
 * the format its files come in (@176). Pure functions of indexed exports (data-index.ts); each
 * skips, never passes, when its inputs cannot tell.
 */
import { fail, pass, skip } from '../context';
import type { CheckOutcome } from '../types';
import type { IndexedExport, NoData } from './data-exports';
import { transactionTimeOf } from './data-scope';
import { evidence, iso, sample, unread, updatedAt } from './data-words';

/** Each resource once across an export's output files: the latest version only. */
export function judgeEachOnce(e: IndexedExport): CheckOutcome {
  const ev = evidence(e);
  if (e.index.duplicates > 0)
    return fail(
      `${e.index.duplicates} line(s) repeat a resource already given: ${e.index.duplicateKeys.join(', ')}`,
      ev,
    );
  if (e.index.size === 0) return skip(`${e.label} returned no resource`, ev);
  if (e.incomplete) return skip(unread(e), ev);
  return pass(`${e.index.size} resources, each once`, ev);
}

/** No resource modified after the manifest's transactionTime. */
export function judgeNotAfterTransactionTime(e: IndexedExport): CheckOutcome {
  const ev = evidence(e);
  const at = transactionTimeOf(e);
  if (at === undefined) return skip(`${e.label} has no transactionTime that is an instant`, ev);
  const dated = [...e.index.resources.values()].filter((r) => r.lastUpdated !== undefined);
  if (dated.length === 0) return skip(`${e.label} returned no resource with a meta.lastUpdated`, ev);
  const late = dated.filter((r) => r.lastUpdated! > at);
  if (late.length)
    return fail(
      `${late.length} of ${dated.length} resources were modified after transactionTime ${iso(at)}: ${sample(late.map(updatedAt))}`,
      ev,
    );
  if (e.incomplete) return skip(unread(e), ev);
  return pass(`${dated.length} resources, none modified after transactionTime ${iso(at)}`, ev);
}

/**
 * Two exports of the same request, `first` completed before `second` started: every resource of
 * the second modified up to the first's transactionTime was there to be exported then, so the
 * first must hold it. (The other way round proves nothing: a resource may be deleted in between.)
 */
export function judgeSnapshotComplete(first: IndexedExport, second: IndexedExport): CheckOutcome {
  const ev = evidence(first, second);
  const at = transactionTimeOf(first);
  if (at === undefined) return skip(`${first.label} has no transactionTime that is an instant`, ev);
  for (const e of [first, second])
    if (e.incomplete) return skip(`${e.label} was not read whole (${e.incomplete})`, ev);
  const due = [...second.index.resources.values()].filter(
    (r) => r.lastUpdated !== undefined && r.lastUpdated <= at,
  );
  if (due.length === 0)
    return skip(
      `${second.label} holds no resource modified up to ${first.label}'s transactionTime ${iso(at)} to look for`,
      ev,
    );
  const missing = due.filter((r) => !first.index.resources.has(r.key));
  if (missing.length)
    return fail(
      `${first.label} (transactionTime ${iso(at)}) lacks ${missing.length} of the ${due.length} resources modified by then that ${second.label} returned: ${sample(missing.map(updatedAt))}`,
      ev,
    );
  return pass(
    `all ${due.length} resources ${second.label} returned that were modified by ${iso(at)} are in ${first.label}`,
    ev,
  );
}

/** An export that finds nothing answers `output: []` (an export that found something cannot tell). */
export function judgeEmptyOutput(e: IndexedExport, since: number): CheckOutcome {
  const ev = evidence(e);
  const output: unknown = e.run.manifest?.output;
  if (!Array.isArray(output))
    return fail(
      `${e.label} found nothing to export, and its manifest's output is ${output === undefined ? 'absent' : JSON.stringify(output)}, not []`,
      ev,
    );
  if (output.length === 0) return pass(`${e.label}: nothing modified after ${iso(since)}, output []`, ev);
  if (e.index.size === 0 && !e.incomplete)
    return fail(
      `${e.label} lists ${output.length} output file(s) that hold no resource: output should be []`,
      ev,
    );
  return skip(
    `${e.label} returned ${e.index.size} resource(s) in ${output.length} file(s): the data changed after ${iso(since)} (or newly attributed enrollees came back), so this export shows nothing about an export that finds nothing`,
    ev,
  );
}

/**
 * The recent-`_since` export refused at its kick-off with a 4XX the request explains (not 401, 403
 * or 429, which say nothing of the export): the shared export ran, and this one adds only a valid
 * past `_since`, so the refusal is how the server answers an export that finds nothing.
 * Undefined when it was not refused so (the caller skips).
 */
export function judgeRefusedEmptyExport(got: NoData): CheckOutcome | undefined {
  const kickoff = got.run?.kickoff;
  if (!kickoff || kickoff.status < 400 || kickoff.status > 499 || [401, 403, 429].includes(kickoff.status))
    return undefined;
  // BCDA's documented refusal of a Group _since no attribution file is older than: no verdict here.
  if (kickoff.status === 404 && /attribution file not found/i.test(kickoff.text())) return undefined;
  return fail(
    `${got.run?.kickoffUrl ?? 'the export'} was refused with ${kickoff.status}: the shared export, the same request without this valid past _since, ran; an export that finds nothing completes with output [] instead`,
    got.evidence,
  );
}

/** With _outputFormat=application/fhir+ndjson, the files are NDJSON served as application/fhir+ndjson. */
export function judgeOutputFormat(e: IndexedExport): CheckOutcome {
  const ev = evidence(e);
  const files = e.run.downloads.filter((d) => d.kind === 'output' && d.status === 200);
  if (files.length === 0) return skip(`${e.label} has no output file that downloaded`, ev);
  const mediaType = (t: string | undefined): string => (t ?? '').split(';')[0]!.trim().toLowerCase();
  const wrong = files.filter((d) => mediaType(d.contentType) !== 'application/fhir+ndjson');
  const problems = [
    wrong.length
      ? `${wrong.length} of ${files.length} files are served as ${[...new Set(wrong.map((d) => `"${d.contentType ?? '(none)'}"`))].join(', ')}`
      : undefined,
    e.index.unreadable ? `${e.index.unreadable} line(s) are not one JSON resource each` : undefined,
  ].filter((p): p is string => p !== undefined);
  if (problems.length) return fail(`${e.label}: ${problems.join('; ')}`, ev);
  if (e.incomplete) return skip(unread(e), ev);
  return pass(`${files.length} file(s), NDJSON served as application/fhir+ndjson`, ev);
}
