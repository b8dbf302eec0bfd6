import { describeJsonSyntaxError, findJsonSyntaxError } from '../../src/core/json-error';
import { fixtureNdjson } from '../fhir/corpus-helpers';

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('findJsonSyntaxError', () => {
  it.each([
    ['', 'empty', 0],
    ['  \t', 'empty', 3],
    ['{"a":1', 'end', 6],
    ['{"a":1 "b":2}', 'expected-comma-or-brace', 7],
    ['[1 2]', 'expected-comma-or-bracket', 3],
    ['{a:1}', 'expected-property-name', 1],
    ['{"a",1}', 'expected-colon', 4],
    ['{"a":"open', 'unterminated-string', 5],
    ['{"a":"b\u0001"}', 'control-character', 7],
    ['"\\x"', 'bad-escape', 1],
    ['"\\u12g4"', 'bad-escape', 1],
    ['{"a":01}', 'bad-number', 6],
    ['-x', 'bad-number', 1],
    ['1.e5', 'bad-number', 2],
    ['1e', 'end', 2],
    ['{"a":1}}', 'trailing-data', 7],
    ['SSN 123', 'unexpected-character', 0],
    ['tru', 'end', 3],
    ['trux', 'unexpected-character', 3],
    ['[1,]', 'unexpected-character', 3],
  ])('%j: %s at %d', (text, kind, position) => {
    expect(parses(text)).toBe(false);
    expect(findJsonSyntaxError(text)).toEqual({ kind, position });
  });

  it.each(['{}', '[]', ' {"a":[1,-2.5e+3,true,false,null,"\\u00e9\\n"]} ', '"x"', '0', '"\ud800"'])(
    'finds nothing in valid JSON %j',
    (text) => {
      expect(parses(text)).toBe(true);
      expect(findJsonSyntaxError(text)).toBeUndefined();
    },
  );

  it('handles nesting far deeper than the stack', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(findJsonSyntaxError(deep)).toBeUndefined();
    expect(findJsonSyntaxError(deep.slice(0, -1))).toEqual({ kind: 'end', position: 399_999 });
  });

  it('agrees with JSON.parse on thousands of mutated FHIR lines, and on V8 positions where V8 gives one', () => {
    const lines = [
      fixtureNdjson('valid', 'patient-base.json').text.trim(),
      fixtureNdjson('valid', 'eob-base.json').text.trim(),
    ];
    const alphabet = '{}[]",:\\ -+.eE0123456789tfnulx\u0001\u00e9';
    // Deterministic pseudo-random sequence (the test must give the same verdict every run).
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    // V8 messages whose position means what ours does.
    const comparable = /^(Expected|Bad control|Unexpected non-whitespace)/;
    let invalid = 0;
    let positionsCompared = 0;
    for (let round = 0; round < 4000; round++) {
      let text = lines[round % lines.length] as string;
      for (let m = 0; m <= rnd(3); m++) {
        const at = rnd(text.length + 1);
        const op = rnd(3);
        const ch = alphabet[rnd(alphabet.length)] as string;
        if (op === 0) text = text.slice(0, at) + text.slice(at + 1);
        else if (op === 1) text = text.slice(0, at) + ch + text.slice(at);
        else text = text.slice(0, at);
      }
      let v8: string | undefined;
      try {
        JSON.parse(text);
      } catch (e) {
        v8 = (e as Error).message;
      }
      const ours = findJsonSyntaxError(text);
      expect({ text, invalid: ours !== undefined }).toEqual({ text, invalid: v8 !== undefined });
      if (v8 === undefined || ours === undefined) continue;
      invalid++;
      const at = /at position (\d+)/.exec(v8);
      if (at && comparable.test(v8)) {
        positionsCompared++;
        expect({ text, v8, position: ours.position }).toEqual({ text, v8, position: Number(at[1]) });
      }
    }
    expect(invalid).toBeGreaterThan(1000);
    expect(positionsCompared).toBeGreaterThan(100);
  });
});

describe('describeJsonSyntaxError', () => {
  it('says kind and position in fixed words', () => {
    expect(describeJsonSyntaxError('{"ssn":"123-45-6789" x')).toBe(
      "not valid JSON: expected ',' or '}' after a property value at position 21",
    );
    expect(describeJsonSyntaxError('SSN 123-45-6789 Jane Roe')).toBe(
      'not valid JSON: unexpected character at position 0',
    );
  });
});
