/**
 * The manifest's `deleted` of an export, read: its items (type and an absolute url), and each file
 * fetched and judged line by line (transaction Bundles of DELETE entries), giving the `Type/id` the
 * server says were deleted. Shared by the check of the files' form (MANIFEST-DELETED) and the one
 * comparing them with the server's history (MANIFEST-DELETED-SINCE).
 */
import { fail, pass, skip, type CheckContext } from '../context';
import type { CheckOutcome } from '../types';
import { isAbsoluteHttpUrl } from '../../flows/manifest';
import { documentedInstant } from './data-exports';
import { requireLevel } from './ig-capability';
import { baseExport, isSkip, type IgExport } from './ig-exports';
import { sinceExport } from './ig-features';
import { systemHistory } from './ig-holdings';
import { referenceKey } from './ig-resources';

/** Deleted files read at most. */
export const MAX_DELETED_FILES = 10;

/** A deleted file's lines judged: the Type/id of each DELETE entry, and what is wrong. */
export function deletedLines(text: string, file: string): { keys: string[]; problems: string[] } {
  const keys: string[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${file} line ${i + 1}`;
    let bundle: { resourceType?: unknown; type?: unknown; entry?: unknown } | undefined;
    try {
      bundle = JSON.parse(line) as typeof bundle;
    } catch {
      problems.push(`${where} is not JSON`);
      return;
    }
    if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'transaction') {
      problems.push(
        `${where} is not a transaction Bundle (${String(bundle?.resourceType)}, type ${String(bundle?.type)})`,
      );
      return;
    }
    if (!Array.isArray(bundle.entry) || bundle.entry.length === 0) {
      problems.push(`${where} has no entry`);
      return;
    }
    bundle.entry.forEach((raw: unknown, j) => {
      const request = (raw as { request?: { method?: unknown; url?: unknown } } | null)?.request;
      if (typeof request?.url !== 'string' || typeof request.method !== 'string')
        problems.push(`${where} entry ${j + 1} lacks request.url or request.method`);
      else if (request.method !== 'DELETE')
        problems.push(`${where} entry ${j + 1} has request.method ${request.method}, not DELETE`);
      else {
        const key = referenceKey(request.url);
        if (key) keys.push(key);
      }
    });
  });
  return { keys, problems };
}

/** What an export's manifest says was deleted. */
export type DeletedReading =
  /** The manifest has no `deleted` (it is optional). */
  | { kind: 'absent' }
  /** `deleted` is there but not an array: its JSON type. */
  | { kind: 'not-array'; got: string }
  | {
      kind: 'read';
      items: { type: string; url: string }[];
      /** The `Type/id` of every DELETE entry of the files read. */
      keys: string[];
      problems: string[];
      /** The downloads of the deleted files. */
      evidence: string[];
    };

/** Reads the manifest's `deleted` and fetches its files (MAX_DELETED_FILES at most), once per export. */
export function readDeleted(ctx: CheckContext, exported: IgExport): Promise<DeletedReading> {
  return ctx.once(`ig-deleted:${exported.label}`, () => readDeletedNow(ctx, exported));
}

async function readDeletedNow(ctx: CheckContext, exported: IgExport): Promise<DeletedReading> {
  const deleted = (exported.run.manifest as Record<string, unknown>)['deleted'];
  if (deleted === undefined) return { kind: 'absent' };
  if (!Array.isArray(deleted)) return { kind: 'not-array', got: typeof deleted };
  const problems: string[] = [];
  const evidence: string[] = [];
  const items = deleted.flatMap((raw: unknown, i) => {
    const item = raw as { type?: unknown; url?: unknown } | null;
    if (typeof item?.type !== 'string' || !isAbsoluteHttpUrl(item.url)) {
      problems.push(`deleted[${i}] lacks a type or an absolute url`);
      return [];
    }
    return [{ type: item.type, url: item.url }];
  });
  const token = exported.run.manifest.requiresAccessToken === true;
  const keys: string[] = [];
  for (const item of items.slice(0, MAX_DELETED_FILES)) {
    const res = await ctx.target
      .get(item.url, {
        label: 'download a deleted file',
        auth: token ? 'token' : 'none',
        headers: { accept: 'application/fhir+ndjson' },
      })
      .catch((err: Error) => err);
    if (res instanceof Error) {
      problems.push(`${item.url} could not be fetched (${res.message})`);
      continue;
    }
    evidence.push(res.exchange.id);
    if (res.status !== 200) {
      problems.push(`${item.url} answered ${res.status}`);
      continue;
    }
    // A cut body's last line may be partial: judge the whole lines only.
    const text = res.bodyCut ? res.text().slice(0, res.text().lastIndexOf('\n') + 1) : res.text();
    const judged = deletedLines(text, item.url.replace(/^.*\//, ''));
    keys.push(...judged.keys);
    problems.push(...judged.problems);
  }
  return { kind: 'read', items, keys, problems, evidence };
}

/**
 * The system-level `_since` export's `deleted` against the server's system history (bulkdata@182):
 * every resource of an exported type whose newest change up to the export's transactionTime is a
 * DELETE after `_since` is listed in a deleted file. Skips where the server declares no system
 * export or no system history, or the history shows no such deletion.
 */
export async function judgeDeletedSince(ctx: CheckContext): Promise<CheckOutcome> {
  await requireLevel(ctx, 'system');
  const prepared = await sinceExport(ctx, true);
  if (isSkip(prepared)) return skip(prepared.skip, prepared.evidence);
  const { exported, since } = prepared;
  const transactionMs = Date.parse(String(exported.run.manifest.transactionTime));
  if (!Number.isFinite(transactionMs))
    return skip(
      `${exported.label}: its transactionTime is not an instant, so which deletions it covers is unknown`,
      exported.evidence,
    );
  const history = await systemHistory(ctx, documentedInstant(since), transactionMs);
  if (isSkip(history)) return skip(history.skip, [...exported.evidence, ...history.evidence]);
  const ev = [...exported.evidence.slice(0, 4), ...history.evidence.slice(0, 2)];
  // The types the export would return: those it (or the base export) holds.
  const base = await baseExport(ctx);
  const types = new Set([...exported.resources.values()].map((r) => r.type));
  if (!isSkip(base)) for (const r of base.resources.values()) types.add(r.type);
  const gone = [...history.latest.values()].filter(
    (e) => e.method === 'DELETE' && e.at > since && types.has(e.type),
  );
  if (!gone.length)
    return skip(
      `the system history shows no resource of the exported types (${[...types].sort().join(', ')}) deleted between _since and the transactionTime, so deleted has nothing it must hold`,
      ev,
    );
  const read = await readDeleted(ctx, exported);
  const listed = new Set(read.kind === 'read' ? read.keys : []);
  const missing = gone.filter((e) => !listed.has(e.key)).map((e) => e.key);
  if (!missing.length)
    return pass(
      `${exported.label}: deleted lists all ${gone.length} resources the history shows deleted after _since`,
      [...ev, ...(read.kind === 'read' ? read.evidence.slice(0, 2) : [])],
    );
  const said =
    read.kind === 'absent'
      ? 'its manifest has no deleted'
      : read.kind === 'not-array'
        ? `its deleted is ${read.got}, not an array`
        : `its deleted files name ${read.keys.length} resource(s)`;
  return fail(
    `${exported.label}: the system history shows ${gone.length} resource(s) of the exported types deleted after _since, and ${said}: ${missing.length} missing (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`,
    [...ev, ...(read.kind === 'read' ? read.evidence.slice(0, 2) : [])],
  );
}
