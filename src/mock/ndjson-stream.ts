/**
 * Lazy text and NDJSON bodies: parts are pulled only when the socket wants more, so an export or a
 * long job list is never held in memory whole.
 */
import { PassThrough, Readable } from 'node:stream';

const CHUNK_BYTES = 64 * 1024;

/**
 * Turns a lazy iterable of text parts into a byte stream with backpressure: parts are pulled only
 * when the socket wants more, about 64 KiB at a time, so a large answer is never held whole and
 * other clients are served between chunks.
 */
export function textStream(parts: Iterable<string>): Readable {
  let iterator: Iterator<string> | undefined;
  return new Readable({
    highWaterMark: CHUNK_BYTES,
    read(): void {
      try {
        iterator ??= parts[Symbol.iterator]();
        const chunk: string[] = [];
        let size = 0;
        while (size < CHUNK_BYTES) {
          const next = iterator.next();
          if (next.done) {
            if (chunk.length > 0) this.push(chunk.join(''));
            this.push(null);
            return;
          }
          chunk.push(next.value);
          size += next.value.length;
        }
        this.push(chunk.join(''));
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

/** NDJSON: each line (optionally rewritten) followed by a newline, streamed as textStream does. */
export function ndjsonStream(lines: Iterable<string>, rewrite?: (line: string) => string): Readable {
  return textStream(
    (function* withNewlines(): Generator<string> {
      for (const line of lines) yield `${rewrite ? rewrite(line) : line}\n`;
    })(),
  );
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
