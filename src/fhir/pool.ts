/**
 * Validates files on disk with a worker_threads pool, splitting large plain files into byte
 * ranges so that one big file still uses every core. Shard results are merged back into one
 * summary per file, with line numbers made absolute.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { DEFAULT_MAX_ISSUES } from './line-validator';
import { MAX_LINE_BYTES } from './ndjson-lines';
import { projectRoot } from '../core/project-root';
import { readFailure, runShard, type ShardTask } from './shard';
import type { FileValidationResult, FileValidationSummary, NdjsonValidationOptions } from './types';

export interface ValidateFilesOptions extends Omit<
  NdjsonValidationOptions,
  'file' | 'kind' | 'expectedType' | 'gzip'
> {
  /**
   * Worker threads that validate; this thread then only plans, hands out tasks and merges (it
   * stays free for the event loop, and on two cores two workers outrun main + one worker).
   * 0: this thread validates everything. Default: one per core, or 0 on a single core.
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
  // Tasks run one after another: the pool sends the next task before this one ends, so the
  // worker does not sit idle for a message round trip between tasks.
  const code = `
const { parentPort, workerData } = require('worker_threads');
if (workerData.tsHook) require(workerData.tsHook);
const { runShard } = require(workerData.shardModule);
let queue = Promise.resolve();
parentPort.on('message', (msg) => {
  queue = queue.then(() => runShard(msg.task)).then(
    (summary) => parentPort.postMessage({ id: msg.id, summary }),
    (err) => parentPort.postMessage({ id: msg.id, error: String((err && err.message) || err) }),
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

/** Runs `tasks` (in the given order of their indexes) on `workerCount` worker threads. */
async function runInWorkers(
  tasks: ShardTask[],
  order: number[],
  workerCount: number,
): Promise<FileValidationResult[]> {
  const results: FileValidationResult[] = new Array<FileValidationResult>(tasks.length);
  let next = 0;
  const runOne = (worker: Worker): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const inFlight = new Set<number>();
      // Keep a second task queued in the worker while enough are left for the other workers:
      // it starts the next task at once instead of waiting for a message round trip.
      const send = (): void => {
        while (
          next < tasks.length &&
          (inFlight.size === 0 || (inFlight.size < 2 && tasks.length - next >= workerCount))
        ) {
          const id = order[next++] as number;
          inFlight.add(id);
          worker.postMessage({ id, task: tasks[id] });
        }
        if (inFlight.size === 0) resolve();
      };
      worker.on('message', (msg: { id: number; summary?: FileValidationResult; error?: string }) => {
        inFlight.delete(msg.id);
        if (msg.error !== undefined || !msg.summary) {
          const file = tasks[msg.id]?.path ?? '?';
          return reject(new Error(`${file}: ${msg.error ?? 'worker returned no result'}`));
        }
        results[msg.id] = msg.summary;
        send();
      });
      worker.on('error', reject);
      // A worker that dies without an error event (e.g. killed) must not leave us waiting.
      worker.on('exit', (code) => {
        if (inFlight.size > 0) {
          reject(new Error(`a validation worker stopped early (exit code ${code})`));
        }
      });
      send();
    });
  const workers = acquireWorkers(workerCount);
  let healthy = false;
  try {
    await Promise.all(workers.map(runOne));
    healthy = true;
  } finally {
    await releaseWorkers(workers, healthy);
  }
  return results;
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
  const { shards, failed } = planShards(paths, options, Math.max(1, wanted));
  const tasks = shards.map((s) => s.task);
  // One task gains nothing from a worker but its start-up.
  const workerCount = tasks.length > 1 ? Math.min(wanted, tasks.length) : 0;
  let results: FileValidationResult[];
  if (workerCount <= 0) {
    results = [];
    for (const task of tasks) results.push(await runShard(task));
  } else {
    results = await runInWorkers(tasks, dispatchOrder(shards), workerCount);
  }
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
