/**
 * Status `GET [Content-Location]` (202 with X-Progress and Retry-After while running, then the
 * manifest), cancel `DELETE [Content-Location]` (202, then 404), and the files
 * `GET /files/{jobId}/{name}` (a token of the job's client whose scopes cover the file's type).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IgContext } from './context';
import { STATUS_PATH } from './routes-export';
import { requireToken, tokenCovers } from './guard';
import { FHIR_NDJSON, rootUrl, sendJson, sendOutcome } from './http';
import { jobPercent, type IgJob } from './jobs';

export const FILES_PATH = '/files';
/**
 * More status requests than this for one job within a second answer 429 with Retry-After (IG
 * bulkdata@127, @128): a client that waits as Retry-After says never meets it.
 */
export const POLLS_PER_SECOND = 10;
/** Files are kept a day after the manifest is first ready (the Expires header says so). */
const FILE_LIFETIME_MS = 24 * 3600 * 1000;

type JobParams = { Params: { id: string } };

/** True when the client may see the job: it started it (any client under ig-other-client-job-readable). */
function ownedBy(ctx: IgContext, job: IgJob, clientId: string): boolean {
  return job.clientId === clientId || ctx.faults.has('ig-other-client-job-readable');
}

/** The caller's job, or undefined after answering (401 without a token, 404 unknown or another client's). */
function ownJob(ctx: IgContext, request: FastifyRequest<JobParams>, reply: FastifyReply): IgJob | undefined {
  const token = requireToken(ctx, request, reply, 'ig-status-accepts-no-token');
  if (!token) return undefined;
  const job = ctx.jobs.get(request.params.id);
  if (job && ownedBy(ctx, job, token.clientId)) return job;
  // The fault labels the OperationOutcome plain JSON (IG bulkdata@137 wants application/fhir+json).
  const mediaType = ctx.faults.has('ig-status-error-json') ? 'application/json' : undefined;
  sendOutcome(reply, 404, 'not-found', `no export job ${request.params.id.slice(0, 80)}`, mediaType);
  return undefined;
}

function retryAfter(ctx: IgContext): string {
  const now = ctx.clock.nowMs();
  if (ctx.faults.has('ig-retry-after-epoch')) return String(Math.floor(now / 1000) + 1);
  return ctx.retryAfterForm === 'http-date' ? new Date(now + 2000).toUTCString() : '1';
}

function manifest(ctx: IgContext, job: IgJob, root: string): Record<string, unknown> {
  const base = ctx.faults.has('ig-manifest-relative-urls') ? '' : root;
  const item = (f: IgJob['files'][number]) => ({
    type: f.type,
    url: `${base}${FILES_PATH}/${job.id}/${f.name}`,
    count: f.count,
  });
  // Organised output (STU3): the manifest names the organising type, its output items no type.
  const outputItem = (f: IgJob['files'][number]) => {
    if (!job.organizedBy) return item(f);
    const { type: _type, ...rest } = item(f);
    return rest;
  };
  return {
    transactionTime: new Date(job.createdMs).toISOString(),
    request: job.requestUrl,
    requiresAccessToken: true,
    ...(job.organizedBy ? { outputOrganizedBy: job.organizedBy } : {}),
    output: job.files.filter((f) => f.kind === 'output').map(outputItem),
    deleted: job.files.filter((f) => f.kind === 'deleted').map(item),
    error: job.files.filter((f) => f.kind === 'error').map(item),
  };
}

export function registerStatusRoutes(app: FastifyInstance, ctx: IgContext): void {
  app.get<JobParams>(`${STATUS_PATH}/:id`, (request, reply) => {
    const job = ownJob(ctx, request, reply);
    if (!job) return reply;
    const now = ctx.clock.nowMs();
    const recent = (ctx.polls.get(job.id) ?? []).filter((at) => at > now - 1000);
    ctx.polls.set(job.id, [...recent, now]);
    if (recent.length >= POLLS_PER_SECOND && !ctx.faults.has('ig-poll-rate-limit-ignored')) {
      reply.header('retry-after', retryAfter(ctx));
      return sendOutcome(
        reply,
        429,
        'throttled',
        `more than ${POLLS_PER_SECOND} status requests a second: wait as Retry-After says`,
      );
    }
    // Fault ig-failed-job-in-progress: a failed job is reported as still running (jobPercent).
    if (job.failed && !ctx.faults.has('ig-failed-job-in-progress'))
      return sendOutcome(reply, 500, 'exception', 'the export job failed');
    const percent = jobPercent(ctx, job);
    if (percent < 100) {
      if (!ctx.faults.has('ig-status-no-retry-after')) reply.header('retry-after', retryAfter(ctx));
      return reply.code(202).header('x-progress', `In Progress, ${percent}%`).send();
    }
    reply.header('expires', new Date(job.createdMs + job.durationMs + FILE_LIFETIME_MS).toUTCString());
    return sendJson(reply, 200, manifest(ctx, job, rootUrl(request)));
  });

  app.delete<JobParams>(`${STATUS_PATH}/:id`, (request, reply) => {
    const job = ownJob(ctx, request, reply);
    if (!job) return reply;
    if (!ctx.faults.has('ig-cancel-ignored')) {
      ctx.jobs.delete(job.id);
      ctx.polls.delete(job.id);
    }
    return reply.code(202).send();
  });

  app.get<{ Params: { id: string; name: string } }>(`${FILES_PATH}/:id/:name`, (request, reply) => {
    const token = requireToken(ctx, request, reply, 'ig-download-no-token-required');
    if (!token) return reply;
    const job = ctx.jobs.get(request.params.id);
    const file =
      job && jobPercent(ctx, job) === 100 ? job.files.find((f) => f.name === request.params.name) : undefined;
    // Another client's file is as unknown as a missing one: its existence is not revealed.
    if (!job || !file || !ownedBy(ctx, job, token.clientId))
      return sendOutcome(reply, 404, 'not-found', 'no such file');
    const uncovered = (file.scopeTypes ?? (file.scopeType ? [file.scopeType] : [])).filter(
      (t) => !tokenCovers(token, t),
    );
    if (uncovered.length > 0 && !ctx.faults.has('ig-download-ignores-scope'))
      return sendOutcome(
        reply,
        403,
        'forbidden',
        `the access token's scopes do not cover ${uncovered.join(', ')}`,
      );
    const type = ctx.faults.has('ig-download-wrong-content-type') ? 'application/json' : FHIR_NDJSON;
    return reply.code(200).header('content-type', type).send(Buffer.from(file.ndjson, 'utf8'));
  });
}
