/**
 * Validates files on disk with a worker_threads pool, splitting large plain files into byte
 * ranges so that one big file still uses every core; below MIN_FRESH_WORKER_BYTES no new worker
 * is started and the calling thread validates. Every thread takes its next range itself from a
 * shared claim table (no round trip), so none waits for another. Shard results are merged back
 * into one summary per file, with line numbers made absolute.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { DEFAULT_MAX_ISSUES } from './line-validator';
import { MAX_LINE_BYTES } from './ndjson-lines';
import { projectRoot } from '../core/project-root';
import { readFailure, runClaimedTasks, runShard, type ShardTask, type TaskReport } from './shard';
import type { FileValidationResult, FileValidationSummary, NdjsonValidationOptions } from './types';

export interface ValidateFilesOptions extends Omit<
  NdjsonValidationOptions,
  'file' | 'kind' | 'expectedType' | 'gzip'
> {
  /**
   * Worker threads that validate; the calling thread then only plans, hands out tasks and merges
   * (its event loop stays free). 0: the calling thread validates everything. Default: one per
   * core (0 on a single core), except that below MIN_FRESH_WORKER_BYTES of input no new worker is
   * started: the calling thread validates, with the idle workers of an earlier call if any.
   */
  workers?: number;
  /**
   * Plain files larger than this are split into byte ranges of about this size. Default: the
   * total size over 8 tasks per thread, between 1 and 32 MiB (small inputs still spread out, and
   * the threads finish close together).
   */
  rangeBytes?: number;
  /** Manifest types by path; otherwise guessed from the file name or the first line. */
  expectedTypes?: Record<string, string>;
  /** Error files by path; otherwise names like `…-error.ndjson` are error files. */
  kinds?: Record<string, 'output' | 'error'>;
}

const DEFAULT_RANGE_BYTES = 32 << 20;

/**
 * Below this much input no new worker is started by default. On 2 cores a fresh process's worker
 * paid off only beyond ~100 MB: it costs 0.3-0.45 s of CPU before it runs at full speed (start-up,
 * loading, JIT warm-up in its own isolate), and meanwhile its JS thread takes the core on which
 * V8 compiles the calling thread's hot code, so both warm up slower (README, Bounds and speed).
 */
export const MIN_FRESH_WORKER_BYTES = 128 << 20;

export function guessKind(file: string): 'output' | 'error' {
  const base = path.basename(file).toLowerCase();
  return /(^|[-_.])error\.ndjson(\.gz)?$/.test(base) || base.startsWith('operationoutcome')
    ? 'error'
    : 'output';
}

