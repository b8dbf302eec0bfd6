/**
 * What the mock keeps of jobs is bounded per ACO: past the cap the oldest job leaves, a day after
 * its lifecycle ended a job leaves, and a job that left answers as an expired one to its own ACO
 * (401 to others, as before). File plans are kept for a few recent jobs only.
 */
import { createContext } from '../../src/mock/context';
import type { PlannedFile } from '../../src/mock/data/types';
import type { Job } from '../../src/mock/jobs';
import { PlanCache } from '../../src/mock/manifest';
import { exportHeaders, json, startExport, testMock, textParser, v1Outcome, type TestMock } from './helpers';

type Bundle = { total: number; entry?: Array<{ resource: { identifier: Array<{ value: string }> } }> };

const NOT_CANCELLED = 'job was not cancelled because it is not Pending or In Progress';

describe('jobs past the per-ACO cap', () => {
  let m: TestMock;
  let token: string;
  beforeAll(async () => {
    m = await testMock({ maxJobsPerAco: 3 });
    token = await m.token();
  });
  afterAll(() => m.close());

  const auth = (t = token) => ({ Authorization: `Bearer ${t}` });
  const listIds = async (): Promise<string[]> => {
    const res = await m.http().get('/api/v2/jobs').set(exportHeaders(token));
    expect(res.status).toBe(200);
    return (json<Bundle>(res).entry ?? []).map((e) => e.resource.identifier[0]?.value ?? '');
  };

  it('keeps the newest jobs of the ACO and answers for the dropped ones as expired jobs', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await startExport(m, token));
    expect(await listIds()).toEqual(ids.slice(2).map(String));
    expect(m.ctx.jobs.all().map((j) => j.id)).toEqual(ids.slice(2));

    const status = await m.http().get(`/api/v2/jobs/${ids[0]}`).set(auth());
    expect([status.status, status.headers['content-type']]).toEqual([410, 'application/fhir+json']);
    expect(json(status)).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });
    const cancel = await m.http().delete(`/api/v2/jobs/${ids[1]}`).set(auth());
    expect(cancel.status).toBe(410);
    expect(json<{ issue: Array<{ diagnostics: string }> }>(cancel).issue[0]?.diagnostics).toBe(NOT_CANCELLED);
    const download = await m
      .http()
      .get(`/data/${ids[0]}/any.ndjson`)
      .set(auth())
      .buffer(true)
      .parse(textParser);
    expect([download.status, download.body]).toEqual([404, 'Not Found\n']);
    // The newest are untouched.
    expect((await m.http().get(`/api/v2/jobs/${ids[4]}`).set(auth())).status).toBe(202);
  });

  it("keeps each ACO's own cap, and another ACO still gets 401 for a job it does not own", async () => {
    m.ctx.jobs.reset();
    const mine = await startExport(m, token);
    const other = await m.token('A9990');
    const theirs = await startExport(m, other);
    for (let i = 0; i < 3; i++) await startExport(m, other);
    // A9990's first job left; A9994's one job is kept.
    expect(m.ctx.jobs.get(theirs)).toBeUndefined();
    expect(m.ctx.jobs.get(mine)).toBeDefined();
    expect((await m.http().get(`/api/v2/jobs/${theirs}`).set(auth())).status).toBe(401);
    expect((await m.http().get(`/api/v2/jobs/${mine}`).set(auth(other))).status).toBe(401);
    expect((await m.http().get(`/api/v2/jobs/${theirs}`).set(auth(other))).status).toBe(410);
    const unknown = await m.http().get('/api/v1/jobs/999').set(auth());
    expect([unknown.status, unknown.text]).toEqual([404, v1Outcome('not-found')]);
  });
});

describe('a dropped job under --quirks', () => {
  it("answers with the real server's doubled 404, as an expired job does", async () => {
    const m = await testMock({ maxJobsPerAco: 1, quirks: true });
    try {
      const token = await m.token();
      const first = await startExport(m, token);
      await startExport(m, token);
      const auth = { Authorization: `Bearer ${token}` };
      const status = await m.http().get(`/api/v1/jobs/${first}`).set(auth).buffer(true).parse(textParser);
      expect([status.status, status.body]).toEqual([
        404,
        `${v1Outcome('not-found')}${v1Outcome('not-found')}`,
      ]);
      const download = await m.http().get(`/data/${first}/x.ndjson`).set(auth).buffer(true).parse(textParser);
      expect([download.status, download.body]).toEqual([404, `${v1Outcome('not-found')}Not Found\n`]);
    } finally {
      await m.close();
    }
  });
});

describe('jobs at the end of their lifecycle', () => {
  let m: TestMock;
  let token: string;
  beforeAll(async () => {
    m = await testMock({ control: true, tokenLifetimeSeconds: 86400 });
  });
  beforeEach(async () => {
    m.ctx.jobs.reset();
    token = await m.token();
  });
  afterAll(() => m.close());

  it('leave memory a day after they ended; a forced state stays', async () => {
    const completed = await startExport(m, token);
    const cancelled = await startExport(m, token);
    const forced = await startExport(m, token);
    await m.http().delete(`/api/v2/jobs/${cancelled}`).set('Authorization', `Bearer ${token}`);
    const force = await m
      .http()
      .post(`/__mock/jobs/${forced}/state`)
      .send({ state: 'Expired', updatedSecondsAgo: 0 });
    expect(force.status).toBe(200);

    m.ctx.clock.advance(47 * 3600); // cancelled: CancelledExpired for 23 h; completed: Archived
    token = await m.token();
    await startExport(m, token);
    expect(m.ctx.jobs.get(cancelled)).toBeDefined();
    m.ctx.clock.advance(2 * 3600); // cancelled: CancelledExpired for 25 h
    token = await m.token();
    // Not listed even before a sweep frees it; its status answers as an expired job's.
    const list = await m.http().get('/api/v2/jobs?_status=CancelledExpired').set(exportHeaders(token));
    expect(list.status).toBe(404);
    const status = await m.http().get(`/api/v2/jobs/${cancelled}`).set('Authorization', `Bearer ${token}`);
    expect(status.status).toBe(410);
    expect(m.ctx.jobs.get(cancelled)).toBeUndefined();

    m.ctx.clock.advance(100 * 3600);
    token = await m.token();
    await startExport(m, token); // a kick-off sweeps the ACO's ended jobs
    expect(m.ctx.jobs.get(completed)).toBeUndefined();
    const expired = await m.http().get('/api/v2/jobs?_status=Expired').set(exportHeaders(token));
    expect((json<Bundle>(expired).entry ?? []).map((e) => e.resource.identifier[0]?.value)).toEqual([
      String(forced),
    ]);
  });
});

describe('file plans', () => {
  it('are kept for the most recently used jobs only', () => {
    const cache = new PlanCache(2);
    const made: number[] = [];
    const job = (id: number) => ({ id }) as Job;
    const jobs = [job(1), job(2), job(3)];
    const plan = (j: Job) => () => {
      made.push(j.id);
      return [] as PlannedFile[];
    };
    for (const j of [jobs[0]!, jobs[1]!, jobs[0]!, jobs[2]!, jobs[0]!, jobs[1]!]) cache.get(j, plan(j));
    // 1 and 2 planned; 1 reused; 3 pushes out 2 (least recent); 1 reused; 2 planned again.
    expect(made).toEqual([1, 2, 3, 2]);
  });
});

describe('the job cap option', () => {
  it.each([0, 1.5, 2_000_000])('rejects %p', async (maxJobsPerAco) => {
    await expect(createContext({ maxJobsPerAco })).rejects.toThrow(/max jobs per ACO must be a whole number/);
  });
});
