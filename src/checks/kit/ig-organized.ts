/**
 * An export organised by patient (Bulk Data IG STU3, `organizeOutputBy=Patient`) and the judgement
 * of what it returns: files made of blocks, each a Parameters header whose `header` parameter
 * references one Patient, then that Patient and the resources that reference it; each patient's
 * resources in one block (continued in another file only at that file's start, where the manifest
 * links the two with `continuesInFile`); a manifest naming `outputOrganizedBy` with untyped output
 * items. The export is followed outside the run's export log: its manifest and files depart from
 * the IG v2 rules on purpose (output items without type, files of several types), and the v2
 * manifest and file checks, which judge every logged export, must not hold it to them.
 */
import { NotApplicable, type CheckContext } from '../context';
import { downloadOne } from '../../flows/download';
import { isAbsoluteHttpUrl } from '../../flows/manifest';
import { igCapability, parameterSupport, type LevelDeclaration } from './ig-capability';
import { atLevel, levelPath, type IgSkip } from './ig-exports';
import { referenceKey, summarize } from './ig-resources';

type Json = Record<string, unknown>;

const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const ORGANIZE_PARAMETER = 'organizeOutputBy';
/** Most output files of the organised export read. */
const MAX_FILES = 50;
/** Most lines kept, over all files: past it the export counts as not read whole. */
const MAX_LINES = 100_000;

/** One line of an organised file, as much as the judgement needs. */
export type OrganizedLine =
  | { kind: 'header'; line: number; patient?: string; reference?: string }
  | { kind: 'resource'; line: number; key: string; type: string; patients: string[] }
  | { kind: 'unreadable'; line: number };

export interface OrganizedFile {
  url: string;
  continuesInFile?: string;
  lines: OrganizedLine[];
}

export interface OrganizedExport {
  label: string;
  manifest: Json;
  files: OrganizedFile[];
  evidence: string[];
  /** Why some of its lines may be missing (a file not fetched, too many lines). */
  incomplete?: string;
}

/** A block header: a Parameters resource with a `header` parameter (its reference, when one). */
function headerOf(resource: Json): { reference?: string } | undefined {
  if (resource['resourceType'] !== 'Parameters') return undefined;
  const header = asArray(resource['parameter'])
    .map(asObject)
    .find((p) => p?.['name'] === 'header');
  if (!header) return undefined;
  const reference = asObject(header['valueReference'])?.['reference'];
  return typeof reference === 'string' ? { reference } : {};
}

/** Reads one NDJSON line of an organised file. */
export function organizedLine(text: string, line: number): OrganizedLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', line };
  }
  const object = asObject(parsed);
  const header = object ? headerOf(object) : undefined;
  if (header) {
    const key = header.reference !== undefined ? referenceKey(header.reference) : undefined;
    return {
      kind: 'header',
      line,
      ...(header.reference !== undefined ? { reference: header.reference } : {}),
      ...(key?.startsWith('Patient/') ? { patient: key.slice('Patient/'.length) } : {}),
    };
  }
  const summary = summarize(text);
  if (!summary) return { kind: 'unreadable', line };
  return { kind: 'resource', line, key: summary.key, type: summary.type, patients: summary.patients };
}

/** The first export level whose declaration names organizeOutputBy, or NotApplicable. */
export async function organizeLevel(ctx: CheckContext): Promise<LevelDeclaration> {
  const capability = await igCapability(ctx);
  if (capability.problem)
    throw new NotApplicable(`what the server supports is unknown: ${capability.problem}`);
  for (const level of ['patient', 'group', 'system'] as const) {
    const declared = capability.levels.get(level);
    if (declared && parameterSupport(declared, ORGANIZE_PARAMETER) === 'declared') return declared;
  }
  throw new NotApplicable(
    'the server declares organizeOutputBy at no export level (no OperationDefinition of its own, nor a searchParam, names it); it is an STU3 parameter the IG v2 OperationDefinitions do not define',
  );
}

/** `GET [level]/$export?organizeOutputBy=Patient`, followed to the end and its files read, once per run. */
export function organizedExport(ctx: CheckContext): Promise<OrganizedExport | IgSkip> {
  return ctx.once('ig:organized-export', async () => {
    const { level } = await organizeLevel(ctx);
    const label = `GET ${levelPath(ctx, level)}?organizeOutputBy=Patient`;
    const kicked = await ctx.kickoff({
      ...atLevel(ctx, level),
      query: { [ORGANIZE_PARAMETER]: 'Patient' },
      label: 'kick-off of an export organised by patient',
    });
    const evidence = [kicked.res.exchange.id];
    if (!kicked.jobUrl)
      return {
        skip: `the server answered ${label} with ${kicked.res.status}${kicked.res.status === 202 ? ' without Content-Location' : ''}: it may organise by other types only, which the IG lets it refuse`,
        evidence,
      };
    const polled = await ctx.poll(kicked.jobUrl, 'poll the export organised by patient');
    if (polled.final) evidence.push(polled.final.exchange.id);
    const manifest = polled.final?.status === 200 ? asObject(polled.final.json()) : undefined;
    if (!manifest)
      return {
        skip: `${label} did not complete with a manifest: ${polled.stopped ?? `the job answered ${polled.final?.status}`}`,
        evidence,
      };
    const items = asArray(manifest['output']).map(asObject);
    const files: OrganizedFile[] = [];
    const skipped: string[] = [];
    let kept = 0;
    for (const item of items.slice(0, MAX_FILES)) {
      const url = item?.['url'];
      if (!isAbsoluteHttpUrl(url)) {
        skipped.push(`an output item's url ${JSON.stringify(url)} is not an absolute URL`);
        continue;
      }
      const next = item!['continuesInFile'];
      const file: OrganizedFile = {
        url,
        ...(typeof next === 'string' ? { continuesInFile: next } : {}),
        lines: [],
      };
      const record = await downloadOne(
        {
          target: ctx.target,
          sendToken: manifest['requiresAccessToken'] === true,
          acceptGzip: true,
          apiVersion: ctx.version,
          sandbox: ctx.sandbox,
          validateLines: 0,
          deadline: ctx.deadline,
          inspectLine: (text) => {
            if (kept >= MAX_LINES) return;
            kept += 1;
            file.lines.push(organizedLine(text, file.lines.length + 1));
          },
        },
        { type: 'organised by Patient', url },
        'output',
      );
      if (record.exchangeId && evidence.length < 8) evidence.push(record.exchangeId);
      if (record.status !== 200 || record.error)
        skipped.push(`${url} could not be read (${record.error ?? `status ${record.status}`})`);
      files.push(file);
    }
    if (items.length > MAX_FILES)
      skipped.push(`only the first ${MAX_FILES} of ${items.length} files were read`);
    if (kept >= MAX_LINES) skipped.push(`only the first ${MAX_LINES} lines were kept`);
    return {
      label,
      manifest,
      files,
      evidence,
      ...(skipped.length ? { incomplete: skipped.join('; ') } : {}),
    };
  });
}

