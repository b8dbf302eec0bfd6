/**
 * Turns a lazy iterable of NDJSON lines into a byte stream with backpressure: lines are pulled only
 * when the socket wants more, so an export is never held in memory whole.
 */
import { PassThrough, Readable } from 'node:stream';

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

/**
 * Passes on half of the first chunk, then fails the stream, so the server cuts the connection
 * mid-body (fault download-truncated).
 */
export function truncated(source: Readable): Readable {
  const out = new PassThrough();
  source.once('data', (chunk: Buffer | string) => {
    source.pause();
    const buf = Buffer.from(chunk);
    out.write(buf.subarray(0, Math.max(1, Math.floor(buf.length / 2))), () => {
      source.destroy();
      out.destroy(new Error('fault download-truncated: body cut short'));
    });
  });
  source.on('error', (err) => out.destroy(err));
  return out;
}
