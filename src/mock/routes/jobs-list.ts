/**
 * `GET /api/vN/jobs`: the caller's jobs as a Bundle of Tasks (behavior §2.5, seed 001 "Request job
 * history"). Task.status follows seed 001's mapping (Pending → in-progress); quirks use `accepted`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiVersion } from '../../core/vocabulary';
import type { MockContext } from '../context';
import { goSlice, goTimeString, httpDate, isoSeconds } from '../formats';
import { checkAcoAccess, requireAco } from '../guard';
import {
  DAY_MS,
  JOB_STATUSES,
  isJobStatus,
  jobState,
  lifecycleOver,
  type Job,
  type JobState,
  type JobStatus,
} from '../jobs';
import { textStream } from '../ndjson-stream';
import { operationOutcome, sendBody, sendOutcome } from '../outcome';
import { QueryParams, checkExportHeaders, checkUrlParams } from '../params';
import { jobFiles } from '../manifest';
import { baseUrl } from '../urls';
import {
  applySeed001TaskFaults,
  archivedMeansFilesGone,
  emptyFilterListsAll,
  matchesRawStatusText,
  seed001TaskStatus,
} from '../jobs-list-seed001-faults';

export function registerJobsListRoute(app: FastifyInstance, ctx: MockContext, version: ApiVersion): void {
  app.get(`/api/${version}/jobs`, (request, reply) => listJobs(ctx, version, request, reply));
}

/** Task.status for a job state (seed 001 mapping; the real server says `accepted` for Pending). */
export function taskStatus(status: JobStatus, quirks: boolean): string {
  switch (status) {
    case 'Pending':
      return quirks ? 'accepted' : 'in-progress';
    case 'In Progress':
      return 'in-progress';
    case 'Completed':
    case 'Archived':
    case 'Expired':
      return 'completed';
    case 'Failed':
    case 'FailedExpired':
      return 'failed';
    case 'Cancelled':
    case 'CancelledExpired':
      return 'cancelled';
  }
}

/** The map BCDA prints in the unknown-status message (Go sorts map keys). */
const STATUS_MAP_TEXT = `map[${[...JOB_STATUSES]
  .sort()
  .map((s) => `${s}:{}`)
  .join(' ')}]`;

