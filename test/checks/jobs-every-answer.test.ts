/**
 * The job-list rules judged on every /jobs answer the run received, whichever check asked: a
 * filtered answer that breaks a rule is named, Tasks are held to the documented shape and to the
 * kick-off that started their job, and a run with nothing to judge skips.
 */
import type { ExportRun } from '../../src/checks/context';
import { jobsChecks } from '../../src/checks/jobs';
import { bundleProblems, taskProblems, tasksOfBody } from '../../src/checks/kit/job-list';
import { BASE, fakeContext, type Fake } from './fake-context';

const byId = (id: string) => {
  const check = jobsChecks.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return check;
};

function task(id: number, status: string, request: string, extra: Record<string, unknown> = {}) {
  return {
    resourceType: 'Task',
    identifier: [{ use: 'official', system: `${BASE}/api/v2/jobs`, value: String(id) }],
    status,
    intent: 'order',
    input: [{ type: { text: 'BULK FHIR Export' }, valueString: `GET ${request}` }],
    executionPeriod: { start: '2024-01-01T00:00:00Z', end: '2024-01-01T00:01:00Z' },
    ...extra,
  };
}

const bundle = (tasks: unknown[], total = tasks.length) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  total,
  ...(tasks.length ? { entry: tasks.map((resource) => ({ resource })) } : {}),
});

const MAIN_KICKOFF = `${BASE}/api/v2/Group/all/$export`;
const TYPED_KICKOFF = `${BASE}/api/v2/Patient/$export?_type=Patient`;
const main: ExportRun = {
  name: 'main',
  kickoffUrl: MAIN_KICKOFF,
  jobUrl: `${BASE}/api/v2/jobs/1`,
  polls: [],
  downloads: [],
};

/** The job JOBS-LIST-BUNDLE starts to find in the list, and the list it gets right after. */
const FRESH_KICKOFF = `${BASE}/api/v2/Patient/$export?_type=Patient`;
const listedFresh = bundle([task(1, 'completed', MAIN_KICKOFF), task(3, 'in-progress', FRESH_KICKOFF)]);

/**
 * A run that kicked off jobs 1 (Group/all) and 2 (_type=Patient), listed them unfiltered, and once
 * with a filter; a job it starts (3) is listed as `fresh` says.
 */
function run(
  filtered: unknown,
  own: unknown = bundle([task(1, 'completed', MAIN_KICKOFF), task(2, 'completed', TYPED_KICKOFF)]),
  fresh: unknown = listedFresh,
): Fake {
  const fake = fakeContext({ exports: [main] });
  const kick = (url: string, id: number) =>
    fake.answer({
      url,
      operationId: url.includes('Group') ? 'exportGroupV2' : 'exportPatientV2',
      status: 202,
      headers: { 'content-location': `${BASE}/api/v2/jobs/${id}` },
    });
  kick(MAIN_KICKOFF, 1);
  kick(TYPED_KICKOFF, 2);
  const ownList = fake.answer(
    { url: '/api/v2/jobs', operationId: 'listJobsV2', status: 200, body: own, label: 'list jobs' },
    true,
  );
  fake.answer(
    {
      url: '/api/v2/jobs?_status=Completed',
      operationId: 'listJobsV2',
      status: 200,
      body: filtered,
      label: 'list completed jobs',
    },
    true,
  );
  // The shared once-request the list checks make is the own list above.
  (fake.ctx as unknown as { once: (k: string, f: () => unknown) => unknown }).once = async () => ownList;
  const stub = fake.ctx as unknown as Record<string, unknown> & { target: Record<string, unknown> };
  stub.kickoff = async () => ({ res: kick(FRESH_KICKOFF, 3), jobUrl: `${BASE}/api/v2/jobs/3` });
  stub.cancel = async () => undefined;
  stub.target.call = async () =>
    fake.answer(
      { url: '/api/v2/jobs', operationId: 'listJobsV2', status: 200, body: fresh, label: 'list jobs' },
      true,
    );
  return fake;
}