function isGzipFile(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * resourceType of the first line of a plain file, for sharded files: reads 64 KiB blocks until
 * the first newline, at most MAX_LINE_BYTES (a longer line is not decoded anyway).
 */
function firstLineType(file: string): string | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const block = 64 * 1024;
    let buf = Buffer.allocUnsafe(block);
    let n = 0;
    let nl = -1;
    while (n < MAX_LINE_BYTES) {
      if (n === buf.length)
        buf = Buffer.concat([buf, Buffer.allocUnsafe(Math.min(buf.length, MAX_LINE_BYTES - n))]);
      const read = fs.readSync(fd, buf, n, buf.length - n, n);
      if (read === 0) break;
      nl = buf.subarray(n, n + read).indexOf(10);
      if (nl !== -1) {
        nl += n;
        break;
      }
      n += read;
    }
    const text = buf.toString('utf8', 0, nl === -1 ? n : nl);
    const type = (JSON.parse(text) as { resourceType?: unknown }).resourceType;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

interface PlannedShard {
  fileIndex: number;
  /** Bytes the task reads (before gunzip), to run the big tasks first. */
  bytes: number;
  task: ShardTask;
}

interface Plan {
  shards: PlannedShard[];
  /** Files that could not even be opened: why, by index. */
  failed: Map<number, string>;
}

function planShards(paths: string[], options: ValidateFilesOptions, threads: number): Plan {
  const shards: PlannedShard[] = [];
  const failed = new Map<number, string>();
  const { workers: _w, rangeBytes, expectedTypes, kinds, ...common } = options;
  const sizes = paths.map((file, fileIndex) => {
    try {
      return fs.statSync(file).size;
    } catch (err) {
      failed.set(fileIndex, readFailure(err, 0));
      return 0;
    }
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  const adaptive = Math.min(DEFAULT_RANGE_BYTES, Math.max(1 << 20, Math.ceil(total / (threads * 8))));
  const rangeSize = rangeBytes ?? adaptive;
  paths.forEach((file, fileIndex) => {
    if (failed.has(fileIndex)) return;
    const size = sizes[fileIndex] ?? 0;
    let gzip: boolean;
    try {
      gzip = size >= 2 && isGzipFile(file);
    } catch (err) {
      failed.set(fileIndex, readFailure(err, 0));
      return;
    }
    const kind = kinds?.[file] ?? guessKind(file);
    const base: NdjsonValidationOptions = { ...common, file, kind, gzip };
    const named = expectedTypes?.[file];
    if (named !== undefined) base.expectedType = named;
    // One thread gains nothing from byte ranges, only their set-up (unless they are asked for).
    const canSplit =
      (threads > 1 || rangeBytes !== undefined) &&
      !gzip &&
      size > rangeSize &&
      options.validateLines === undefined;
    if (!canSplit) {
      shards.push({ fileIndex, bytes: size, task: { path: file, options: base } });
      return;
    }
    if (base.expectedType === undefined && kind === 'output') {
      const first = firstLineType(file);
      if (first !== undefined) base.expectedType = first;
    }
    const count = Math.ceil(size / rangeSize);
    const step = Math.ceil(size / count);
    const addRange = (start: number, end: number): void => {
      shards.push({
        fileIndex,
        bytes: end - start,
        task: { path: file, options: base, range: { start, end } },
      });
    };
    for (let start = 0; start < size; start += step) {
      const end = Math.min(size, start + step);
      if (end < size) {
        addRange(start, end);
        continue;
      }
      // The last range is cut in quarters: small tasks run last (see dispatchOrder), so the
      // threads finish close together.
      const quarter = (end - start) / 4;
      for (let q = 0; q < 4; q++)
        addRange(start + Math.floor(quarter * q), start + Math.floor(quarter * (q + 1)));
    }
  });
  return { shards, failed };
}

/** Task indexes, largest first (ties in plan order): the small tasks fill in at the end. */
function dispatchOrder(shards: PlannedShard[]): number[] {
  return shards.map((_, i) => i).sort((a, b) => (shards[b]?.bytes ?? 0) - (shards[a]?.bytes ?? 0) || a - b);
}

function emptySummary(file: string, kind: 'output' | 'error'): FileValidationSummary {
  return {
    file,
    kind,
    bytes: 0,
    lines: 0,
    validatedLines: 0,
    invalidLines: 0,
    countsByType: Object.create(null) as Record<string, number>,
    issues: [],
    issuesDropped: 0,
    references: { patientIds: [], referencedPatients: [] },
  };
}

/**
 * Merges the shards of one file (in byte order) into one summary with absolute line numbers.
 * A shard that could not be read to its end ends the file: the line numbers of the ranges after
 * it would be unknown.
 */
export function mergeShards(parts: FileValidationResult[], maxIssues: number): FileValidationResult {
  const [first] = parts;
  if (!first) throw new Error('no shard to merge');
  const merged: FileValidationResult = emptySummary(first.file, first.kind);
  const patientIds = new Set<string>();
  const referenced = new Set<string>();
  for (const part of parts) {
    const offset = merged.lines;
    merged.bytes += part.bytes;
    merged.lines += part.lines;
    merged.validatedLines += part.validatedLines;
    merged.invalidLines += part.invalidLines;
    for (const [t, n] of Object.entries(part.countsByType))
      merged.countsByType[t] = (merged.countsByType[t] ?? 0) + n;
    if (part.firstFailingLine !== undefined && merged.firstFailingLine === undefined) {
      merged.firstFailingLine = part.firstFailingLine + offset;
    }
    for (const issue of part.issues) {
      if (merged.issues.length < maxIssues)
        merged.issues.push({ ...issue, line: issue.line ? issue.line + offset : 0 });
      else merged.issuesDropped++;
    }
    merged.issuesDropped += part.issuesDropped;
    for (const id of part.references.patientIds) patientIds.add(id);
    for (const id of part.references.referencedPatients) referenced.add(id);
    if (part.error !== undefined) {
      merged.error = part.error;
      break;
    }
  }
  merged.references = { patientIds: [...patientIds], referencedPatients: [...referenced] };
  return merged;
}

/** Code of the eval'd worker: loads shard.js (built) or shard.ts (via the TS hook, under jest). */
function workerSource(): { code: string; data: { shardModule: string; tsHook?: string } } {
  const ext = path.extname(__filename);
  const shardModule = path.join(__dirname, `shard${ext}`);
  const data: { shardModule: string; tsHook?: string } = { shardModule };
  if (ext === '.ts') data.tsHook = path.join(projectRoot(), 'scripts', 'fhir-ts-register.js');
  // A run message carries the whole task list and a shared claim table: the worker takes the next
  // unclaimed task itself (an atomic compare-and-swap on its slot), so it never waits for the
  // calling thread, which may be busy validating. Runs are handled one after another.
  const code = `
const { parentPort, workerData } = require('worker_threads');
if (workerData.tsHook) require(workerData.tsHook);
const { runClaimedTasks } = require(workerData.shardModule);
let queue = Promise.resolve();
parentPort.on('message', (run) => {
  queue = queue.then(() =>
    runClaimedTasks(run.tasks, run.order, new Int32Array(run.claims), run.slot, (id, summary, error) =>
      parentPort.postMessage({ run: run.id, id, summary, error }),
    ),
  );
});`;
  return { code, data };
}

/**
 * Idle workers kept between runs (unref'd, so they never keep the process alive): a warm
 * worker has its validator loaded and JIT-compiled, which matters for inputs of ~100 MB.
 */
const idleWorkers: Worker[] = [];

function acquireWorkers(count: number): Worker[] {
  const { code, data } = workerSource();
  const out = idleWorkers.splice(0, count);
  while (out.length < count) out.push(new Worker(code, { eval: true, workerData: data }));
  for (const w of out) w.ref();
  return out;
}

function releaseWorkers(workers: Worker[], healthy: boolean): Promise<unknown> {
  for (const w of workers) {
    w.removeAllListeners('message');
    w.removeAllListeners('error');
    w.removeAllListeners('exit');
  }
  if (!healthy) return Promise.all(workers.map((w) => w.terminate()));
  for (const w of workers) {
    w.unref();
    // An idle worker that dies is simply dropped from the pool.
    w.once('exit', () => {
      const i = idleWorkers.indexOf(w);
      if (i >= 0) idleWorkers.splice(i, 1);
    });
    idleWorkers.push(w);
  }
  return Promise.resolve();
}

/** Stops the idle workers kept between validateFiles runs. */
export async function closeValidationWorkers(): Promise<void> {
  const workers = idleWorkers.splice(0);
  await Promise.all(workers.map((w) => w.terminate()));
}

let runCounter = 0;

/**
 * Runs `tasks` (taken in the given order of their indexes) on `workerCount` worker threads and,
 * with `callingThreadToo`, on the calling thread as well, each thread taking the next task
 * itself as soon as it is free.
 */
async function runTasks(
  tasks: ShardTask[],
  order: number[],
  workerCount: number,
  callingThreadToo: boolean,
): Promise<FileValidationResult[]> {
  const results: FileValidationResult[] = new Array<FileValidationResult>(tasks.length);
  if (workerCount === 0) {
    for (const id of order) results[id] = await runShard(tasks[id] as ShardTask);
    return results;
  }
  // claims[id]: 0 while task `id` is free, then the slot of the thread that took it (-1: the
  // calling thread; -2: nobody, the run failed).
  const claims = new Int32Array(new SharedArrayBuffer(4 * tasks.length));
  const run = ++runCounter;
  let done = 0;
  const workers = acquireWorkers(workerCount);
  let healthy = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        // No thread takes another task of this run.
        for (let id = 0; id < tasks.length; id++) Atomics.compareExchange(claims, id, 0, -2);
        reject(err);
      };
      const finished = (id: number, summary: FileValidationResult): void => {
        results[id] = summary;
        if (++done === tasks.length) resolve();
      };
      let callingBusy = false;
      const callingThread = (): void => {
        if (callingBusy) return;
        callingBusy = true;
        const report: TaskReport = (id, summary, error) => {
          if (summary) finished(id, summary);
          else fail(new Error(`${tasks[id]?.path ?? '?'}: ${error ?? 'no result'}`));
        };
        runClaimedTasks(tasks, order, claims, -1, report)
          .catch(fail)
          .finally(() => {
            callingBusy = false;
          });
      };
      let alive = workers.length;
      workers.forEach((worker, k) => {
        const slot = k + 1;
        let lastError: Error | undefined;
        worker.on(
          'message',
          (msg: { run: number; id: number; summary?: FileValidationResult; error?: string }) => {
            if (msg.run !== run) return;
            if (msg.error !== undefined || !msg.summary) {
              const file = tasks[msg.id]?.path ?? '?';
              return fail(new Error(`${file}: ${msg.error ?? 'worker returned no result'}`));
            }
            finished(msg.id, msg.summary);
          },
        );
        worker.on('error', (err) => {
          lastError = err;
        });
        // A worker that stops holding a task fails the run; one that stops before taking any
        // leaves its share to the others (to the calling thread too, when it validates).
        worker.on('exit', (code) => {
          alive--;
          const holding = claims.some((owner, id) => owner === slot && results[id] === undefined);
          const stopped = (): Error =>
            lastError ?? new Error(`a validation worker stopped early (exit code ${code})`);
          if (holding) fail(stopped());
          else if (alive === 0 && done < tasks.length) {
            if (callingThreadToo) callingThread();
            else fail(stopped());
          }
        });
        worker.postMessage({ id: run, tasks, order, claims: claims.buffer, slot });
      });
      if (callingThreadToo) callingThread();
    });
    healthy = true;
  } finally {
    await releaseWorkers(workers, healthy);
  }
  return results;
}