async function listJobs(
  ctx: MockContext,
  version: ApiVersion,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const aco = await requireAco(ctx, request, reply);
  if (!aco || !checkAcoAccess(aco, version, reply)) return reply;
  const nowMs = ctx.clock.nowMs();
  const query = new QueryParams(request.url);
  const params = checkUrlParams(query, { version, nowMs });
  if ('error' in params) return sendOutcome(reply, 400, version, 'structure', params.error);
  const headerError = checkExportHeaders(request.headers);
  if (headerError) return sendOutcome(reply, 400, version, 'structure', headerError.error);

  let wanted: JobStatus[] = [...JOB_STATUSES];
  const statusText = query.first('_status');
  if (statusText !== undefined) {
    wanted = [];
    const lenient = ctx.faults.has('jobs-accepts-bad-status');
    const adjacentOnly = ctx.faults.has('jobs-status-repeat-adjacent-only');
    for (const s of statusText.split(',')) {
      if (lenient && (!isJobStatus(s) || wanted.includes(s))) continue;
      if (!isJobStatus(s) && ctx.faults.has('jobs-unknown-status-not-found')) {
        // The unknown word is kept as a filter no job matches.
        wanted.push(s as JobStatus);
        continue;
      }
      // Fault jobs-filter-knows-seven-states: the two compound expiry states are not recognised.
      const unknown = ctx.faults.has('jobs-filter-knows-seven-states') && /.Expired$/.test(s);
      if (!isJobStatus(s) || unknown) {
        return sendOutcome(
          reply,
          400,
          version,
          'structure',
          `invalid status type ${s}. Supported types ${STATUS_MAP_TEXT}`,
        );
      }
      if (adjacentOnly ? wanted.at(-1) === s : wanted.includes(s))
        return sendOutcome(reply, 400, version, 'structure', `Repeated status type ${s}`);
      // Fault jobs-status-repeat-adjacent-only: a repeat apart from its first is taken once more.
      if (wanted.includes(s)) continue;
      wanted.push(s);
    }
  }
  const ignoreFilter = ctx.faults.has('jobs-ignores-status-filter');
  // Fault: the filter compares Task.status, so Completed, Archived and Expired are one state.
  const byTask = ctx.faults.has('jobs-status-filter-by-task-status');
  const wantedTasks = new Set(wanted.map((s) => taskStatus(s, ctx.quirks)));
  const base = baseUrl(request);
  // Only the states and references are collected here; the Tasks are written as the socket drains.
  const matches: Array<{ job: Job; state: JobState }> = [];
  const own = [...ctx.jobs.ofAco(aco.cmsId)];
  // Fault jobs-filtered-list-all-acos: the filtered query leaves out the organization's clause.
  const candidates =
    ctx.faults.has('jobs-other-aco') ||
    (statusText !== undefined && ctx.faults.has('jobs-filtered-list-all-acos'))
      ? ctx.jobs.all()
      : ctx.faults.has('jobs-list-omits-newest')
        ? own.filter((j) => j.id !== Math.max(...own.map((o) => o.id)))
        : own;
  let listable = 0;
  for (const job of candidates) {
    if (lifecycleOver(job, nowMs)) continue; // leaving memory at the next sweep
    listable += 1;
    const state = jobState(job, nowMs);
    if (statusText === undefined && hiddenUnfiltered(ctx, state.status)) continue;
    const hit =
      ((statusText !== undefined ? matchesRawStatusText(ctx.faults, statusText, state.status) : undefined) ??
        (byTask ? wantedTasks.has(taskStatus(state.status, ctx.quirks)) : wanted.includes(state.status))) ||
      archivedMeansFilesGone(ctx.faults, wanted, state.status);
    if (ignoreFilter || hit) matches.push({ job, state });
  }
  if (emptyFilterListsAll(ctx.faults, statusText !== undefined, matches.length))
    for (const job of candidates)
      if (!lifecycleOver(job, nowMs)) matches.push({ job, state: jobState(job, nowMs) });
  // Fault jobs-entry-per-file: a completed job comes once per output file, as a join on its files.
  if (ctx.faults.has('jobs-entry-per-file'))
    matches.splice(0, matches.length, ...matches.flatMap((m) => Array<typeof m>(entriesOf(ctx, m)).fill(m)));
  const badShape = ctx.faults.has('jobs-bad-task-shape');
  const wrongStatus = ctx.faults.has('jobs-wrong-task-status');
  const goDates = ctx.faults.has('jobs-task-invalid-dates');
  const when = (ms: number) => (goDates ? goTimeString(new Date(ms)) : isoSeconds(new Date(ms)));
  const requestOf = (job: Job) =>
    ctx.faults.has('jobs-task-wrong-request')
      ? requestOfJob(ctx, job).split('?')[0]!
      : requestOfJob(ctx, job);
  // The faults jobs-task-times-local-as-utc and jobs-task-end-is-expiry misplace the two instants.
  const shift = ctx.faults.has('jobs-task-times-local-as-utc') ? -EASTERN_OFFSET_MS : 0;
  const startOf = (job: Job): number => job.createdAtMs + shift;
  const endOf = (state: JobState): number =>
    (ctx.faults.has('jobs-task-end-is-expiry') && state.status === 'Completed'
      ? state.updatedAtMs + DAY_MS
      : state.updatedAtMs) + shift;
  const task = ({ job, state }: { job: Job; state: JobState }): Record<string, unknown> => {
    let status = seed001TaskStatus(ctx.faults, state.status, taskStatus(state.status, ctx.quirks));
    // Fault jobs-expired-states-completed: every state ending in Expired reads as an expired export.
    if (ctx.faults.has('jobs-expired-states-completed') && state.status.endsWith('Expired'))
      status = 'completed';
    if (wrongStatus) {
      status =
        status === 'completed'
          ? 'in-progress'
          : status === 'in-progress' || status === 'accepted'
            ? 'ready'
            : status;
    }
    if (badShape) return { resourceType: 'Task', status, intent: 'order' };
    if (ctx.faults.has('jobs-cancelled-entry-outcome') && status === 'cancelled')
      return cancelledOutcome(job);
    return {
      resourceType: 'Task',
      identifier: [
        {
          use: 'official',
          // Fault jobs-task-identifier-v1-system: the system names v1's job path on every version.
          system: `${base}/api/${ctx.faults.has('jobs-task-identifier-v1-system') ? 'v1' : version}/jobs`,
          value: String(job.id),
        },
      ],
      status,
      intent: 'order',
      input: [{ type: { text: 'BULK FHIR Export' }, valueString: `GET ${requestOf(job)}` }],
      executionPeriod: { start: when(startOf(job)), end: when(endOf(state)) },
    };
  };

  // A filtered list that counts every job of the organization in total (fault `jobs-filtered-total-wrong`).
  const total =
    statusText !== undefined && ctx.faults.has('jobs-filtered-total-wrong') ? listable : matches.length;
  const totalText = ctx.faults.has('contract-jobs-total-string') ? `"${total}"` : String(total);
  const head = `{"resourceType":"Bundle","type":"searchset","total":${totalText}`;
  if (matches.length === 0 && !ctx.faults.has('jobs-empty-200')) {
    const text = `no Jobs found for acoID ${aco.uuid} with job statuses ${goSlice(wanted)}`;
    if (!ctx.quirks) return sendOutcome(reply, 404, version, 'not-found', text);
    // Quirk: the real handler does not return and appends the empty Bundle to the 404 body.
    return sendBody(
      reply,
      404,
      'application/fhir+json',
      `${operationOutcome(version, 'not-found', text, { emptyDetails: true })}${head}}`,
    );
  }
  // Lazily: each Task is built when its turn to be written comes.
  const tasks = (function* (): Generator<Record<string, unknown>> {
    let index = 0;
    for (const m of matches) {
      const written = task(m);
      applySeed001TaskFaults(ctx.faults, written, index++);
      yield written;
    }
  })();
  const body = ctx.faults.has('jobs-not-bundle') ? jsonArray(tasks) : bundleText(head, tasks);
  // Dated by the clock the Tasks' times are counted on, as a server's own Date is (even a moved mock clock).
  reply.header('date', httpDate(new Date(nowMs)));
  return reply.code(200).header('content-type', 'application/json').send(textStream(body));
}

