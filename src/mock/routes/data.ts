/**
 * `GET /data/{jobId}/{file}`: NDJSON generated on the fly, gzip when the client accepts it, bearer
 * token required, gone after the job is archived (behavior §2.7, seed 001 "Download the data").
 */
import type { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../context';
import { matchJob, requireAco } from '../guard';
import { DAY_MS, jobState, type Job, type JobState, type JobStatus } from '../jobs';
import { findFile, jobFiles } from '../manifest';
import { ndjsonStream, truncated } from '../ndjson-stream';
import { pacedStream } from '../download-pace';
import { sendBody, sendOutcome, sendText } from '../outcome';
import type { PlannedFile } from '../data/types';
import {
  gzipAgain,
  noteDownload,
  openedByEarlierDownload,
  refusedDownload,
  servedByLastAccess,
} from '../download-seed001-faults';

type DataRequest = FastifyRequest<{ Params: { jobID: string; fileName: string } }>;

/** How far the expiry faults move the end of a job's files from its Expires instant. */
const EXPIRY_FAULT_SLACK_MS = 30 * 60 * 1000;

/**
 * The state whose files the route serves: the job's own, or as the faults about a job's files
 * outliving or dying before their time shift it (files-expire-early, expired-files-still-served,
 * cancel-keeps-files).
 */
function servedAs(ctx: MockContext, state: JobState): JobStatus {
  const nowMs = ctx.clock.nowMs();
  const { status, updatedAtMs } = state;
  if (
    ctx.faults.has('files-expire-early') &&
    status === 'Completed' &&
    nowMs >= updatedAtMs + DAY_MS - EXPIRY_FAULT_SLACK_MS
  )
    return 'Archived';
  if (
    ctx.faults.has('expired-files-still-served') &&
    status === 'Archived' &&
    nowMs < updatedAtMs + EXPIRY_FAULT_SLACK_MS
  )
    return 'Completed';
  if (ctx.faults.has('cancel-keeps-files') && status === 'Cancelled') return 'Completed';
  return status;
}

/** How long after its completion a job's files are missing under the fault download-lags-completion. */
const FILES_LAG_MS = 30 * 1000;

function filesNotYetInPlace(ctx: MockContext, job: Job): boolean {
  if (!ctx.faults.has('download-lags-completion')) return false;
  const nowMs = ctx.clock.nowMs();
  return nowMs < jobState(job, nowMs).updatedAtMs + FILES_LAG_MS;
}

export function registerDataRoute(app: FastifyInstance, ctx: MockContext): void {
  app.get<{ Params: { jobID: string; fileName: string } }>('/data/:jobID/:fileName', (request, reply) =>
    serveFile(ctx, request, reply),
  );
  // Fault manifest-urls-under-api-path: the files are served where that manifest places them.
  app.get<{ Params: { version: string; jobID: string; fileName: string } }>(
    '/api/:version/data/:jobID/:fileName',
    (request, reply) =>
      ctx.faults.has('manifest-urls-under-api-path') ? serveFile(ctx, request, reply) : reply.callNotFound(),
  );
}

/** Fault download-serves-next-file: an off-by-one file index serves the job's next data file. */
function nextDataFile(ctx: MockContext, job: Job, file: PlannedFile): PlannedFile {
  const outputs = jobFiles(ctx, job).filter((f) => f.kind === 'output');
  const at = outputs.findIndex((f) => f.name === file.name);
  return at < 0 || outputs.length < 2 ? file : outputs[(at + 1) % outputs.length]!;
}

async function serveFile(ctx: MockContext, request: DataRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { jobID, fileName } = request.params;
  const header = request.headers.authorization;
  const openAccess =
    (ctx.faults.has('download-no-token-required') && header === undefined) ||
    // Fault download-accepts-any-bearer: the file server checks that a bearer token is there, not what it is.
    (ctx.faults.has('download-accepts-any-bearer') && /^Bearer \S+$/.test(header ?? '')) ||
    openedByEarlierDownload(ctx.faults, ctx.jobs.get(Number(jobID)), header);
  const ownerAco = openAccess ? ctx.acos.get(ctx.jobs.get(Number(jobID))?.cmsId ?? '') : undefined;
  const aco = ownerAco ?? (await requireAco(ctx, request, reply));
  if (!aco) return reply;
  const m = matchJob(ctx, aco, jobID, request, reply);
  if (!m) return reply;

  // Go's file server refuses any path with `..` in it; names here never hold separators either.
  const anyName = ctx.faults.has('download-any-file-name');
  if ((fileName.includes('..') || /[/\\]/.test(fileName)) && !anyName) {
    return sendText(reply, 400, 'invalid URL path');
  }

  const afterExpiry = ctx.faults.has('download-available-after-expiry');
  // A job that left memory has no files to serve, fault or not.
  const status =
    'gone' in m
      ? 'Expired'
      : servedByLastAccess(
          ctx.faults,
          m.job,
          servedAs(ctx, jobState(m.job, ctx.clock.nowMs())),
          ctx.clock.nowMs(),
        );
  if ('gone' in m || ((status === 'Archived' || status === 'Expired') && !afterExpiry)) {
    if (m.quirkPrefix) {
      // Quirk: the middleware's 404 OperationOutcome, then the file server's plain "Not Found".
      return sendBody(reply, 404, 'application/fhir+json', `${m.quirkPrefix}Not Found\n`);
    }
    return sendText(reply, 404, 'Not Found');
  }
  // Fault download-files-gone-after-12h: a cleanup takes the files half a day after completion.
  if (
    status === 'Completed' &&
    ctx.faults.has('download-files-gone-after-12h') &&
    ctx.clock.nowMs() >= jobState(m.job, ctx.clock.nowMs()).updatedAtMs + 12 * 3_600_000
  )
    return sendText(reply, 404, 'Not Found');
  // Fault download-lags-completion: the files land a while after the job reads as completed.
  if (status === 'Completed' && filesNotYetInPlace(ctx, m.job)) return sendText(reply, 404, 'Not Found');
  // Fault cancel-keeps-error-files: a cancelled job's error files outlive its data files.
  const errorFileKept =
    status === 'Cancelled' &&
    ctx.faults.has('cancel-keeps-error-files') &&
    findFile(ctx, m.job, fileName)?.kind === 'error';
  const done =
    status === 'Completed' ||
    errorFileKept ||
    ((status === 'Archived' || status === 'Expired') && afterExpiry);
  let file = done ? findFile(ctx, m.job, fileName) : undefined;
  if (!file && done && anyName) file = jobFiles(ctx, m.job).find((f) => f.kind === 'output');
  if (file && ctx.faults.has('download-serves-next-file')) file = nextDataFile(ctx, m.job, file);
  // Fault download-file-of-other-job: the name is looked up in every completed job of the organization.
  let source = m.job;
  if (!file && done && ctx.faults.has('download-file-of-other-job')) {
    for (const other of ctx.jobs.ofAco(m.job.cmsId)) {
      const found = findFile(ctx, other, fileName);
      if (found && jobState(other, ctx.clock.nowMs()).status === 'Completed') {
        [file, source] = [found, other];
        break;
      }
    }
  }
  if (!file) return sendOutcome(reply, 404, 'v1', 'not-found', 'Job not found');
  const refused = refusedDownload(ctx.faults, m.job, fileName, file.kind);
  if (refused === 429) reply.header('retry-after', '1');
  if (refused) return sendText(reply, refused);
  noteDownload(m.job, fileName, ctx.clock.nowMs(), reply);

  // Quirk: the real server re-serializes BFD resources, so keys come sorted at every level.
  const lines = ctx.generator.fileLines(source.spec, file, { sortKeys: ctx.quirks });
  // Fault download-utf8-bom: a byte order mark before the first line.
  let first = ctx.faults.has('download-utf8-bom');
  // Fault output-format-ndjson-as-json-array: a job that named _outputFormat gets one JSON array.
  const asArray =
    ctx.faults.has('output-format-ndjson-as-json-array') && /[?&]_outputFormat=/.test(m.job.requestUrl);
  let opened = false;
  const body = ndjsonStream(asArray ? closedArray(lines) : lines, (line) => {
    if (asArray && line !== ']') {
      const open = opened ? ',' : '[';
      opened = true;
      return `${open}${line}`;
    }
    if (!first) return line;
    first = false;
    return `\uFEFF${line}`;
  });
  const acceptEncoding = String(request.headers['accept-encoding'] ?? '');
  // Fault download-gzip-exact-header: gzip only for a header that is exactly "gzip", so a client
  // sending a list ("deflate, gzip", as curl --compressed and browsers do) gets plain files.
  const asksGzip = ctx.faults.has('download-gzip-exact-header')
    ? acceptEncoding.trim() === 'gzip'
    : acceptEncoding.includes('gzip');
  const gzip = asksGzip || ctx.faults.has('download-gzip-unrequested');
  // Fault output-format-served-as-json: a job that named _outputFormat gets its files as JSON.
  const asJson =
    ctx.faults.has('download-wrong-content-type') ||
    (ctx.faults.has('output-format-served-as-json') && /[?&]_outputFormat=/.test(m.job.requestUrl));
  reply.code(200).header('content-type', asJson ? 'application/json' : 'application/fhir+ndjson');
  const pace = ctx.downloadPace;
  const job = m.job;
  // Under pacing the file is checked between pieces: the fault deletes it once its job expires.
  const stillServed = (): boolean =>
    !ctx.faults.has('download-cut-at-expiry') ||
    servedAs(ctx, jobState(job, ctx.clock.nowMs())) === 'Completed';
  const cut = (stream: Readable): Readable => {
    const whole = ctx.faults.has('download-truncated') ? truncated(stream) : stream;
    return pace.bytes > 0 ? pacedStream(whole, pace, stillServed) : whole;
  };
  // Fault download-plain-labelled-gzip: the gzip label is set on every answer, compressed or not.
  if (!gzip && ctx.faults.has('download-plain-labelled-gzip')) reply.header('content-encoding', 'gzip');
  if (!gzip) return reply.send(cut(body));
  if (!ctx.faults.has('download-gzip-unlabelled')) reply.header('content-encoding', 'gzip');
  // Fault download-bad-gzip: labelled gzip, sent plain.
  if (ctx.faults.has('download-bad-gzip')) return reply.send(cut(body));
  const zipped = createGzip({ level: 6 });
  body.on('error', (err) => zipped.destroy(err));
  return reply.send(cut(gzipAgain(ctx.faults, body.pipe(zipped))));
}

/** The lines, then the "]" that closes the JSON array the fault output-format-ndjson-as-json-array writes. */
function* closedArray(lines: Iterable<string>): Generator<string> {
  yield* lines;
  yield ']';
}
