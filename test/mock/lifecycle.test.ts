import { resetContext } from '../../src/mock/app';
import { JOB_STATUSES, type JobStatus } from '../../src/mock/jobs';
import { exportHeaders, json, startExport, testMock, textParser, type TestMock } from './helpers';

type Bundle = {
  total: number;
  entry?: Array<{
    resource: {
      status: string;
      identifier: Array<{ value: string; system: string }>;
      input: Array<{ valueString: string }>;
      executionPeriod: { start: string; end: string };
    };
  }>;
};

const TASK_STATUS: Record<JobStatus, string> = {
  Pending: 'in-progress',
  'In Progress': 'in-progress',
  Completed: 'completed',
  Archived: 'completed',
  Expired: 'completed',
  Failed: 'failed',
  FailedExpired: 'failed',
  Cancelled: 'cancelled',
  CancelledExpired: 'cancelled',
};

async function force(m: TestMock, id: number, state: JobStatus, updatedSecondsAgo = 0): Promise<void> {
  const res = await m.http().post(`/__mock/jobs/${id}/state`).send({ state, updatedSecondsAgo });
  if (res.status !== 200) throw new Error(res.text);
}

describe('mock job lifecycle (contract mode)', () => {
  let m: TestMock;
  let token: string;
  // One app (RSA key generation is the slow part); every test starts from a reset.
  beforeAll(async () => {
    m = await testMock({ control: true });
  });
  beforeEach(async () => {
    resetContext(m.ctx);
    token = await m.token();
  });
  afterAll(() => m.close());

  it('moves Pending → In Progress (X-Progress %) → Completed in about 2 s for A9994', async () => {
    const id = await startExport(m, token);
    const poll = () => m.http().get(`/api/v2/jobs/${id}`).set('Authorization', `Bearer ${token}`);
    const first = await poll();
    expect([first.status, first.headers['x-progress'], first.text]).toEqual([202, 'Pending', '']);
    expect(first.headers['retry-after']).toBe('1');
    m.ctx.clock.advance(1);
    const mid = await poll();
    expect(mid.status).toBe(202);
    expect(mid.headers['x-progress']).toMatch(/^In Progress, \d{1,2}%$/);
    m.ctx.clock.advance(1.01);
    const done = await poll();
    expect(done.status).toBe(200);
    expect(done.headers['content-type']).toBe('application/json');
    // Contract: Expires is an HTTP-date, 24 h after completion.
    expect(done.headers.expires).toBe('Wed, 11 Mar 2026 12:00:02 GMT');
    const manifest = json(done);
    expect(Object.keys(manifest)).toEqual([
      'transactionTime',
      'request',
      'requiresAccessToken',
      'output',
      'error',
      'JobID',
    ]);
    expect(manifest).toMatchObject({
      transactionTime: '2026-03-10T12:00:00Z',
      request: expect.stringMatching(/^http:\/\/127\.0\.0\.1(:\d+)?\/api\/v2\/Group\/all\/\$export$/),
      requiresAccessToken: true,
      JobID: id,
    });
    const output = manifest.output as Array<{ type: string; url: string }>;
    expect(new Set(output.map((o) => o.type))).toEqual(
      new Set(['Patient', 'Coverage', 'ExplanationOfBenefit']),
    );
    for (const o of output)
      expect(o.url).toMatch(new RegExp(`^http://.+/data/${id}/[0-9a-f-]{36}\\.ndjson$`));
    expect(Array.isArray(manifest.error)).toBe(true);
  });

  it('archives after 24 h and expires after 48 h; Failed and Cancelled expire too', async () => {
    const id = await startExport(m, token);
    const obs = await startExport(m, token, '/api/v1/Patient/$export?_type=Observation');
    const cancelled = await startExport(m, token);
    expect(
      (await m.http().delete(`/api/v2/jobs/${cancelled}`).set('Authorization', `Bearer ${token}`)).status,
    ).toBe(202);
    const status = async (job: number) =>
      (await m.http().get(`/api/v2/jobs/${job}`).set('Authorization', `Bearer ${token}`)).status;
    m.ctx.clock.advance(3);
    expect([await status(id), await status(obs), await status(cancelled)]).toEqual([200, 500, 404]);
    m.ctx.clock.advance(24 * 3600);
    expect(m.ctx.jobs.all().map((j) => j.id)).toEqual([id, obs, cancelled]);
    const states = () =>
      m
        .http()
        .get('/__mock/state')
        .then((r) => json<{ jobs: Array<{ status: string }> }>(r).jobs.map((j) => j.status));
    expect(await states()).toEqual(['Archived', 'FailedExpired', 'CancelledExpired']);
    token = await m.token(); // the first one expired a day ago
    expect(await status(id)).toBe(410);
    m.ctx.clock.advance(24 * 3600);
    // A day after their lifecycle ended, the failed and cancelled jobs have left memory; they
    // answer as expired jobs do. The completed one has just expired and is still kept.
    expect(await states()).toEqual(['Expired']);
    token = await m.token();
    expect([await status(id), await status(obs), await status(cancelled)]).toEqual([410, 410, 410]);
    m.ctx.clock.advance(24 * 3600);
    expect(await states()).toEqual([]);
    expect(m.ctx.jobs.all()).toEqual([]);
  });

  const expectedGet: Record<JobStatus, [number, string | undefined]> = {
    Pending: [202, undefined],
    'In Progress': [202, undefined],
    Completed: [200, undefined],
    Archived: [410, undefined],
    Expired: [410, undefined],
    Failed: [500, 'Service encountered numerous errors. Job failed to complete.'],
    FailedExpired: [500, 'Service encountered numerous errors. Job failed to complete.'],
    Cancelled: [404, 'Job has been cancelled.'],
    CancelledExpired: [404, 'Job has been cancelled.'],
  };

  it.each(JOB_STATUSES.map((s) => [s]))('GET, DELETE and Task status for a %s job', async (state) => {
    const id = await startExport(m, token);
    await force(m, id, state);
    const auth = { Authorization: `Bearer ${token}` };
    const get = await m.http().get(`/api/v1/jobs/${id}`).set(auth);
    const [status, diagnostics] = expectedGet[state];
    expect(get.status).toBe(status);
    if (status >= 400) {
      expect(get.headers['content-type']).toBe('application/fhir+json');
      expect(json<{ issue: Array<{ diagnostics?: string }> }>(get).issue[0]?.diagnostics).toBe(diagnostics);
    }
    if (state === 'Pending') expect(get.headers['x-progress']).toBe('Pending');
    if (state === 'In Progress') expect(get.headers['x-progress']).toMatch(/^In Progress, \d+%$/);

    const list = await m
      .http()
      .get(`/api/v2/jobs?_status=${encodeURIComponent(state)}`)
      .set(exportHeaders(token));
    expect(list.status).toBe(200);
    const bundle = json<Bundle>(list);
    expect(bundle.total).toBe(1);
    expect(bundle.entry?.[0]?.resource.status).toBe(TASK_STATUS[state]);

    const del = await m.http().delete(`/api/v2/jobs/${id}`).set(auth);
    if (state === 'Pending' || state === 'In Progress') {
      expect([del.status, del.text]).toEqual([202, '']);
    } else {
      expect(del.status).toBe(410);
      expect(json<{ issue: Array<{ code: string; diagnostics: string }> }>(del).issue[0]).toMatchObject({
        code: 'not-found',
        diagnostics: 'job was not cancelled because it is not Pending or In Progress',
      });
    }
  });

  it('answers 410 for a Completed job past 24 h that cleanup has not archived yet', async () => {
    const id = await startExport(m, token);
    await force(m, id, 'Completed', 25 * 3600);
    const res = await m.http().get(`/api/v2/jobs/${id}`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(410);
    expect(res.headers.expires).toBeDefined();
  });

  it('job id errors: 400 for non-numbers, 404 for unknown ids', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    for (const bad of ['abc', '-1', '99999999999999999999999']) {
      const res = await m.http().get(`/api/v2/jobs/${bad}`).set(auth);
      expect([bad, res.status, json<{ issue: Array<{ code: string }> }>(res).issue[0]?.code]).toEqual([
        bad,
        400,
        'structure',
      ]);
    }
    const missing = await m.http().get('/api/v2/jobs/0').set(auth);
    expect([missing.status, json<{ issue: Array<{ code: string }> }>(missing).issue[0]?.code]).toEqual([
      404,
      'not-found',
    ]);
  });

  it('a v2 job can be polled under /api/v1/jobs', async () => {
    const id = await startExport(m, token);
    expect((await m.http().get(`/api/v1/jobs/${id}`).set('Authorization', `Bearer ${token}`)).status).toBe(
      202,
    );
  });

  it('/jobs: Task shape, _status filter and errors, 404 when none', async () => {
    const none = await m.http().get('/api/v2/jobs').set(exportHeaders(token));
    expect(none.status).toBe(404);
    expect(json<{ issue: Array<{ diagnostics: string }> }>(none).issue[0]?.diagnostics).toBe(
      'no Jobs found for acoID 0c527d2e-2e8a-4808-b11d-0fa06baf8254 with job statuses [Pending In Progress Completed Archived Expired Failed FailedExpired Cancelled CancelledExpired]',
    );
    const a = await startExport(m, token);
    const b = await startExport(m, token, '/api/v1/Patient/$export');
    m.ctx.clock.advance(3);
    await force(m, b, 'Failed');
    const all = await m.http().get('/api/v2/jobs').set(exportHeaders(token));
    expect(all.headers['content-type']).toBe('application/json');
    const bundle = json<Bundle>(all);
    expect(bundle.total).toBe(2);
    const task = bundle.entry?.[0]?.resource;
    expect(task?.identifier[0]?.value).toBe(String(a));
    expect(task?.identifier[0]?.system).toMatch(/\/api\/v2\/jobs$/);
    expect(task?.input[0]?.valueString).toMatch(/^GET http:\/\/.+\/api\/v2\/Group\/all\/\$export$/);
    expect(task?.executionPeriod).toEqual({ start: '2026-03-10T12:00:00Z', end: '2026-03-10T12:00:02Z' });
    const failed = json<Bundle>(
      await m.http().get('/api/v2/jobs?_status=Failed,Completed').set(exportHeaders(token)),
    );
    expect(failed.total).toBe(2);
    const onlyFailed = json<Bundle>(
      await m.http().get('/api/v2/jobs?_status=Failed').set(exportHeaders(token)),
    );
    expect(onlyFailed.entry?.map((e) => e.resource.identifier[0]?.value)).toEqual([String(b)]);
    const dup = await m.http().get('/api/v2/jobs?_status=Failed,Failed').set(exportHeaders(token));
    expect([dup.status, json<{ issue: Array<{ diagnostics: string }> }>(dup).issue[0]?.diagnostics]).toEqual([
      400,
      'Repeated status type Failed',
    ]);
    const unknown = await m.http().get('/api/v2/jobs?_status=Done').set(exportHeaders(token));
    expect(json<{ issue: Array<{ diagnostics: string }> }>(unknown).issue[0]?.diagnostics).toBe(
      'invalid status type Done. Supported types map[Archived:{} Cancelled:{} CancelledExpired:{} Completed:{} Expired:{} Failed:{} FailedExpired:{} In Progress:{} Pending:{}]',
    );
    const noPrefer = await m
      .http()
      .get('/api/v2/jobs')
      .set({ Authorization: `Bearer ${token}`, Accept: 'application/fhir+json' });
    expect(noPrefer.status).toBe(400);
    // Other ACOs' jobs are not listed.
    const other = await m.token('A9990');
    expect((await m.http().get('/api/v2/jobs').set(exportHeaders(other))).status).toBe(404);
  });

  it('attribution_status lists both ingestion dates', async () => {
    const res = await m.http().get('/api/v2/attribution_status').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.text.endsWith('\n')).toBe(true);
    expect(json(res)).toEqual({
      ingestion_dates: [
        // The form seed 001's example shows; --quirks sends the real server's RFC 3339.
        { timestamp: '2026-03-01 02:00:00+00', type: 'last_attribution_update' },
        { timestamp: '2026-01-15 02:00:00+00', type: 'last_runout_update' },
      ],
    });
    expect((await m.http().get('/api/v2/attribution_status')).status).toBe(401);
  });
});

