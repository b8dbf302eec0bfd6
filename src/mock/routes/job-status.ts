/**
 * `GET /api/vN/jobs/{id}` (status) and `DELETE /api/vN/jobs/{id}` (cancel), per job state
 * (behavior §2.3, §2.4). The seed docs are the contract; `quirks` adds the real server's
 * doubled body for archived jobs, Go-format `Expires` and X-Progress "In Progress (NN%)", and
 * ignores a poll rate limit set through control (BCDA has none).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiVersion } from '../../core/vocabulary';
import type { MockContext } from '../context';
import { goTimeString, httpDate } from '../formats';
import { matchJob, requireAco, type GoneJob, type MatchedJob } from '../guard';
import { DAY_MS, isActive, jobState, type Job } from '../jobs';
import { buildManifest, jobFiles } from '../manifest';
import { operationOutcome, sendBody, sendOutcome, type OutcomeFlaws } from '../outcome';
import { baseUrl } from '../urls';

/** Seconds a running job asks the client to wait before the next poll. */
const POLL_AFTER_SECONDS = '1';

/** How long a completed job keeps its files under the fault download-expires-early. */
const EARLY_ARCHIVE_MS = DAY_MS / 2;

type JobRequest = FastifyRequest<{ Params: { jobID: string } }>;

export function registerJobStatusRoutes(app: FastifyInstance, ctx: MockContext, version: ApiVersion): void {
  app.get<{ Params: { jobID: string } }>(`/api/${version}/jobs/:jobID`, (request, reply) =>
    getStatus(ctx, version, request, reply),
  );
  app.delete<{ Params: { jobID: string } }>(`/api/${version}/jobs/:jobID`, (request, reply) =>
    cancel(ctx, version, request, reply),
  );
}

/** How this route's error bodies depart from BCDA's, under the faults that say so. */
function flaws(ctx: MockContext): OutcomeFlaws {
  return {
    ...(ctx.faults.has('status-outcome-invalid-fhir') ? { errType: 'Request Error' } : {}),
    ...(ctx.faults.has('status-outcome-no-details') ? { noDetails: true } : {}),
    ...(ctx.quirks ? { emptyDetails: true } : {}),
  };
}

/** The 410 of a job that is gone: under contract-body-one-status its body alone breaks the contract. */
function goneFlaws(ctx: MockContext): OutcomeFlaws {
  return { ...flaws(ctx), ...(ctx.faults.has('contract-body-one-status') ? { fatal: true } : {}) };
}

async function matched(
  ctx: MockContext,
  request: JobRequest,
  reply: FastifyReply,
): Promise<MatchedJob | GoneJob | undefined> {
  const aco = await requireAco(ctx, request, reply);
  if (!aco) return undefined;
  return matchJob(ctx, aco, request.params.jobID, request, reply);
}

function expiresHeader(ctx: MockContext, updatedAtMs: number): string {
  const at = new Date(updatedAtMs + DAY_MS);
  if (ctx.faults.has('contract-expires-iso')) return at.toISOString().replace(/\.\d+Z$/, 'Z');
  return ctx.quirks ? goTimeString(at) : httpDate(at);
}

/** Writes the real server's doubled body: the middleware's 404 then the handler's own outcome. */
function sendDoubled(reply: FastifyReply, prefix: string, body: string): FastifyReply {
  return sendBody(reply, 404, 'application/fhir+json', prefix + body);
}

