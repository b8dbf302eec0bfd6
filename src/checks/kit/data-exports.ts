/**
 * The exports the data checks compare, each run once per run and indexed as its files stream in
 * (kit/data-index.ts): the unfiltered shared export, re-read from its files; `_since` exports of
 * Patient and Group with a `_since` chosen inside the unfiltered data's lastUpdated range; `_type`
 * exports asking for the unfiltered data's types but one; and Group/runout. Checks sharing an
 * export share its kick-off (--max-kickoffs).
 */
import type { CheckContext, ExportEndpoint, ExportRun, KickoffSpec } from '../context';
import type { Area } from '../../core/vocabulary';
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
  /** The export as far as it got, when one was started (its kick-off answer, for one). */
  run?: ExportRun;
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

/**
 * Lines that are not a resource with a type and an id leave the data unknown where they stand: a
 * comparison would call those resources missing, so the export counts as not read whole.
 */
function unreadableLines(index: DataIndex): string | undefined {
  return index.unreadable
    ? `${index.unreadable} of its lines are not a resource with a type and an id`
    : undefined;
}

function describe(spec: Omit<KickoffSpec, 'label'>): string {
  const path = spec.endpoint === 'patient' ? 'Patient/$export' : `Group/${spec.group ?? 'all'}/$export`;
  const query = [
    ...Object.entries(spec.query ?? {}).map(([k, v]) => `${k}=${String(v)}`),
    ...(spec.rawQuery ? [spec.rawQuery] : []),
  ].join('&');
  return query ? `${path}?${query}` : path;
}

/** Every indexed export of the run, each added as it completes, for the checks that judge them all. */
export function indexedExports(ctx: CheckContext): Promise<IndexedExport[]> {
  return ctx.once('data:every-indexed-export', () => Promise.resolve([] as IndexedExport[]));
}

async function registered(ctx: CheckContext, done: IndexedExport): Promise<IndexedExport> {
  (await indexedExports(ctx)).push(done);
  return done;
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
  /** Said after the request in messages (e.g. which client asked). */
  who = '',
): Promise<IndexedExport | NoData> {
  return ctx.once(`data:${name}`, async () => {
    const index = new DataIndex();
    const label = describe(spec) + who;
    const run = await ctx.filteredExport(name, spec, (line, item) => {
      if (item.type !== 'OperationOutcome') index.add(line, item.type);
    });
    if (!run.manifest)
      return {
        skip: `the ${label} export did not complete: ${run.problem ?? 'no manifest'}`,
        evidence: evidenceOf(run),
        run,
      };
    const incomplete = incompleteness(run) ?? unreadableLines(index);
    return registered(ctx, {
      label,
      run,
      index,
      ...(incomplete ? { incomplete } : {}),
      evidence: evidenceOf(run),
    });
  });
}

/**
 * The areas whose checks compare export data through this file: a run selecting any of them has
 * the shared export's lines indexed as they first stream in (CheckContext's indexMainExport), so
 * its files are not downloaded a second time. test/checks/catalog-layout.test.ts keeps it true.
 */
export const DATA_AREAS: readonly Area[] = ['kickoff', 'download'];

/**
 * The shared export (Group/<group>, default types, no filter), with its data lines: indexed on the
 * first read when the run asked for it (DATA_AREAS), else its files read a second time to index them.
 */
