/**
 * Faults of the file downloads written from seed 001's download rows (independent faults, issue 16
 * item 5): files removed once fetched, an expiry counted from the last access instead of the
 * job's completion, one download at a time per job, and a body gzipped twice. What each job's
 * files have been through is kept beside the job, and goes with it.
 */
import { createGzip } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { DAY_MS, type Job, type JobStatus } from './jobs';
import type { FaultSet } from './faults';

interface FileHistory {
  /** Names of the files served whole at least once (fault download-deleted-after-fetch). */
  served: Set<string>;
  /** Mock time of the latest download of any of the job's files (fault download-expiry-from-last-access). */
  lastAccessMs?: number;
  /** Downloads of the job's files being sent right now (fault download-one-at-a-time). */
  inFlight: number;
}

const histories = new WeakMap<Job, FileHistory>();

function historyOf(job: Job): FileHistory {
  let h = histories.get(job);
  if (!h) histories.set(job, (h = { served: new Set(), inFlight: 0 }));
  return h;
}

/**
 * The state a file is served as under the fault download-expiry-from-last-access: a cleaner that
 * removes files not read for a day (by access time) keeps an expired job's files while they are read.
 */
export function servedByLastAccess(faults: FaultSet, job: Job, status: JobStatus, nowMs: number): JobStatus {
  const last = historyOf(job).lastAccessMs;
  return faults.has('download-expiry-from-last-access') &&
    (status === 'Archived' || status === 'Expired') &&
    last !== undefined &&
    nowMs < last + DAY_MS
    ? 'Completed'
    : status;
}

/**
 * Fault download-open-after-first-fetch: once one of a job's files was downloaded with the token,
 * the job's files count as authorized and are served to a request without one.
 */
export function openedByEarlierDownload(
  faults: FaultSet,
  job: Job | undefined,
  header: string | undefined,
): boolean {
  return (
    faults.has('download-open-after-first-fetch') &&
    header === undefined &&
    job !== undefined &&
    historyOf(job).lastAccessMs !== undefined
  );
}

/**
 * Why this download is refused by one of the faults, as a status to answer (undefined: serve it).
 * Fault download-deleted-after-fetch: a file served once is gone (404). Fault
 * download-one-at-a-time: while one of the job's files is being sent, another answers 429. Fault
 * manifest-error-file-missing: the error files the manifest lists were never written (404).
 */
export function refusedDownload(
  faults: FaultSet,
  job: Job,
  fileName: string,
  kind: 'output' | 'error',
): 404 | 429 | undefined {
  if (faults.has('manifest-error-file-missing') && kind === 'error') return 404;
  const h = historyOf(job);
  if (faults.has('download-deleted-after-fetch') && h.served.has(fileName)) return 404;
  if (faults.has('download-one-at-a-time') && h.inFlight > 0) return 429;
  return undefined;
}

/** Notes a download that is being served, and when its answer is over. */
export function noteDownload(job: Job, fileName: string, nowMs: number, reply: FastifyReply): void {
  const h = historyOf(job);
  h.lastAccessMs = nowMs;
  h.inFlight += 1;
  reply.raw.once('close', () => {
    h.inFlight -= 1;
    if (reply.raw.writableFinished) h.served.add(fileName);
  });
}

/** What a gzip writer that is never closed leaves unwritten: the trailer and the last bytes of the final block. */
const UNCLOSED_TAIL_BYTES = 12;

/**
 * Fault download-gzip-not-closed: the gzip writer is never closed (a Go handler that forgets
 * gz.Close()), so the stream ends without its final block and trailer.
 */
function withoutGzipEnd(zipped: Readable): Readable {
  let held = Buffer.alloc(0);
  const cut = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      held = Buffer.concat([held, chunk]);
      const out = held.subarray(0, Math.max(0, held.length - UNCLOSED_TAIL_BYTES));
      held = held.subarray(out.length);
      done(null, out);
    },
  });
  zipped.on('error', (err) => cut.destroy(err));
  return zipped.pipe(cut);
}

/** The faults that change an already compressed body: compressed once more, or left unclosed. */
export function gzipAgain(faults: FaultSet, zipped: Readable): Readable {
  if (faults.has('download-gzip-not-closed')) return withoutGzipEnd(zipped);
  if (!faults.has('download-gzip-twice')) return zipped;
  const again = createGzip({ level: 6 });
  zipped.on('error', (err) => again.destroy(err));
  return zipped.pipe(again);
}
