import { exportHeaders, json, jobIdOf, testMock, tokenFor, type TestMock } from './helpers';

type Outcome = { issue: Array<{ code: string; diagnostics?: string; details?: unknown }> };
const diag = (res: { text: string }): string | undefined => json<Outcome>(res).issue[0]?.diagnostics;

describe('mock export kick-off', () => {
  let m: TestMock;
  let token: string;
  beforeAll(async () => {
    m = await testMock();
    token = await m.token();
  });
  afterAll(() => m.close());
  afterEach(() => m.ctx.jobs.reset());

  it('answers 202, empty body, absolute Content-Location on every version and endpoint', async () => {
    for (const v of ['v1', 'v2', 'v3']) {
      for (const path of [
        `/api/${v}/Patient/$export`,
        `/api/${v}/Group/all/$export`,
        `/api/${v}/Group/runout/$export`,
      ]) {
        const res = await m.http().get(path).set(exportHeaders(token)).set('Host', 'sandbox.example:8443');
        expect(res.status).toBe(202);
        expect(res.text).toBe('');
        expect(res.headers['content-type']).toBeUndefined();
        expect(res.headers['content-location']).toMatch(
          new RegExp(`^http://sandbox\\.example:8443/api/${v}/jobs/\\d+$`),
        );
      }
    }
  });

  it('gives serial job ids', async () => {
    const a = await m.http().get('/api/v2/Patient/$export').set(exportHeaders(token));
    const b = await m.http().get('/api/v2/Patient/$export').set(exportHeaders(token));
    expect(
      jobIdOf(b.headers['content-location'] as string) - jobIdOf(a.headers['content-location'] as string),
    ).toBe(1);
  });

  it.each([
    [
      '_outputFormat=text',
      '_outputFormat parameter must be one of [ndjson application/fhir+ndjson application/ndjson]',
    ],
    ['_elements=Patient', 'Invalid parameter: this server does not support the _elements parameter.'],
    ['_type=Patient&?_since=2020-01-01T00:00:00Z', 'Invalid parameter: query parameters cannot start with ?'],
    [
      '_since=123invalid',
      'Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format.',
    ],
    [
      '_since=2020-02-13',
      'Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format.',
    ],
    [
      '_since=2020-02-13T08:00:00',
      'Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format.',
    ],
    [
      '_since=2020-02-13T08:00:00+05:00',
      'Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format.',
    ],
    [
      '_since=2030-01-01T00:00:00Z',
      'Invalid date format supplied in _since parameter. Date must be a date that has already passed',
    ],
    ['_type=ExplanationOfBenefit,ExplanationOfBenefit', 'Repeated resource type ExplanationOfBenefit'],
    [
      '_type=Practitioner',
      'invalid resource type Practitioner. Supported types [Patient Coverage ExplanationOfBenefit Claim ClaimResponse]',
    ],
    ['_type=Claim', 'unauthorized resource type Claim'],
  ])('v2 ?%s → 400 %j', async (query, message) => {
    const res = await m.http().get(`/api/v2/Group/all/$export?${query}`).set(exportHeaders(token));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/fhir+json');
    expect(json(res)).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'structure',
          diagnostics: message,
          details: {
            coding: [
              {
                system: 'http://hl7.org/fhir/ValueSet/operation-outcome',
                code: 'Request Error',
                display: message,
              },
            ],
            text: message,
          },
        },
      ],
    });
  });

  it('accepts _since with an offset, fractions and an encoded plus, and all three output formats', async () => {
    for (const q of [
      '_since=2020-02-13T08:00:00.000-05:00',
      '_since=2020-02-13T08:00:00.123456789Z',
      '_since=2020-02-13T08:00:00%2B05:00',
      '_outputFormat=ndjson',
      '_outputFormat=application%2Ffhir%2Bndjson',
      '_outputFormat=application/ndjson',
      '_until=2020-01-01&patient=x',
    ]) {
      const res = await m.http().get(`/api/v2/Patient/$export?${q}`).set(exportHeaders(token));
      expect([q, res.status]).toEqual([q, 202]);
    }
    const plus = await m
      .http()
      .get('/api/v2/Patient/$export?_outputFormat=application/fhir+ndjson')
      .set(exportHeaders(token));
    expect(plus.status).toBe(400); // an unencoded + is a space, as in Go
  });

  it('checks parameters before headers, and headers before the group id', async () => {
    const noHeaders = { Authorization: `Bearer ${token}` };
    const a = await m.http().get('/api/v1/Group/bad/$export?_elements=x').set(noHeaders);
    expect(diag(a)).toBe('Invalid parameter: this server does not support the _elements parameter.');
    const b = await m.http().get('/api/v1/Group/bad/$export').set(noHeaders);
    expect(diag(b)).toBe('Accept header is required');
    const c = await m.http().get('/api/v1/Group/bad/$export').set(exportHeaders(token));
    expect(b.status).toBe(400);
    expect(c.text).toBe(
      JSON.stringify({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'structure', diagnostics: 'Invalid group ID' }],
      }),
    );
  });

  it.each([
    [{}, 'Accept header is required'],
    [{ Accept: 'application/json' }, 'application/fhir+json is the only supported response format'],
    [{ Accept: '*/*' }, 'application/fhir+json is the only supported response format'],
    [{ Accept: 'application/fhir+json' }, 'Prefer header is required'],
    [
      { Accept: 'application/fhir+json', Prefer: 'respond-sync' },
      'Only asynchronous responses are supported',
    ],
  ])('headers %j → 400 %j (v3 shape)', async (headers, message) => {
    const res = await m
      .http()
      .get('/api/v3/Patient/$export')
      .set({ Authorization: `Bearer ${token}`, ...headers });
    expect(res.status).toBe(400);
    expect(json(res)).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'structure', diagnostics: message, details: { text: message } }],
    });
  });

  it.each([
    { Accept: 'APPLICATION/FHIR+JSON; charset=utf-8', Prefer: 'respond-async; wait=10' },
    { Accept: 'application/json, application/fhir+json', Prefer: 'handling=lenient, respond-async' },
  ])('accepts header variants %j', async (headers) => {
    const res = await m
      .http()
      .get('/api/v2/Patient/$export')
      .set({ Authorization: `Bearer ${token}`, ...headers });
    expect(res.status).toBe(202);
  });

  it.each(['All', 'new', 'A9994', 'sub'])('rejects group id %s', async (group) => {
    const res = await m.http().get(`/api/v2/Group/${group}/$export`).set(exportHeaders(token));
    expect(res.status).toBe(400);
    expect(diag(res)).toBe('Invalid group ID');
  });

  it('applies the _type rules per version', async () => {
    const v1obs = await m.http().get('/api/v1/Patient/$export?_type=Observation').set(exportHeaders(token));
    expect(v1obs.status).toBe(202);
    const v1claim = await m.http().get('/api/v1/Patient/$export?_type=Claim').set(exportHeaders(token));
    expect(diag(v1claim)).toBe(
      'invalid resource type Claim. Supported types [Patient Coverage ExplanationOfBenefit Observation]',
    );
    const v3claim = await m
      .http()
      .get('/api/v3/Patient/$export?_type=ClaimResponse')
      .set(exportHeaders(token));
    expect(diag(v3claim)).toBe(
      'invalid resource type ClaimResponse. Supported types [Patient Coverage ExplanationOfBenefit]',
    );
    const pac = await tokenFor(m.app, 'TEST001');
    const ok = await m
      .http()
      .get('/api/v2/Patient/$export?_type=Claim,ClaimResponse')
      .set(exportHeaders(pac));
    expect(ok.status).toBe(202);
  });

  it('defaults to Claim and ClaimResponse only on v2 for the partially-adjudicated ACO', async () => {
    const pac = await tokenFor(m.app, 'TEST001');
    for (const [v, expected] of [
      ['v1', ['Patient', 'ExplanationOfBenefit', 'Coverage']],
      ['v2', ['Patient', 'ExplanationOfBenefit', 'Coverage', 'Claim', 'ClaimResponse']],
      ['v3', ['Patient', 'ExplanationOfBenefit', 'Coverage']],
    ] as const) {
      const res = await m.http().get(`/api/${v}/Group/all/$export`).set(exportHeaders(pac));
      const job = m.ctx.jobs.get(jobIdOf(res.headers['content-location'] as string));
      expect(job?.spec.types).toEqual(expected);
    }
  });

  it('passes _since, _type and runout into the export spec', async () => {
    const res = await m
      .http()
      .get('/api/v2/Group/runout/$export?_type=Patient&_since=2020-02-13T08:00:00.000-05:00')
      .set(exportHeaders(token));
    const job = m.ctx.jobs.get(jobIdOf(res.headers['content-location'] as string));
    expect(job?.spec).toMatchObject({ types: ['Patient'], runout: true, version: 'v2', seed: 1 });
    expect(job?.spec.since?.toISOString()).toBe('2020-02-13T13:00:00.000Z');
  });

  it('splits Group/all with _since by the attribution file in effect at _since, and only Group/all', async () => {
    const since = '2025-06-15T00:00:00.000Z';
    const specOf = async (path: string) => {
      const res = await m.http().get(path).set(exportHeaders(token));
      expect(res.status).toBe(202);
      return m.ctx.jobs.get(jobIdOf(res.headers['content-location'] as string))?.spec;
    };
    // June 2025: 2025 × 12 + 5.
    expect((await specOf(`/api/v2/Group/all/$export?_since=${since}`))?.newEnrollees).toEqual({
      afterMonth: 2025 * 12 + 5,
    });
    expect((await specOf(`/api/v2/Patient/$export?_since=${since}`))?.newEnrollees).toBeUndefined();
    expect((await specOf(`/api/v2/Group/runout/$export?_since=${since}`))?.newEnrollees).toBeUndefined();
    expect((await specOf('/api/v2/Group/all/$export'))?.newEnrollees).toBeUndefined();
  });

  it('answers 404 to Group/all with a _since older than every attribution file', async () => {
    const res = await m
      .http()
      .get('/api/v2/Group/all/$export?_since=2013-01-01T00:00:00.000-05:00')
      .set(exportHeaders(token));
    expect(res.status).toBe(404);
    expect(json<Outcome>(res).issue[0]?.code).toBe('not-found');
    expect(diag(res)).toBe('failed to start job; attribution file not found for given _since parameter.');
    // Patient/$export has no such rule.
    expect(
      (
        await m
          .http()
          .get('/api/v2/Patient/$export?_since=2013-01-01T00:00:00.000-05:00')
          .set(exportHeaders(token))
      ).status,
    ).toBe(202);
  });

  it('TEST995 (outdated attribution): 404 on Patient and Group/all, 202 on runout', async () => {
    const t = await tokenFor(m.app, 'TEST995');
    for (const path of ['/api/v2/Patient/$export', '/api/v2/Group/all/$export']) {
      const res = await m.http().get(path).set(exportHeaders(t));
      expect(res.status).toBe(404);
      expect(json<Outcome>(res).issue[0]?.code).toBe('not-found');
      expect(diag(res)).toContain("No up-to-date attribution information is available for ACOID 'TEST995'");
    }
    expect((await m.http().get('/api/v2/Group/runout/$export').set(exportHeaders(t))).status).toBe(202);
  });

  it('SBXBM0002: 429 with Retry-After on a duplicate in-flight job, none for test ACOs', async () => {
    const t = await tokenFor(m.app, 'SBXBM0002');
    expect((await m.http().get('/api/v2/Patient/$export?_type=Patient').set(exportHeaders(t))).status).toBe(
      202,
    );
    const dup = await m.http().get('/api/v2/Group/all/$export?_type=Patient').set(exportHeaders(t));
    expect(dup.status).toBe(429);
    expect(dup.headers['retry-after']).toBe('1');
    expect(dup.text).toBe('');
    // Another version never collides; neither does a disjoint _type.
    expect((await m.http().get('/api/v1/Patient/$export?_type=Patient').set(exportHeaders(t))).status).toBe(
      202,
    );
    expect((await m.http().get('/api/v2/Patient/$export?_type=Coverage').set(exportHeaders(t))).status).toBe(
      202,
    );
    // Once the jobs finish, the same request is fine again.
    m.ctx.clock.advance(60);
    expect((await m.http().get('/api/v2/Patient/$export?_type=Patient').set(exportHeaders(t))).status).toBe(
      202,
    );
    // A9994 is a test ACO: duplicates are allowed.
    expect((await m.http().get('/api/v2/Patient/$export').set(exportHeaders(token))).status).toBe(202);
    expect((await m.http().get('/api/v2/Patient/$export').set(exportHeaders(token))).status).toBe(202);
  });

  it('v3 _typeFilter validation', async () => {
    const cases: Array<[string, string | undefined]> = [
      [
        '_typeFilter=ExplanationOfBenefit%3F_tag%3Dhttps%3A%2F%2Fbluebutton.cms.gov%2Ffhir%2FCodeSystem%2FSystem-Type%7CSharedSystem',
        undefined,
      ],
      ['_typeFilter=ExplanationOfBenefit%3Foutcome%3Dpartial%26service-date%3Dge2024-01-01', undefined],
      ['_typeFilter=a&_typeFilter=b', 'failed to process request given more that one _typeFilter parameter'],
      ['_typeFilter=ExplanationOfBenefit', 'missing question mark ExplanationOfBenefit'],
      ['_typeFilter=Patient%3Fx%3Dy', 'invalid _typeFilter Resource Type (Only EOBs valid): Patient'],
      ['_typeFilter=ExplanationOfBenefit%3Foutcome', 'invalid _typeFilter parameter/value: outcome'],
      [
        '_typeFilter=ExplanationOfBenefit%3Fstatus%3Dactive',
        'invalid _typeFilter subquery parameter: status',
      ],
      [
        '_typeFilter=ExplanationOfBenefit%3F_tag%3DSharedSystem',
        'invalid _tag value: SharedSystem. Searching by tag requires a token (system|code) to be specified',
      ],
      [
        '_typeFilter=ExplanationOfBenefit%3Foutcome%3Dqueued',
        "invalid outcome value: queued. Supported outcome values are 'complete' and 'partial'",
      ],
      [
        '_typeFilter=ExplanationOfBenefit%3Fservice-date%3Dyesterday',
        'invalid service-date value: yesterday. Pass a valid FHIR date parameter',
      ],
    ];
    for (const [q, message] of cases) {
      const res = await m.http().get(`/api/v3/Patient/$export?${q}`).set(exportHeaders(token));
      if (message === undefined) expect([q, res.status]).toEqual([q, 202]);
      else expect([q, res.status, diag(res)]).toEqual([q, 400, message]);
    }
    // v1/v2 ignore _typeFilter.
    expect(
      (await m.http().get('/api/v2/Patient/$export?_typeFilter=junk').set(exportHeaders(token))).status,
    ).toBe(202);
  });

  it('a disabled ACO answers 401 with no diagnostics; version-denied ACOs 403', async () => {
    const m2 = await testMock({
      extraAcos: [
        { cmsId: 'X0001', enabled: false, clientId: 'x1', clientSecret: 'secret-x1' },
        { cmsId: 'X0002', v1v2Denied: true, clientId: 'x2', clientSecret: 'secret-x2' },
      ],
    });
    try {
      const t1 = await m2.ctx.tokens.issue('x1', 'X0001');
      const r1 = await m2.http().get('/api/v2/Patient/$export').set(exportHeaders(t1));
      expect(r1.status).toBe(401);
      expect(r1.text).not.toContain('diagnostics');
      const t2 = await m2.ctx.tokens.issue('x2', 'X0002');
      const r2 = await m2.http().get('/api/v1/Patient/$export').set(exportHeaders(t2));
      expect([r2.status, diag(r2)]).toEqual([403, 'v1 nor v2 access not enabled for this ACO']);
      expect((await m2.http().get('/api/v3/Patient/$export').set(exportHeaders(t2))).status).toBe(202);
    } finally {
      await m2.close();
    }
  });

  it('routes: POST kick-off 405, %24export and disabled versions 404 as plain text', async () => {
    const post = await m.http().post('/api/v2/Patient/$export').set(exportHeaders(token));
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
    expect(post.text).toBe('');
    const encoded = await m.http().get('/api/v2/Patient/%24export').set(exportHeaders(token));
    expect(encoded.status).toBe(404);
    const m2 = await testMock({ apiVersions: ['v1', 'v2'] });
    try {
      const res = await m2.http().get('/api/v3/Patient/$export');
      expect([res.status, res.text, res.headers['content-type']]).toEqual([
        404,
        '404 page not found\n',
        'text/plain; charset=utf-8',
      ]);
    } finally {
      await m2.close();
    }
  });
});
