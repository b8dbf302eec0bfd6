/**
 * Status `GET [Content-Location]` (202 with X-Progress and Retry-After while running, then the
 * manifest), cancel `DELETE [Content-Location]` (202, then 404), and the files
 * `GET /files/{jobId}/{name}` (a token of the job's client whose scopes cover the file's type).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IgContext } from './context';
import { STATUS_PATH } from './routes-export';
import { requireToken, tokenCovers } from './guard';
import { FHIR_NDJSON, operationOutcome, rootUrl, sendFhir, sendJson, sendOutcome } from './http';
import { jobPercent, type IgJob } from './jobs';

export const FILES_PATH = '/files';
/**
 * More status requests than this for one job within a second answer 429 with Retry-After (IG
 * bulkdata@127, @128): a client that waits as Retry-After says never meets it.
 */
export const POLLS_PER_SECOND = 10;
/** Files are kept a day after the manifest is first ready (the Expires header says so). */
const FILE_LIFETIME_MS = 24 * 3600 * 1000;

/** When a job's files go: a day after it completed, the instant its Expires header names. */
function filesGoneAtMs(job: IgJob): number {
  return job.createdMs + job.durationMs + FILE_LIFETIME_MS;
}

/** How long after completion ig-files-not-ready-at-completion's files stay missing. */
const FILES_LATE_MS = 10_000;

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
  // The fault answers a cancelled job with a bare 404: no OperationOutcome (bulkdata@122).
  if (job?.cancelled) {
    reply.code(404).send();
    return undefined;
  }
  if (job && ownedBy(ctx, job, token.clientId)) return job;
  // The fault answers a status request for an unknown job with a plain-text 404 (bulkdata@138).
  if (!job && request.method === 'GET' && ctx.faults.has('ig-status-unknown-plain-404')) {
    reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('Not Found');
    return undefined;
  }
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
    // The fault counts the file's trailing newline as one more line (bulkdata@178).
    count: f.count + (ctx.faults.has('ig-manifest-count-off-by-one') ? 1 : 0),
  });
  // Organised output (STU3): the manifest names the organising type, its output items no type
  // (the fault keeps one: bulkdata-stu3@2).
  const outputItem = (f: IgJob['files'][number]) => {
    if (!job.organizedBy) return item(f);
    const { type: _type, ...rest } = item(f);
    return ctx.faults.has('ig-organize-items-typed') ? { type: job.organizedBy, ...rest } : rest;
  };
  // The fault lists the message files under output (bulkdata@194 wants them under error).
  const messagesInOutput = ctx.faults.has('ig-messages-in-output');
  const errorFiles = messagesInOutput ? [] : job.files.filter((f) => f.kind === 'error');
  // The fault puts each message file's text in its item instead of a url (bulkdata@193).
  const error = ctx.faults.has('ig-error-messages-inline')
    ? errorFiles.map(inlineMessages)
    : errorFiles.map(item);
  const outputFiles = job.files.filter(
    (f) => f.kind === 'output' || (messagesInOutput && f.kind === 'error'),
  );
  const output = outputFiles.flatMap((f) =>
    ctx.faults.has('ig-manifest-output-repeated') ? [outputItem(f), outputItem(f)] : [outputItem(f)],
  );
  // The fault leaves the type out of the deleted items (bulkdata@181).
  const deleted = job.files
    .filter((f) => f.kind === 'deleted')
    .map((f) => (ctx.faults.has('ig-deleted-items-url-only') ? { url: item(f).url } : item(f)));
  const instant = new Date(transactionMs(ctx, job)).toISOString();
  return {
    // The fault drops the zone: a local date-time, not an instant (bulkdata@151).
    transactionTime: ctx.faults.has('ig-transaction-time-no-zone') ? instant.replace(/Z$/, '') : instant,
    // The fault gives the kick-off's path and query without the scheme and host (bulkdata@157);
    // the other leaves request out of Group-level manifests, as a separate Group handler would (bulkdata@155).
    request: groupWithoutRequest(ctx, job)
      ? undefined
      : ctx.faults.has('ig-request-relative')
        ? job.requestUrl.replace(/^https?:\/\/[^/]+/, '')
        : ctx.faults.has('ig-request-object')
          ? { method: 'GET', url: job.requestUrl }
          : job.requestUrl,
    // The first fault says false although the files need the token (bulkdata@161); the second
    // leaves the field out (bulkdata@159).
    ...(ctx.faults.has('ig-requires-access-token-omitted')
      ? {}
      : {
          requiresAccessToken:
            !ctx.faults.has('ig-requires-access-token-false') &&
            !ctx.faults.has('ig-open-files-binary-needs-token'),
        }),
    ...(job.organizedBy ? { outputOrganizedBy: job.organizedBy } : {}),
    // The fault lists each output file twice (bulkdata@166: one item per file); the other groups
    // the items by type in an object (bulkdata@165 wants an array).
    output: ctx.faults.has('ig-output-by-type') ? groupByType(output) : output,
    // The fault leaves out an empty output array (bulkdata@164: the manifest has output).
    ...(output.length === 0 && ctx.faults.has('ig-output-omitted-when-empty') ? { output: undefined } : {}),
    // The fault says null when nothing was deleted (bulkdata@180: an array when present).
    deleted: deleted.length === 0 && ctx.faults.has('ig-deleted-null') ? null : deleted,
    // The fault leaves out an empty error array (bulkdata@191, @195).
    ...(error.length === 0 && ctx.faults.has('ig-manifest-error-omitted')
      ? {}
      : // The fault's serializer collapses a one-item array to the item itself (bulkdata@192).
        { error: error.length === 1 && ctx.faults.has('ig-error-single-item-unwrapped') ? error[0] : error }),
  };
}

