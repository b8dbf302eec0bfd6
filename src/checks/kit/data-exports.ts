/**
 * The exports the data checks compare, each run once per run and indexed as its files stream in
 * (kit/data-index.ts): the unfiltered shared export, re-read from its files; `_since` exports of
 * Patient and Group with a `_since` chosen inside the unfiltered data's lastUpdated range; `_type`
 * exports asking for the unfiltered data's types but one; and Group/runout. Checks sharing an
 * export share its kick-off (--max-kickoffs).
 */
import type { CheckContext, ExportEndpoint, ExportRun, KickoffSpec } from '../context';
import { downloadOne, type DownloadRecord } from '../../flows/download';
import { manifestItems, type ManifestItem } from '../../flows/manifest';
import { DataIndex, sinceInsideRange } from './data-index';

/** An export and the index of its data lines. */
export interface IndexedExport {
  /** What the export was, in words (`Patient/$export?_since=…`). */
  label: string;
  run: ExportRun;
  index: DataIndex;
  /** Why the index may lack resources the export holds (files not fetched or cut short). */
  incomplete?: string;
  /** The kick-off, the final status answer and a few downloads. */
  evidence: string[];
}

/** Why there is nothing to compare, with what shows it. */
export interface NoData {
  skip: string;
  evidence: string[];
}

export const isNoData = (value: object): value is NoData => 'skip' in value;

/** Files re-read at once when indexing the shared export. */
const REREAD_CONCURRENCY = 4;

function evidenceOf(run: ExportRun, extra: DownloadRecord[] = []): string[] {
  const downloads = [...run.downloads, ...extra].flatMap((d) => (d.exchangeId ? [d.exchangeId] : []));
  return [run.kickoff?.exchange.id, run.final?.exchange.id, ...downloads.slice(0, 8)].filter(
    (id): id is string => typeof id === 'string',
  );
}

/** Why a completed export's data files may not all have been read, or undefined. */
export function incompleteness(
  run: ExportRun,
  records: DownloadRecord[] = run.downloads,
): string | undefined {
  const listed = manifestItems(run.manifest?.output).length;
  const outputs = records.filter((d) => d.kind === 'output');
  const failed = outputs.filter((d) => d.status !== 200 || d.error);
  if (outputs.length < listed) return `only ${outputs.length} of its ${listed} data files were downloaded`;
  if (failed.length)
    return `${failed.length} of its data files could not be read (${failed[0]!.error ?? `status ${failed[0]!.status}`})`;
  return undefined;
}

