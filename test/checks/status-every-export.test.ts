/**
 * The manifest and poll rules judged on every export the run followed, filtered ones included:
 * the export that breaks a rule is named, one export alone is still judged, none is a skip.
 */
import type { ExportRun } from '../../src/checks/context';
import { statusChecks } from '../../src/checks/status';
import { exchange, fakeContext } from './fake-context';
import { ExchangeLog } from '../../src/http/exchange';
import { Redactor } from '../../src/http/redaction';

const byId = (id: string) => {
  const check = statusChecks.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return check;
};

const log = new ExchangeLog(new Redactor());

/** A completed export: its kick-off URL, job id and manifest (fields overridable). */
function completed(
  name: string,
  kickoffUrl: string,
  jobId: number,
  manifest: Record<string, unknown> = {},
): ExportRun {
  const base = new URL(kickoffUrl).origin;
  const kickoff = exchange(log, { url: kickoffUrl, status: 202, label: `kick-off ${name}` });
  const body = {
    transactionTime: '2024-01-01T00:00:00.000Z',
    request: kickoffUrl,
    requiresAccessToken: true,
    output: [{ type: 'Patient', url: `${base}/data/${jobId}/a.ndjson` }],
    error: [],
    JobID: jobId,
    ...manifest,
  };
  const final = exchange(log, {
    url: `${base}/api/v2/jobs/${jobId}`,
    status: 200,
    body,
    headers: { 'content-type': 'application/json', expires: 'Mon, 01 Jan 2024 23:00:00 GMT' },
  });
  return {
    name,
    kickoff,
    kickoffUrl,
    jobUrl: `${base}/api/v2/jobs/${jobId}`,
    polls: [
      { exchangeId: 'p1', status: 202, at: '', xProgress: 'Pending', retryAfter: '1' },
      { exchangeId: 'p2', status: 200, at: '' },
    ],
    final,
    manifest: body,
    downloads: [],
  };
}

const MAIN = 'http://t/api/v2/Group/all/$export';
const FILTERED = 'http://t/api/v2/Patient/$export?_type=Patient';

