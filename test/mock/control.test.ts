import { exportHeaders, json, startExport, testMock, type TestMock } from './helpers';

describe('mock control endpoints', () => {
  it('do not exist without control', async () => {
    const m = await testMock();
    try {
      for (const [method, path] of [
        ['get', '/__mock/state'],
        ['post', '/__mock/faults'],
        ['post', '/__mock/clock/advance'],
        ['post', '/__mock/reset'],
        ['post', '/__mock/jobs/1/state'],
      ] as const) {
        const res = await m.http()[method](path);
        expect([path, res.status, res.text]).toEqual([path, 404, '404 page not found\n']);
      }
    } finally {
      await m.close();
    }
  });

  describe('with control', () => {
    let m: TestMock;
    beforeEach(async () => {
      m = await testMock({ control: true, faults: ['status-no-expires'] });
    });
    afterEach(() => m.close());

    it('sets, lists and clears faults; unknown names get a 400 listing the valid ones', async () => {
      const set = await m
        .http()
        .put('/__mock/faults')
        .send({ faults: ['kickoff-200-instead-of-202'] });
      expect(json(set)).toEqual({ faults: ['kickoff-200-instead-of-202'] });
      const token = await m.token();
      expect((await m.http().get('/api/v2/Patient/$export').set(exportHeaders(token))).status).toBe(200);
      const bad = await m.http().post('/__mock/faults').send({ faults: 'nope' });
      expect(bad.status).toBe(400);
      expect(json(bad).error).toMatch(/^unknown fault: nope; /);
      expect(json(await m.http().get('/__mock/faults')).active).toEqual(['kickoff-200-instead-of-202']);
      await m.http().delete('/__mock/faults').type('json');
      expect((await m.http().get('/api/v2/Patient/$export').set(exportHeaders(token))).status).toBe(202);
      const viaQuery = await m
        .http()
        .post('/__mock/faults?faults=status-no-x-progress,ratelimit-disabled')
        .type('json');
      expect(json(viaQuery).faults).toEqual(['status-no-x-progress', 'ratelimit-disabled']);
    });

    it('advances the clock so a 24 h expiry takes no time', async () => {
      const token = await m.token();
      const id = await startExport(m, token);
      const adv = await m.http().post('/__mock/clock/advance').send({ seconds: 90000 });
      expect(json(adv).now).toBe('2026-03-11T13:00:00.000Z');
      const state = json<{ jobs: Array<{ id: number; status: string }> }>(
        await m.http().get('/__mock/state'),
      );
      expect(state.jobs).toEqual([expect.objectContaining({ id, status: 'Archived' })]);
      expect((await m.http().post('/__mock/clock/advance').send({ seconds: -5 })).status).toBe(400);
      expect(
        (
          await m
            .http()
            .post('/__mock/clock/advance')
            .send('{not json')
            .set('Content-Type', 'application/json')
        ).status,
      ).toBe(400);
    });

    it('forces job states and rejects unknown ones', async () => {
      const token = await m.token();
      const id = await startExport(m, token);
      expect((await m.http().post(`/__mock/jobs/${id}/state`).send({ state: 'Failed' })).status).toBe(200);
      expect((await m.http().get(`/api/v2/jobs/${id}`).set('Authorization', `Bearer ${token}`)).status).toBe(
        500,
      );
      const bad = await m.http().post(`/__mock/jobs/${id}/state`).send({ state: 'Done' });
      expect(bad.status).toBe(400);
      expect(json(bad).error).toContain('In Progress');
      expect((await m.http().post('/__mock/jobs/999/state').send({ state: 'Failed' })).status).toBe(404);
    });

    it('reset drops jobs, rewinds the clock and restores the starting faults', async () => {
      const token = await m.token();
      await startExport(m, token);
      await m.http().post('/__mock/clock/advance').send({ seconds: 10 });
      await m.http().put('/__mock/faults').send({ faults: [] });
      const after = json<{ jobs: unknown[]; now: string; faults: string[] }>(
        await m.http().post('/__mock/reset').type('json'),
      );
      expect(after).toMatchObject({
        jobs: [],
        now: '2026-03-10T12:00:00.000Z',
        faults: ['status-no-expires'],
      });
      // Job ids start again at 1.
      expect(await startExport(m, token)).toBe(1);
    });
  });
});