describe('mock job lifecycle with --quirks', () => {
  let m: TestMock;
  let token: string;
  beforeAll(async () => {
    m = await testMock({ control: true, quirks: true });
  });
  beforeEach(async () => {
    resetContext(m.ctx);
    token = await m.token();
  });
  afterAll(() => m.close());

  it('attribution_status timestamps are RFC 3339, as the real server encodes them', async () => {
    const res = await m.http().get('/api/v2/attribution_status').set('Authorization', `Bearer ${token}`);
    const dates = json<{ ingestion_dates: Array<{ timestamp: string }> }>(res).ingestion_dates;
    expect(dates.map((d) => d.timestamp)).toEqual(['2026-03-01T02:00:00Z', '2026-01-15T02:00:00Z']);
  });

  it('Pending maps to Task accepted; no Retry-After on 202; Expires is in Go format', async () => {
    const id = await startExport(m, token);
    const list = json<Bundle>(await m.http().get('/api/v2/jobs').set(exportHeaders(token)));
    expect(list.entry?.[0]?.resource.status).toBe('accepted');
    const running = await m.http().get(`/api/v2/jobs/${id}`).set('Authorization', `Bearer ${token}`);
    expect([running.status, running.headers['retry-after']]).toEqual([202, undefined]);
    m.ctx.clock.advance(2.5);
    const done = await m.http().get(`/api/v2/jobs/${id}`).set('Authorization', `Bearer ${token}`);
    expect(done.headers.expires).toBe('2026-03-11 12:00:02 +0000 UTC');
  });

  it('archived jobs answer 404 with two concatenated OperationOutcomes', async () => {
    const id = await startExport(m, token);
    await force(m, id, 'Archived');
    const res = await m
      .http()
      .get(`/api/v2/jobs/${id}`)
      .set('Authorization', `Bearer ${token}`)
      .parse(textParser);
    expect(res.status).toBe(404);
    expect(res.headers.expires).toBeUndefined();
    expect(String(res.body).match(/"resourceType":"OperationOutcome"/g)).toHaveLength(2);
    const del = await m
      .http()
      .delete(`/api/v2/jobs/${id}`)
      .set('Authorization', `Bearer ${token}`)
      .parse(textParser);
    expect(del.status).toBe(404);
    expect(String(del.body)).toContain('job was not cancelled');
  });

  it('/jobs 404 has the empty Bundle appended', async () => {
    const res = await m.http().get('/api/v2/jobs').set(exportHeaders(token)).parse(textParser);
    expect(res.status).toBe(404);
    expect(String(res.body).endsWith('{"resourceType":"Bundle","type":"searchset","total":0}')).toBe(true);
  });
});