async function getStatus(
  ctx: MockContext,
  version: ApiVersion,
  request: JobRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const open = runningWithoutToken(ctx, request);
  if (open) return reply.code(202).header('x-progress', inProgress(ctx, open.percent)).send();
  const m = await matched(ctx, request, reply);
  if (!m) return reply;
  if ('gone' in m) {
    // As an Expired job, less the Expires header: when it expired is no longer known.
    if (m.quirkPrefix)
      return sendDoubled(reply, m.quirkPrefix, operationOutcome(version, 'not-found', '', flaws(ctx)));
    return sendOutcome(reply, 410, version, 'not-found', '', goneFlaws(ctx));
  }
  const { job } = m;
  // Fault status-requires-accept: the status route checks Accept as the kick-off does.
  if (
    ctx.faults.has('status-requires-accept') &&
    !/application\/fhir\+json/.test(request.headers.accept ?? '')
  )
    return sendOutcome(
      reply,
      406,
      version,
      'structure',
      'Accept header must be application/fhir+json',
      flaws(ctx),
    );
  // Set before the state is read: the job was archived early all along.
  if (ctx.faults.has('download-expires-early')) job.archiveAfterMs = EARLY_ARCHIVE_MS;
  const state = ctx.faults.has('download-expires-early') ? jobState(job, ctx.clock.nowMs()) : m.state;
  const throttled = pollLimited(ctx, version, job, reply);
  if (throttled) return throttled;
  let status = state.status;
  if (ctx.faults.has('status-expired-200') && (status === 'Archived' || status === 'Expired'))
    status = 'Completed';
  if (ctx.faults.has('cancel-ignored') && (status === 'Cancelled' || status === 'CancelledExpired'))
    status = 'Completed';
  // A failure reported as work in progress: a client polls it until its own budget runs out.
  if (ctx.faults.has('status-failed-202') && (status === 'Failed' || status === 'FailedExpired'))
    status = 'In Progress';

  // Fault status-pending-not-found: a job is only found once a worker has picked it up.
  if (status === 'Pending' && ctx.faults.has('status-pending-not-found'))
    return sendOutcome(reply, 404, version, 'not-found', 'Job not found', flaws(ctx));
  // Fault status-expired-empty-manifest: a job whose files are gone still answers 200, listing none.
  if (ctx.faults.has('status-expired-empty-manifest') && filesGone(ctx, status, state.updatedAtMs))
    return sendBody(
      reply,
      200,
      'application/json',
      JSON.stringify({ ...buildManifest(ctx, job, baseUrl(request)), output: [], error: [] }),
    );

  switch (status) {
    case 'Pending':
    case 'In Progress': {
      // Fault status-running-partial-manifest: the files written so far, as if the job were done.
      if (status === 'In Progress' && ctx.faults.has('status-running-partial-manifest'))
        return sendBody(reply, 200, 'application/json', JSON.stringify(partialManifest(ctx, job, request)));
      reply.code(ctx.faults.has('status-running-200') ? 200 : 202);
      // The IG recommends Retry-After here (bulkdata@125); the real server sends none (a quirk).
      if (!ctx.quirks && !ctx.faults.has('status-no-retry-after'))
        reply.header(
          'retry-after',
          ctx.faults.has('status-retry-after-epoch')
            ? String(Math.floor(ctx.clock.nowMs() / 1000) + 5)
            : POLL_AFTER_SECONDS,
        );
      // Fault status-pending-no-x-progress: only a job already In Progress reports its progress.
      const quietPending = status === 'Pending' && ctx.faults.has('status-pending-no-x-progress');
      // Fault status-x-progress-first-poll-only: progress is reported once per job, then never again.
      const reported = ctx.faults.has('status-x-progress-first-poll-only') && progressReported.has(job);
      progressReported.add(job);
      if (!ctx.faults.has('status-no-x-progress') && !quietPending && !reported) {
        const progress = status === 'Pending' ? 'Pending' : inProgress(ctx, state.percent);
        reply.header('x-progress', ctx.faults.has('status-bad-x-progress') ? 'working...' : progress);
      }
      return reply.send();
    }
    case 'Completed': {
      const stale = ctx.clock.nowMs() >= state.updatedAtMs + DAY_MS && state.status === 'Completed';
      if (stale && !ctx.faults.has('status-expired-200')) {
        // Completed but past the archive threshold before cleanup ran: 410 (behavior §2.3).
        return sendOutcome(
          reply.header('expires', expiresHeader(ctx, state.updatedAtMs)),
          410,
          version,
          'not-found',
          '',
          goneFlaws(ctx),
        );
      }
      if (ctx.faults.has('status-complete-202')) {
        return reply.code(202).header('x-progress', inProgress(ctx, 100)).send();
      }
      // Fault status-complete-redirect: the finished job sends the client to its manifest, served
      // at the status URL with ?manifest (as a server handing out a storage link would).
      if (ctx.faults.has('status-complete-redirect') && !/[?&]manifest(=|&|$)/.test(request.url))
        return reply
          .code(303)
          .header('location', `${baseUrl(request)}${request.url.split('?')[0] ?? ''}?manifest=1`)
          .send();
      if (ctx.faults.has('status-partial-failure-500') && failedInPart(ctx, job))
        return failed(ctx, version, reply);
      if (!ctx.faults.has('status-no-expires'))
        reply.header('expires', expiresHeader(ctx, state.updatedAtMs));
      // Dated by the clock Expires is counted on, as a server's own Date is (even a moved mock clock).
      reply.header('date', httpDate(ctx.clock.now()));
      const type = ctx.faults.has('status-complete-wrong-content-type') ? 'text/plain' : 'application/json';
      const manifest = manifestFaults(
        ctx,
        job,
        buildManifest(ctx, manifestSource(ctx, job), baseUrl(request)),
      );
      // Fault status-manifest-double-encoded: the manifest, already JSON text, encoded once more.
      const text = JSON.stringify(manifest);
      return sendBody(
        reply,
        200,
        type,
        ctx.faults.has('status-manifest-double-encoded') ? JSON.stringify(text) : text,
      );
    }
    case 'Archived':
    case 'Expired': {
      if (m.quirkPrefix)
        return sendDoubled(reply, m.quirkPrefix, operationOutcome(version, 'not-found', '', flaws(ctx)));
      reply.header('expires', expiresHeader(ctx, state.updatedAtMs));
      return sendOutcome(reply, 410, version, 'not-found', '', goneFlaws(ctx));
    }
    case 'Failed':
    case 'FailedExpired':
      return failed(ctx, version, reply);
    case 'Cancelled':
    case 'CancelledExpired':
      return sendOutcome(reply, 404, version, 'not-found', 'Job has been cancelled.', flaws(ctx));
  }
}

