/** Reading the job list (GET /jobs): shared by the jobs checks and the status checks that cross-check it. */
import type { CheckContext } from '../context';
import type { Received, ReceivedItem, Schemas } from '../../http/bodies';
import type { HttpResponse } from '../../http/client';
import type { TargetClient } from '../../http/target';

export const JOBS_HEADERS = { accept: 'application/fhir+json', prefer: 'respond-async' };

/** The documented mapping of the nine job states to Task.status (seed 001). */
export const TASK_STATUS: Record<string, string> = {
  Completed: 'completed',
  Archived: 'completed',
  Expired: 'completed',
  Failed: 'failed',
  FailedExpired: 'failed',
  'In Progress': 'in-progress',
  Pending: 'in-progress',
  Cancelled: 'cancelled',
  CancelledExpired: 'cancelled',
};

/** A job-list answer and its Tasks as received: the spec's member names, values not yet checked. */
type BundleBody = Received<Schemas['TaskBundle']>;
type EntryBody = ReceivedItem<Schemas['TaskBundle']['entry']>;
type TaskBody = Received<Schemas['Task']>;
type IdentifierBody = ReceivedItem<Schemas['Task']['identifier']>;
type InputBody = ReceivedItem<Schemas['Task']['input']>;
type InputTypeBody = Received<Schemas['Task']['input'][number]['type']>;
type PeriodBody = Received<Schemas['Task']['executionPeriod']>;

export interface TaskView {
  /** The job id, from the Task's first identifier. */
  id?: string;
  status?: unknown;
  raw: TaskBody;
}

