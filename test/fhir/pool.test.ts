import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { RULE, closeValidationWorkers, validateFiles, type FileValidationSummary } from '../../src/fhir';
import { mergeShards } from '../../src/fhir/pool';
import { runClaimedTasks, type ShardTask } from '../../src/fhir/shard';
import { fixtureNdjson } from './corpus-helpers';

const patient = fixtureNdjson('valid', 'patient-base.json').text.trim();
const bad = fixtureNdjson('invalid', 'patient-gender-code.json').text.trim();

let dir: string;
let big: string;
let gz: string;
let errors: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-pool-'));
  // ~1.5 MB: enough lines for several 256 KiB byte ranges; bad lines at known places.
  const lines: string[] = [];
  for (let i = 1; i <= 1500; i++)
    lines.push(i % 97 === 0 ? bad : patient.replaceAll('-19990000000169"', `-1999${i}"`));
  big = path.join(dir, 'Patient.ndjson');
  fs.writeFileSync(big, lines.join('\r\n') + '\r\n');
  gz = path.join(dir, 'Patient-2.ndjson.gz');
  fs.writeFileSync(gz, gzipSync(Buffer.from(lines.slice(0, 200).join('\n'))));
  errors = path.join(dir, 'abc-error.ndjson');
  fs.writeFileSync(errors, fixtureNdjson('valid', 'operationoutcome-error-file.json').text + patient + '\n');
});

afterAll(async () => {
  await closeValidationWorkers();
  fs.rmSync(dir, { recursive: true, force: true });
});

const comparable = (s: FileValidationSummary) => ({
  ...s,
  references: { ...s.references, patientIds: [...s.references.patientIds].sort() },
});

describe('validateFiles', () => {
  it('gives the same summaries in-thread, in workers, on both, and split into byte ranges', async () => {
    const paths = [big, gz, errors];
    const inThread = await validateFiles(paths, { workers: 0, apiVersion: 'v2' });
    const byDefault = await validateFiles(paths, { apiVersion: 'v2' });
    // Workers only: the calling thread just hands out and merges.
    const whole = await validateFiles(paths, { workers: 2, apiVersion: 'v2' });
    const ranges = await validateFiles(paths, { workers: 2, apiVersion: 'v2', rangeBytes: 256 * 1024 });
    // One idle worker left: by default the calling thread takes ranges from the same table too.
    await closeValidationWorkers();
    await validateFiles([errors, gz], { workers: 1, apiVersion: 'v2' });
    const shared = await validateFiles(paths, { apiVersion: 'v2', rangeBytes: 128 * 1024 });
    for (const run of [byDefault, whole, ranges, shared])
      expect(run.map(comparable)).toEqual(inThread.map(comparable));

    const [p, g, e] = inThread as [FileValidationSummary, FileValidationSummary, FileValidationSummary];
    expect(p).toMatchObject({
      lines: 1500,
      invalidLines: 15,
      firstFailingLine: 97,
      bytes: fs.statSync(big).size,
    });
    expect(p.issues.map((i) => i.line)).toEqual(Array.from({ length: 15 }, (_, i) => 97 * (i + 1)));
    // 1485 distinct good ids plus the one id all the bad lines share.
    expect(p.references.patientIds).toHaveLength(1486);
    expect(g).toMatchObject({ lines: 200, invalidLines: 2 });
    expect(e.kind).toBe('error');
    expect(e.issues.map((i) => i.ruleId)).toEqual([RULE.errorFile]);
  }, 120_000);

  it('reports an over-long line in a byte-range shard once, at its line number', async () => {
    const file = path.join(dir, 'long-Patient.ndjson');
    const long = `{"resourceType":"Patient","text":"${'a'.repeat(9 << 20)}"}`;
    fs.writeFileSync(file, [patient, long, patient, bad, patient].join('\n') + '\n');
    for (const rangeBytes of [1 << 20, 64 << 20]) {
      const [s] = await validateFiles([file], { workers: 1, apiVersion: 'v2', rangeBytes });
      expect(s).toMatchObject({ lines: 5, invalidLines: 2, firstFailingLine: 2 });
      expect(s?.issues.map((i) => [i.line, i.ruleId])).toEqual([
        [2, RULE.parse],
        [4, RULE.schema],
      ]);
    }
  }, 60_000);

  it('puts a read failure on its file; the other files keep their results', async () => {
    for (const workers of [0, 2]) {
      const [missing, ok] = await validateFiles([path.join(dir, 'missing.ndjson'), errors], { workers });
      expect(missing).toMatchObject({ file: path.join(dir, 'missing.ndjson'), lines: 0 });
      expect(missing?.error).toBe('cannot read the file (ENOENT: no such file) after 0 bytes');
      expect(ok?.error).toBeUndefined();
      expect(ok?.lines).toBe(2);
    }
  });

  it('takes, in the given order, only the tasks no other thread has claimed', async () => {
    const task: ShardTask = { path: errors, options: { file: errors, kind: 'error', apiVersion: 'v2' } };
    const tasks = [task, task, task, task];
    const claims = new Int32Array(new SharedArrayBuffer(4 * tasks.length));
    claims[2] = 5; // taken by the thread in slot 5
    const ran: number[] = [];
    await runClaimedTasks(tasks, [3, 2, 1, 0], claims, 1, (id, summary) => {
      expect(summary?.lines).toBe(2);
      ran.push(id);
    });
    expect(ran).toEqual([3, 1, 0]);
    expect([...claims]).toEqual([1, 1, 5, 1]);
  });

  it('merges the byte ranges of a file only up to the first that could not be read to its end', () => {
    const part = (lines: number, error?: string) => ({
      file: 'f.ndjson',
      kind: 'output' as const,
      bytes: lines * 10,
      lines,
      validatedLines: lines,
      invalidLines: 1,
      firstFailingLine: lines,
      countsByType: { Patient: lines },
      issues: [
        { file: 'f.ndjson', line: lines, path: '', message: 'm', ruleId: 'R', severity: 'error' as const },
      ],
      issuesDropped: 0,
      references: { patientIds: [], referencedPatients: [] },
      ...(error ? { error } : {}),
    });
    const merged = mergeShards([part(3), part(2, 'cannot read the file (EIO) after 50 bytes'), part(4)], 100);
    expect(merged).toMatchObject({
      lines: 5,
      invalidLines: 2,
      error: 'cannot read the file (EIO) after 50 bytes',
    });
    expect(merged.issues.map((i) => i.line)).toEqual([3, 5]);
  });
});
