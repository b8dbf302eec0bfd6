/**
 * `validate` on awkward input: invalid UTF-8 is an error at its byte offset (never replaced
 * silently, never echoed); broken symbolic links are named; an unreadable file or a truncated
 * .gz is reported by name and offset while every other file keeps its results; exit codes are
 * 1 for findings and 2 for usage errors only.
 */
import { Command } from 'commander';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { gzipSync } from 'zlib';
import { RULE, closeValidationWorkers, validateFiles, validateNdjson } from '../../src/fhir';
import { registerValidateCommand, runValidate } from '../../src/cli/validate-command';
import { LineSplitter } from '../../src/fhir/ndjson-lines';
import { fixtureNdjson } from './corpus-helpers';

const patient = fixtureNdjson('valid', 'patient-base.json').text.trim();
const SECRET = 'Zyxwq';

/** A Patient line with `bytes` spliced into its family name, and where they start in the line. */
function patientWith(bytes: number[]): { line: Buffer; at: number } {
  const marker = '"family":"';
  const cut = patient.indexOf(marker) + marker.length;
  const head = Buffer.from(patient.slice(0, cut) + SECRET);
  return {
    line: Buffer.concat([head, Buffer.from(bytes), Buffer.from(SECRET + patient.slice(cut))]),
    at: head.length,
  };
}

/** Lines with each kind of bad UTF-8, between valid lines (one of them not ASCII). */
const BAD_SEQUENCES: Array<[string, number[]]> = [
  ['a stray continuation byte', [0x80]],
  ['0xff', [0xff]],
  ['an overlong slash', [0xc0, 0xaf]],
  ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
  ['a sequence cut short', [0xe2, 0x82]],
  ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
];
const nonAscii = Buffer.from(patient.replace('"family":"', '"family":"Zoë Ångström 💡 '));
const badLines = BAD_SEQUENCES.map(([, bytes]) => patientWith(bytes));
const utf8File = Buffer.concat(
  [nonAscii, ...badLines.flatMap((b) => [b.line, nonAscii])].flatMap((l) => [l, Buffer.from('\n')]),
);
/** Line numbers and in-line byte offsets the bad lines must be reported at. */
const expectedUtf8 = badLines.map((b, i) => [3 + 2 * i - 1, b.at]);

function expectUtf8Issues(issues: { line: number; ruleId: string; message: string }[]): void {
  const utf8 = issues.filter((i) => /UTF-8/.test(i.message));
  expect(utf8.map((i) => [i.line, Number(/byte offset (\d+)/.exec(i.message)?.[1])])).toEqual(expectedUtf8);
  for (const issue of utf8) {
    expect(issue.ruleId).toBe(RULE.parse);
    expect(issue.message).not.toContain(SECRET);
    expect(issue.message).not.toContain('\ufffd');
  }
}

