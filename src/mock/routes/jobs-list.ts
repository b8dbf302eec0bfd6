/**
 * `GET /api/vN/jobs`: the caller's jobs as a Bundle of Tasks (behavior §2.5, seed 001 "Request job
 * history"). Task.status follows seed 001's mapping (Pending → in-progress); quirks use `accepted`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiVersion } from '../../checks/types';
import type { MockContext } from '../context';
import { goSlice, isoSeconds } from '../formats';
import { checkAcoAccess, requireAco } from '../guard';
import { JOB_STATUSES, isJobStatus, jobState, type JobStatus } from '../jobs';
import { operationOutcome, sendBody, sendOutcome } from '../outcome';
import { QueryParams, checkExportHeaders, checkUrlParams } from '../params';
import { baseUrl } from '../urls';

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
    for (const s of statusText.split(',')) {
      if (lenient && (!isJobStatus(s) || wanted.includes(s))) continue;
      if (!isJobStatus(s)) {
        return sendOutcome(
          reply,
          400,
          version,
          'structure',
          `invalid status type ${s}. Supported types ${STATUS_MAP_TEXT}`,
        );
      }
      if (wanted.includes(s))
        return sendOutcome(reply, 400, version, 'structure', `Repeated status type ${s}`);
      wanted.push(s);
    }
  }
  const ignoreFilter = ctx.faults.has('jobs-ignores-status-filter');
  const base = baseUrl(request);
  const entries = ctx.jobs
    .all()
    .filter((job) => job.cmsId === aco.cmsId || ctx.faults.has('jobs-other-aco'))
    .map((job) => ({ job, state: jobState(job, nowMs) }))
    .filter(({ state }) => ignoreFilter || wanted.includes(state.status))
    .map(({ job, state }) => {
      let status = taskStatus(state.status, ctx.quirks);
      if (ctx.faults.has('jobs-wrong-task-status')) {
        status =
          status === 'completed'
            ? 'in-progress'
            : status === 'in-progress' || status === 'accepted'
              ? 'ready'
              : status;
      }
      if (ctx.faults.has('jobs-bad-task-shape'))
        return { resource: { resourceType: 'Task', status, intent: 'order' } };
      return {
        resource: {
          resourceType: 'Task',
          identifier: [{ use: 'official', system: `${base}/api/${version}/jobs`, value: String(job.id) }],
          status,
          intent: 'order',
          input: [{ type: { text: 'BULK FHIR Export' }, valueString: `GET ${job.requestUrl}` }],
          executionPeriod: {
            start: isoSeconds(new Date(job.createdAtMs)),
            end: isoSeconds(new Date(state.updatedAtMs)),
          },
        },
      };
    });

  const bundle: Record<string, unknown> = {
    resourceType: 'Bundle',
    type: 'searchset',
    total: entries.length,
  };
  if (entries.length === 0 && !ctx.faults.has('jobs-empty-200')) {
    const text = `no Jobs found for acoID ${aco.uuid} with job statuses ${goSlice(wanted)}`;
    if (!ctx.quirks) return sendOutcome(reply, 404, version, 'not-found', text);
    // Quirk: the real handler does not return and appends the empty Bundle to the 404 body.
    return sendBody(
      reply,
      404,
      'application/fhir+json',
      operationOutcome(version, 'not-found', text) + JSON.stringify(bundle),
    );
  }
  if (entries.length > 0) bundle.entry = entries;
  if (ctx.faults.has('jobs-not-bundle')) {
    return sendBody(reply, 200, 'application/json', JSON.stringify(entries.map((e) => e.resource)));
  }
  return sendBody(reply, 200, 'application/json', JSON.stringify(bundle));
}