describe('the job-list rules on every answer', () => {
  it('JOBS-LIST-BUNDLE names a filtered answer whose total counts other jobs', async () => {
    const fake = run(bundle([task(1, 'completed', MAIN_KICKOFF)], 5));
    const out = await byId('JOBS-LIST-BUNDLE').run(fake.ctx);
    expect(out.outcome).toBe('fail');
    expect(out.message).toMatch(/\(list completed jobs\): total is 5 but there are 1 entries/);
  });

  it('JOBS-LIST-BUNDLE passes when every answer is a searchset Bundle of Tasks listing the run’s job', async () => {
    const out = await byId('JOBS-LIST-BUNDLE').run(run(bundle([task(1, 'completed', MAIN_KICKOFF)])).ctx);
    expect(out).toMatchObject({ outcome: 'pass', message: expect.stringMatching(/^3 job-list answer\(s\)/) });
  });

  it('JOBS-LIST-BUNDLE fails when a job started just before is not in the unfiltered list', async () => {
    const fake = run(
      bundle([task(1, 'completed', MAIN_KICKOFF)]),
      undefined,
      bundle([task(1, 'completed', MAIN_KICKOFF)]),
    );
    const out = await byId('JOBS-LIST-BUNDLE').run(fake.ctx);
    expect(out).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('job 3, started just before, is not in'),
    });
  });

  it("JOBS-TASK-SHAPE holds the run's jobs to their kick-off's Date and every time to the answer's Date", async () => {
    const withKickoff: ExportRun = {
      ...main,
      kickoff: {
        headers: { date: 'Mon, 01 Jan 2024 00:00:01 GMT' },
        exchange: { durationMs: 400 },
      } as unknown as ExportRun['kickoff'],
      // BCDA's v1/v2 give BFD's last data load here: no measure of the job's creation.
      manifest: {
        transactionTime: '2023-12-30T23:00:00.000Z',
        request: MAIN_KICKOFF,
        requiresAccessToken: true,
        output: [],
        error: [],
      },
    };
    const fake = fakeContext({ exports: [withKickoff] });
    const list = (start: string, end: string, date: string) =>
      fake.answer(
        {
          url: '/api/v2/jobs',
          operationId: 'listJobsV2',
          status: 200,
          headers: { date },
          body: bundle([task(1, 'completed', MAIN_KICKOFF, { executionPeriod: { start, end } })]),
        },
        true,
      );
    (fake.ctx as unknown as { once: (k: string, f: () => unknown) => unknown }).once = async () =>
      list('2024-01-01T00:00:00Z', '2024-01-01T00:01:00Z', 'Mon, 01 Jan 2024 00:05:00 GMT');
    expect((await byId('JOBS-TASK-SHAPE').run(fake.ctx)).outcome).toBe('pass');
    list('2023-12-31T19:00:00Z', '2023-12-31T19:01:00Z', 'Mon, 01 Jan 2024 00:05:00 GMT');
    list('2024-01-01T00:00:00Z', '2024-01-02T00:01:00Z', 'Mon, 01 Jan 2024 00:05:00 GMT');
    const out = await byId('JOBS-TASK-SHAPE').run(fake.ctx);
    expect(out.outcome).toBe('fail');
    expect(out.message).toContain(
      'is not when the job was created (its kick-off was answered at Mon, 01 Jan 2024 00:00:01 GMT)',
    );
    expect(out.message).toContain(
      'executionPeriod.end 2024-01-02T00:01:00Z lies after the answer listing it was sent',
    );
  });

  it('JOBS-TASK-SHAPE judges the Tasks of every answer, the filtered one included', async () => {
    const bad = task(1, 'completed', MAIN_KICKOFF, { executionPeriod: { start: '2024-01-01T00:00:00Z' } });
    const out = await byId('JOBS-TASK-SHAPE').run(run(bundle([bad])).ctx);
    expect(out).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('no executionPeriod.end for a completed job'),
    });
  });

  it('JOBS-TASK-STATUS-VALUES holds every Task of every answer to the four documented statuses', async () => {
    const judge = async (tasks: unknown[]) => byId('JOBS-TASK-STATUS-VALUES').run(run(bundle(tasks)).ctx);
    expect(
      (await judge([task(1, 'completed', MAIN_KICKOFF), task(9, 'cancelled', MAIN_KICKOFF)])).outcome,
    ).toBe('pass');
    const other = await judge([task(9, 'ready', MAIN_KICKOFF)]);
    expect(other).toMatchObject({ outcome: 'fail', message: expect.stringContaining('job 9: "ready"') });
    const accepted = await judge([task(9, 'accepted', MAIN_KICKOFF)]);
    expect(accepted).toMatchObject({ outcome: 'warn', knownDeviation: expect.stringContaining('accepted') });
    const none = await byId('JOBS-TASK-STATUS-VALUES').run(run(bundle([]), bundle([])).ctx);
    expect(none.outcome).toBe('skip');
  });

  it('JOBS-TASK-REQUEST holds each listed job to the URL of its kick-off, query included', async () => {
    const wrong = bundle([task(2, 'completed', `${BASE}/api/v2/Patient/$export`)]);
    const out = await byId('JOBS-TASK-REQUEST').run(run(wrong).ctx);
    expect(out.outcome).toBe('fail');
    expect(out.message).toContain(`kick-off was GET ${TYPED_KICKOFF}`);
    expect((await byId('JOBS-TASK-REQUEST').run(run(bundle([])).ctx)).outcome).toBe('pass');
  });

  it('JOBS-TASK-REQUEST skips when no list shows a job whose kick-off the run saw', async () => {
    const fake = run(
      bundle([task(99, 'completed', MAIN_KICKOFF)]),
      bundle([task(99, 'completed', MAIN_KICKOFF)]),
    );
    expect((await byId('JOBS-TASK-REQUEST').run(fake.ctx)).outcome).toBe('skip');
  });
});