function describe(spec: Omit<KickoffSpec, 'label'>): string {
  const path = spec.endpoint === 'patient' ? 'Patient/$export' : `Group/${spec.group ?? 'all'}/$export`;
  const query = Object.entries(spec.query ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('&');
  return query ? `${path}?${query}` : path;
}

/**
 * An export with parameters, followed to the end once per run, its data lines indexed. `name` is
 * the run's name for the export: the data checks' start with `data-`, so no other check's export
 * of the same name (which would not be indexed) can stand in for it.
 */
export function indexedExport(
  ctx: CheckContext,
  name: string,
  spec: Omit<KickoffSpec, 'label'>,
): Promise<IndexedExport | NoData> {
  return ctx.once(`data:${name}`, async () => {
    const index = new DataIndex();
    const label = describe(spec);
    const run = await ctx.filteredExport(name, spec, (line, item) => {
      if (item.type !== 'OperationOutcome') index.add(line, item.type);
    });
    if (!run.manifest)
      return {
        skip: `the ${label} export did not complete: ${run.problem ?? 'no manifest'}`,
        evidence: evidenceOf(run),
      };
    const incomplete = incompleteness(run);
    return { label, run, index, ...(incomplete ? { incomplete } : {}), evidence: evidenceOf(run) };
  });
}

/**
 * The shared export (Group/<group>, default types, no filter), its data files read a second time
 * to index them: the run follows it before any check can attach to its lines.
 */
export function unfilteredExport(ctx: CheckContext): Promise<IndexedExport | NoData> {
  return ctx.once('data:unfiltered', async () => {
    const run = await ctx.mainExport();
    const label = `Group/${ctx.config.group}/$export`;
    if (!run.manifest)
      return {
        skip: `the shared export did not complete: ${run.problem ?? 'no manifest'}`,
        evidence: evidenceOf(run),
      };
    const index = new DataIndex();
    const items = run.downloads.filter((d) => d.kind === 'output' && d.status === 200).map((d) => d.item);
    const reread = await rereadAll(ctx, run, items, (line, item) => {
      if (item.type !== 'OperationOutcome') index.add(line, item.type);
    });
    const incomplete = incompleteness(run) ?? incompleteness(run, reread);
    return {
      label,
      run,
      index,
      ...(incomplete ? { incomplete } : {}),
      evidence: evidenceOf(run, reread),
    };
  });
}

async function rereadAll(
  ctx: CheckContext,
  run: ExportRun,
  items: ManifestItem[],
  inspectLine: (line: string, item: ManifestItem) => void,
): Promise<DownloadRecord[]> {
  const records: DownloadRecord[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      records.push(
        await downloadOne(
          {
            target: ctx.target,
            sendToken: run.manifest?.requiresAccessToken === true,
            acceptGzip: true,
            apiVersion: ctx.version,
            sandbox: ctx.sandbox,
            // Validated already on the first read: this pass only indexes.
            validateLines: 0,
            deadline: ctx.deadline,
            inspectLine,
          },
          item,
          'output',
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(REREAD_CONCURRENCY, Math.max(items.length, 1)) }, worker));
  return records;
}

/** The `_since` the data checks use: inside the unfiltered data's lastUpdated range. */
export interface ChosenSince {
  unfiltered: IndexedExport;
  since: number;
  /** As sent: a FHIR instant in UTC with milliseconds. */
  text: string;
}

export function chosenSince(ctx: CheckContext): Promise<ChosenSince | NoData> {
  return ctx.once('data:since-value', async () => {
    const unfiltered = await unfilteredExport(ctx);
    if (isNoData(unfiltered)) return unfiltered;
    const values = unfiltered.index.lastUpdatedValues();
    const since = sinceInsideRange(values);
    if (since === undefined) {
      const why = values.length
        ? `all ${values.length} resources have the same meta.lastUpdated (${new Date(values[0]!).toISOString()})`
        : 'no resource has a meta.lastUpdated';
      return {
        skip: `the unfiltered export cannot tell a honoured _since from an ignored one: ${why}`,
        evidence: unfiltered.evidence,
      };
    }
    return { unfiltered, since, text: new Date(since).toISOString() };
  });
}

/** The `_since` export of an endpoint (Patient, or the run's group), with the chosen `_since`. */
export async function sinceExport(
  ctx: CheckContext,
  endpoint: ExportEndpoint,
): Promise<{ chosen: ChosenSince; filtered: IndexedExport } | NoData> {
  const chosen = await chosenSince(ctx);
  if (isNoData(chosen)) return chosen;
  const filtered = await indexedExport(ctx, `data-since-${endpoint}`, {
    endpoint,
    ...(endpoint === 'group' ? { group: ctx.config.group } : {}),
    query: { _since: chosen.text },
  });
  return isNoData(filtered) ? filtered : { chosen, filtered };
}

/** The types a `_type` export asks for: those the unfiltered data has but one. */
export interface TypeSelection {
  unfiltered: IndexedExport;
  available: string[];
  requested: string[];
  left: string;
}

export function typeSelection(unfiltered: IndexedExport): TypeSelection | undefined {
  const available = [...unfiltered.index.types()].sort();
  if (available.length < 2) return undefined;
  // ExplanationOfBenefit is the bulk of the data: leaving it out keeps the export small.
  const left = available.includes('ExplanationOfBenefit')
    ? 'ExplanationOfBenefit'
    : available[available.length - 1]!;
  return { unfiltered, available, requested: available.filter((t) => t !== left), left };
}

export async function typeExport(
  ctx: CheckContext,
  endpoint: ExportEndpoint,
): Promise<{ selection: TypeSelection; filtered: IndexedExport } | NoData> {
  const unfiltered = await unfilteredExport(ctx);
  if (isNoData(unfiltered)) return unfiltered;
  const selection = typeSelection(unfiltered);
  if (!selection) {
    const types = [...unfiltered.index.types()];
    return {
      skip: `the unfiltered export holds ${types.length ? `one resource type only (${types.join('')})` : 'no resource'}, so a _type filter has nothing to leave out`,
      evidence: unfiltered.evidence,
    };
  }
  const filtered = await indexedExport(ctx, `data-type-${endpoint}`, {
    endpoint,
    ...(endpoint === 'group' ? { group: ctx.config.group } : {}),
    query: { _type: selection.requested.join(',') },
  });
  return isNoData(filtered) ? filtered : { selection, filtered };
}

/** Group/runout with the default types, followed to the end. */
export function runoutExport(ctx: CheckContext): Promise<IndexedExport | NoData> {
  return indexedExport(ctx, 'data-group-runout', { endpoint: 'group', group: 'runout' });
}

/** The unfiltered export when it is Group/all (the checks that compare with the current enrollees). */
export async function groupAllExport(ctx: CheckContext): Promise<IndexedExport | NoData> {
  if (ctx.config.group !== 'all')
    return { skip: `the shared export is Group/${ctx.config.group}, not Group/all (--group)`, evidence: [] };
  return unfilteredExport(ctx);
}
