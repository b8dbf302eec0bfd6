/**
 * The hand-written date/dateTime/instant/id acceptors of the fast validator must say yes exactly
 * when their R4 pattern does, on valid values, near misses and random strings.
 */
import { FORMAT_ACCEPTORS, loadFormatAcceptors } from '../../src/fhir/schema/fast-formats';
import { prepareSchema } from '../../src/fhir/schema/prepare';
import { loadConstraints, loadOfficialSchema } from '../../src/fhir/schema/source';

/** Small deterministic PRNG (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID_SHAPES = [
  '2024',
  '2024-02',
  '2024-02-29',
  '0001-01-01',
  '2024-02-29T23:59:60Z',
  '2024-02-29T00:00:00.1+14:00',
  '2024-12-31T12:30:45.123456-05:30',
  '1999-01-01T00:00:00+13:59',
  'abc-DEF.123',
  'a',
  'x'.repeat(64),
];

/** Characters that appear in these formats, plus a few that must never be accepted. */
const ALPHABET = '0123456789-:T.Z+ aZ_/\u00e9';

function mutate(s: string, next: () => number): string {
  const pick = (): string => ALPHABET[Math.floor(next() * ALPHABET.length)] ?? '0';
  const at = Math.floor(next() * (s.length + 1));
  switch (Math.floor(next() * 4)) {
    case 0:
      return s.slice(0, at) + pick() + s.slice(at + 1); // replace
    case 1:
      return s.slice(0, at) + pick() + s.slice(at); // insert
    case 2:
      return s.slice(0, at) + s.slice(at + 1); // delete
    default: {
      // a random digit pair, to walk month/day/hour/offset ranges
      const d = String(Math.floor(next() * 100)).padStart(2, '0');
      return s.slice(0, at) + d + s.slice(at + 2);
    }
  }
}

function candidates(): string[] {
  const next = random(20240229);
  const out = new Set<string>(['', '0000', '0000-01-01', 'x'.repeat(65), '2024-1-01']);
  for (const shape of VALID_SHAPES) {
    out.add(shape);
    for (let i = 0; i < 4000; i++) {
      let s = shape;
      const edits = 1 + Math.floor(next() * 3);
      for (let e = 0; e < edits; e++) s = mutate(s, next);
      out.add(s);
    }
  }
  for (let i = 0; i < 5000; i++) {
    const len = Math.floor(next() * 30);
    let s = '';
    for (let j = 0; j < len; j++) s += ALPHABET[Math.floor(next() * ALPHABET.length)] ?? '';
    out.add(s);
  }
  return [...out];
}

describe('fast-validator format acceptors', () => {
  const acceptors = loadFormatAcceptors();
  const inputs = candidates();

  it.each(Object.entries(FORMAT_ACCEPTORS))('%s ≡ %s', (source, name) => {
    const accept = acceptors[name];
    expect(accept).toBeDefined();
    const re = new RegExp(source);
    const wrong: string[] = [];
    let matched = 0;
    for (const s of inputs) {
      const expected = re.test(s);
      if (expected) matched++;
      if ((accept as (v: string) => boolean)(s) !== expected)
        wrong.push(`${JSON.stringify(s)}: regexp ${expected}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    // The inputs exercise both answers.
    expect(matched).toBeGreaterThan(100);
    expect(inputs.length - matched).toBeGreaterThan(100);
  });

  it('each acceptor stands for a pattern the prepared schema uses', () => {
    const schemaText = JSON.stringify(prepareSchema(loadOfficialSchema(), loadConstraints()));
    for (const source of Object.keys(FORMAT_ACCEPTORS)) expect(schemaText).toContain(JSON.stringify(source));
  });
});