/** An error item with its messages inline (fault ig-error-messages-inline): no file to fetch. */
function inlineMessages(f: IgJob['files'][number]): Record<string, unknown> {
  const messages = f.ndjson
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.stringify(JSON.parse(l)));
  return { type: f.type, message: messages.join('; ') };
}

/** Output items grouped by their type, for fault ig-output-by-type. */
function groupByType(items: Record<string, unknown>[]): Record<string, Record<string, unknown>[]> {
  const byType: Record<string, Record<string, unknown>[]> = {};
  for (const it of items) {
    const type = typeof it['type'] === 'string' ? it['type'] : 'unknown';
    (byType[type] ??= []).push(it);
  }
  return byType;
}

/** Fault ig-group-manifest-no-request: a Group-level export's manifest has no request. */
function groupWithoutRequest(ctx: IgContext, job: IgJob): boolean {
  return ctx.faults.has('ig-group-manifest-no-request') && /\/Group\/[^/]+\/\$export/.test(job.requestUrl);
}

/**
 * The manifest's transactionTime: the kick-off (the job's snapshot). The fault gives the newest
 * meta.lastUpdated of the exported resources instead (bulkdata@152).
 */
function transactionMs(ctx: IgContext, job: IgJob): number {
  if (!ctx.faults.has('ig-transaction-time-latest-data')) return job.createdMs;
  const stamps = job.files
    .filter((f) => f.kind === 'output')
    .flatMap((f) => [...f.ndjson.matchAll(/"lastUpdated":"([^"]+)"/g)].map((m) => Date.parse(m[1] ?? '')))
    .filter((ms) => !Number.isNaN(ms));
  return stamps.length > 0 ? Math.max(...stamps) : job.createdMs;
}

export function registerStatusRoutes(app: FastifyInstance, ctx: IgContext): void {
  app.get<JobParams>(`${STATUS_PATH}/:id`, (request, reply) => {
    const job = ownJob(ctx, request, reply);
    if (!job) return reply;
    const now = ctx.clock.nowMs();
    const firstPoll = !ctx.polls.has(job.id);
    const recent = (ctx.polls.get(job.id) ?? []).filter((at) => at > now - 1000);
    ctx.polls.set(job.id, [...recent, now]);
    // The fault answers a job's first status request 404, as if the job were not registered yet
    // (bulkdata@21, @28: the Content-Location is there to poll).
    if (firstPoll && ctx.faults.has('ig-status-not-found-at-first'))
      return sendOutcome(reply, 404, 'not-found', `no export job ${job.id}`);
    if (recent.length >= POLLS_PER_SECOND && !ctx.faults.has('ig-poll-rate-limit-ignored')) {
      reply.header('retry-after', retryAfter(ctx));
      return sendOutcome(
        reply,
        // The fault throttles with 503 Service Unavailable, not 429 (bulkdata@128).
        ctx.faults.has('ig-poll-rate-limit-503') ? 503 : 429,
        'throttled',
        `more than ${POLLS_PER_SECOND} status requests a second: wait as Retry-After says`,
      );
    }
    // Fault ig-failed-job-in-progress: a failed job is reported as still running (jobPercent).
    // The fault reports a failed job as completed, its failure in an error file (bulkdata@136).
    if (job.failed && ctx.faults.has('ig-failed-job-200-error-file')) {
      job.failed = false;
      job.held = false;
      job.durationMs = 0;
      job.files = [
        {
          name: 'error-1.ndjson',
          type: 'OperationOutcome',
          kind: 'error',
          count: 1,
          ndjson: `${JSON.stringify(operationOutcome('error', 'exception', 'the export job failed'))}\n`,
        },
      ];
    }
    // The second fault labels the OperationOutcome plain JSON (bulkdata@137).
    if (job.failed && !ctx.faults.has('ig-failed-job-in-progress'))
      return sendOutcome(
        reply,
        500,
        'exception',
        'the export job failed',
        ctx.faults.has('ig-failed-job-outcome-json-type') ? 'application/json' : undefined,
      );
    const percent = jobPercent(ctx, job);
    if (percent < 100) {
      // The second fault sends Retry-After on a job's first status answer only (bulkdata@125).
      const noRetryAfter =
        ctx.faults.has('ig-status-no-retry-after') ||
        (!firstPoll && ctx.faults.has('ig-retry-after-first-poll-only'));
      if (!noRetryAfter) reply.header('retry-after', retryAfter(ctx));
      // The fault answers a running job 204 No Content (bulkdata@132 wants 202).
      return reply
        .code(ctx.faults.has('ig-status-running-204') ? 204 : 202)
        .header('x-progress', `In Progress, ${percent}%`)
        .send();
    }
    // The fault dates Expires at the kick-off, already past (bulkdata@146: when the files go).
    const expires = new Date(ctx.faults.has('ig-status-expires-past') ? job.createdMs : filesGoneAtMs(job));
    // The fault writes Expires as ISO 8601, not an HTTP-date (bulkdata@146).
    reply.header(
      'expires',
      ctx.faults.has('ig-status-expires-iso') ? expires.toISOString() : expires.toUTCString(),
    );
    const body = manifest(ctx, job, rootUrl(request));
    // The fault wraps the manifest in a FHIR Parameters resource, one parameter per field (bulkdata@147).
    if (ctx.faults.has('ig-manifest-as-parameters'))
      return sendJson(reply, 200, {
        resourceType: 'Parameters',
        parameter: Object.entries(body).map(([name, value]) => ({
          name,
          valueString: JSON.stringify(value),
        })),
      });
    // The fault labels the manifest as a FHIR answer (bulkdata@145 wants application/json).
    if (ctx.faults.has('ig-status-complete-fhir-json')) return sendFhir(reply, 200, body);
    return sendJson(reply, 200, body);
  });

  app.delete<JobParams>(`${STATUS_PATH}/:id`, (request, reply) => {
    // The fault routes GET only on the status URL: DELETE is not allowed (bulkdata@305).
    if (ctx.faults.has('ig-cancel-not-allowed')) {
      reply.header('allow', 'GET');
      return sendOutcome(reply, 405, 'not-supported', 'the status URL answers GET only');
    }
    // The fault accepts a delete request for a job that does not exist (bulkdata@308, @309).
    if (!ctx.jobs.has(request.params.id) && ctx.faults.has('ig-cancel-unknown-accepted'))
      return requireToken(ctx, request, reply) ? reply.code(202).send() : reply;
    const job = ownJob(ctx, request, reply);
    if (!job) return reply;
    if (ctx.faults.has('ig-cancelled-status-empty')) job.cancelled = true;
    else if (!ctx.faults.has('ig-cancel-ignored')) {
      ctx.jobs.delete(job.id);
      ctx.polls.delete(job.id);
    }
    return reply.code(202).send();
  });

  app.get<{ Params: { id: string; name: string } }>(`${FILES_PATH}/:id/:name`, (request, reply) => {
    // Both faults leave the file server open; the second also says so in the manifest.
    const open = ctx.faults.has('ig-open-files-binary-needs-token')
      ? 'ig-open-files-binary-needs-token'
      : 'ig-download-no-token-required';
    const token = requireToken(ctx, request, reply, open);
    if (!token) return reply;
    const found = ctx.jobs.get(request.params.id);
    const job = found?.cancelled ? undefined : found;
    const file =
      job && jobPercent(ctx, job) === 100 ? job.files.find((f) => f.name === request.params.name) : undefined;
    // The fault answers a name the job does not have with an empty 200 (bulkdata@210).
    if (job && !file && ownedBy(ctx, job, token.clientId) && ctx.faults.has('ig-unknown-file-empty'))
      return reply.code(200).header('content-type', FHIR_NDJSON).send('');
    // The fault has the last output file not stored yet when the manifest is ready (bulkdata@148).
    const lastOutput = job?.files.filter((f) => f.kind === 'output').at(-1);
    const notStored = file !== undefined && file === lastOutput && ctx.faults.has('ig-last-file-missing');
    // Another client's file is as unknown as a missing one: its existence is not revealed.
    if (!job || !file || notStored || !ownedBy(ctx, job, token.clientId))
      return sendOutcome(reply, 404, 'not-found', 'no such file');
    // The fault has the files written after the job is reported complete: for FILES_LATE_MS their
    // URLs answer 404 (bulkdata@24).
    if (
      ctx.faults.has('ig-files-not-ready-at-completion') &&
      ctx.clock.nowMs() < job.createdMs + job.durationMs + FILES_LATE_MS
    )
      return sendOutcome(reply, 404, 'not-found', 'no such file');
    // Past the Expires instant the files are gone (fault ig-expired-files-still-served keeps them).
    if (ctx.clock.nowMs() >= filesGoneAtMs(job) && !ctx.faults.has('ig-expired-files-still-served'))
      return sendOutcome(reply, 404, 'not-found', 'the files of this export have expired');
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
    // The second fault serves the error files, written by another component, as plain JSON (bulkdata@208).
    const plainJson =
      ctx.faults.has('ig-download-wrong-content-type') ||
      (file.kind === 'error' && ctx.faults.has('ig-error-file-json-content-type'));
    const type = plainJson ? 'application/json' : FHIR_NDJSON;
    const lines = file.ndjson.split('\n').filter((l) => l !== '');
    // The first fault writes the file as one JSON array, not NDJSON (bulkdata@49); the second
    // spreads each resource over several lines (bulkdata@209 wants one per line).
    const body = ctx.faults.has('ig-ndjson-json-array')
      ? `[${lines.join(',')}]\n`
      : ctx.faults.has('ig-ndjson-pretty-printed')
        ? lines.map((l) => `${JSON.stringify(JSON.parse(l), null, 2)}\n`).join('')
        : file.ndjson;
    const bytes = Buffer.from(body, 'utf8');
    // The fault answers every file as a byte range, the whole file, though no Range was asked (bulkdata@206).
    if (ctx.faults.has('ig-file-partial-content'))
      return reply
        .code(206)
        .header('content-type', type)
        .header('content-range', `bytes 0-${Math.max(bytes.length - 1, 0)}/${bytes.length}`)
        .send(bytes);
    return reply.code(200).header('content-type', type).send(bytes);
  });
}
