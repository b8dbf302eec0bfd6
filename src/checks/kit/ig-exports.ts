/**
 * The exports the checks of the IG's optional features compare, each followed to the end once per
 * run and summarised line by line (kit/ig-resources.ts): a base export with no parameter at the
 * first level the server declares, and exports with one feature's parameters at that same level.
 * A feature the server refuses at kick-off (4XX) is a feature it does not support: the checks the
 * IG lets refuse it skip with that answer as the reason.
 */
import type { CheckContext, ExportLevel, ExportRun, KickoffSpec } from '../context';
import { manifestItems } from '../../flows/manifest';
import { firstDeclaredLevel } from './ig-capability';
import { summarize, type ResourceSummary } from './ig-resources';

/** Why there is nothing to judge, with what shows it. */
export interface IgSkip {
  skip: string;
  evidence: string[];
  /** The export as far as it got. */
  run?: ExportRun;
}

export const isSkip = (value: object): value is IgSkip => 'skip' in value;

/** Most resources summarised per export: past it the export counts as not read whole. */
const MAX_SUMMARIES = 50_000;
/** Most error-file lines kept per export (OperationOutcomes), each cut to MAX_ERROR_LINE. */
const MAX_ERROR_LINES = 200;
const MAX_ERROR_LINE = 4_000;

/** An export and the summaries of its resources. */
export interface IgExport {
  /** The request in words (`POST Patient/$export (patient)`). */
  label: string;
  level: ExportLevel;
  run: ExportRun & { manifest: NonNullable<ExportRun['manifest']> };
  resources: Map<string, ResourceSummary>;
  /** The lines of its error files (OperationOutcomes), cut short. */
  errorLines: string[];
  /** Why it may lack resources it holds (files not fetched, lines unreadable). */
  incomplete?: string;
  evidence: string[];
}

export function evidenceOf(run: ExportRun): string[] {
  const downloads = run.downloads.flatMap((d) => (d.exchangeId ? [d.exchangeId] : []));
  return [run.kickoff?.exchange.id, run.final?.exchange.id, ...downloads.slice(0, 6)].filter(
    (id): id is string => typeof id === 'string',
  );
}

/** The request path of a level (`Group/<id>/$export`). */
export function levelPath(ctx: CheckContext, level: ExportLevel): string {
  if (level === 'system') return '$export';
  if (level === 'patient') return 'Patient/$export';
  return `Group/${ctx.group()}/$export`;
}

/** A kick-off spec at `level` (the run's group for Group). */
export function atLevel(ctx: CheckContext, level: ExportLevel): Pick<KickoffSpec, 'endpoint' | 'group'> {
  return level === 'group' ? { endpoint: 'group', group: ctx.group() } : { endpoint: level };
}

/** The kick-off answer, in words: status and the OperationOutcome's first diagnostics. */
export function answerWords(run: ExportRun): string {
  const res = run.kickoff;
  if (!res) return run.problem ?? 'no answer';
  const body = res.json<{ resourceType?: unknown; issue?: Array<{ diagnostics?: unknown }> }>();
  const said = body?.resourceType === 'OperationOutcome' ? body.issue?.[0]?.diagnostics : undefined;
  return `${res.status}${typeof said === 'string' ? ` ("${said.slice(0, 160)}")` : ''}`;
}

/**
 * An export followed to the end once per run under `name` (prefixed `ig-`), summarised. A kick-off
 * refused with 4XX is `refusedAs` (the feature's name) not supported: a skip saying so.
 */
export function igExport(
  ctx: CheckContext,
  name: string,
  spec: Omit<KickoffSpec, 'label'>,
  label: string,
  refusedAs?: string,
): Promise<IgExport | IgSkip> {
  return ctx.once(`ig-export:${name}`, async () => {
    const resources = new Map<string, ResourceSummary>();
    const errorLines: string[] = [];
    let unreadable = 0;
    let overflow = false;
    const run = await ctx.filteredExport(`ig-${name}`, spec, (line, item) => {
      if (item.type === 'OperationOutcome') {
        if (errorLines.length < MAX_ERROR_LINES) errorLines.push(line.slice(0, MAX_ERROR_LINE));
        return;
      }
      if (resources.size >= MAX_SUMMARIES) {
        overflow = true;
        return;
      }
      const summary = summarize(line);
      if (summary) resources.set(summary.key, summary);
      else unreadable += 1;
    });
    const evidence = evidenceOf(run);
    const status = run.kickoff?.status;
    if (refusedAs && status !== undefined && status >= 400 && status < 500)
      return {
        skip: `the server refused ${label} with ${answerWords(run)}: it does not support ${refusedAs}, which the IG lets it refuse`,
        evidence,
        run,
      };
    if (!run.manifest)
      return { skip: `${label} did not complete: ${run.problem ?? 'no manifest'}`, evidence, run };
    const incomplete =
      incompleteness(run) ??
      (overflow ? `it holds more than ${MAX_SUMMARIES} resources, past what is kept` : undefined) ??
      (unreadable ? `${unreadable} of its lines are not a resource with a type and an id` : undefined);
    return {
      label,
      level: spec.endpoint,
      run: run as IgExport['run'],
      resources,
      errorLines,
      ...(incomplete ? { incomplete } : {}),
      evidence,
    };
  });
}

/** Why a completed export's data files may not all have been read, or undefined. */
function incompleteness(run: ExportRun): string | undefined {
  const listed = manifestItems(run.manifest?.output).length;
  const outputs = run.downloads.filter((d) => d.kind === 'output');
  const failed = outputs.filter((d) => d.status !== 200 || d.error);
  if (outputs.length < listed) return `only ${outputs.length} of its ${listed} data files were downloaded`;
  if (failed.length)
    return `${failed.length} of its data files could not be read (${failed[0]!.error ?? `status ${failed[0]!.status}`})`;
  return undefined;
}

/**
 * The base export: the first level the server declares (Patient, Group, system), by GET with no
 * parameter; the features' exports are made at its level so the two compare.
 */
export async function baseExport(ctx: CheckContext): Promise<IgExport | IgSkip> {
  const { level } = await firstDeclaredLevel(ctx);
  return igExport(ctx, 'base', atLevel(ctx, level), `GET ${levelPath(ctx, level)}`);
}

/** Resources of a type, in an export. */
export const ofType = (e: IgExport, type: string): ResourceSummary[] =>
  [...e.resources.values()].filter((r) => r.type === type);
