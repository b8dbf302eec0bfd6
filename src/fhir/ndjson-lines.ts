/**
 * Streaming NDJSON line splitting over large chunks: a manual `\n` search (a trailing `\r`
 * is dropped), carrying only the unfinished tail between chunks. Gzip input is detected
 * from its magic bytes.
 */
import { isAscii } from 'buffer';
import { Readable, pipeline } from 'stream';
import { createGunzip } from 'zlib';

export type ByteSource = NodeJS.ReadableStream | AsyncIterable<Buffer | Uint8Array | string>;

/**
 * Receives a line (no terminator), the offset of its first byte, and whether its bytes are
 * known to be all ASCII (checked per chunk, natively); return false to stop.
 */
export type LineSink = (text: string, offset: number, ascii: boolean) => boolean | void;

export const CHUNK_BYTES = 1 << 20;

function decode(buf: Buffer, start: number, end: number): string {
  if (end > start && buf[end - 1] === 13) end--;
  return buf.toString('utf8', start, end);
}

/** Splits chunks into lines; keeps at most the current unfinished line. */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryStart = 0;
  private position = 0;
  private stopped = false;

  constructor(private readonly sink: LineSink) {}

  get done(): boolean {
    return this.stopped;
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    const base = this.position;
    this.position += chunk.length;
    const asciiChunk = isAscii(chunk);
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf(10, start)) !== -1) {
      let text: string;
      let offset: number;
      let ascii = asciiChunk;
      if (this.carry.length) {
        this.carry.push(chunk.subarray(start, nl));
        const joined = Buffer.concat(this.carry);
        this.carry = [];
        text = decode(joined, 0, joined.length);
        offset = this.carryStart;
        ascii = isAscii(joined);
      } else {
        text = decode(chunk, start, nl);
        offset = base + start;
      }
      start = nl + 1;
      if (this.sink(text, offset, ascii) === false) {
        this.stopped = true;
        return;
      }
    }
    if (start < chunk.length) {
      if (!this.carry.length) this.carryStart = base + start;
      this.carry.push(chunk.subarray(start));
    }
  }

  /** Flushes a last line that has no trailing newline. */
  end(): void {
    if (this.stopped || !this.carry.length) return;
    const joined = Buffer.concat(this.carry);
    this.carry = [];
    this.sink(decode(joined, 0, joined.length), this.carryStart, isAscii(joined));
  }
}

const toBuffer = (c: Buffer | Uint8Array | string): Buffer =>
  Buffer.isBuffer(c)
    ? c
    : typeof c === 'string'
      ? Buffer.from(c, 'utf8')
      : Buffer.from(c.buffer, c.byteOffset, c.byteLength);

/**
 * Yields the decoded bytes of `source`, gunzipping when `gzip` is true or, when undefined,
 * when the first bytes are the gzip magic number.
 */
export async function* decodedChunks(source: ByteSource, gzip?: boolean): AsyncGenerator<Buffer> {
  const it = (source as AsyncIterable<Buffer | Uint8Array | string>)[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && toBuffer(first.value).length === 0) first = await it.next();
  if (first.done) return;
  const head = toBuffer(first.value);
  const isGzip = gzip ?? (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b);
  if (!isGzip) {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield toBuffer(r.value);
    return;
  }
  async function* raw(): AsyncGenerator<Buffer> {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield toBuffer(r.value);
  }
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  pipeline(Readable.from(raw()), gunzip, () => {
    /* errors surface through the gunzip iterator below */
  });
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (e) {
    throw new Error(`gzip: ${(e as Error).message}`);
  }
}
