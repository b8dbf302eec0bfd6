/**
 * Validates one file on disk, or one byte range of a plain NDJSON file: the lines whose first
 * byte lies in [start, end). Runs in worker threads (see pool.ts) and in-process.
 */
import * as fs from 'fs';
import { LineValidator } from './line-validator';
import { CHUNK_BYTES, GzipError, LineSplitter, MAX_LINE_BYTES } from './ndjson-lines';
import type { FileValidationResult, NdjsonValidationOptions } from './types';
import { readNdjsonLines } from './validate-stream';

export interface ShardTask {
  path: string;
  options: NdjsonValidationOptions;
  /** Byte range of a plain file; absent: the whole file (plain or gzip). */
  range?: { start: number; end: number };
}

const READ_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  ELOOP: 'symbolic link loop',
  EMFILE: 'too many open files',
  ENXIO: 'no such device',
};

/** Why reading stopped, in fixed words: a gzip failure as worded by ndjson-lines, else the errno. */
export function readFailure(err: unknown, bytesRead: number): string {
  if (err instanceof GzipError) return err.message;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const what = code ? `${code}${READ_ERRORS[code] ? `: ${READ_ERRORS[code]}` : ''}` : String(e?.message ?? e);
  return `cannot read the file (${what}) after ${bytesRead} bytes`;
}

/** Validates the task; a failure to read ends it early, with the lines read so far kept. */
export async function runShard(task: ShardTask): Promise<FileValidationResult> {
  const validator = new LineValidator(task.options);
  const read = { bytes: task.range?.start ?? 0 };
  try {
    if (task.range) await readRange(task, task.range, validator, read);
    else await readWhole(task, validator, read);
  } catch (err) {
    return { ...validator.finish(), error: readFailure(err, read.bytes) };
  }
  return validator.finish();
}

async function readWhole(task: ShardTask, validator: LineValidator, read: { bytes: number }): Promise<void> {
  const stream = fs.createReadStream(task.path, { highWaterMark: CHUNK_BYTES });
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of stream) {
      read.bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  try {
    await readNdjsonLines(counted(), task.options.gzip, validator);
  } finally {
    stream.destroy();
  }
}

async function readRange(
  task: ShardTask,
  { start, end }: { start: number; end: number },
  validator: LineValidator,
  read: { bytes: number },
): Promise<void> {
  // Read from one byte early: if it is '\n', a line starts exactly at `start`.
  const from = start > 0 ? start - 1 : 0;
  let skipping = start > 0;
  /** What to do with the line starting at `offset` (in the bytes read): lines from `end` on are not ours. */
  const decide = (offset: number): 'skip' | 'take' | 'stop' => {
    if (skipping) {
      skipping = false; // this was the tail of the previous range's last line
      return 'skip';
    }
    return from + offset < end ? 'take' : 'stop';
  };
  const splitter = new LineSplitter(
    (text, offset, _ascii, badUtf8At) => {
      const action = decide(offset);
      if (action === 'take') validator.line(text, badUtf8At);
      return action !== 'stop';
    },
    (offset, bytes) => {
      const action = decide(offset);
      if (action === 'take') validator.oversizedLine(bytes, MAX_LINE_BYTES);
      return action !== 'stop';
    },
  );
  const stream = fs.createReadStream(task.path, { start: from, highWaterMark: CHUNK_BYTES });
  read.bytes = from;
  try {
    for await (const chunk of stream) {
      read.bytes += (chunk as Buffer).length;
      splitter.push(chunk as Buffer);
      if (splitter.done) break;
    }
    splitter.end();
  } finally {
    stream.destroy();
  }
  // Ranges partition the file, so their sizes add up to the file size.
  validator.addBytes(end - start);
}

/** Where a thread sends the result of a task it took: a summary, or why it has none. */
export type TaskReport = (id: number, summary?: FileValidationResult, error?: string) => void;

/**
 * Takes the tasks of a run one after another, in `order`, skipping those another thread took:
 * a task is ours when its slot in `claims` goes from 0 to `slot` (an atomic compare-and-swap, so
 * each is taken once, whichever threads share the table). Used by the calling thread and by the
 * workers alike (pool.ts).
 */
export async function runClaimedTasks(
  tasks: ShardTask[],
  order: number[],
  claims: Int32Array,
  slot: number,
  report: TaskReport,
): Promise<void> {
  for (const id of order) {
    if (Atomics.load(claims, id) !== 0 || Atomics.compareExchange(claims, id, 0, slot) !== 0) continue;
    let summary: FileValidationResult;
    try {
      summary = await runShard(tasks[id] as ShardTask);
    } catch (err) {
      report(id, undefined, String((err as Error)?.message ?? err));
      continue;
    }
    report(id, summary);
  }
}