describe('manifest rules on every export', () => {
  it('name the filtered export whose request lost its query, and pass the shared one', async () => {
    const runs = [
      completed('main', MAIN, 1),
      completed('type-patient', FILTERED, 2, { request: 'http://t/api/v2/Patient/$export' }),
    ];
    const out = await byId('MANIFEST-REQUEST-URL').run(fakeContext({ exports: runs }).ctx);
    expect(out.outcome).toBe('fail');
    expect(out.message).toBe('the type-patient export: request is http://t/api/v2/Patient/$export');
    expect(out.expected).toBe(FILTERED);
    expect(out.evidence).toContain(runs[1]!.final!.exchange.id);
    expect(out.evidence).not.toContain(runs[0]!.final!.exchange.id);
  });

  it('judge a single export and pass on it', async () => {
    const out = await byId('MANIFEST-REQUEST-URL').run(
      fakeContext({ exports: [completed('main', MAIN, 1)] }).ctx,
    );
    expect(out).toMatchObject({ outcome: 'pass', message: `the shared export: request ${MAIN}` });
  });

  it('skip when no export completed', async () => {
    const unfinished: ExportRun = {
      name: 'main',
      kickoffUrl: MAIN,
      polls: [],
      downloads: [],
      problem: 'the kick-off answered 500',
    };
    for (const id of [
      'MANIFEST-REQUEST-URL',
      'MANIFEST-JOB-ID',
      'STATUS-COMPLETE-200',
      'STATUS-IN-PROGRESS-202',
    ]) {
      const out = await byId(id).run(fakeContext({ exports: [unfinished] }).ctx);
      expect([id, out.outcome]).toEqual([id, 'skip']);
    }
    expect((await byId('MANIFEST-REQUEST-URL').run(fakeContext({ exports: [] }).ctx)).outcome).toBe('skip');
  });

  it('MANIFEST-JOB-ID: JobID and the file URLs carry the job id of the status URL', async () => {
    const good = completed('main', MAIN, 7);
    expect((await byId('MANIFEST-JOB-ID').run(fakeContext({ exports: [good] }).ctx)).outcome).toBe('pass');
    const wrongId = completed('main', MAIN, 7, { JobID: 6 });
    const out = await byId('MANIFEST-JOB-ID').run(fakeContext({ exports: [wrongId] }).ctx);
    expect(out).toMatchObject({
      outcome: 'fail',
      message: 'the shared export: JobID is 6, expected the number 7',
    });
    const asText = completed('main', MAIN, 7, { JobID: '7' });
    expect((await byId('MANIFEST-JOB-ID').run(fakeContext({ exports: [asText] }).ctx)).outcome).toBe('fail');
    const elsewhere = completed('main', MAIN, 7, {
      output: [{ type: 'Patient', url: 'http://t/data/8/a.ndjson' }],
    });
    const moved = await byId('MANIFEST-JOB-ID').run(fakeContext({ exports: [elsewhere] }).ctx);
    expect(moved.message).toContain('not <base>/data/7/<file>.ndjson');
    // The right job id below the API's path is not <base>/data/<id>/ (seed 001 §Response example).
    const belowApi = completed('main', MAIN, 7, {
      output: [{ type: 'Patient', url: 'http://t/api/v2/data/7/a.ndjson' }],
    });
    const below = await byId('MANIFEST-JOB-ID').run(fakeContext({ exports: [belowApi] }).ctx);
    expect(below).toMatchObject({ outcome: 'fail' });
    expect(below.message).toContain('http://t/api/v2/data/7/a.ndjson');
  });

  it('MANIFEST-FILE-NAMES: UUID data files, each error file named after one of them', async () => {
    const U1 = '0c527d2e-2e8a-4808-b11d-0fa06baf8254';
    const U2 = '3461c774-b48f-41e8-96f8-529269fb1459';
    const run = (output: string[], error: string[]) =>
      completed('main', MAIN, 7, {
        output: output.map((n) => ({ type: 'Patient', url: `http://t/data/7/${n}` })),
        error: error.map((n) => ({ type: 'OperationOutcome', url: `http://t/data/7/${n}` })),
      });
    const judge = async (r: ExportRun) => byId('MANIFEST-FILE-NAMES').run(fakeContext({ exports: [r] }).ctx);
    expect(
      (await judge(run([`${U1}.ndjson`, `${U2}.ndjson`], [`${U2}-error.ndjson`, 'warnings-and-info.ndjson'])))
        .outcome,
    ).toBe('pass');
    expect((await judge(run(['patient-1.ndjson'], []))).message).toContain(
      'output file name(s) are not <UUID>.ndjson (patient-1.ndjson)',
    );
    expect((await judge(run([`${U1}.ndjson`], [`${U2}-error.ndjson`]))).message).toContain(
      'none of the 1 error file(s) carries the UUID of an output file',
    );
    // A batch with no data: its error file stays while the data file is left out.
    expect((await judge(run([], [`${U2}-error.ndjson`]))).outcome).toBe('pass');
    expect((await judge(run([`${U1}.ndjson`], [`${U1}-error.ndjson`, `${U2}-error.ndjson`]))).outcome).toBe(
      'pass',
    );
    expect((await judge(run([`${U1}.ndjson`], ['errors.ndjson']))).outcome).toBe('fail');
    expect((await judge(run([], []))).outcome).toBe('skip');
  });

  it('MANIFEST-DEFAULT-TYPES speaks only of exports without _type or _since', async () => {
    const main = completed('main', MAIN, 1, {
      output: ['Patient', 'Coverage', 'ExplanationOfBenefit'].map((type, i) => ({
        type,
        url: `http://t/data/1/${i}.ndjson`,
      })),
    });
    const typed = completed('type-patient', FILTERED, 2);
    const since = completed('since', 'http://t/api/v2/Patient/$export?_since=2024-01-01T00:00:00Z', 3);
    const out = await byId('MANIFEST-DEFAULT-TYPES').run(fakeContext({ exports: [main, typed, since] }).ctx);
    expect(out.outcome).toBe('pass');
    expect(out.message).toMatch(/^the shared export: types: /);
    const onlyTyped = await byId('MANIFEST-DEFAULT-TYPES').run(fakeContext({ exports: [typed] }).ctx);
    expect(onlyTyped.outcome).toBe('skip');
  });

  // independent faults (h4): ig-group-export-no-patients showed the rule judged under bcda only.
  it('MANIFEST-DEFAULT-TYPES under bulk-data-ig: a Patient- or Group-level export without _type holds Patient', async () => {
    const items = (types: string[], job: number) =>
      types.map((type, i) => ({ type, url: `http://t/files/${job}/${i}.ndjson` }));
    const judge = async (groupTypes: string[]) => {
      const exports = [
        completed('main', 'http://t/fhir/Group/g1/$export', 1, { output: items(groupTypes, 1) }),
        completed('typed', 'http://t/fhir/Group/g1/$export?_type=Observation', 2, {
          output: items(['Observation'], 2),
        }),
        completed('system', 'http://t/fhir/$export', 3, { output: items(['Observation'], 3) }),
      ];
      const ctx = Object.assign(fakeContext({ profile: 'bulk-data-ig', exports }).ctx, { generic: true });
      return byId('MANIFEST-DEFAULT-TYPES').run(ctx);
    };
    expect(await judge(['Patient', 'Observation'])).toMatchObject({
      outcome: 'pass',
      message: 'the shared export: types: Observation, Patient',
    });
    const without = await judge(['Observation', 'Encounter']);
    expect(without.outcome).toBe('warn');
    expect(without.message).toMatch(
      /^the shared export: no Patient output, though the export without _type holds Encounter, Observation/,
    );
    expect((await judge([])).outcome).toBe('skip');
  });

  // independent faults (h4): ig-status-running-204 showed a first 204 taken for a finished job.
  it('STATUS-IN-PROGRESS-202: a first poll answering 204 No Content fails', async () => {
    const main = completed('main', MAIN, 1);
    main.polls = [{ exchangeId: 'p1', status: 204, at: '' }];
    const out = await byId('STATUS-IN-PROGRESS-202').run(fakeContext({ exports: [main] }).ctx);
    expect(out).toMatchObject({
      outcome: 'fail',
      message: 'the shared export: the first poll answered 204: a running job must answer 202',
    });
  });

  it('STATUS-IN-PROGRESS-202 and STATUS-X-PROGRESS judge the polls of every export', async () => {
    const main = completed('main', MAIN, 1);
    const other = completed('since', FILTERED, 2);
    other.polls = [
      { exchangeId: 'q1', status: 202, at: '', xProgress: 'working...' },
      { exchangeId: 'q2', status: 200, at: '' },
    ];
    const ctx = fakeContext({ exports: [main, other] }).ctx;
    expect((await byId('STATUS-IN-PROGRESS-202').run(ctx)).outcome).toBe('pass');
    const progress = await byId('STATUS-X-PROGRESS').run(ctx);
    expect(progress).toMatchObject({
      outcome: 'fail',
      message: 'the since export: q1: X-Progress "working..."',
    });
  });

  it('STATUS-IN-PROGRESS-202: a job just named that the first poll does not find fails', async () => {
    const gone = completed('main', MAIN, 1);
    gone.polls = [{ exchangeId: 'g1', status: 404, at: '' }];
    expect(await byId('STATUS-IN-PROGRESS-202').run(fakeContext({ exports: [gone] }).ctx)).toMatchObject({
      outcome: 'fail',
      evidence: ['g1'],
    });
  });

  it('MANIFEST-ERROR-ARRAY: an error file read whole that holds nothing is an error where nothing failed', async () => {
    const errorFile = (name: string, lines: number) => ({
      item: { type: 'OperationOutcome', url: `http://t/data/1/${name}` },
      kind: 'error' as const,
      status: 200,
      wireBytes: 0,
      bytes: 0,
      sentToken: true,
      acceptedGzip: true,
      validation: { lines, countsByType: {} } as never,
    });
    const run = completed('main', MAIN, 1, {
      error: [
        { type: 'OperationOutcome', url: 'http://t/data/1/a-error.ndjson' },
        { type: 'OperationOutcome', url: 'http://t/data/1/b-error.ndjson' },
      ],
    });
    run.downloads = [errorFile('a-error.ndjson', 2)];
    const check = byId('MANIFEST-ERROR-ARRAY');
    expect((await check.run(fakeContext({ exports: [run] }).ctx)).outcome).toBe('pass');
    run.downloads.push(errorFile('b-error.ndjson', 0));
    expect((await check.run(fakeContext({ exports: [run] }).ctx)).message).toMatch(
      /1 of the 2 error file\(s\) hold no OperationOutcome \(\/data\/1\/b-error\.ndjson\)/,
    );
  });

  it('are late checks: they run after the checks that start exports', () => {
    for (const id of ['MANIFEST-REQUEST-URL', 'MANIFEST-JOB-ID', 'STATUS-COMPLETE-200', 'STATUS-X-PROGRESS'])
      expect([id, byId(id).phase]).toEqual([id, 'late']);
  });
});