/**
 * Fault status-running-no-auth: the state of a job still running, read before the token is
 * checked (the handler looks at the token only to serve a finished job's manifest).
 */
function runningWithoutToken(ctx: MockContext, request: JobRequest): { percent: number } | undefined {
  if (!ctx.faults.has('status-running-no-auth') || request.headers.authorization !== undefined)
    return undefined;
  const job = /^\d{1,15}$/.test(request.params.jobID)
    ? ctx.jobs.get(Number(request.params.jobID))
    : undefined;
  const state = job && jobState(job, ctx.clock.nowMs());
  return state && (state.status === 'Pending' || state.status === 'In Progress') ? state : undefined;
}

/** Fault status-running-partial-manifest: the manifest less its last resource type's files. */
function partialManifest(ctx: MockContext, job: Job, request: JobRequest): Record<string, unknown> {
  const manifest = buildManifest(ctx, job, baseUrl(request));
  const output = Array.isArray(manifest.output) ? (manifest.output as Array<{ type?: string }>) : [];
  const last = output.at(-1)?.type;
  return { ...manifest, output: output.filter((item) => item.type !== last) };
}
/**
 * The job whose manifest a finished job's status answer is built from: itself, or under fault
 * status-manifest-of-earlier-job the organization's first completed job (a manifest cached per organization).
 */
function manifestSource(ctx: MockContext, job: Job): Job {
  if (!ctx.faults.has('status-manifest-of-earlier-job')) return job;
  for (const other of ctx.jobs.ofAco(job.cmsId))
    if (other.id < job.id && jobState(other, ctx.clock.nowMs()).status === 'Completed') return other;
  return job;
}

/** The jobs whose status answer carried X-Progress once (fault status-x-progress-first-poll-only). */
const progressReported = new WeakSet<Job>();

/** True when a job's files have expired: archived or expired, or completed a day ago and not yet swept. */
function filesGone(ctx: MockContext, status: string, updatedAtMs: number): boolean {
  if (status === 'Archived' || status === 'Expired') return true;
  return status === 'Completed' && ctx.clock.nowMs() >= updatedAtMs + DAY_MS;
}

