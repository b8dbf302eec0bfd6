/**
 * What a generic Bulk Data server holds, learnt apart from any export through the FHIR
 * interactions its CapabilityStatement declares: the Provenance search (which Provenance are
 * available, for the default Provenance of an export: IG bulkdata@109-@112) and the system history
 * (what was deleted and when, for the manifest's `deleted`: bulkdata@182). Each is read once per
 * run, page by page up to a bound; a server that declares neither makes the checks skip.
 */
import { NotApplicable, type CheckContext } from '../context';
import type { HttpResponse } from '../../http/client';
import { igCapability } from './ig-capability';
import type { IgSkip } from './ig-exports';
import { referenceKey, summarize, type ResourceSummary } from './ig-resources';

type Json = Record<string, unknown>;

const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Pages of a search or history read at most, and the page size asked for. */
const MAX_PAGES = 20;
const PAGE_SIZE = 200;

/** Entries read from a paged Bundle, and whether its last page was reached. */
interface Paged {
  entries: Json[];
  complete: boolean;
  evidence: string[];
}

/** Follows a searchset or history Bundle's `next` links from `url`; a skip when the first page fails. */
async function readPages(ctx: CheckContext, url: string, label: string): Promise<Paged | IgSkip> {
  const entries: Json[] = [];
  const evidence: string[] = [];
  let next: string | undefined = url;
  for (let n = 0; next && n < MAX_PAGES; n++) {
    const res: HttpResponse | Error = await ctx.target
      .get(next, {
        label: `${label} (page ${n + 1})`,
        auth: 'token',
        headers: { accept: 'application/fhir+json' },
      })
      .catch((err: Error) => err);
    if (res instanceof Error || res.status !== 200) {
      const why = res instanceof Error ? res.message : `${res.status}`;
      if (n === 0) return { skip: `${label} answered ${why}, so what the server holds is unknown`, evidence };
      // A later page that fails leaves what was read: a lower bound, as a capped read is.
      return { entries, complete: false, evidence };
    }
    evidence.push(res.exchange.id);
    const bundle = asObject(res.json());
    if (bundle?.['resourceType'] !== 'Bundle')
      return n === 0
        ? { skip: `${label} answered no Bundle, so what the server holds is unknown`, evidence }
        : { entries, complete: false, evidence };
    for (const e of asArray(bundle['entry'])) {
      const entry = asObject(e);
      if (entry) entries.push(entry);
    }
    const link = asArray(bundle['link'])
      .map(asObject)
      .find((l) => l?.['relation'] === 'next')?.['url'];
    next = typeof link === 'string' ? link : undefined;
  }
  return { entries, complete: next === undefined, evidence: evidence.slice(0, 4) };
}

/** The Provenance a server says it has, by its Provenance search. */
export interface AvailableProvenance {
  provenance: ResourceSummary[];
  /** False when the search had more pages than were read (the list is a lower bound). */
  complete: boolean;
  evidence: string[];
}

/**
 * Every Provenance the server's search returns (`GET [base]/Provenance`), read once per run;
 * NotApplicable when the CapabilityStatement declares no Provenance search.
 */
export async function availableProvenance(ctx: CheckContext): Promise<AvailableProvenance | IgSkip> {
  const capability = await igCapability(ctx);
  if (!capability.interactions.get('Provenance')?.has('search-type'))
    throw new NotApplicable(
      'the CapabilityStatement declares no Provenance search (search-type), so which Provenance the server has is unknown',
    );
  return ctx.once('ig:available-provenance', async () => {
    const read = await readPages(ctx, `Provenance?_count=${PAGE_SIZE}`, 'GET [base]/Provenance');
    if ('skip' in read) return read;
    const provenance = read.entries.flatMap((e) => {
      const resource = asObject(e['resource']);
      if (resource?.['resourceType'] !== 'Provenance') return [];
      const summary = summarize(JSON.stringify(resource));
      return summary ? [summary] : [];
    });
    return { provenance, complete: read.complete, evidence: read.evidence };
  });
}

/**
 * When a resource became available, by its meta.lastUpdated or (Provenance) recorded; undefined
 * when it says neither, and then it cannot be held against an export.
 */
export const changedAt = (r: ResourceSummary): number | undefined => r.lastUpdated ?? r.recorded;

/** The last change the history shows for one resource. */
export interface HistoryEvent {
  key: string;
  type: string;
  method: string;
  at: number;
}

export interface SystemHistory {
  /** Per `Type/id`, the newest change the history gives (at or before `until`). */
  latest: Map<string, HistoryEvent>;
  complete: boolean;
  evidence: string[];
}

/**
 * The system history since `since` (`GET [base]/_history?_since=`), reduced to the newest change of
 * each resource up to `until`; NotApplicable when the CapabilityStatement declares no system history.
 * Entries without a response.lastModified are left out: when they happened is unknown.
 */
export async function systemHistory(
  ctx: CheckContext,
  sinceText: string,
  until: number,
): Promise<SystemHistory | IgSkip> {
  const capability = await igCapability(ctx);
  if (!capability.systemInteractions.has('history-system'))
    throw new NotApplicable(
      'the CapabilityStatement declares no system history (history-system), so what was deleted is unknown',
    );
  return ctx.once(`ig:history:${sinceText}:${until}`, async () => {
    const read = await readPages(
      ctx,
      `_history?_since=${encodeURIComponent(sinceText)}&_count=${PAGE_SIZE}`,
      `GET [base]/_history?_since=${sinceText}`,
    );
    if ('skip' in read) return read;
    const latest = new Map<string, HistoryEvent>();
    for (const e of read.entries) {
      const request = asObject(e['request']);
      const modified = asObject(e['response'])?.['lastModified'];
      const url = request?.['url'];
      const method = request?.['method'];
      if (typeof url !== 'string' || typeof method !== 'string' || typeof modified !== 'string') continue;
      const key = referenceKey(url.split('?')[0]!);
      const at = Date.parse(modified);
      if (!key || !Number.isFinite(at) || at > until) continue;
      const known = latest.get(key);
      if (!known || known.at < at) latest.set(key, { key, type: key.split('/')[0]!, method, at });
    }
    return { latest, complete: read.complete, evidence: read.evidence };
  });
}
