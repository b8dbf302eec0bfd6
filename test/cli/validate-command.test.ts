import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { runValidate } from '../../src/cli/validate-command';
import { expectInertLog, INJECT } from '../report/injection-helpers';
import { fixtureNdjson } from '../fhir/corpus-helpers';

let dir: string;
const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-cli-'));
  fs.mkdirSync(path.join(dir, 'good'));
  fs.mkdirSync(path.join(dir, 'bad'));
  const patient = fixtureNdjson('valid', 'patient-base.json').text;
  fs.writeFileSync(path.join(dir, 'good', 'Patient.ndjson'), patient + patient);
  fs.writeFileSync(
    path.join(dir, 'good', 'ExplanationOfBenefit.ndjson.gz'),
    gzipSync(fixtureNdjson('valid', 'eob-base.json').text),
  );
  fs.writeFileSync(path.join(dir, 'good', 'notes.txt'), 'not ndjson');
  fs.writeFileSync(
    path.join(dir, 'bad', 'Patient.ndjson'),
    patient + fixtureNdjson('invalid', 'patient-gender-code.json').text,
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('bcda-conformance validate', () => {
  it('exits 0 on valid files (dirs expanded, .gz read) and prints a table', async () => {
    const t = io();
    expect(await runValidate([path.join(dir, 'good')], { workers: '0' }, t.io)).toBe(0);
    const text = t.out.join('\n');
    expect(text).toContain('Patient.ndjson');
    expect(text).toContain('ExplanationOfBenefit.ndjson.gz');
    expect(text).not.toContain('notes.txt');
    expect(text).toMatch(/2 file\(s\), 3 line\(s\), 0 invalid/);
  });

  it('exits 1 on invalid lines and names the rule, path and line', async () => {
    const t = io();
    expect(await runValidate([path.join(dir, 'bad')], { workers: '0' }, t.io)).toBe(1);
    expect(t.out.join('\n')).toMatch(
      / schema Patient\.gender: must be one of: male, female, other, unknown \(first: .*Patient\.ndjson:2\)/,
    );
  });

  it('prints JSON with --json', async () => {
    const t = io();
    expect(
      await runValidate([path.join(dir, 'bad', 'Patient.ndjson')], { json: true, workers: '0' }, t.io),
    ).toBe(1);
    const parsed = JSON.parse(t.out.join('\n')) as { valid: boolean; files: { invalidLines: number }[] };
    expect(parsed.valid).toBe(false);
    expect(parsed.files[0]?.invalidLines).toBe(1);
  });

  it.each([
    [['/no/such/path.ndjson'], {}, /no such file or directory: \/no\/such\/path\.ndjson/],
    [[], {}, /at least one/],
    [['GOOD'], { apiVersion: 'v9' }, /--api-version must be v1, v2 or v3/],
    [['GOOD'], { validateLines: '0' }, /--validate-lines must be an integer >= 1/],
    [['EMPTY'], {}, /no \.ndjson or \.ndjson\.gz files/],
  ] as const)('exits 2 with a one-line message on bad input %#', async (inputs, opts, message) => {
    const t = io();
    fs.mkdirSync(path.join(dir, 'empty'), { recursive: true });
    const resolved = inputs.map((i) =>
      i === 'GOOD' ? path.join(dir, 'good') : i === 'EMPTY' ? path.join(dir, 'empty') : i,
    );
    expect(await runValidate(resolved, opts, t.io)).toBe(2);
    expect(t.err).toHaveLength(1);
    expect(t.err[0]).toMatch(message);
    expect(t.err[0]).not.toMatch(/\n\s+at /);
  });
});

describe('validate output with hostile file contents and names', () => {
  it('prints no raw control character and no workflow command, as text and as --json', async () => {
    const hostile = path.join(dir, 'hostile');
    fs.mkdirSync(hostile, { recursive: true });
    const patient = JSON.parse(fixtureNdjson('valid', 'patient-base.json').text) as Record<string, unknown>;
    const lines = [
      patient,
      { ...patient, resourceType: `Patient${INJECT}` },
      { ...patient, id: INJECT },
      { resourceType: INJECT, id: INJECT },
    ].map((l) => JSON.stringify(l));
    // A file name may carry the same (it came from a target's manifest, say).
    fs.writeFileSync(path.join(hostile, `P\n::error::name-pwned\u202e.ndjson`), lines.join('\n') + '\n');
    for (const json of [false, true]) {
      const t = io();
      expect(await runValidate([hostile], { json, workers: '0' }, t.io)).toBe(1);
      const text = t.out.join('\n') + '\n' + t.err.join('\n');
      expect(text).toContain('pwned');
      expectInertLog(text);
      if (json) {
        const parsed = JSON.parse(t.out.join('\n')) as {
          files: { file: string; issues: { message: string }[] }[];
        };
        // The escapes are JSON escapes: the values read back unchanged.
        expect(parsed.files[0]?.file).toContain('P\n::error::name-pwned\u202e');
        expect(parsed.files[0]?.issues.some((i) => i.message.includes(INJECT))).toBe(true);
      }
    }
  });
});