/** What the judgement found. */
export interface OrganizedVerdict {
  problems: string[];
  /** Blocks read. */
  blocks: number;
  /** Patients with a resource besides their Patient in their own block: what shows blocks apart. */
  withData: Set<string>;
}

/** The last segment of a file URL, for messages. */
const fileName = (url: string): string => url.split('?')[0]!.split('/').pop() || url;

/** Judges an organised export's manifest and files (in manifest order) by the STU3 rules. */
export function judgeOrganized(manifest: Json, files: readonly OrganizedFile[]): OrganizedVerdict {
  const problems: string[] = [];
  const withData = new Set<string>();
  const organizedBy = manifest['outputOrganizedBy'];
  if (organizedBy !== 'Patient')
    problems.push(
      `the manifest's outputOrganizedBy is ${organizedBy === undefined ? 'absent' : JSON.stringify(organizedBy)}, not "Patient"`,
    );
  const items = asArray(manifest['output']).map(asObject);
  const typed = items.filter((i) => i?.['type'] !== undefined);
  if (typed.length)
    problems.push(
      `${typed.length} of ${items.length} output items carry a type, which a manifest organised by a resource type leaves out`,
    );
  // The patient of each file's last block, for a block continued in the file continuesInFile names.
  const lastPatient = new Map<string, string | undefined>();
  for (const f of files) {
    const headers = f.lines.filter((l) => l.kind === 'header');
    lastPatient.set(f.url, headers.at(-1)?.patient);
  }
  const byUrl = new Map(files.map((f) => [f.url, f]));
  const closed = new Map<string, string>();
  let blocks = 0;
  for (const f of files) {
    const name = fileName(f.url);
    let current: { patient: string; at: string; first: boolean } | undefined;
    const close = (): void => {
      if (current && !closed.has(current.patient)) closed.set(current.patient, current.at);
    };
    const first = f.lines[0];
    if (first && first.kind !== 'header')
      problems.push(
        `${name} starts with ${first.kind === 'resource' ? first.key : 'an unreadable line'}, not a block header (a Parameters resource with a header parameter)`,
      );
    const unreadable = f.lines.filter((l) => l.kind === 'unreadable').length;
    if (unreadable) problems.push(`${name}: ${unreadable} line(s) are neither a header nor a resource`);
    for (const l of f.lines) {
      const at = `${name} line ${l.line}`;
      if (l.kind === 'header') {
        close();
        current = undefined;
        if (l.patient === undefined) {
          problems.push(`${at}: a header that references no Patient (${l.reference ?? 'no reference'})`);
          continue;
        }
        blocks += 1;
        const earlier = closed.get(l.patient);
        const continued =
          l.line === 1 &&
          files.some((g) => g.continuesInFile === f.url && lastPatient.get(g.url) === l.patient);
        if (earlier !== undefined && !continued)
          problems.push(`Patient/${l.patient} has two blocks (${earlier} and ${at})`);
        current = { patient: l.patient, at, first: true };
        continue;
      }
      if (l.kind !== 'resource' || !current) continue;
      const own = `Patient/${current.patient}`;
      if (l.type === 'Patient') {
        if (l.key !== own) problems.push(`${at}: ${l.key} in the block of ${own}`);
        else if (!current.first) problems.push(`${at}: ${own} is not the first resource of its block`);
      } else if (l.patients.length && !l.patients.includes(current.patient))
        problems.push(
          `${at}: ${l.key} in the block of ${own} references ${l.patients.map((p) => `Patient/${p}`).join(', ')} only`,
        );
      else if (l.patients.includes(current.patient)) withData.add(current.patient);
      current.first = false;
    }
    close();
    if (f.continuesInFile !== undefined) {
      const next = byUrl.get(f.continuesInFile);
      const opening = next?.lines[0];
      const expected = lastPatient.get(f.url);
      if (!next)
        problems.push(`${name}'s continuesInFile ${f.continuesInFile} is not an output file of the manifest`);
      else if (opening?.kind !== 'header' || opening.patient !== expected)
        problems.push(
          `${name} continues in ${fileName(next.url)}, which does not start with the header of Patient/${expected ?? '?'}`,
        );
    }
  }
  return { problems, blocks, withData };
}
