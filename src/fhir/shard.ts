/**
 * Validates one file on disk, or one byte range of a plain NDJSON file: the lines whose first
 * byte lies in [start, end). Runs in worker threads (see pool.ts) and in-process.
 */
import * as fs from 'fs';
import { LineValidator } from './line-validator';
import { CHUNK_BYTES, decodedChunks, LineSplitter, MAX_LINE_BYTES } from './ndjson-lines';
import type { FileValidationSummary, NdjsonValidationOptions } from './types';

export interface ShardTask {
  path: string;
  options: NdjsonValidationOptions;
  /** Byte range of a plain file; absent: the whole file (plain or gzip). */
  range?: { start: number; end: number };
}

export async function runShard(task: ShardTask): Promise<FileValidationSummary> {
  const validator = new LineValidator(task.options);
  if (!task.range) {
    const splitter = new LineSplitter(
      (text, _offset, ascii) => validator.line(text, ascii),
      (_offset, bytes) => validator.oversizedLine(bytes, MAX_LINE_BYTES),
    );
    const stream = fs.createReadStream(task.path, { highWaterMark: CHUNK_BYTES });
    for await (const chunk of decodedChunks(stream, task.options.gzip)) {
      validator.addBytes(chunk.length);
      splitter.push(chunk);
    }
    splitter.end();
    return validator.finish();
  }
  const { start, end } = task.range;
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
    (text, offset, ascii) => {
      const action = decide(offset);
      if (action === 'take') validator.line(text, ascii);
      return action !== 'stop';
    },
    (offset, bytes) => {
      const action = decide(offset);
      if (action === 'take') validator.oversizedLine(bytes, MAX_LINE_BYTES);
      return action !== 'stop';
    },
  );
  const stream = fs.createReadStream(task.path, { start: from, highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream) {
      splitter.push(chunk as Buffer);
      if (splitter.done) break;
    }
    splitter.end();
  } finally {
    stream.destroy();
  }
  // Ranges partition the file, so their sizes add up to the file size.
  validator.addBytes(end - start);
  return validator.finish();
}
