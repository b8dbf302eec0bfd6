/** The generic mock's /__mock control routes: faults, reset, clock, a failed job, and who may use them. */
import { igTestMock, kickoffHeaders, token, type IgTestMock } from './helpers';

let m: IgTestMock;
beforeAll(async () => {
  m = await igTestMock();
});
afterAll(() => m.close());

const json = { 'Content-Type': 'application/json' };

it('switches faults, refusing BCDA ones, and resets', async () => {
  const put = await m
    .http()
    .put('/__mock/faults')
    .set(json)
    .send({ faults: ['ig-token-no-scope'] });
  expect(put.status).toBe(200);
  expect(put.body).toEqual({ faults: ['ig-token-no-scope'] });
  const bcda = await m.http().put('/__mock/faults').set(json).send({ faults: 'status-no-expires' });
  expect(bcda.status).toBe(400);
  expect((bcda.body as { error: string }).error).toMatch(/belongs to the BCDA mock/);
  expect((await m.http().post('/__mock/reset').set(json).send({})).status).toBe(200);
  expect((await m.http().get('/__mock/state')).body).toMatchObject({ faults: [] });
});

it('refuses a foreign Origin and a state change that is not JSON', async () => {
  expect((await m.http().get('/__mock/state').set('Origin', 'https://evil.example')).status).toBe(403);
  expect((await m.http().post('/__mock/reset').set('Content-Type', 'text/plain').send('{}')).status).toBe(
    415,
  );
});

it('moves the clock and fails a job (its status answers 500 OperationOutcome)', async () => {
  const t = await token(m);
  const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
  const location = new URL(kick.headers['content-location'] as string).pathname;
  const id = location.split('/').pop() ?? '';
  const before = m.ctx.clock.nowMs();
  expect((await m.http().post('/__mock/clock/advance').set(json).send({ seconds: 5 })).status).toBe(200);
  expect(m.ctx.clock.nowMs() - before).toBe(5000);
  expect((await m.http().post(`/__mock/jobs/${id}/fail`).set(json).send({})).status).toBe(200);
  const res = await m.http().get(location).set('Authorization', `Bearer ${t}`);
  expect(res.status).toBe(500);
  expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
});

it('holds a job in progress, fails it and releases it by state, as the BCDA mock names states', async () => {
  const t = await token(m);
  const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
  const location = new URL(kick.headers['content-location'] as string).pathname;
  const id = location.split('/').pop() ?? '';
  const setState = (state: unknown) => m.http().post(`/__mock/jobs/${id}/state`).set(json).send({ state });
  const poll = () => m.http().get(location).set('Authorization', `Bearer ${t}`);
  expect((await setState('In Progress')).status).toBe(200);
  m.ctx.clock.advance(60); // long past its 2 s: only the hold keeps it running
  const held = await poll();
  expect([held.status, held.headers['x-progress']]).toEqual([202, 'In Progress, 50%']);
  const state = (await m.http().get('/__mock/state')).body as { mock: string; jobs: Array<{ id: string }> };
  expect(state.mock).toBe('bulk-data-ig');
  expect(state.jobs.find((j) => j.id === id)).toMatchObject({ held: true, failed: false, percent: 50 });
  expect((await setState('Failed')).status).toBe(200);
  expect((await poll()).status).toBe(500);
  expect((await setState('Completed')).status).toBe(200);
  expect((await poll()).status).toBe(200);
  expect((await setState('Archived')).status).toBe(400);
  expect(
    (await m.http().post('/__mock/jobs/no-such-job/state').set(json).send({ state: 'Failed' })).status,
  ).toBe(404);
});

it('has no control routes with control: false', async () => {
  const bare = await igTestMock({ control: false });
  try {
    expect((await bare.http().get('/__mock/state')).status).toBe(404);
  } finally {
    await bare.close();
  }
});
