/**
 * What the mock says about a running job and how often it may be asked: X-Progress in seed 001's
 * form ("In Progress, NN%"; --quirks: the real server's "In Progress (NN%)"), the poll rate limit
 * (off unless set through control; --quirks ignores it), the beneficiaries a job could not export
 * (a control endpoint), and the archive threshold a job may carry.
 */
import { resetContext } from '../../src/mock/app';
import { DAY_MS, jobState, type Job } from '../../src/mock/jobs';
import { exportHeaders, json, startExport, testMock, textParser, type TestMock } from './helpers';

const auth = (t: string) => ({ Authorization: `Bearer ${t}` });

describe('X-Progress and the poll rate limit', () => {
  let m: TestMock;
  let quirky: TestMock;
  beforeAll(async () => {
    m = await testMock({ control: true });
    quirky = await testMock({ control: true, quirks: true });
  });
  beforeEach(() => {
    resetContext(m.ctx);
    resetContext(quirky.ctx);
  });
  afterAll(async () => {
    await m.close();
    await quirky.close();
  });

  async function inProgress(mock: TestMock): Promise<string | undefined> {
    const t = await mock.token();
    const id = await startExport(mock, t);
    mock.ctx.clock.advance(1);
    const res = await mock.http().get(`/api/v2/jobs/${id}`).set(auth(t));
    expect(res.status).toBe(202);
    return res.headers['x-progress'] as string | undefined;
  }

  it('writes "In Progress, NN%", and the real server\'s "In Progress (NN%)" under --quirks', async () => {
    expect(await inProgress(m)).toMatch(/^In Progress, \d{1,2}%$/);
    expect(await inProgress(quirky)).toMatch(/^In Progress \(\d{1,2}%\)$/);
  });

  async function burst(mock: TestMock, n: number) {
    const t = await mock.token();
    const id = await startExport(mock, t);
    const answers = [];
    for (let i = 0; i < n; i++) answers.push(await mock.http().get(`/api/v2/jobs/${id}`).set(auth(t)));
    return { id, t, answers };
  }

  it('does not throttle polling until a limit is set', async () => {
    const { answers } = await burst(m, 8);
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
  });

  it('answers 429 with Retry-After and an OperationOutcome past the limit set through control', async () => {
    const set = await m.http().post('/__mock/poll-rate-limit').send({ limit: 2, windowSeconds: 10 });
    expect([set.status, json(set)]).toEqual([200, { pollRateLimit: { limit: 2, windowSeconds: 10 } }]);
    const { id, t, answers } = await burst(m, 3);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 429]);
    const limited = answers[2]!;
    expect(limited.headers['retry-after']).toBe('10');
    expect(json<{ resourceType: string }>(limited).resourceType).toBe('OperationOutcome');
    // The window passes on the mock clock: polling is allowed again.
    m.ctx.clock.advance(10);
    expect((await m.http().get(`/api/v2/jobs/${id}`).set(auth(t))).status).not.toBe(429);
    // Off again, and off after a reset.
    await m.http().post('/__mock/poll-rate-limit').send({ limit: 0 });
    expect(m.ctx.jobs.pollRateLimit.limit).toBe(0);
    m.ctx.jobs.pollRateLimit = { limit: 1, windowSeconds: 5 };
    resetContext(m.ctx);
    expect(m.ctx.jobs.pollRateLimit.limit).toBe(0);
  });

  it('refuses a bad limit, and has none under --quirks (BCDA does not throttle polling)', async () => {
    const bad = await m.http().post('/__mock/poll-rate-limit').send({ limit: -1 });
    expect(bad.status).toBe(400);
    await quirky.http().post('/__mock/poll-rate-limit').send({ limit: 1, windowSeconds: 10 });
    const { answers } = await burst(quirky, 4);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
  });
});

describe('the beneficiaries a job could not export', () => {
  let m: TestMock;
  beforeAll(async () => {
    m = await testMock({ control: true });
  });
  afterAll(() => m.close());

  it('are reported by control and named in the error files of the completed job', async () => {
    const t = await m.token();
    const id = await startExport(m, t);
    const failures = await m.http().get(`/__mock/jobs/${id}/failures`);
    expect(failures.status).toBe(200);
    const { beneficiaries } = json<{ beneficiaries: string[] }>(failures);
    // A9994 has 50 enrollees, one of whom BFD "cannot find" in every export.
    expect(beneficiaries.length).toBeGreaterThan(0);
    expect(beneficiaries[0]).toMatch(/^[0-9A-Z]{11}$/);
    m.ctx.clock.advance(60);
    const manifest = json<{ error: Array<{ url: string }> }>(
      await m.http().get(`/api/v2/jobs/${id}`).set(auth(t)),
    );
    expect(manifest.error.length).toBeGreaterThan(0);
    const texts = await Promise.all(
      manifest.error.map(
        async (e) =>
          (await m.http().get(new URL(e.url).pathname).set(auth(t)).parse(textParser)).body as string,
      ),
    );
    for (const mbi of beneficiaries) expect(texts.some((text) => text.includes(mbi))).toBe(true);
  });

  it('answers 404 for a job that does not exist', async () => {
    expect((await m.http().get('/__mock/jobs/999/failures')).status).toBe(404);
  });
});

describe('a job archived early', () => {
  it('is Archived after its own threshold, then Expired a day later', () => {
    const job = {
      createdAtMs: 0,
      durationMs: 1000,
      willFail: false,
      archiveAfterMs: DAY_MS / 2,
    } as unknown as Job;
    expect(jobState(job, 1000 + DAY_MS / 2 - 1).status).toBe('Completed');
    expect(jobState(job, 1000 + DAY_MS / 2).status).toBe('Archived');
    expect(jobState(job, 1000 + DAY_MS / 2 + DAY_MS).status).toBe('Expired');
    delete job.archiveAfterMs;
    expect(jobState(job, 1000 + DAY_MS - 1).status).toBe('Completed');
    expect(jobState(job, 1000 + DAY_MS).status).toBe('Archived');
  });
});

describe('the job list filter', () => {
  it('tells Archived from Completed by state, not by Task.status', async () => {
    const m = await testMock({ control: true });
    try {
      const t = await m.token();
      const done = await startExport(m, t);
      const archived = await startExport(m, t, '/api/v2/Patient/$export?_type=Patient');
      m.ctx.clock.advance(60);
      await m.http().post(`/__mock/jobs/${archived}/state`).send({ state: 'Archived' });
      const ids = async (status: string) => {
        const res = await m.http().get(`/api/v2/jobs?_status=${status}`).set(exportHeaders(t));
        if (res.status === 404) return [];
        return (
          json<{ entry?: Array<{ resource: { identifier: Array<{ value: string }> } }> }>(res).entry ?? []
        ).map((e) => Number(e.resource.identifier[0]!.value));
      };
      expect(await ids('Archived')).toEqual([archived]);
      expect(await ids('Completed')).toEqual([done]);
      expect(await ids('Expired')).toEqual([]);
    } finally {
      await m.close();
    }
  });
});
