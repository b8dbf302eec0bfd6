/**
 * Judging a rule on every export the run followed, not only the shared one: one verdict per export,
 * folded into one outcome that names the exports breaking the rule and cites their exchanges.
 */
import { fail, pass, skip, warn, type ExportRun } from '../context';
import type { HttpResponse } from '../../http/client';
import type { Manifest } from '../../flows/manifest';
import type { CheckOutcome } from '../types';

/** An export whose polling ended with an answer (200 or an error). */
export type FinishedExport = ExportRun & { final: HttpResponse };
/** An export that ended with 200 and a JSON object for a manifest. */
export type CompletedExport = FinishedExport & { manifest: Manifest };

export const isFinished = (run: ExportRun): run is FinishedExport => run.final !== undefined;
export const isCompleted = (run: ExportRun): run is CompletedExport =>
  run.final?.status === 200 && run.manifest !== undefined;

/** How a report sentence names an export. */
export function exportName(run: ExportRun): string {
  return run.name === 'main' ? 'the shared export' : `the ${run.name} export`;
}

/** The query parameters of an export's kick-off (empty when it has none or was never sent). */
export function kickoffQuery(run: ExportRun): URLSearchParams {
  try {
    return new URL(run.kickoffUrl).searchParams;
  } catch {
    return new URLSearchParams();
  }
}

/**
 * Whether two request URLs name the same request: percent-encoding and a trailing slash aside
 * (a server may write back `$` or `,` encoded or not).
 */
export function sameRequestUrl(a: string, b: string): boolean {
  const norm = (u: string) => {
    let text = u;
    try {
      text = decodeURIComponent(u);
    } catch {
      // not valid percent-encoding: compare as written
    }
    return text.replace(/\/+$/, '');
  };
  return norm(a) === norm(b);
}

export interface ExportVerdict {
  run: ExportRun;
  outcome: CheckOutcome;
}

/** Most exports a passing message spells out; the rest are counted. */
const SHOWN = 3;
/** Most exchanges cited. */
const MAX_EVIDENCE = 12;

const said = (v: ExportVerdict) => `${exportName(v.run)}: ${v.outcome.message}`;

function listed(verdicts: ExportVerdict[]): string {
  const shown = verdicts.slice(0, SHOWN).map(said).join('; ');
  return verdicts.length > SHOWN ? `${shown} (+${verdicts.length - SHOWN} more)` : shown;
}

function evidenceOf(verdicts: ExportVerdict[]): string[] {
  return [...new Set(verdicts.flatMap((v) => v.outcome.evidence))].slice(0, MAX_EVIDENCE);
}

/**
 * One outcome from one verdict per export: fail when any export fails (naming each), else warn when
 * any warns, else pass on every export judged; skip when none could be judged (`none` says why when
 * there was no export at all). A single failing export keeps its expected and actual values, and a
 * warning its known deviation.
 */
export function overEveryExport(verdicts: ExportVerdict[], none: string): CheckOutcome {
  const judged = verdicts.filter((v) => v.outcome.outcome !== 'skip');
  if (!judged.length) {
    const first = verdicts[0];
    return first ? skip(said(first), first.outcome.evidence) : skip(none);
  }
  for (const level of ['fail', 'warn'] as const) {
    const hit = judged.filter((v) => v.outcome.outcome === level);
    if (!hit.length) continue;
    const only = hit.length === 1 ? hit[0]!.outcome : undefined;
    const extra: Partial<CheckOutcome> = {};
    if (only?.expected !== undefined) extra.expected = only.expected;
    if (only?.actual !== undefined) extra.actual = only.actual;
    const deviation = hit.find((v) => v.outcome.knownDeviation)?.outcome.knownDeviation;
    if (deviation) extra.knownDeviation = deviation;
    const message = hit.map(said).join('; ');
    return (level === 'fail' ? fail : warn)(message, evidenceOf(hit), extra);
  }
  const prefix = judged.length > 1 ? `all ${judged.length} exports judged: ` : '';
  return pass(prefix + listed(judged), evidenceOf(judged));
}
