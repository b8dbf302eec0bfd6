/**
 * The auth provider behind the mock (behavior §2.8, §2.9, §5): outages, the per-ACO token limit,
 * organizations BCDA does not know, and the wrong-method answers of the token and export routes.
 */
import { resetContext } from '../../src/mock/app';
import { UNKNOWN_ACO_ID } from '../../src/mock/credentials';
import {
  basicFor,
  exportHeaders,
  json,
  testMock,
  textParser,
  tokenFor,
  v1Outcome,
  type TestMock,
} from './helpers';

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

describe('mock auth provider', () => {
  let m: TestMock;
  beforeAll(async () => {
    m = await testMock({ control: true });
  });
  afterAll(() => m.close());
  beforeEach(() => resetContext(m.ctx));

  describe('timeout', () => {
    it('answers 503 Internal Error to every request presenting a token; the v1 writer adds Retry-After: 1', async () => {
      const t = await m.token();
      m.ctx.authProvider = 'timeout';
      const v1 = await m.http().get('/api/v1/attribution_status').set(bearer(t));
      expect(v1.status).toBe(503);
      expect(v1.headers['retry-after']).toBe('1');
      expect(v1.text).toBe(v1Outcome('exception', 'Internal Error'));
      const v2 = await m.http().get('/api/v2/jobs').set(exportHeaders(t));
      expect(v2.status).toBe(503);
      expect(v2.headers['retry-after']).toBeUndefined();
      expect(json<{ issue: Array<{ code: string }> }>(v2).issue[0]?.code).toBe('exception');
      // Public routes parse a presented token too; without one they serve as usual.
      expect((await m.http().get('/api/v2/metadata').set(bearer(t))).status).toBe(503);
      expect((await m.http().get('/api/v2/metadata')).status).toBe(200);
      const data = await m.http().get('/data/1/x.ndjson').set(bearer(t));
      expect([data.status, data.headers['retry-after']]).toEqual([503, '1']);
    });

    it('makes /auth/token answer 503 text with Retry-After: 1 before judging the credentials', async () => {
      m.ctx.authProvider = 'timeout';
      const res = await m
        .http()
        .post('/auth/token')
        .set('Authorization', basicFor('A9994'))
        .parse(textParser);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.body).toBe('Service Unavailable\n');
      // Missing Basic credentials are refused by BCDA itself, before the provider is asked.
      expect((await m.http().post('/auth/token')).status).toBe(400);
    });

    it('turns /_health to 502 naming the auth provider and /_auth to an error message', async () => {
      m.ctx.authProvider = 'timeout';
      const health = await m.http().get('/_health');
      expect(health.status).toBe(502);
      expect(health.headers['content-type']).toBe('application/json');
      expect(json(health)).toEqual({
        database: 'ok',
        ssas: 'Cannot connect to SSAS',
        ssas_introspect: 'SSAS introspect check failed',
      });
      const info = json(await m.http().get('/_auth'));
      expect(info.auth_provider).toBe('ssas');
      expect(info['error message']).toMatch(/deadline exceeded/);
      expect(info.version).toBeUndefined();
    });
  });

  it('an error answers 500 everywhere a token is checked or issued', async () => {
    const t = await m.token();
    m.ctx.authProvider = 'error';
    const res = await m.http().get('/api/v1/attribution_status').set(bearer(t));
    expect(res.status).toBe(500);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.text).toBe(v1Outcome('exception', 'Internal Error'));
    expect((await m.http().post('/auth/token').set('Authorization', basicFor('A9994'))).status).toBe(500);
    expect((await m.http().get('/_health')).status).toBe(502);
  });

  it('is switched by POST /__mock/auth-provider, shown in /__mock/state and restored by reset', async () => {
    const set = await m.http().post('/__mock/auth-provider').send({ state: 'timeout' });
    expect(set.status).toBe(200);
    expect(json(await m.http().get('/__mock/state')).authProvider).toBe('timeout');
    const bad = await m.http().post('/__mock/auth-provider').send({ state: 'down' });
    expect(bad.status).toBe(400);
    expect(json(bad).error).toBe('"state" must be one of: ok, timeout, error');
    await m.http().post('/__mock/reset').type('json');
    expect(m.ctx.authProvider).toBe('ok');
  });

  it('/_health is application/json by default and text/plain under quirks', async () => {
    expect((await m.http().get('/_health')).headers['content-type']).toBe('application/json');
    const quirky = await testMock({ quirks: true });
    try {
      const res = await quirky.http().get('/_health');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    } finally {
      await quirky.close();
    }
  });

  describe('token rate limit', () => {
    it('is off by default', async () => {
      for (let i = 0; i < 5; i++) {
        expect((await m.http().post('/auth/token').set('Authorization', basicFor('A9994'))).status).toBe(200);
      }
    });

    it('answers 429 text with Retry-After (the window) past the limit, per ACO, until the window passes', async () => {
      const set = await m.http().post('/__mock/token-rate-limit').send({ limit: 2, windowSeconds: 60 });
      expect(json(set)).toEqual({ tokenRateLimit: { limit: 2, windowSeconds: 60 } });
      const ask = (cmsId: string) =>
        m.http().post('/auth/token').set('Authorization', basicFor(cmsId)).parse(textParser);
      expect((await ask('A9994')).status).toBe(200);
      expect((await ask('A9994')).status).toBe(200);
      const limited = await ask('A9994');
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('60');
      expect(limited.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(limited.body).toBe(
        'A9994 exceeded the rate limit for /auth/token. Access tokens last 20 minutes; please cache and reuse them.\n',
      );
      expect((await ask('A9990')).status).toBe(200); // another ACO has its own count
      m.ctx.clock.advance(61);
      expect((await ask('A9994')).status).toBe(200);
    });

    it('can be set on the command line options and is checked', async () => {
      const limited = await testMock({ tokenRateLimit: { limit: 1, windowSeconds: 300 } });
      try {
        await tokenFor(limited.app, 'A9994');
        expect(
          (await limited.http().post('/auth/token').set('Authorization', basicFor('A9994'))).status,
        ).toBe(429);
      } finally {
        await limited.close();
      }
      await expect(testMock({ tokenRateLimit: { limit: -1, windowSeconds: 300 } })).rejects.toThrow(
        /token rate limit must be a whole number/,
      );
      const bad = await m.http().post('/__mock/token-rate-limit').send({ limit: 1, windowSeconds: 0 });
      expect(bad.status).toBe(400);
    });
  });

  it('a token of an organization BCDA does not know is refused with 403 everywhere, public routes included', async () => {
    const t = await tokenFor(m.app, UNKNOWN_ACO_ID);
    for (const path of ['/api/v2/metadata', '/_version', '/api/v2/attribution_status', '/auth/welcome']) {
      const res = await m.http().get(path).set(bearer(t));
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.text).toContain('Unauthorized Error');
    }
  });

  it('a denylisted organization is refused on protected routes only', async () => {
    const t = await tokenFor(m.app, 'A9997');
    expect((await m.http().get('/api/v2/attribution_status').set(bearer(t))).status).toBe(403);
    expect((await m.http().get('/auth/welcome').set(bearer(t))).status).toBe(403);
    expect((await m.http().get('/api/v2/metadata').set(bearer(t))).status).toBe(200);
  });

  it('TEST996 has no attribution data: attribution_status and every export answer 404', async () => {
    const t = await tokenFor(m.app, 'TEST996');
    expect((await m.http().get('/api/v2/attribution_status').set(bearer(t))).status).toBe(404);
    expect((await m.http().get('/api/v2/Group/all/$export').set(exportHeaders(t))).status).toBe(404);
    expect((await m.http().get('/api/v2/Group/runout/$export').set(exportHeaders(t))).status).toBe(404);
  });

  it('wrong methods: POST kick-off and GET /auth/token answer 405 with Allow, and the faults serve them', async () => {
    const t = await m.token();
    for (const path of ['/api/v2/Patient/$export', '/api/v1/Group/all/$export']) {
      const res = await m.http().post(path).set(exportHeaders(t));
      expect([res.status, res.headers.allow, res.text]).toEqual([405, 'GET', '']);
    }
    const put = await m.http().put('/api/v2/Patient/$export').set(exportHeaders(t));
    expect([put.status, put.headers.allow]).toEqual([405, 'GET']);
    const get = await m.http().get('/auth/token').set('Authorization', basicFor('A9994'));
    expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
    m.ctx.faults.set(['export-accepts-post', 'token-accepts-get']);
    expect((await m.http().post('/api/v2/Patient/$export').set(exportHeaders(t))).status).toBe(202);
    expect((await m.http().get('/auth/token').set('Authorization', basicFor('A9994'))).status).toBe(200);
  });
});
