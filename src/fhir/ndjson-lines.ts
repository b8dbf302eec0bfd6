/**
 * The one way NDJSON bytes become lines, for files on disk (validate) and downloads alike.
 * Splitting works over large chunks: a manual `\n` search (a trailing `\r` is dropped), carrying
 * only the unfinished tail between chunks. Lines are checked to be UTF-8 (natively, per chunk;
 * per line only when a chunk fails). Gzip input is inflated by a bounded stage that names where
 * cut-short or corrupt data fails.
 */
import { isAscii, isUtf8 } from 'buffer';
import { createGunzip } from 'zlib';

export type ByteSource = NodeJS.ReadableStream | AsyncIterable<Buffer | Uint8Array | string>;

/**
 * Receives a line (no terminator), the offset of its first byte, whether its bytes are known to
 * be all ASCII (checked per chunk, natively), and the offset in the line of its first byte that
 * is not valid UTF-8, or -1 (the text then holds U+FFFD there); return false to stop.
 */
export type LineSink = (text: string, offset: number, ascii: boolean, badUtf8At: number) => boolean | void;

/**
 * Receives a line longer than the limit, which is not decoded (its bytes are dropped as they
 * arrive): the offset of its first byte and its length (when the splitter stops at such a line,
 * the bytes seen so far); return false to stop.
 */
export type OversizedLineSink = (offset: number, bytes: number) => boolean | void;

export const CHUNK_BYTES = 1 << 20;

/**
 * Longest line decoded: one FHIR resource is far smaller; a longer line is reported, not
 * buffered.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

function decode(buf: Buffer, start: number, end: number): string {
  if (end > start && buf[end - 1] === 13) end--;
  return buf.toString('utf8', start, end);
}

/**
 * Offset (from `start`) of the first byte in buf[start, end) that does not belong to a well-formed
 * UTF-8 sequence (no overlong forms, surrogates or code points past U+10FFFF), or -1. Run only on
 * lines the native check rejected.
 */
export function firstInvalidUtf8(buf: Uint8Array, start = 0, end = buf.length): number {
  let i = start;
  while (i < end) {
    const b = buf[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Length of the sequence and the range its second byte must fall in (Unicode table 3-7).
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      else if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      else if (b === 0xf4) high = 0x8f;
    } else return i - start;
    if (i + length > end) return i - start;
    const second = buf[i + 1] as number;
    if (second < low || second > high) return i - start;
    for (let k = 2; k < length; k++) {
      const next = buf[i + k] as number;
      if (next < 0x80 || next > 0xbf) return i - start;
    }
    i += length;
  }
  return -1;
}

/** firstInvalidUtf8 of a whole buffer not known to be ASCII, with the native check first. */
function badUtf8In(buf: Buffer): number {
  return isUtf8(buf) ? -1 : firstInvalidUtf8(buf);
}

/**
 * Splits chunks into lines; keeps at most the current unfinished line, and only while it is
 * within `maxLineBytes`. Past that its bytes are dropped until its end, then reported; or, with
 * `stopAtOversized`, it is reported as soon as it is known to be too long and the splitter stops
 * (a download then reads no further than the limit).
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
    private readonly stopAtOversized = false,
  ) {}

  get done(): boolean {
    return this.stopped;
  }

  /** Bytes of the unfinished line held until its end (never more than maxLineBytes). */
  get bufferedBytes(): number {
    return this.carryBytes;
  }

  private emitOversized(offset: number, bytes: number): boolean {
    if (this.oversized(offset, bytes) === false || this.stopAtOversized) this.stopped = true;
    return !this.stopped;
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    const base = this.position;
    this.position += chunk.length;
    const asciiChunk = isAscii(chunk);
    // The lines wholly inside this chunk are valid UTF-8 if the bytes from the first of them to
    // the last newline are: a sequence cut by the chunk's edge lies in a carried line, outside.
    // Checked once per chunk, when its first such line comes; per line only if that fails.
    let spanChecked = asciiChunk;
    let spanUtf8 = asciiChunk;
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
      let badUtf8At = -1;
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
        if (!ascii) badUtf8At = badUtf8In(joined);
      } else {
        offset = base + pieceStart;
        if (nl - pieceStart > max) {
          if (!this.emitOversized(offset, nl - pieceStart)) return;
          continue;
        }
        text = decode(chunk, pieceStart, nl);
        if (!spanChecked) {
          spanChecked = true;
          spanUtf8 = isUtf8(chunk.subarray(pieceStart, chunk.lastIndexOf(10)));
        }
        if (!spanUtf8) badUtf8At = firstInvalidUtf8(chunk, pieceStart, nl);
      }
      if (this.sink(text, offset, ascii, badUtf8At) === false) {
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
      const offset = this.carry.length ? this.carryStart : base + start;
      const bytes = this.carryBytes + rest;
      this.carry = [];
      this.carryBytes = 0;
      if (this.stopAtOversized) this.emitOversized(offset, bytes);
      else {
        this.oversizedStart = offset;
        this.oversizedBytes = bytes;
      }
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
    const ascii = isAscii(joined);
    this.sink(decode(joined, 0, joined.length), this.carryStart, ascii, ascii ? -1 : badUtf8In(joined));
  }
}