let dir: string;
const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-robust-'));
});
afterAll(async () => {
  await closeValidationWorkers();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('invalid UTF-8', () => {
  it('the line splitter flags the first bad byte of each line, whatever the chunk boundaries', () => {
    for (const size of [1, 2, 3, 7, 64, 4096, 1 << 20]) {
      const seen: Array<[number, number]> = [];
      let lineNo = 0;
      const splitter = new LineSplitter(
        (_text, _offset, _ascii, badUtf8At) => {
          lineNo++;
          if (badUtf8At >= 0) seen.push([lineNo, badUtf8At]);
        },
        () => undefined,
      );
      for (let i = 0; i < utf8File.length; i += size) splitter.push(utf8File.subarray(i, i + size));
      splitter.end();
      expect({ size, seen }).toEqual({ size, seen: expectedUtf8 });
    }
  });

  it('is an error at its line and byte offset in a stream, in workers and in byte-range shards', async () => {
    const s = await validateNdjson(Readable.from([utf8File]), {
      file: 'p',
      kind: 'output',
      apiVersion: 'v2',
    });
    expectUtf8Issues(s.issues);
    expect(s.invalidLines).toBe(BAD_SEQUENCES.length);
    const file = path.join(dir, 'utf8', 'Patient.ndjson');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, utf8File);
    for (const opts of [{ workers: 0 }, { workers: 2 }, { workers: 2, rangeBytes: 3000 }]) {
      const [f] = await validateFiles([file, file], { apiVersion: 'v2', ...opts });
      expectUtf8Issues(f?.issues ?? []);
    }
  }, 60_000);
});

describe('validate goes on past files it cannot read', () => {
  let tree: string;
  beforeAll(() => {
    tree = path.join(dir, 'tree');
    fs.mkdirSync(path.join(tree, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'A-Patient.ndjson'), `${patient}\n${patient}\n`);
    fs.writeFileSync(path.join(tree, 'sub', 'B-Patient.ndjson'), `${patient}\n`);
    // A gzip file cut in the middle, with whole lines before the cut.
    const many = Array.from({ length: 400 }, () => patient).join('\n') + '\n';
    const gz = gzipSync(Buffer.from(many));
    fs.writeFileSync(path.join(tree, 'C-Patient.ndjson.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    fs.writeFileSync(
      path.join(tree, 'D-Patient.ndjson.gz'),
      Buffer.concat([gz.subarray(0, 20), Buffer.alloc(64, 0xa5)]),
    );
    fs.symlinkSync('missing.ndjson', path.join(tree, 'E-dangling.ndjson'));
    fs.symlinkSync('F-self.ndjson', path.join(tree, 'F-self.ndjson'));
    fs.symlinkSync('..', path.join(tree, 'sub', 'G-loop'));
    fs.symlinkSync(path.join(tree, 'A-Patient.ndjson'), path.join(tree, 'H-link.ndjson'));
    // Reading /proc/self/mem from offset 0 fails with EIO, even for root (chmod 000 would not).
    fs.symlinkSync('/proc/self/mem', path.join(tree, 'I-unreadable.ndjson'));
  });

  it.each([
    ['on this thread', '0'],
    ['in workers', '2'],
  ])(
    'names every problem, keeps the other files and exits 1 (%s)',
    async (_name, workers) => {
      for (const json of [false, true]) {
        const t = io();
        expect(await runValidate([tree], { workers, json }, t.io)).toBe(1);
        const all = t.out.join('\n') + '\n' + t.err.join('\n');
        if (json) {
          const report = JSON.parse(t.out.join('\n')) as {
            valid: boolean;
            files: { file: string; lines: number; error?: string }[];
            fileErrors: { file: string; message: string }[];
          };
          expect(report.valid).toBe(false);
          const byName = new Map(report.files.map((f) => [path.basename(f.file), f]));
          expect(byName.get('A-Patient.ndjson')?.lines).toBe(2);
          expect(byName.get('B-Patient.ndjson')?.lines).toBe(1);
          expect(byName.get('H-link.ndjson')?.lines).toBe(2);
          const c = byName.get('C-Patient.ndjson.gz');
          expect(c?.lines).toBeGreaterThan(10);
          expect(c?.lines).toBeLessThan(400);
          expect(c?.error).toMatch(/gzip: .*ends early.* at compressed byte \d+/);
          expect(byName.get('D-Patient.ndjson.gz')?.error).toMatch(/gzip: .* at compressed byte \d+/);
          expect(byName.get('I-unreadable.ndjson')?.error).toMatch(/EIO/);
          const errors = new Map(report.fileErrors.map((e) => [path.basename(e.file), e.message]));
          expect(errors.get('E-dangling.ndjson')).toMatch(/dangling symbolic link/);
          expect(errors.get('F-self.ndjson')).toMatch(/symbolic link loop/);
          expect(errors.get('G-loop')).toMatch(/symbolic link loop/);
          for (const name of ['C-Patient.ndjson.gz', 'D-Patient.ndjson.gz', 'I-unreadable.ndjson'])
            expect(errors.has(name)).toBe(true);
        } else {
          for (const name of ['E-dangling', 'F-self', 'G-loop', 'C-Patient', 'D-Patient', 'I-unreadable'])
            expect(all).toMatch(new RegExp(`${name}.*: `));
          expect(all).toMatch(/A-Patient\.ndjson +output/);
          expect(all).toMatch(/\d+ file\(s\), \d+ line\(s\), 0 invalid\.?/);
          expect(all).toMatch(/could not be read/);
        }
      }
    },
    60_000,
  );

  it('a gzip file cut short, on its own: exit 1 with its name, the byte offset and what went wrong', async () => {
    const t = io();
    const file = path.join(tree, 'C-Patient.ndjson.gz');
    expect(await runValidate([file], { workers: '0' }, t.io)).toBe(1);
    const size = fs.statSync(file).size;
    expect(t.out.join('\n')).toContain(
      `${file}: gzip: the compressed data ends early (unexpected end of file) at compressed byte ${size}`,
    );
  });

  it('documents its exit codes in --help', () => {
    const program = new Command();
    registerValidateCommand(program);
    const help = program.commands.find((c) => c.name() === 'validate')?.helpInformation() ?? '';
    expect(help).toMatch(/Exit codes?:/i);
    expect(help).toMatch(/0\b.*valid/);
    expect(help).toMatch(/1\b.*/);
    expect(help).toMatch(/2\b.*usage/);
  });
});
