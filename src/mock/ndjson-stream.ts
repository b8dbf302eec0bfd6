/**
 * Turns a lazy iterable of NDJSON lines into a byte stream with backpressure: lines are pulled only
 * when the socket wants more, so an export is never held in memory whole.
 */
import { Readable } from 'node:stream';

const CHUNK_BYTES = 64 * 1024;

export function ndjsonStream(lines: Iterable<string>, rewrite?: (line: string) => string): Readable {
  let iterator: Iterator<string> | undefined;
  return new Readable({
    highWaterMark: CHUNK_BYTES,
    read(): void {
      try {
        iterator ??= lines[Symbol.iterator]();
        const parts: string[] = [];
        let size = 0;
        while (size < CHUNK_BYTES) {
          const next = iterator.next();
          if (next.done) {
            if (parts.length > 0) this.push(parts.join(''));
            this.push(null);
            return;
          }
          const line = `${rewrite ? rewrite(next.value) : next.value}\n`;
          parts.push(line);
          size += line.length;
        }
        this.push(parts.join(''));
      } catch (err) {
        this.destroy(err as Error);
      }
    },
    destroy(err, callback): void {
      // Let a generator run its finally blocks when the client goes away.
      try {
        iterator?.return?.();
      } catch {
        /* the stream is ending anyway */
      }
      callback(err);
    },
  });
}