function totalBytes(paths: string[]): number {
  let total = 0;
  for (const file of paths) {
    try {
      total += fs.statSync(file).size;
    } catch {
      // planShards reports it
    }
  }
  return total;
}

/**
 * Validates NDJSON files on disk (plain or gzip); one summary per path, in the given order. A
 * file that cannot be read (to its end) gets an `error` and keeps what was read; the others are
 * not affected.
 */
export async function validateFiles(
  paths: string[],
  options: ValidateFilesOptions = {},
): Promise<FileValidationResult[]> {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const wanted = options.workers ?? (cores > 1 ? cores : 0);
  let workers = wanted;
  let callingThreadToo = false;
  if (options.workers === undefined && totalBytes(paths) < MIN_FRESH_WORKER_BYTES) {
    // Small input: the calling thread validates, with the idle (warm) workers if there are any.
    workers = Math.min(wanted, idleWorkers.length);
    callingThreadToo = workers < wanted;
  }
  const threads = workers + (callingThreadToo ? 1 : 0);
  const { shards, failed } = planShards(paths, options, Math.max(1, threads));
  const tasks = shards.map((s) => s.task);
  // One task gains nothing from a worker but its start-up.
  const workerCount = tasks.length > 1 ? Math.min(workers, tasks.length) : 0;
  const results = await runTasks(tasks, dispatchOrder(shards), workerCount, callingThreadToo);
  const maxIssues = options.maxIssuesPerFile ?? DEFAULT_MAX_ISSUES;
  return paths.map((file, fileIndex) => {
    const error = failed.get(fileIndex);
    if (error !== undefined)
      return { ...emptySummary(file, options.kinds?.[file] ?? guessKind(file)), error };
    return mergeShards(
      shards.flatMap((s, i) => (s.fileIndex === fileIndex ? [results[i] as FileValidationResult] : [])),
      maxIssues,
    );
  });
}