function failed(ctx: MockContext, version: ApiVersion, reply: FastifyReply): FastifyReply {
  return sendOutcome(
    reply,
    500,
    version,
    'exception',
    'Service encountered numerous errors. Job failed to complete.',
    flaws(ctx),
  );
}

/** The X-Progress of a job in progress: seed 001's "In Progress, NN%", the real server's "In Progress (NN%)". */
function inProgress(ctx: MockContext, percent: number): string {
  if (ctx.faults.has('status-x-progress-no-percent')) return 'In Progress';
  // Fault status-progress-over-100: the estimate scaled wrong, past 100% before the job is done.
  if (ctx.faults.has('status-progress-over-100')) percent = Math.round(percent * 2.5);
  // Fault status-x-progress-fraction: the share done is formatted as it is computed, never times 100.
  if (ctx.faults.has('status-x-progress-fraction')) return `In Progress, ${(percent / 100).toFixed(2)}%`;
  return ctx.quirks ? `In Progress (${percent}%)` : `In Progress, ${percent}%`;
}

/**
 * The 429 for a client that polls one job more often than the poll rate limit allows (off unless
 * set through control; the real server, --quirks, has none).
 */
function pollLimited(
  ctx: MockContext,
  version: ApiVersion,
  job: Job,
  reply: FastifyReply,
): FastifyReply | undefined {
  if (ctx.quirks || ctx.faults.has('poll-rate-limit-ignored')) return undefined;
  const wait = ctx.jobs.notePoll(job, ctx.clock.nowMs());
  if (wait === undefined) return undefined;
  if (!ctx.faults.has('poll-rate-limit-no-retry-after')) reply.header('retry-after', String(wait));
  return sendOutcome(
    reply,
    429,
    version,
    'exception',
    `Too many status requests for this job: poll again in ${wait} seconds.`,
    flaws(ctx),
  );
}

/** True when BFD could not find some of the job's beneficiaries: error files beside its data (not v3's warnings file). */
function failedInPart(ctx: MockContext, job: Job): boolean {
  return jobFiles(ctx, job).some((f) => f.kind === 'error' && f.beneficiaries[1] > f.beneficiaries[0]);
}

/** The manifest faults that add to or empty what buildManifest wrote. */
function manifestFaults(
  ctx: MockContext,
  job: Job,
  manifest: Record<string, unknown>,
): Record<string, unknown> {
  if (ctx.faults.has('manifest-error-array-empty') && Array.isArray(manifest.error)) manifest.error = [];
  // Fault manifest-errors-in-output: the error files listed under output, error left empty (bulkdata@142).
  if (
    ctx.faults.has('manifest-errors-in-output') &&
    Array.isArray(manifest.error) &&
    Array.isArray(manifest.output)
  ) {
    manifest.output = [...(manifest.output as unknown[]), ...(manifest.error as unknown[])];
    manifest.error = [];
  }
  if (ctx.faults.has('manifest-count-wrong') && Array.isArray(manifest.output)) {
    // The batch's beneficiaries, not the resources in the file: a count of the wrong thing.
    const files = new Map(jobFiles(ctx, job).map((f) => [f.name, f]));
    for (const item of manifest.output as Array<Record<string, unknown>>) {
      const file = files.get(String(item.url).split('/').pop() ?? '');
      if (file) item.count = file.beneficiaries[1] - file.beneficiaries[0];
    }
  }
  if (ctx.faults.has('manifest-extension-not-object'))
    manifest.extension = [
      { url: 'https://bcda.cms.gov/fhir/StructureDefinition/job-id', valueInteger: job.id },
    ];
  return manifest;
}

const NOT_CANCELLED = 'job was not cancelled because it is not Pending or In Progress';

