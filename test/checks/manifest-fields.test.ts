/**
 * The rules of wave 2 judged on every export the run followed: X-Progress with its percentage, no
 * output item for a type without data, count equal to the file's lines, extension an object, and a
 * partly failed export completing with error files that name the failures. Each skips where its
 * rule is vacuous (the field absent everywhere, no job in progress seen, nothing failed, no
 * control), passes where the rule holds and fails (or warns, for a SHOULD) where it is broken.
 */
import type { ExportRun, TargetControl } from '../../src/checks/context';
import { statusChecks } from '../../src/checks/status';
import type { DownloadRecord } from '../../src/flows/download';
import type { PollRecord } from '../../src/flows/poll';
import { ExchangeLog } from '../../src/http/exchange';
import { Redactor } from '../../src/http/redaction';
import { exchange, fakeContext } from './fake-context';

const byId = (id: string) => {
  const check = statusChecks.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return check;
};

const log = new ExchangeLog(new Redactor());
const MAIN = 'http://t/api/v2/Group/all/$export';
const FILTERED = 'http://t/api/v2/Patient/$export?_type=Patient';

/** A completed export; `files` are the downloads the run made (url → lines). */
function completed(
  name: string,
  kickoffUrl: string,
  jobId: number,
  manifest: Record<string, unknown> = {},
  files: Record<string, number> = {},
): ExportRun {
  const body = {
    transactionTime: '2024-01-01T00:00:00.000Z',
    request: kickoffUrl,
    requiresAccessToken: true,
    output: [{ type: 'Patient', url: `http://t/data/${jobId}/a.ndjson` }],
    error: [],
    JobID: jobId,
    ...manifest,
  };
  const final = exchange(log, { url: `http://t/api/v2/jobs/${jobId}`, status: 200, body });
  const downloads: DownloadRecord[] = Object.entries(files).map(([url, lines]) => ({
    item: { type: url.includes('error') ? 'OperationOutcome' : 'Patient', url },
    kind: url.includes('error') ? 'error' : 'output',
    exchangeId: `d-${url}`,
    status: 200,
    wireBytes: lines * 10,
    bytes: lines * 10,
    sentToken: true,
    acceptedGzip: false,
    validation: {
      file: url,
      kind: url.includes('error') ? 'error' : 'output',
      bytes: lines * 10,
      lines,
      validatedLines: lines,
      invalidLines: 0,
      countsByType: { [url.includes('error') ? 'OperationOutcome' : 'Patient']: lines } as Record<
        string,
        number
      >,
      issues: [],
      issuesDropped: 0,
      references: { patientIds: [], referencedPatients: [] },
    },
  }));
  return {
    name,
    kickoffUrl,
    jobUrl: `http://t/api/v2/jobs/${jobId}`,
    polls: [{ exchangeId: `p${jobId}`, status: 200, at: '' }],
    final,
    manifest: body,
    downloads,
  };
}

const polled = (run: ExportRun, values: Array<string | undefined>): ExportRun => ({
  ...run,
  polls: [
    ...values.map((xProgress, i): PollRecord => ({
      exchangeId: `${run.name}-${i}`,
      status: 202,
      at: '',
      ...(xProgress !== undefined ? { xProgress } : {}),
    })),
    ...run.polls,
  ],
});

const judge = (id: string, exports: ExportRun[]) => byId(id).run(fakeContext({ exports }).ctx);

describe('STATUS-X-PROGRESS', () => {
  const main = () => completed('main', MAIN, 1);

  it('passes seed 001\'s "In Progress, NN%" and Pending', async () => {
    const out = await judge('STATUS-X-PROGRESS', [polled(main(), ['Pending', 'In Progress, 40%'])]);
    expect(out).toMatchObject({ outcome: 'pass' });
  });

  it('reads the real server\'s "In Progress (NN%)" as a known deviation', async () => {
    const out = await judge('STATUS-X-PROGRESS', [polled(main(), ['Pending', 'In Progress (40%)'])]);
    expect(out.outcome).toBe('warn');
    expect(out.knownDeviation).toMatch(/In Progress \(NN%\)/);
  });

  it('fails a bare "In Progress", a value over 100% and a missing header', async () => {
    for (const values of [['In Progress'], ['In Progress, 140%'], [undefined]]) {
      const out = await judge('STATUS-X-PROGRESS', [polled(main(), values)]);
      expect([values, out.outcome]).toEqual([values, 'fail']);
    }
  });

  it('skips when no poll saw a job in progress (only Pending): the percentage cannot be judged', async () => {
    const out = await judge('STATUS-X-PROGRESS', [polled(main(), ['Pending', 'Pending'])]);
    expect(out).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('no answer showed a job in progress'),
    });
  });
});