const toBuffer = (c: Buffer | Uint8Array | string): Buffer =>
  Buffer.isBuffer(c)
    ? c
    : typeof c === 'string'
      ? Buffer.from(c, 'utf8')
      : Buffer.from(c.buffer, c.byteOffset, c.byteLength);

/** Compressed bytes handed to gunzip at a time: the most it holds inflated is what one slice gives. */
const GZIP_SLICE = 32 * 1024;
/** Inflated bytes waiting for the consumer before no more compressed input is handed over. */
const GZIP_MAX_QUEUED = 1 << 20;

/**
 * Gzip data that cannot be inflated, in fixed words (zlib's messages quote no data): cut short
 * or corrupt, and where in the compressed bytes. `zlibMessage` is zlib's own phrase, for callers
 * that word the failure themselves.
 */
export class GzipError extends Error {
  constructor(
    readonly zlibMessage: string,
    /** Compressed bytes handed to zlib when it failed: [start, end) of the last slice. */
    readonly sliceStart: number,
    readonly sliceEnd: number,
    code: string | undefined,
  ) {
    super(
      code === 'Z_BUF_ERROR'
        ? `gzip: the compressed data ends early (${zlibMessage}) at compressed byte ${sliceEnd}`
        : code === 'Z_DATA_ERROR'
          ? `gzip: the compressed data is corrupt (${zlibMessage}) in compressed bytes ${sliceStart}-${sliceEnd}`
          : `gzip: ${zlibMessage} (in compressed bytes ${sliceStart}-${sliceEnd})`,
    );
    this.name = 'GzipError';
  }
}

/** Lets one waiter sleep until something happens; fire() with no waiter does nothing. */
class Wakeup {
  private resolve: (() => void) | undefined;
  wait(): Promise<void> {
    return new Promise<void>((resolve) => (this.resolve = resolve));
  }
  fire = (): void => {
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  };
}

/**
 * Inflates `input`. Unlike iterating a gunzip stream, which drops the output it holds when the
 * input turns out to be cut short, every byte inflated before a failure is yielded, then the
 * failure is thrown (a GzipError naming the compressed offset). Compressed input goes in
 * by slices, and only while little inflated output waits, so memory stays bounded even for a
 * gzip bomb. A failure to read `input` itself is rethrown as it is.
 */
async function* gunzipChunks(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const queue: Buffer[] = [];
  let queued = 0;
  let sliceStart = 0;
  let sliceEnd = 0;
  let failure: Error | undefined;
  let ended = false;
  let stopped = false;
  /** The consumer waits for output, a failure or the end; the feeder for room, then for its write. */
  const output = new Wakeup();
  const room = new Wakeup();
  const inflated = new Wakeup();
  const fail = (error: Error): void => {
    failure ??= error;
    output.fire();
    room.fire();
    inflated.fire();
  };
  gunzip.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    output.fire();
  });
  gunzip.on('error', (error: NodeJS.ErrnoException) =>
    fail(new GzipError(error.message, sliceStart, sliceEnd, error.code)),
  );
  gunzip.on('end', () => {
    ended = true;
    output.fire();
  });
  const feed = async (): Promise<void> => {
    try {
      for await (const chunk of input) {
        for (let i = 0; i < chunk.length; i += GZIP_SLICE) {
          while (queued > GZIP_MAX_QUEUED && !failure && !stopped) await room.wait();
          if (failure || stopped) return;
          const slice = chunk.subarray(i, i + GZIP_SLICE);
          sliceStart = sliceEnd;
          sliceEnd += slice.length;
          // The callback comes once the slice is inflated and its output handed over.
          const done = inflated.wait();
          gunzip.write(slice, inflated.fire);
          await done;
          if (failure || stopped) return;
        }
      }
      gunzip.end();
    } catch (e) {
      fail(e as Error);
    }
  };
  void feed();
  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        queued -= next.length;
        if (queued <= GZIP_MAX_QUEUED) room.fire();
        yield next;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await output.wait();
    }
  } finally {
    stopped = true;
    room.fire();
    inflated.fire();
    gunzip.destroy();
  }
}

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
  async function* raw(): AsyncGenerator<Buffer> {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield toBuffer(r.value);
  }
  yield* isGzip ? gunzipChunks(raw()) : raw();
}