describe('with nothing to judge', () => {
  it('JOBS-TASK-SHAPE skips when no answer lists a Task', async () => {
    const out = await byId('JOBS-TASK-SHAPE').run(run(bundle([]), bundle([])).ctx);
    expect(out).toMatchObject({ outcome: 'skip', message: 'no Task in any job-list answer' });
  });
});

describe('bundleProblems and taskProblems', () => {
  it('accept the documented example', () => {
    const example = bundle([
      {
        executionPeriod: { end: '2021-08-14T00:07:48+00:00', start: '2021-08-13T00:07:48+00:00' },
        identifier: [{ system: 'https://bcda.cms.gov/api/v2/jobs', use: 'official', value: '1' }],
        input: [
          { type: { text: 'BULK FHIR Export' }, valueString: 'GET https://bcda.test.gov/this-is-a-test' },
        ],
        intent: 'order',
        resourceType: 'Task',
        status: 'completed',
      },
    ]);
    expect(bundleProblems(example)).toEqual([]);
    expect(taskProblems(tasksOfBody(example)![0]!, 'v2')).toEqual([]);
  });

  it('name what departs from it', () => {
    expect(bundleProblems([task(1, 'completed', 'x')])).toEqual([
      'resourceType is "an array", expected "Bundle"',
    ]);
    expect(bundleProblems({ ...bundle([]), type: 'collection' })).toEqual([
      'Bundle.type is "collection", expected "searchset"',
    ]);
    const other = task(1, 'completed', MAIN_KICKOFF, {
      identifier: [{ use: 'secondary', system: `${BASE}/api/v1/jobs`, value: '1' }],
    });
    expect(taskProblems(tasksOfBody(bundle([other]))![0]!, 'v2')).toEqual([
      'identifier.use is "secondary", expected "official"',
      `identifier.system ${BASE}/api/v1/jobs does not end with /api/v2/jobs`,
    ]);
    const backwards = task(1, 'failed', MAIN_KICKOFF, {
      executionPeriod: { start: '2024-01-02T00:00:00Z', end: '2024-01-01T00:00:00Z' },
    });
    expect(taskProblems(tasksOfBody(bundle([backwards]))![0]!, 'v2')).toEqual([
      'executionPeriod.end 2024-01-01T00:00:00Z is before its start 2024-01-02T00:00:00Z',
    ]);
    const running = task(1, 'in-progress', MAIN_KICKOFF, {
      executionPeriod: { start: '2024-01-01T00:00:00Z' },
    });
    expect(taskProblems(tasksOfBody(bundle([running]))![0]!, 'v2')).toEqual([]);
  });

  it('want the request URL absolute, as the documented example has it', () => {
    const pathOnly = task(1, 'completed', MAIN_KICKOFF, {
      input: [{ type: { text: 'BULK FHIR Export' }, valueString: 'GET /api/v2/Patient/$export' }],
    });
    expect(taskProblems(tasksOfBody(bundle([pathOnly]))![0]!, 'v2')).toEqual([
      'input valueString "GET /api/v2/Patient/$export" is not GET followed by an absolute URL',
    ]);
  });
});

