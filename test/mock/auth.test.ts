import { decodeJwt, decodeProtectedHeader } from 'jose';
import { SANDBOX_CREDENTIAL } from '../../src/mock/credentials';
import { basicFor, json, startExport, testMock, tokenFor, v1Outcome, type TestMock } from './helpers';

describe('mock /auth/token', () => {
  let m: TestMock;
  beforeAll(async () => {
    m = await testMock();
  });
  afterAll(() => m.close());

  it('issues a token for the published sandbox credentials, with the exact SSAS body', async () => {
    const basic = `Basic ${Buffer.from(`${SANDBOX_CREDENTIAL.clientId}:${SANDBOX_CREDENTIAL.clientSecret}`).toString('base64')}`;
    const res = await m
      .http()
      .post('/auth/token')
      .set('Authorization', basic)
      .set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toMatch(
      /^\{"access_token": "[\w-]+\.[\w-]+\.[\w-]+", "expires_in": "1200", "token_type":"bearer"\}$/,
    );
    const token = json<{ access_token: string }>(res).access_token;
    expect(decodeProtectedHeader(token).alg).toBe('RS512');
    const claims = decodeJwt(token);
    expect(claims.iss).toBe('ssas');
    expect(claims.dat).toBe('{"cms_ids":["A9994"]}');
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(1200);
  });

  it('matches the seed curl: the pre-encoded Basic header works', async () => {
    const header =
      'Basic Mzg0MWM1OTQtYThjMC00MWU1LTk4Y2MtMzhiYjQ1MzYwZDNjOmY5NzgwZDMyMzU4OGYxY2RmYzNlNjNlOTVhOGNiZGNkZDQ3NjAyZmY0OGE1MzdiNTFkYzVkNzgzNGJmNDY2NDE2YTcxNmJkNDUwOGU5MDRh';
    expect((await m.http().post('/auth/token').set('Authorization', header)).status).toBe(200);
  });

  it.each([
    ['no header', undefined, 400, 'Bad Request\n'],
    ['a bearer header', 'Bearer abc', 400, 'Bad Request\n'],
    ['undecodable Basic', 'Basic !!!', 400, 'Bad Request\n'],
    [
      'wrong secret',
      `Basic ${Buffer.from(`${SANDBOX_CREDENTIAL.clientId}:nope`).toString('base64')}`,
      401,
      'Unauthorized\n',
    ],
    ['unknown client', `Basic ${Buffer.from('who:me').toString('base64')}`, 401, 'Unauthorized\n'],
  ])('answers plain text for %s', async (_name, header, status, body) => {
    let req = m.http().post('/auth/token');
    if (header) req = req.set('Authorization', header);
    const res = await req;
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe(body);
  });

  it('ignores the request body and its content type', async () => {
    const res = await m
      .http()
      .post('/auth/token')
      .set('Authorization', basicFor('A9990'))
      .set('Content-Type', 'application/json')
      .send('');
    expect(res.status).toBe(200);
  });

  it('answers 405 to GET /auth/token and 200 to /auth/welcome with a token', async () => {
    expect((await m.http().get('/auth/token')).status).toBe(405);
    const token = await m.token();
    const res = await m.http().get('/auth/welcome').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(json(res)).toEqual({ success: 'Welcome to the Beneficiary Claims Data API!' });
  });
});

describe('mock auth ladder on protected routes', () => {
  let m: TestMock;
  let other: TestMock;
  beforeAll(async () => {
    m = await testMock({ tokenLifetimeSeconds: 60 });
    other = await testMock();
  });
  afterAll(async () => {
    await m.close();
    await other.close();
  });

  const jobsPath = '/api/v1/jobs/1';

  it('401 Invalid Token without a header, in each version shape', async () => {
    const v1 = await m.http().get(jobsPath);
    expect(v1.status).toBe(401);
    expect(v1.headers['content-type']).toBe('application/fhir+json');
    expect(v1.text).toBe(v1Outcome('forbidden', 'Invalid Token'));
    const v2 = await m.http().get('/api/v2/Patient/$export');
    expect(json(v2)).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'forbidden',
          diagnostics: 'Invalid Token',
          details: {
            coding: [
              {
                system: 'http://hl7.org/fhir/ValueSet/operation-outcome',
                code: 'Request Error',
                display: 'Invalid Token',
              },
            ],
            text: 'Invalid Token',
          },
        },
      ],
    });
    const v3 = await m.http().get('/api/v3/jobs');
    expect(json(v3)).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'forbidden',
          diagnostics: 'Invalid Token',
          details: { text: 'Invalid Token' },
        },
      ],
    });
  });

  it.each(['bearer abc', 'Basic abc', 'Bearer a b'])(
    '401 Invalid Token for the malformed header %j',
    async (header) => {
      const res = await m.http().get(jobsPath).set('Authorization', header);
      expect(res.status).toBe(401);
      expect(res.text).toBe(v1Outcome('forbidden', 'Invalid Token'));
    },
  );

  it('400 Request Error for a token that is not a JWT', async () => {
    const res = await m.http().get(jobsPath).set('Authorization', 'Bearer invalidtoken');
    expect(res.status).toBe(400);
    expect(res.text).toBe(v1Outcome('structure', 'Request Error'));
  });

  it('401 Expired Token for a token signed by another server', async () => {
    const foreign = await other.token();
    const res = await m.http().get(jobsPath).set('Authorization', `Bearer ${foreign}`);
    expect(res.status).toBe(401);
    expect(res.text).toBe(v1Outcome('forbidden', 'Expired Token'));
  });

  it('401 Expired Token once the configured lifetime has passed on the mock clock', async () => {
    const token = await m.token();
    const ok = await m.http().get('/api/v2/attribution_status').set('Authorization', `Bearer ${token}`);
    expect(ok.status).toBe(200);
    m.ctx.clock.advance(61);
    const res = await m.http().get('/api/v2/attribution_status').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(json<{ issue: Array<{ diagnostics: string }> }>(res).issue[0]?.diagnostics).toBe('Expired Token');
  });

  it('403 Unauthorized Error for a valid token naming an unknown ACO', async () => {
    const token = await m.ctx.tokens.issue('someone', 'Z0000');
    const res = await m.http().get(jobsPath).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.text).toBe(v1Outcome('forbidden', 'Unauthorized Error'));
  });

  it('403 for the denylisted ACO on export, status and data', async () => {
    const token = await tokenFor(m.app, 'A9997');
    for (const path of ['/api/v2/Group/all/$export', '/api/v1/jobs/1', '/data/1/x.ndjson']) {
      const res = await m.http().get(path).set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(403);
      expect(res.text).toContain('ACO (CMS_ID: A9997) is unauthorized');
    }
  });

  it("401 with no diagnostics for another ACO's job", async () => {
    const owner = await m.token('A9994');
    const id = await startExport(m, owner);
    const intruder = await tokenFor(m.app, 'A9990');
    for (const req of [
      m.http().get(`/api/v2/jobs/${id}`),
      m.http().delete(`/api/v2/jobs/${id}`),
      m.http().get(`/data/${id}/anything.ndjson`),
    ]) {
      const res = await req.set('Authorization', `Bearer ${intruder}`);
      expect(res.status).toBe(401);
      expect(res.text).not.toContain('diagnostics');
    }
  });

  it('public routes work without a token but reject a bad one', async () => {
    expect((await m.http().get('/api/v2/metadata')).status).toBe(200);
    expect((await m.http().get('/_version')).status).toBe(200);
    const bad = await m.http().get('/api/v2/metadata').set('Authorization', 'Bearer invalidtoken');
    expect(bad.status).toBe(400);
  });
});