export function unfilteredExport(ctx: CheckContext): Promise<IndexedExport | NoData> {
  return ctx.once('data:unfiltered', async () => {
    const run = await ctx.mainExport();
    const label = `Group/${ctx.config.group}/$export`;
    if (!run.manifest)
      return {
        skip: `the shared export did not complete: ${run.problem ?? 'no manifest'}`,
        evidence: evidenceOf(run),
        run,
      };
    const firstRead = ctx.mainExportIndex();
    if (firstRead) {
      const incomplete = incompleteness(run) ?? unreadableLines(firstRead);
      return registered(ctx, {
        label,
        run,
        index: firstRead,
        ...(incomplete ? { incomplete } : {}),
        evidence: evidenceOf(run),
      });
    }
    const index = new DataIndex();
    const items = run.downloads.filter((d) => d.kind === 'output' && d.status === 200).map((d) => d.item);
    const reread = await rereadAll(ctx, run, items, (line, item) => {
      if (item.type !== 'OperationOutcome') index.add(line, item.type);
    });
    const incomplete = incompleteness(run) ?? incompleteness(run, reread) ?? unreadableLines(index);
    return registered(ctx, {
      label,
      run,
      index,
      ...(incomplete ? { incomplete } : {}),
      evidence: evidenceOf(run, reread),
    });
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
  /** As sent: a FHIR instant with milliseconds and a -05:00 offset, as the documents write one. */
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
    return { unfiltered, since, text: documentedInstant(since) };
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
  /** In the order the documents' examples name them (ExplanationOfBenefit, Patient, Coverage, the rest). */
  requested: string[];
  left: string;
}

/** The documents' order of types in their `_type` examples; other types follow, sorted. */
const DOCUMENTED_ORDER = ['ExplanationOfBenefit', 'Patient', 'Coverage'];

const documentedRank = (t: string): number => {
  const i = DOCUMENTED_ORDER.indexOf(t);
  return i < 0 ? DOCUMENTED_ORDER.length : i;
};

/**
 * The type each endpoint's `_type` export leaves out, when the data has it: Patient/$export leaves
 * out ExplanationOfBenefit (the bulk of the data), Group leaves out Coverage, so that its request
 * is the documents' example `_type=ExplanationOfBenefit,Patient` (seed 001 §Start a job).
 */
const LEFT_OUT: Record<ExportEndpoint, string> = { patient: 'ExplanationOfBenefit', group: 'Coverage' };

export function typeSelection(
  unfiltered: IndexedExport,
  endpoint: ExportEndpoint = 'patient',
): TypeSelection | undefined {
  const available = [...unfiltered.index.types()].sort();
  if (available.length < 2) return undefined;
  const left = available.includes(LEFT_OUT[endpoint]) ? LEFT_OUT[endpoint] : available[available.length - 1]!;
  const requested = available
    .filter((t) => t !== left)
    .sort((a, b) => documentedRank(a) - documentedRank(b) || a.localeCompare(b));
  return { unfiltered, available, requested, left };
}

/** The `_type` an endpoint's type export asks for, without starting it. */
export async function typeRequest(
  ctx: CheckContext,
  endpoint: ExportEndpoint,
): Promise<TypeSelection | NoData> {
  const unfiltered = await unfilteredExport(ctx);
  if (isNoData(unfiltered)) return unfiltered;
  const selection = typeSelection(unfiltered, endpoint);
  if (selection) return selection;
  const types = [...unfiltered.index.types()];
  return {
    skip: `the unfiltered export holds ${types.length ? `one resource type only (${types.join('')})` : 'no resource'}, so a _type filter has nothing to leave out`,
    evidence: unfiltered.evidence,
  };
}

export async function typeExport(
  ctx: CheckContext,
  endpoint: ExportEndpoint,
): Promise<{ selection: TypeSelection; filtered: IndexedExport } | NoData> {
  const selection = await typeRequest(ctx, endpoint);
  if (isNoData(selection)) return selection;
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

/** Patient/$export with no parameter: every type, every enrollee, full history. */
export function patientExport(ctx: CheckContext): Promise<IndexedExport | NoData> {
  return indexedExport(ctx, 'data-patient', { endpoint: 'patient' });
}

/** The second client's Patients (Group/<group>?_type=Patient), to compare with the main client's. */
export function otherClientPatients(ctx: CheckContext): Promise<IndexedExport | NoData> {
  const client = ctx.otherClient;
  if (!client)
    return Promise.resolve({
      skip: 'no second client is configured (--other-client-id and --other-client-secret)',
      evidence: [],
    });
  return indexedExport(
    ctx,
    'data-other-client-patients',
    { endpoint: 'group', group: ctx.config.group, client, query: { _type: 'Patient' } },
    ' (second client)',
  );
}

/** The two types BCDA's repeated-parameter export names, each in a `_type` of its own. */
export const REPEATED_TYPES = ['Patient', 'Coverage'] as const;

/**
 * The two types the repeated-parameter export names: BCDA's, or on a generic server Patient and the
 * first other type (by name) the unfiltered data holds, so both can come back.
 */
export function repeatedTypesFor(ctx: CheckContext, available: ReadonlySet<string>): readonly string[] {
  if (!ctx.generic) return REPEATED_TYPES;
  const other = [...available].filter((t) => t !== 'Patient' && t !== 'OperationOutcome').sort()[0];
  return other ? ['Patient', other] : REPEATED_TYPES;
}

/** Patient/$export?_type=A&_type=B: a kick-off parameter given twice. */
export function repeatedTypeExport(
  ctx: CheckContext,
  types: readonly string[],
): Promise<IndexedExport | NoData> {
  return indexedExport(ctx, 'data-type-repeated', {
    endpoint: 'patient',
    rawQuery: types.map((t) => `_type=${encodeURIComponent(t)}`).join('&'),
  });
}

/** An instant written as the documents write `_since`: milliseconds and a -05:00 offset. */
export function documentedInstant(ms: number): string {
  return `${new Date(ms - 5 * 3_600_000).toISOString().slice(0, 23)}-05:00`;
}

/**
 * Group/all with `_since` at the shared export's transactionTime: a past instant by the target's
 * own clock, after which a target whose data does not change has nothing new to export.
 */
export async function recentSinceExport(
  ctx: CheckContext,
): Promise<{ since: number; filtered: IndexedExport } | NoData> {
  const main = await ctx.mainExport();
  const at = main.manifest?.transactionTime;
  const since = typeof at === 'string' ? Date.parse(at) : NaN;
  if (!Number.isFinite(since))
    return {
      skip: `the shared export gave no transactionTime to take a past _since from: ${main.problem ?? `transactionTime is ${JSON.stringify(at)}`}`,
      evidence: evidenceOf(main),
    };
  const filtered = await indexedExport(ctx, 'data-since-transaction-time', {
    endpoint: 'group',
    group: ctx.group(),
    query: { _since: documentedInstant(since) },
  });
  return isNoData(filtered) ? filtered : { since, filtered };
}

/** Group/<group> with `_outputFormat=application/fhir+ndjson`: the shared export's request again, format named. */
export function outputFormatExport(ctx: CheckContext): Promise<IndexedExport | NoData> {
  return indexedExport(ctx, 'data-output-format', {
    endpoint: 'group',
    group: ctx.config.group,
    query: { _outputFormat: 'application/fhir+ndjson' },
  });
}