describe('MANIFEST-NO-EMPTY-OUTPUT (SHOULD)', () => {
  it('passes when every downloaded output file holds resources', async () => {
    const run = completed('main', MAIN, 1, {}, { 'http://t/data/1/a.ndjson': 3 });
    expect((await judge('MANIFEST-NO-EMPTY-OUTPUT', [run])).outcome).toBe('pass');
  });

  it('warns on an empty file or a count of 0, naming the export', async () => {
    const empty = completed('main', MAIN, 1, {}, { 'http://t/data/1/a.ndjson': 0 });
    const zero = completed('type-patient', FILTERED, 2, {
      output: [{ type: 'Patient', url: 'http://t/data/2/a.ndjson', count: 0 }],
    });
    const out = await judge('MANIFEST-NO-EMPTY-OUTPUT', [empty, zero]);
    expect(out.outcome).toBe('warn');
    expect(out.message).toContain('the shared export: http://t/data/1/a.ndjson (Patient) holds no resource');
    expect(out.message).toContain('the type-patient export: output[0] (Patient) has count 0');
  });

  it('skips an export without output items, or whose files were not downloaded', async () => {
    expect(
      (await judge('MANIFEST-NO-EMPTY-OUTPUT', [completed('main', MAIN, 1, { output: [] })])).outcome,
    ).toBe('skip');
    expect((await judge('MANIFEST-NO-EMPTY-OUTPUT', [completed('main', MAIN, 1)])).outcome).toBe('skip');
  });
});

describe('MANIFEST-OUTPUT-COUNT', () => {
  const url = 'http://t/data/1/a.ndjson';

  it('skips when no output item of any export carries count', async () => {
    const out = await judge('MANIFEST-OUTPUT-COUNT', [
      completed('main', MAIN, 1, {}, { [url]: 3 }),
      completed('type-patient', FILTERED, 2),
    ]);
    expect(out).toEqual({
      outcome: 'skip',
      message: 'no output item carries count in any of the 2 export(s) judged',
      evidence: [],
    });
  });

  it('passes a count equal to the lines of its file', async () => {
    const run = completed('main', MAIN, 1, { output: [{ type: 'Patient', url, count: 3 }] }, { [url]: 3 });
    expect((await judge('MANIFEST-OUTPUT-COUNT', [run])).outcome).toBe('pass');
  });

  it('fails a count that differs from the lines, and one that is not a non-negative integer', async () => {
    for (const count of [4, '3', 2.5, -1, null]) {
      const run = completed('main', MAIN, 1, { output: [{ type: 'Patient', url, count }] }, { [url]: 3 });
      const out = await judge('MANIFEST-OUTPUT-COUNT', [run]);
      expect([count, out.outcome]).toEqual([count, 'fail']);
    }
  });
});

describe('MANIFEST-EXTENSION-OBJECT', () => {
  it('skips where no manifest has extension, passes an object, fails an array or a string', async () => {
    expect((await judge('MANIFEST-EXTENSION-OBJECT', [completed('main', MAIN, 1)])).outcome).toBe('skip');
    const object = completed('main', MAIN, 1, { extension: { 'https://x': 1 } });
    expect((await judge('MANIFEST-EXTENSION-OBJECT', [object])).outcome).toBe('pass');
    for (const extension of [[{ url: 'https://x' }], 'x', null]) {
      const run = completed('main', MAIN, 1, { extension });
      const out = await judge('MANIFEST-EXTENSION-OBJECT', [run]);
      expect([extension, out.outcome]).toEqual([extension, 'fail']);
    }
  });
});

describe('MANIFEST-PARTIAL-FAILURE', () => {
  const errorUrl = 'http://t/data/1/a-error.ndjson';
  const FAILED = ['1S00A00AA00'];

  /** A context whose control says `failed` for every job, and whose target serves `errorText`. */
  function withControl(exports: ExportRun[], failed: string[], errorText: string) {
    const fake = fakeContext({ exports });
    const control = { jobFailures: () => Promise.resolve(failed) } as unknown as TargetControl;
    const target = {
      baseUrl: 'http://t',
      get: (url: string) => Promise.resolve(fake.answer({ url, status: 200, body: errorText })),
    };
    Object.assign(fake.ctx, { control, target });
    return fake.ctx;
  }

  const partial = (manifest: Record<string, unknown> = {}) =>
    completed(
      'main',
      MAIN,
      1,
      { error: [{ type: 'OperationOutcome', url: errorUrl }], ...manifest },
      { [errorUrl]: 1 },
    );

  it('skips without control: nothing tells which beneficiaries failed', async () => {
    const out = await judge('MANIFEST-PARTIAL-FAILURE', [partial()]);
    expect(out).toMatchObject({ outcome: 'skip', message: expect.stringContaining('control') });
  });

  it('skips an export where nothing failed', async () => {
    const out = await byId('MANIFEST-PARTIAL-FAILURE').run(withControl([partial()], [], ''));
    expect(out.outcome).toBe('skip');
  });

  it('passes 200 with error files that name each failed beneficiary', async () => {
    const text = `{"resourceType":"OperationOutcome","issue":[{"diagnostics":"MBI ${FAILED[0]}"}]}\n`;
    const out = await byId('MANIFEST-PARTIAL-FAILURE').run(withControl([partial()], FAILED, text));
    expect(out).toMatchObject({ outcome: 'pass', message: expect.stringContaining('naming 1 of them') });
  });

  it('fails an empty error array, error files that do not name the failure, and a 500', async () => {
    const empty = await byId('MANIFEST-PARTIAL-FAILURE').run(
      withControl([partial({ error: [] })], FAILED, ''),
    );
    expect(empty).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('lists no OperationOutcome file'),
    });
    const unnamed = await byId('MANIFEST-PARTIAL-FAILURE').run(
      withControl([partial()], FAILED, '{"resourceType":"OperationOutcome"}\n'),
    );
    expect(unnamed).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('do not name 1 of them'),
    });
    const run = partial();
    const failed: ExportRun = {
      ...run,
      final: exchange(log, {
        url: 'http://t/api/v2/jobs/1',
        status: 500,
        body: { resourceType: 'OperationOutcome' },
      }),
    };
    delete failed.manifest;
    const out = await byId('MANIFEST-PARTIAL-FAILURE').run(withControl([failed], FAILED, ''));
    expect(out).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('status 500, expected 200'),
    });
  });

  it('on another export, counts the OperationOutcomes of its downloaded error files', async () => {
    const other = completed(
      'type-patient',
      FILTERED,
      2,
      { error: [{ type: 'OperationOutcome', url: 'http://t/data/2/b-error.ndjson' }] },
      { 'http://t/data/2/b-error.ndjson': 1 },
    );
    const out = await byId('MANIFEST-PARTIAL-FAILURE').run(withControl([other], ['A', 'B'], ''));
    expect(out).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('hold only 1 OperationOutcome'),
    });
  });
});