async function cancel(
  ctx: MockContext,
  version: ApiVersion,
  request: JobRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  if (ctx.faults.has('other-client-can-cancel') && (await foreignCancel(ctx, request, reply))) return reply;
  // Fault other-client-cancel-still-cancels: the cancel is applied before the ownership check refuses it.
  if (ctx.faults.has('other-client-cancel-still-cancels')) await cancelBeforeOwnership(ctx, request);
  const m = await matched(ctx, request, reply);
  if (!m) return reply;
  if ('gone' in m) {
    if (ctx.faults.has('cancel-finished-job-202')) return reply.code(202).send();
    if (ctx.faults.has('cancel-twice-404'))
      return sendOutcome(reply, 404, version, 'not-found', 'Job not found', flaws(ctx));
    if (m.quirkPrefix)
      return sendDoubled(
        reply,
        m.quirkPrefix,
        operationOutcome(version, 'not-found', NOT_CANCELLED, flaws(ctx)),
      );
    return sendOutcome(reply, 410, version, 'not-found', NOT_CANCELLED, flaws(ctx));
  }
  const { job, state } = m;
  // Fault cancel-in-progress-refused: only a job no worker has picked up can be cancelled.
  const refused = ctx.faults.has('cancel-in-progress-refused') && state.status === 'In Progress';
  if (isActive(state.status) && !refused) {
    if (!ctx.faults.has('cancel-ignored')) {
      job.override = { status: 'Cancelled', atMs: ctx.clock.nowMs(), sticky: false };
    }
    // Fault cancel-in-progress-200: a job a worker has picked up is cancelled by signalling the
    // worker, a path that answers 200; a queued job still answers 202.
    const signalled = ctx.faults.has('cancel-in-progress-200') && state.status === 'In Progress';
    const cancelled =
      ctx.faults.has('cancel-returns-200') || signalled
        ? 200
        : ctx.faults.has('contract-cancel-204')
          ? 204
          : 202;
    return reply.code(cancelled).send();
  }
  if (ctx.faults.has('cancel-finished-job-202')) return reply.code(202).send();
  // Fault cancel-twice-404: a job already cancelled is "not found" to a second cancel.
  if (ctx.faults.has('cancel-twice-404') && state.status === 'Cancelled')
    return sendOutcome(reply, 404, version, 'not-found', 'Job not found', flaws(ctx));
  // Fault cancel-completed-drops-files: the refused cancel still takes the job's files away.
  if (ctx.faults.has('cancel-completed-drops-files') && state.status === 'Completed')
    job.override = { status: 'Archived', atMs: ctx.clock.nowMs(), sticky: false };
  if (m.quirkPrefix)
    return sendDoubled(
      reply,
      m.quirkPrefix,
      operationOutcome(version, 'not-found', NOT_CANCELLED, flaws(ctx)),
    );
  return sendOutcome(reply, 410, version, 'not-found', NOT_CANCELLED, flaws(ctx));
}

/** Cancels the active job the request names, whoever asks (its token must still be valid). */
async function cancelBeforeOwnership(ctx: MockContext, request: JobRequest): Promise<void> {
  const job = /^\d{1,15}$/.test(request.params.jobID)
    ? ctx.jobs.get(Number(request.params.jobID))
    : undefined;
  if (!job || !isActive(jobState(job, ctx.clock.nowMs()).status)) return;
  const m = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
  const check = m?.[1] ? await ctx.tokens.verify(m[1], { outage: undefined }) : undefined;
  if (check?.kind === 'ok') job.override = { status: 'Cancelled', atMs: ctx.clock.nowMs(), sticky: false };
}

/**
 * Fault other-client-can-cancel: a DELETE of another ACO's running job cancels it (202), as if the
 * cancel skipped the ownership check the status and file requests still make. True when it did.
 */
async function foreignCancel(ctx: MockContext, request: JobRequest, reply: FastifyReply): Promise<boolean> {
  const job = /^\d{1,15}$/.test(request.params.jobID)
    ? ctx.jobs.get(Number(request.params.jobID))
    : undefined;
  if (!job || !isActive(jobState(job, ctx.clock.nowMs()).status)) return false;
  const aco = await requireAco(ctx, request, reply);
  if (!aco || aco.cmsId === job.cmsId) return !aco;
  job.override = { status: 'Cancelled', atMs: ctx.clock.nowMs(), sticky: false };
  reply.code(202).send();
  return true;
}
