/**
 * Malformed NDJSON lines holding what looks like PHI: a parse error says where and what kind of
 * problem, never any of the line's bytes, whichever path validated the line (a stream as the
 * download path uses, `validate` as text and JSON, worker threads and byte-range shards).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import {
  RULE,
  closeValidationWorkers,
  validateFiles,
  validateNdjson,
  type ValidationIssue,
} from '../../src/fhir';
import { runValidate } from '../../src/cli/validate-command';
import { fixtureNdjson } from './corpus-helpers';
import { expectNoLineData, MALFORMED } from './malformed-lines';

const patient = fixtureNdjson('valid', 'patient-base.json').text.trim();

function expectParseMessages(issues: ValidationIssue[], lines: number[]): void {
  const parse = issues.filter((i) => i.ruleId === RULE.parse);
  expect(parse.map((i) => i.line)).toEqual(lines);
  for (const issue of parse) {
    expect(issue.message).toMatch(/^not valid JSON: [A-Za-z ,;:'()}\]-]+ at position \d+$/);
    expect(issue.message).not.toContain('"');
    for (const quoted of issue.message.match(/'[^']*'/g) ?? [])
      expect([`','`, `'}'`, `']'`, `':'`]).toContain(quoted);
    expectNoLineData(issue.message);
  }
}

/** A valid line, then every malformed one, with a valid line after each. */
const FILE_TEXT = [patient, ...MALFORMED.flatMap((l) => [l, patient])].join('\n') + '\n';
const BAD_LINES = MALFORMED.map((_, i) => 2 + 2 * i);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-leak-'));
  fs.writeFileSync(path.join(dir, 'Patient.ndjson'), FILE_TEXT);
});
afterAll(async () => {
  await closeValidationWorkers();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('parse errors carry no line data', () => {
  const maxIssuesPerFile = 1000;

  it('in a stream (the download path)', async () => {
    const s = await validateNdjson(Readable.from([Buffer.from(FILE_TEXT)]), {
      file: 'Patient.ndjson',
      kind: 'output',
      apiVersion: 'v2',
      maxIssuesPerFile,
    });
    expectParseMessages(s.issues, BAD_LINES);
  });

  it('in worker threads, whole files and byte-range shards', async () => {
    const file = path.join(dir, 'Patient.ndjson');
    for (const rangeBytes of [undefined, 4096]) {
      const [s] = await validateFiles([file, file], {
        workers: 2,
        apiVersion: 'v2',
        maxIssuesPerFile,
        ...(rangeBytes ? { rangeBytes } : {}),
      });
      expectParseMessages(s?.issues ?? [], BAD_LINES);
    }
  }, 60_000);

  it('in `validate` output, text and --json', async () => {
    for (const json of [false, true]) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runValidate(
        [dir],
        { json, workers: '0', maxIssues: String(maxIssuesPerFile) },
        { out: (t) => out.push(t), err: (t) => err.push(t) },
      );
      expect(code).toBe(1);
      expect(out.join('\n')).toContain('not valid JSON');
      expectNoLineData(out.join('\n') + err.join('\n'));
    }
  });
});