describe('MANIFEST-TRANSACTION-TIME: the time the export query ran', () => {
  const KICKED = '2024-01-01T00:00:00.000Z';
  /** The shared export kicked off at KICKED and answered five minutes later with `transactionTime`. */
  const at = (transactionTime: string): ExportRun => {
    const run = completed('main', MAIN, 1, { transactionTime });
    const kickoff = exchange(log, { url: MAIN, status: 202 });
    kickoff.exchange.startedAt = KICKED;
    run.final!.exchange.startedAt = '2024-01-01T00:05:00.000Z';
    return { ...run, kickoff };
  };
  const judgeAs = (run: ExportRun, profile: 'bcda' | 'bulk-data-ig', version: 'v2' | 'v3' = 'v2') =>
    byId('MANIFEST-TRANSACTION-TIME').run(fakeContext({ exports: [run], profile, version }).ctx);

  it('passes an instant between the kick-off and the answer', async () => {
    expect((await judgeAs(at('2024-01-01T00:00:01.000Z'), 'bulk-data-ig')).outcome).toBe('pass');
  });

  it('fails an instant hours before the kick-off on BCDA v3: the query cannot have run then', async () => {
    const out = await judgeAs(at('2023-12-31T21:00:00.000Z'), 'bcda', 'v3');
    expect(out).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('3.0 h before the kick-off'),
    });
  });

  it('only warns under bulk-data-ig, where a server answering from a snapshot may give its time', async () => {
    const out = await judgeAs(at('2023-12-31T21:00:00.000Z'), 'bulk-data-ig');
    expect(out).toMatchObject({ outcome: 'warn', message: expect.stringContaining('older snapshot') });
    expect(out.knownDeviation).toBeUndefined();
  });

  it("reads BCDA v1/v2's data-load time as a known deviation, not on v3", async () => {
    const horizon = at('2023-12-31T23:00:00.000Z');
    const v2 = await judgeAs(horizon, 'bcda');
    expect(v2.outcome).toBe('warn');
    expect(v2.knownDeviation).toMatch(/last data load/);
    expect((await judgeAs(horizon, 'bcda', 'v3')).outcome).toBe('fail');
  });
});

describe('MANIFEST-OUTPUT-ITEMS: one item per file', () => {
  const item = { type: 'Patient', url: 'http://t/data/1/a.ndjson' };
  it('passes distinct files and fails a file listed twice', async () => {
    const once = completed('main', MAIN, 1, { output: [item, { ...item, url: 'http://t/data/1/b.ndjson' }] });
    expect((await judge('MANIFEST-OUTPUT-ITEMS', [once])).outcome).toBe('pass');
    const twice = completed('main', MAIN, 1, { output: [item, item] });
    expect(await judge('MANIFEST-OUTPUT-ITEMS', [twice])).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('output[1] lists the file of output[0] again'),
    });
  });

  it('fails a type not spelt as FHIR names it (seed 001: type is the resource type)', async () => {
    const lower = completed('main', MAIN, 1, { output: [{ ...item, type: 'patient' }] });
    expect(await judge('MANIFEST-OUTPUT-ITEMS', [lower])).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('output[0].type "patient" is not a resource type name'),
    });
    const claims = completed('main', MAIN, 1, {
      output: [item, { type: 'ExplanationOfBenefit', url: 'http://t/data/1/b.ndjson' }],
    });
    expect((await judge('MANIFEST-OUTPUT-ITEMS', [claims])).outcome).toBe('pass');
  });
});
