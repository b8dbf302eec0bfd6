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

/**
 * Receives a line longer than the limit, which is not decoded (its bytes are dropped as they
 * arrive): the offset of its first byte and its length; return false to stop.
 */
export type OversizedLineSink = (offset: number, bytes: number) => boolean | void;

export const CHUNK_BYTES = 1 << 20;

/**
 * Longest line decoded: one FHIR resource is far smaller; a longer line is reported, not
 * buffered. The download path (src/flows/download.ts) uses the same bound.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

function decode(buf: Buffer, start: number, end: number): string {
  if (end > start && buf[end - 1] === 13) end--;
  return buf.toString('utf8', start, end);
}

/**
 * Splits chunks into lines; keeps at most the current unfinished line, and only while it is
 * within `maxLineBytes` (past that its bytes are dropped until its end, then reported).
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private carryStart = 0;
  /** Offset of the oversized line being dropped, or -1. */
  private oversizedStart = -1;
  private oversizedBytes = 0;
  private position = 0;
  private stopped = false;

  constructor(
    private readonly sink: LineSink,
    private readonly oversized: OversizedLineSink,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  get done(): boolean {
    return this.stopped;
  }

  /** Bytes of the unfinished line held until its end (never more than maxLineBytes). */
  get bufferedBytes(): number {
    return this.carryBytes;
  }

  private emitOversized(offset: number, bytes: number): boolean {
    if (this.oversized(offset, bytes) === false) this.stopped = true;
    return !this.stopped;
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    const base = this.position;
    this.position += chunk.length;
    const asciiChunk = isAscii(chunk);
    const max = this.maxLineBytes;
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf(10, start)) !== -1) {
      const pieceStart = start;
      start = nl + 1;
      if (this.oversizedStart >= 0) {
        const offset = this.oversizedStart;
        this.oversizedStart = -1;
        if (!this.emitOversized(offset, this.oversizedBytes + nl - pieceStart)) return;
        continue;
      }
      let text: string;
      let offset: number;
      let ascii = asciiChunk;
      if (this.carry.length) {
        offset = this.carryStart;
        const length = this.carryBytes + nl - pieceStart;
        if (length > max) {
          this.carry = [];
          this.carryBytes = 0;
          if (!this.emitOversized(offset, length)) return;
          continue;
        }
        this.carry.push(chunk.subarray(pieceStart, nl));
        const joined = Buffer.concat(this.carry);
        this.carry = [];
        this.carryBytes = 0;
        text = decode(joined, 0, joined.length);
        ascii = isAscii(joined);
      } else {
        offset = base + pieceStart;
        if (nl - pieceStart > max) {
          if (!this.emitOversized(offset, nl - pieceStart)) return;
          continue;
        }
        text = decode(chunk, pieceStart, nl);
      }
      if (this.sink(text, offset, ascii) === false) {
        this.stopped = true;
        return;
      }
    }
    const rest = chunk.length - start;
    if (rest === 0) return;
    if (this.oversizedStart >= 0) {
      this.oversizedBytes += rest;
    } else if (this.carryBytes + rest > max) {
      // Too long already: drop what is held and count the rest of the line as it comes.
      this.oversizedStart = this.carry.length ? this.carryStart : base + start;
      this.oversizedBytes = this.carryBytes + rest;
      this.carry = [];
      this.carryBytes = 0;
    } else {
      if (!this.carry.length) this.carryStart = base + start;
      this.carry.push(chunk.subarray(start));
      this.carryBytes += rest;
    }
  }

  /** Flushes a last line that has no trailing newline. */
  end(): void {
    if (this.stopped) return;
    if (this.oversizedStart >= 0) {
      const offset = this.oversizedStart;
      this.oversizedStart = -1;
      this.emitOversized(offset, this.oversizedBytes);
      return;
    }
    if (!this.carry.length) return;
    const joined = Buffer.concat(this.carry);
    this.carry = [];
    this.carryBytes = 0;
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