describe('JOBS-EMPTY-404', () => {
  /** A context whose _status=FailedExpired list answers `status` with `body`. */
  const listing = (status: number, body: unknown) => {
    const fake = fakeContext();
    const res = fake.answer(
      { url: '/api/v2/jobs?_status=FailedExpired', operationId: 'listJobsV2', status, body, label: 'list' },
      true,
    );
    (fake.ctx.target as unknown as { call: () => Promise<unknown> }).call = () => Promise.resolve(res);
    return fake.ctx;
  };

  it('fails on a 200 none of whose Tasks is failed: nothing there can be FailedExpired', async () => {
    const out = await byId('JOBS-EMPTY-404').run(listing(200, bundle([task(1, 'completed', MAIN_KICKOFF)])));
    expect(out).toMatchObject({ outcome: 'fail', expected: '404', actual: '200' });
  });

  it('skips when the list holds failed Tasks: the organization may have FailedExpired jobs', async () => {
    const out = await byId('JOBS-EMPTY-404').run(listing(200, bundle([task(1, 'failed', MAIN_KICKOFF)])));
    expect(out.outcome).toBe('skip');
  });
});

describe('JOBS-OWN-ONLY', () => {
  /** Another organization whose unfiltered list is `unfiltered` and whose _status=Completed list is `completed`. */
  const other = (unfiltered: unknown, completed: unknown) => {
    const fake = fakeContext({ exports: [{ ...main, manifest: { output: [], error: [] } } as ExportRun] });
    const answer = (url: string, body: unknown) =>
      fake.answer({ url, operationId: 'listJobsV2', status: 200, body, label: 'list' }, true);
    const lists = {
      all: answer('/api/v2/jobs', unfiltered),
      completed: answer('/api/v2/jobs?_status=Completed', completed),
    };
    (fake.ctx as unknown as { otherClient: unknown }).otherClient = {
      call: (_op: string, opts: { query?: unknown }) =>
        Promise.resolve(opts.query ? lists.completed : lists.all),
    };
    return fake.ctx;
  };
  const theirs = bundle([task(7, 'completed', FRESH_KICKOFF)]);

  it("passes when neither of the other organization's lists shows the run's job", async () => {
    expect((await byId('JOBS-OWN-ONLY').run(other(theirs, theirs))).outcome).toBe('pass');
  });

  it("fails when only the other organization's filtered list shows it", async () => {
    const leaked = bundle([task(7, 'completed', FRESH_KICKOFF), task(1, 'completed', MAIN_KICKOFF)]);
    expect(await byId('JOBS-OWN-ONLY').run(other(theirs, leaked))).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('_status=Completed list includes this run') as unknown,
    });
  });
});
