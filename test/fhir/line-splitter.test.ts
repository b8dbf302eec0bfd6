/** LineSplitter: lines across any chunk boundaries, and a bounded buffer for over-long lines. */
import { LineSplitter } from '../../src/fhir/ndjson-lines';

type Seen = ['line', string, number] | ['oversized', number, number];

/** Feeds `chunks` to a splitter (limit `max`, default the library's) and records what it reports. */
function splitChunks(chunks: Iterable<Buffer>, max?: number): { seen: Seen[]; mostHeld: number } {
  const seen: Seen[] = [];
  const splitter = new LineSplitter(
    (text, offset) => {
      seen.push(['line', text, offset]);
    },
    (offset, bytes) => {
      seen.push(['oversized', offset, bytes]);
    },
    max,
  );
  let mostHeld = 0;
  for (const chunk of chunks) {
    splitter.push(chunk);
    mostHeld = Math.max(mostHeld, splitter.bufferedBytes);
  }
  splitter.end();
  return { seen, mostHeld };
}

/** Splits `data` fed in chunks of `size` bytes with a `max`-byte line limit. */
function split(data: string, size: number, max: number): { seen: Seen[]; mostHeld: number } {
  const bytes = Buffer.from(data);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return splitChunks(chunks, max);
}

describe('LineSplitter', () => {
  const data = `ab\r\n${'x'.repeat(25)}\nc\n${'y'.repeat(11)}\r\nd\n${'z'.repeat(40)}`;
  const expected: Seen[] = [
    ['line', 'ab', 0],
    ['oversized', 4, 25],
    ['line', 'c', 30],
    ['oversized', 32, 12], // 11 bytes and the \r: over a 10-byte limit
    ['line', 'd', 45],
    ['oversized', 47, 40], // the last line, without a newline
  ];

  it.each([1, 2, 3, 5, 8, 13, 64, 1000])(
    'reports lines over the limit and goes on, in chunks of %i bytes',
    (size) => {
      const { seen, mostHeld } = split(data, size, 10);
      expect(seen).toEqual(expected);
      expect(mostHeld).toBeLessThanOrEqual(10);
    },
  );

  it('keeps a line of exactly the limit', () => {
    for (const size of [1, 4, 100]) {
      expect(split(`${'a'.repeat(10)}\nb`, size, 10).seen).toEqual([
        ['line', 'a'.repeat(10), 0],
        ['line', 'b', 11],
      ]);
    }
  });

  it('holds at most the limit while a 50 MB line streams past', () => {
    const chunk = Buffer.alloc(1 << 20, 0x61);
    const chunks = [...Array.from({ length: 50 }, () => chunk), Buffer.from('\n{}\n')];
    const { seen, mostHeld } = splitChunks(chunks);
    expect(mostHeld).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(seen).toEqual([
      ['oversized', 0, 50 << 20],
      ['line', '{}', (50 << 20) + 1],
    ]);
  });

  it('stops when the oversized-line callback says so', () => {
    const seen: string[] = [];
    const splitter = new LineSplitter(
      (text) => {
        seen.push(text);
      },
      () => false,
      4,
    );
    splitter.push(Buffer.from('a\nlong line\nb\n'));
    splitter.end();
    expect(seen).toEqual(['a']);
    expect(splitter.done).toBe(true);
  });
});

describe('LineSplitter that stops at a line over the limit', () => {
  /** Splits `data` in chunks of `size` bytes with a 10-byte limit, stopping at the first long line. */
  function stopping(data: string, size: number): { seen: Seen[]; done: boolean } {
    const seen: Seen[] = [];
    const splitter = new LineSplitter(
      (text, offset) => {
        seen.push(['line', text, offset]);
      },
      (offset, bytes) => {
        seen.push(['oversized', offset, bytes]);
      },
      10,
      true,
    );
    const bytes = Buffer.from(data);
    for (let i = 0; i < bytes.length && !splitter.done; i += size) splitter.push(bytes.subarray(i, i + size));
    splitter.end();
    return { seen, done: splitter.done };
  }

  it.each([1, 3, 7, 64])(
    'reports the line once it is known to be too long, in chunks of %i bytes',
    (size) => {
      const { seen, done } = stopping(`ab\n${'x'.repeat(25)}\nc\n`, size);
      expect(done).toBe(true);
      expect(seen[0]).toEqual(['line', 'ab', 0]);
      expect(seen.length).toBe(2);
      const [kind, offset, bytes] = seen[1] as Seen;
      expect([kind, offset]).toEqual(['oversized', 3]);
      // The bytes seen when it stopped: past the limit, never past the line.
      expect(bytes).toBeGreaterThan(10);
      expect(bytes).toBeLessThanOrEqual(25);
    },
  );

  it('reads on through lines within the limit', () => {
    expect(stopping(`${'a'.repeat(10)}\nb`, 4)).toEqual({
      seen: [
        ['line', 'a'.repeat(10), 0],
        ['line', 'b', 11],
      ],
      done: false,
    });
  });
});