/** US Eastern standard time's offset from UTC (fault jobs-task-times-local-as-utc). */
const EASTERN_OFFSET_MS = 5 * 3_600_000;

/**
 * The states an unfiltered list leaves out: finished ones under the fault jobs-list-hides-finished,
 * running ones under jobs-list-history-only (a list read as the organization's past jobs).
 */
function hiddenUnfiltered(ctx: MockContext, status: JobStatus): boolean {
  return (
    (ctx.faults.has('jobs-list-hides-finished') &&
      ['Failed', 'FailedExpired', 'Cancelled', 'CancelledExpired', 'Expired'].includes(status)) ||
    (ctx.faults.has('jobs-list-history-only') && (status === 'Pending' || status === 'In Progress'))
  );
}

/** Fault jobs-cancelled-entry-outcome: a cancelled job listed as the error its status URL would give. */
function cancelledOutcome(job: Job): Record<string, unknown> {
  return {
    resourceType: 'OperationOutcome',
    id: String(job.id),
    issue: [{ severity: 'error', code: 'processing', diagnostics: `job ${job.id} was cancelled` }],
  };
}

/** How many entries a job gets under the fault jobs-entry-per-file: one per output file once completed. */
function entriesOf(ctx: MockContext, m: { job: Job; state: JobState }): number {
  if (m.state.status !== 'Completed') return 1;
  return Math.max(1, jobFiles(ctx, m.job).filter((f) => f.kind === 'output').length);
}

/**
 * The kick-off URL a Task names: its job's own, or under the fault jobs-task-request-shifted the
 * one of the organization's job before it (the first job keeps its own).
 */
function requestOfJob(ctx: MockContext, job: Job): string {
  if (!ctx.faults.has('jobs-task-request-shifted')) return job.requestUrl;
  let previous: Job | undefined;
  for (const j of ctx.jobs.ofAco(job.cmsId))
    if (j.id < job.id && (!previous || j.id > previous.id)) previous = j;
  return (previous ?? job).requestUrl;
}

/** The Bundle as JSON.stringify writes it (`entry` left out when empty), one entry at a time. */
function* bundleText(head: string, resources: Iterable<unknown>): Generator<string> {
  yield head;
  let first = true;
  for (const resource of resources) {
    yield `${first ? ',"entry":[' : ','}${JSON.stringify({ resource })}`;
    first = false;
  }
  yield first ? '}' : ']}';
}

function* jsonArray(items: Iterable<unknown>): Generator<string> {
  let first = true;
  for (const item of items) {
    yield `${first ? '[' : ','}${JSON.stringify(item)}`;
    first = false;
  }
  yield first ? '[]' : ']';
}