/** The job id at the end of a status URL. */
export const jobIdOf = (url: string | undefined) => (url ? /\/jobs\/([^/?#]+)$/.exec(url)?.[1] : undefined);

/** The Tasks of a job-list answer, or undefined when it is not a Bundle. */
export function tasksOf(res: HttpResponse): TaskView[] | undefined {
  return tasksOfBody(res.json());
}

/** The Tasks of a job-list body, or undefined when it is not a Bundle. */
export function tasksOfBody(json: unknown): TaskView[] | undefined {
  const body = json && typeof json === 'object' && !Array.isArray(json) ? (json as BundleBody) : undefined;
  if (!body || body.resourceType !== 'Bundle') return undefined;
  const entries = Array.isArray(body.entry) ? body.entry : [];
  return entries.map((e: unknown) => {
    const raw = ((e as EntryBody | null)?.resource ?? {}) as TaskBody;
    const ident = Array.isArray(raw.identifier)
      ? (raw.identifier[0] as IdentifierBody | undefined)
      : undefined;
    const view: TaskView = { status: raw.status, raw };
    if (typeof ident?.value === 'string') view.id = ident.value;
    return view;
  });
}

/** The job states a job-list request asked for with _status (undefined: all of them). */
export function statusFilterOf(url: string): string[] | undefined {
  try {
    const value = new URL(url).searchParams.get('_status');
    return value === null ? undefined : value.split(',');
  } catch {
    return undefined;
  }
}

/** The API version in a request path (`/api/v2/jobs` → v2). */
export const apiVersionOf = (url: string): string | undefined => /\/api\/(v\d+)\//.exec(url)?.[1];

/**
 * What breaks the job-list rules in one 200 answer's body: a searchset Bundle of Tasks, one entry
 * per job (no job id twice), total = entries.
 */
export function bundleProblems(body: unknown): string[] {
  const bundle = body && typeof body === 'object' && !Array.isArray(body) ? (body as BundleBody) : undefined;
  if (bundle?.resourceType !== 'Bundle')
    return [
      `resourceType is ${JSON.stringify(bundle?.resourceType ?? (Array.isArray(body) ? 'an array' : body))}, expected "Bundle"`,
    ];
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  const notTasks = entries.filter(
    (e: unknown) => ((e as EntryBody | null)?.resource as TaskBody | undefined)?.resourceType !== 'Task',
  ).length;
  return [
    bundle.type === 'searchset'
      ? undefined
      : `Bundle.type is ${JSON.stringify(bundle.type)}, expected "searchset"`,
    bundle.total === entries.length
      ? undefined
      : `total is ${JSON.stringify(bundle.total)} but there are ${entries.length} entries`,
    notTasks ? `${notTasks} entr${notTasks === 1 ? 'y is' : 'ies are'} not a Task` : undefined,
    repeatedJobs(body),
  ].filter((p): p is string => p !== undefined);
}

/** Seed 001: "each resource … represents a single past job request": a job id listed twice is one job shown as two. */
function repeatedJobs(body: unknown): string | undefined {
  const ids = (tasksOfBody(body) ?? []).flatMap((t) => (t.id === undefined ? [] : [t.id]));
  const repeated = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  if (!repeated.length) return undefined;
  const times = ids.filter((id) => id === repeated[0]).length;
  return `${repeated.length} job(s) have more than one entry (job ${repeated[0]} ${times} times)`;
}

const FINISHED_TASK = new Set(['completed', 'failed', 'cancelled']);

/**
 * What breaks the documented shape of one Task (seed 001 §Request job history): an official
 * identifier whose system is …/api/<the list's version>/jobs and whose value is the job id, intent
 * order, one input "BULK FHIR Export" with valueString "GET <request URL>", and an executionPeriod
 * with a start, and an end no earlier than the start once the job is finished.
 */
export function taskProblems(task: TaskView, listVersion: string | undefined): string[] {
  const r = task.raw;
  const ident = Array.isArray(r.identifier) ? (r.identifier[0] as IdentifierBody) : undefined;
  const input = Array.isArray(r.input) ? (r.input[0] as InputBody) : undefined;
  const period = r.executionPeriod as PeriodBody | undefined;
  const system = typeof ident?.system === 'string' ? ident.system : undefined;
  const problems: string[] = [];
  if (!ident || !system || typeof ident.value !== 'string' || !/^\d+$/.test(ident.value))
    problems.push('identifier is not {system: …/api/vN/jobs, value: <job id>}');
  else {
    if (ident.use !== 'official')
      problems.push(`identifier.use is ${JSON.stringify(ident.use)}, expected "official"`);
    const versioned = listVersion
      ? system.endsWith(`/api/${listVersion}/jobs`)
      : /\/api\/v\d+\/jobs$/.test(system);
    if (!versioned)
      problems.push(`identifier.system ${system} does not end with /api/${listVersion ?? 'vN'}/jobs`);
  }
  if (r.intent !== 'order') problems.push(`intent ${JSON.stringify(r.intent)}, expected "order"`);
  const text = (input?.type as InputTypeBody | undefined)?.text;
  if (
    text !== 'BULK FHIR Export' ||
    typeof input?.valueString !== 'string' ||
    !/^GET \S+$/.test(input.valueString)
  )
    problems.push('input is not {type.text "BULK FHIR Export", valueString "GET <request URL>"}');
  // The request URL, as the documented example has it (GET https://…): a bare path names no server.
  else if (!/^GET https?:\/\/[^/\s]+/.test(input.valueString))
    problems.push(
      `input valueString ${JSON.stringify(input.valueString)} is not GET followed by an absolute URL`,
    );
  const start = typeof period?.start === 'string' ? period.start : undefined;
  const end = typeof period?.end === 'string' ? period.end : undefined;
  if (!start) problems.push('no executionPeriod.start');
  if (FINISHED_TASK.has(String(r.status)) && !end)
    problems.push(`no executionPeriod.end for a ${String(r.status)} job`);
  if (start && end && Date.parse(end) < Date.parse(start))
    problems.push(`executionPeriod.end ${end} is before its start ${start}`);
  return problems;
}

export async function listJobs(
  ctx: CheckContext,
  status?: string,
  label = 'list jobs',
  client: TargetClient = ctx.target,
): Promise<HttpResponse> {
  const res = await client.call(ctx.op('listJobs'), {
    label,
    headers: JOBS_HEADERS,
    ...(status ? { query: { _status: status } } : {}),
  });
  // A long history outgrows the exchange record; the every-answer checks read the whole list.
  ctx.keepWhole(res);
  return res;
}
