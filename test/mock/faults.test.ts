/**
 * The fault catalog: its shape, and a probe per fault showing that switching it on changes what
 * the mock does (so `npm run verify` can rely on every fault being real).
 */
import { AREAS } from '../../src/core/vocabulary';
import { resetContext } from '../../src/mock/app';
import { UNKNOWN_ACO_ID } from '../../src/mock/credentials';
import { CONTENT_MUTATIONS, FAULTS as ALL_FAULTS, validateFaultNames } from '../../src/mock/faults';
import { startMock, type MockServer } from '../../src/mock';
import { testTlsFiles } from '../../src/mock/tls';
import { tryHandshake } from '../../src/http/tls-probe';
import { Agent, request as undiciRequest } from 'undici';
import {
  basicFor,
  exportHeaders,
  json,
  startExport,
  testMock,
  textParser,
  tokenFor,
  type TestMock,
} from './helpers';

// The BCDA mock's faults; the generic mock's (mock: 'generic') are probed in test/mock/ig/faults.test.ts.
const FAULTS = ALL_FAULTS.filter((f) => f.mock === undefined);

describe('fault catalog', () => {
  it('has at least 30 uniquely named, documented faults covering every area', () => {
    expect(FAULTS.length).toBeGreaterThanOrEqual(30);
    const names = FAULTS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of FAULTS) {
      expect(f.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(f.description.length).toBeGreaterThan(10);
      expect(f.breaks.length).toBeGreaterThan(10);
      expect(f.refs.length).toBeGreaterThan(0);
      for (const ref of f.refs)
        expect(ref).toMatch(/^(seed:00\d §.+|bulkdata@\d+|behavior §\d+(\.\d+)?|contract §[\w/]+)$/);
    }
    // The contract checks send nothing: their faults sit in the areas whose exchanges show them.
    expect(new Set([...FAULTS.map((f) => f.area), 'contract'])).toEqual(new Set(AREAS));
  });

  it('rejects unknown names in one line naming the closest known ones, not the whole catalog', () => {
    expect(() => validateFaultNames(['kickoff-200-instead-of-202', 'kickoff-200-instaed-of-202'])).toThrow(
      /^unknown fault: kickoff-200-instaed-of-202 \(did you mean "kickoff-200-instead-of-202"\?\); `bcda-conformance mock --list-faults` lists them all$/,
    );
    expect(() => validateFaultNames(['nope', 'status-no-expries'])).toThrow(
      /^unknown faults: nope, status-no-expries \(did you mean "status-no-expires"[^)]*\); /,
    );
    // The catalog's 3 KB list of names is not in the message.
    expect(() => validateFaultNames(['nope'])).toThrow(/^unknown fault: nope; [^,]*$/);
    expect(validateFaultNames([' status-no-expires ', '', 'status-no-expires'])).toEqual([
      'status-no-expires',
    ]);
  });

  it("refuses the generic mock's faults in one line naming that mock", () => {
    expect(() => validateFaultNames(['ig-token-no-scope'])).toThrow(
      /^fault ig-token-no-scope belongs to the generic mock \(`bcda-conformance mock --profile bulk-data-ig`\), not the BCDA mock$/,
    );
  });
});

type Probe = (m: TestMock) => Promise<unknown>;

const auth = (t: string) => ({ Authorization: `Bearer ${t}` });

async function kick(m: TestMock, path = '/api/v2/Group/all/$export', headers?: Record<string, string>) {
  const t = await m.token();
  return m
    .http()
    .get(path)
    .set(headers ?? exportHeaders(t));
}

async function completed(m: TestMock, path?: string) {
  const t = await m.token();
  const id = await startExport(m, t, path);
  m.ctx.clock.advance(60);
  const res = await m.http().get(`/api/v2/jobs/${id}`).set(auth(t));
  return { t, id, res };
}

/** The status of a completed export's first file `hours` after completion, asked with a fresh token. */
async function firstFileStatusAfter(m: TestMock, hours: number): Promise<number> {
  const { res } = await completed(m);
  const url = new URL(json<{ output: Array<{ url: string }> }>(res).output[0]?.url ?? '').pathname;
  m.ctx.clock.advance(hours * 3600);
  return status(
    m
      .http()
      .get(url)
      .set(auth(await m.token())),
  );
}

async function files(m: TestMock, path?: string): Promise<string> {
  const { t, res } = await completed(m, path);
  if (res.status !== 200) return `status ${res.status}`;
  const manifest = json<{ output: Array<{ url: string }> }>(res);
  const out: string[] = [];
  for (const o of manifest.output) {
    const r = await m
      .http()
      .get(new URL(o.url).pathname)
      .set({ ...auth(t), 'Accept-Encoding': 'identity' })
      .parse(textParser);
    out.push(String(r.body));
  }
  return out.join('');
}

async function errorFiles(m: TestMock): Promise<string> {
  const { t, res } = await completed(m);
  const manifest = json<{ error: Array<{ url: string }> }>(res);
  const out: string[] = [];
  for (const e of manifest.error) {
    const r = await m
      .http()
      .get(new URL(e.url).pathname)
      .set({ ...auth(t), 'Accept-Encoding': 'identity' })
      .parse(textParser);
    out.push(String(r.body));
  }
  return out.join('');
}

async function firstFile(m: TestMock, headers: Record<string, string>, withToken = true) {
  const { t, res } = await completed(m);
  const url = new URL(json<{ output: Array<{ url: string }> }>(res).output[0]?.url ?? '').pathname;
  return m
    .http()
    .get(url)
    .set({ ...(withToken ? auth(t) : {}), ...headers })
    .parse(textParser);
}

const status = async (p: PromiseLike<{ status: number }>) => (await p).status;

/** A FHIR instant a year before the mock's clock. */
const yearAgo = (m: TestMock): string => new Date(m.ctx.clock.nowMs() - 365 * 86_400_000).toISOString();

const PROBES: Record<string, Probe> = {
  'metadata-wrong-fhir-version': async (m) => json(await m.http().get('/api/v2/metadata')).fhirVersion,
  'metadata-missing-export-operations': async (m) =>
    JSON.stringify(json(await m.http().get('/api/v2/metadata')).rest),
  'metadata-requires-token': (m) => status(m.http().get('/api/v2/metadata')),
  'auth-accepts-bad-secret': (m) =>
    status(
      m
        .http()
        .post('/auth/token')
        .set(
          'Authorization',
          `Basic ${Buffer.from('3841c594-a8c0-41e5-98cc-38bb45360d3c:x').toString('base64')}`,
        ),
    ),
  'auth-accepts-no-token': (m) =>
    status(
      m
        .http()
        .get('/api/v2/Patient/$export')
        .set({ Accept: 'application/fhir+json', Prefer: 'respond-async' }),
    ),
  'auth-accepts-expired-token': async (m) => {
    const t = await m.token();
    m.ctx.clock.advance(1300);
    return status(m.http().get('/api/v2/attribution_status').set(auth(t)));
  },
  'auth-leaks-other-aco-job': async (m) => {
    const id = await startExport(m, await m.token());
    return status(
      m
        .http()
        .get(`/api/v2/jobs/${id}`)
        .set(auth(await tokenFor(m.app, 'A9990'))),
    );
  },
  'auth-wrong-status-no-token': (m) => status(m.http().get('/api/v2/jobs/1')),
  'kickoff-200-instead-of-202': async (m) => (await kick(m)).status,
  'kickoff-no-content-location': async (m) => (await kick(m)).headers['content-location'] !== undefined,
  'kickoff-content-location-v1-path': async (m) => String((await kick(m)).headers['content-location']),
  'kickoff-relative-content-location': async (m) =>
    String((await kick(m)).headers['content-location']).startsWith('http'),
  'kickoff-accepts-missing-accept': async (m) =>
    (await kick(m, undefined, { ...auth(await m.token()), Prefer: 'respond-async' })).status,
  'kickoff-accepts-missing-prefer': async (m) =>
    (await kick(m, undefined, { ...auth(await m.token()), Accept: 'application/fhir+json' })).status,
  'kickoff-accepts-unknown-type': async (m) =>
    (await kick(m, '/api/v2/Patient/$export?_type=Practitioner')).status,
  'kickoff-accepts-bad-since': async (m) =>
    (await kick(m, '/api/v2/Patient/$export?_since=2020-01-01')).status,
  'kickoff-error-not-operationoutcome': async (m) =>
    (await kick(m, '/api/v2/Patient/$export?_elements=id')).headers['content-type'],
  'kickoff-accepts-bad-group': async (m) => (await kick(m, '/api/v2/Group/xyz/$export')).status,
  'status-no-x-progress': async (m) => {
    const t = await m.token();
    const id = await startExport(m, t);
    return (await m.http().get(`/api/v2/jobs/${id}`).set(auth(t))).headers['x-progress'] ?? 'none';
  },
  'status-no-retry-after': async (m) => {
    const t = await m.token();
    const id = await startExport(m, t);
    return (await m.http().get(`/api/v2/jobs/${id}`).set(auth(t))).headers['retry-after'] ?? 'none';
  },
  'status-retry-after-epoch': async (m) => {
    const t = await m.token();
    const id = await startExport(m, t);
    return (await m.http().get(`/api/v2/jobs/${id}`).set(auth(t))).headers['retry-after'] ?? 'none';
  },
  'status-bad-x-progress': async (m) => {
    const t = await m.token();
    const id = await startExport(m, t);
    m.ctx.clock.advance(1);
    return (await m.http().get(`/api/v2/jobs/${id}`).set(auth(t))).headers['x-progress'];
  },
  'status-complete-wrong-content-type': async (m) => (await completed(m)).res.headers['content-type'],
  'status-no-expires': async (m) => (await completed(m)).res.headers.expires ?? 'none',
  'status-complete-202': async (m) => (await completed(m)).res.status,
  'status-expired-200': async (m) => {
    const { id } = await completed(m);
    m.ctx.clock.advance(24 * 3600);
    return status(
      m
        .http()
        .get(`/api/v2/jobs/${id}`)
        .set(auth(await m.token())),
    );
  },
  'download-wrong-content-type': async (m) =>
    (await firstFile(m, { 'Accept-Encoding': 'identity' })).headers['content-type'],
  'download-gzip-unlabelled': async (m) =>
    (await firstFile(m, { 'Accept-Encoding': 'gzip' })).headers['content-encoding'] ?? 'none',
  'download-gzip-exact-header': async (m) =>
    (await firstFile(m, { 'Accept-Encoding': 'deflate, gzip' })).headers['content-encoding'] ?? 'none',
  'download-gzip-unrequested': async (m) =>
    (await firstFile(m, { 'Accept-Encoding': 'identity' })).headers['content-encoding'] ?? 'none',
  'download-no-token-required': async (m) =>
    (await firstFile(m, { 'Accept-Encoding': 'identity' }, false)).status,
  'download-available-after-expiry': async (m) => {
    const { res } = await completed(m);
    const url = new URL(json<{ output: Array<{ url: string }> }>(res).output[0]?.url ?? '').pathname;
    m.ctx.clock.advance(24 * 3600);
    return status(
      m
        .http()
        .get(url)
        .set(auth(await m.token()))
        .parse(textParser),
    );
  },
  'content-ignores-since': (m) => files(m, '/api/v2/Patient/$export?_since=2026-01-01T00:00:00Z'),
  'content-ignores-type': async (m) => {
    const { res } = await completed(m, '/api/v2/Patient/$export?_type=Patient');
    return json<{ output: Array<{ type: string }> }>(res).output.map((o) => o.type);
  },
  // A _since a year back, inside the data's three years: some enrollees are newly attributed since.
  'patient-since-new-enrollees-unfiltered': (m) => files(m, `/api/v2/Patient/$export?_since=${yearAgo(m)}`),
  'patient-omits-new-enrollees': (m) => files(m, '/api/v2/Patient/$export'),
  'group-since-ignored-for-existing': (m) => files(m, `/api/v2/Group/all/$export?_since=${yearAgo(m)}`),
  'group-since-drops-new-enrollees': (m) => files(m, `/api/v2/Group/all/$export?_since=${yearAgo(m)}`),
  'group-since-no-404-before-attribution': (m) =>
    status(kick(m, '/api/v2/Group/all/$export?_since=2013-01-01T00:00:00Z')),
  'type-filter-leaks-other-types': async (m) => {
    const { res } = await completed(m, '/api/v2/Patient/$export?_type=Patient');
    return json<{ output: Array<{ type: string }> }>(res).output.map((o) => o.type);
  },
  'type-filter-drops-requested-type': async (m) => {
    const { res } = await completed(m, '/api/v2/Patient/$export?_type=Patient,Coverage');
    return json<{ output: Array<{ type: string }> }>(res).output.map((o) => o.type);
  },
  'runout-includes-current-year': (m) => files(m, '/api/v2/Group/runout/$export'),
  'runout-includes-current-enrollees': (m) => files(m, '/api/v2/Group/runout/$export'),
  'cancel-returns-200': async (m) => {
    const t = await m.token();
    const id = await startExport(m, t);
    return status(m.http().delete(`/api/v2/jobs/${id}`).set(auth(t)));
  },
  'cancel-ignored': async (m) => {
    const t = await m.token();
    const id = await startExport(m, t);
    await m.http().delete(`/api/v2/jobs/${id}`).set(auth(t));
    m.ctx.clock.advance(60);
    return status(m.http().get(`/api/v2/jobs/${id}`).set(auth(t)));
  },
  'cancel-finished-job-202': async (m) => {
    const { t, id } = await completed(m);
    return status(m.http().delete(`/api/v2/jobs/${id}`).set(auth(t)));
  },
  'jobs-wrong-task-status': async (m) => {
    const { t } = await completed(m);
    return (await m.http().get('/api/v2/jobs').set(exportHeaders(t))).text;
  },
  'jobs-ignores-status-filter': async (m) => {
    const { t } = await completed(m);
    return status(m.http().get('/api/v2/jobs?_status=Failed').set(exportHeaders(t)));
  },
  'jobs-empty-200': async (m) =>
    status(
      m
        .http()
        .get('/api/v2/jobs')
        .set(exportHeaders(await m.token())),
    ),
  'jobs-other-aco': async (m) => {
    await startExport(m, await tokenFor(m.app, 'A9990'));
    return status(
      m
        .http()
        .get('/api/v2/jobs')
        .set(exportHeaders(await m.token())),
    );
  },
  'ratelimit-no-retry-after': async (m) => {
    const t = await tokenFor(m.app, 'SBXBM0002');
    await m.http().get('/api/v2/Patient/$export').set(exportHeaders(t));
    return (
      (await m.http().get('/api/v2/Patient/$export').set(exportHeaders(t))).headers['retry-after'] ?? 'none'
    );
  },
  'ratelimit-disabled': async (m) => {
    const t = await tokenFor(m.app, 'SBXBM0002');
    await m.http().get('/api/v2/Patient/$export').set(exportHeaders(t));
    return status(m.http().get('/api/v2/Patient/$export').set(exportHeaders(t)));
  },
  'attribution-wrong-shape': async (m) =>
    (
      await m
        .http()
        .get('/api/v2/attribution_status')
        .set(auth(await m.token()))
    ).text,
  'attribution-timestamp-no-zone': async (m) =>
    (
      await m
        .http()
        .get('/api/v2/attribution_status')
        .set({ ...auth(await m.token()), Accept: 'application/json' })
    ).text,
  'attribution-bad-timestamp': async (m) =>
    (
      await m
        .http()
        .get('/api/v2/attribution_status')
        .set(auth(await m.token()))
    ).text,
  'attribution-outdated-accepted': async (m) =>
    status(
      m
        .http()
        .get('/api/v2/Group/all/$export')
        .set(exportHeaders(await tokenFor(m.app, 'TEST995'))),
    ),
};

Object.assign(PROBES, {
  'metadata-wrong-content-type': async (m: TestMock) =>
    (await m.http().get('/api/v2/metadata')).headers['content-type'],
  'metadata-not-capabilitystatement': async (m: TestMock) =>
    json(await m.http().get('/api/v2/metadata')).resourceType,
  'metadata-no-instantiates': async (m: TestMock) =>
    json(await m.http().get('/api/v2/metadata')).instantiates ?? 'none',
  'metadata-no-token-url': async (m: TestMock) =>
    JSON.stringify(json(await m.http().get('/api/v2/metadata')).rest),
  'auth-token-wrong-type': async (m: TestMock) =>
    json(await m.http().post('/auth/token').set('Authorization', basicFor('A9994'))).token_type,
  'auth-token-no-expires-in': async (m: TestMock) =>
    json(await m.http().post('/auth/token').set('Authorization', basicFor('A9994'))).expires_in ?? 'none',
  'auth-token-accepts-no-credentials': (m: TestMock) => status(m.http().post('/auth/token')),
  'auth-accepts-malformed-token': (m: TestMock) =>
    status(m.http().get('/api/v2/attribution_status').set('Authorization', 'Bearer not-a-jwt')),
  'auth-accepts-lowercase-bearer': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/attribution_status')
        .set('Authorization', `bearer ${await m.token()}`),
    ),
  'kickoff-accepts-wrong-accept': async (m: TestMock) =>
    (await kick(m, undefined, { ...exportHeaders(await m.token()), Accept: 'application/json' })).status,
  'kickoff-accepts-wrong-prefer': async (m: TestMock) =>
    (await kick(m, undefined, { ...exportHeaders(await m.token()), Prefer: 'respond-sync' })).status,
  'kickoff-rejects-valid-type': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_type=ExplanationOfBenefit,Patient,Coverage')).status,
  'kickoff-rejects-valid-since': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_since=2020-02-13T08:00:00.000-05:00')).status,
  'kickoff-rejects-valid-output-format': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_outputFormat=ndjson')).status,
  'kickoff-accepts-any-output-format': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_outputFormat=application/xml')).status,
  'kickoff-accepts-elements': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_elements=id')).status,
  'kickoff-accepts-question-mark-params': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export??_since=x')).status,
  'kickoff-accepts-bad-type-filter': async (m: TestMock) =>
    (await kick(m, '/api/v3/Patient/$export?_typeFilter=Patient%3Fx%3Dy')).status,
  'kickoff-rejects-valid-type-filter': async (m: TestMock) =>
    (await kick(m, '/api/v3/Patient/$export?_typeFilter=ExplanationOfBenefit%3Foutcome%3Dpartial')).status,
  'kickoff-headers-before-params': async (m: TestMock) =>
    (
      await kick(m, '/api/v2/Patient/$export?_since=2020-02-13', {
        Authorization: `Bearer ${await m.token()}`,
      })
    ).text,
  'status-running-200': async (m: TestMock) => {
    const t = await m.token();
    const id = await startExport(m, t);
    return status(m.http().get(`/api/v2/jobs/${id}`).set(auth(t)));
  },
  'status-bad-job-id-500': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/jobs/abc')
        .set(auth(await m.token())),
    ),
  'status-unknown-job-200': async (m: TestMock) => {
    const t = await m.token();
    return [
      await status(m.http().get('/api/v2/jobs/0').set(auth(t))),
      await status(m.http().delete('/api/v2/jobs/0').set(auth(t))),
    ];
  },
  'export-default-omits-coverage': async (m: TestMock) =>
    json<{ output: Array<{ type: string }> }>((await completed(m)).res).output.map((o) => o.type),
  'download-truncated': async (m: TestMock) => {
    try {
      const r = await firstFile(m, { 'Accept-Encoding': 'identity' });
      return String(r.body).length;
    } catch (err) {
      return `error: ${(err as Error).message}`;
    }
  },
  // Paced, the clock passes Expires mid-transfer: the whole file, or the transfer cut short.
  'download-cut-at-expiry': async (m: TestMock) => {
    m.ctx.downloadPace = { bytes: 4096, delayMs: 40 };
    const expire = setTimeout(() => m.ctx.clock.advance(25 * 3600), 150);
    try {
      const r = await firstFile(m, { 'Accept-Encoding': 'identity' });
      return String(r.body).length;
    } catch (err) {
      return `error: ${(err as Error).message}`;
    } finally {
      clearTimeout(expire);
    }
  },
  'download-bad-gzip': async (m: TestMock) => {
    try {
      return String((await firstFile(m, { 'Accept-Encoding': 'gzip' })).body).length;
    } catch (err) {
      return `error: ${(err as Error).message}`;
    }
  },
  'download-any-file-name': async (m: TestMock) => {
    const { t, id } = await completed(m);
    const a = await status(m.http().get(`/data/${id}/..%2F..%2Fetc%2Fpasswd`).set(auth(t)).parse(textParser));
    const b = await status(m.http().get(`/data/${id}/nope.ndjson`).set(auth(t)).parse(textParser));
    return [a, b];
  },
  'jobs-accepts-bad-status': async (m: TestMock) => {
    const t = await m.token();
    return [
      await status(m.http().get('/api/v2/jobs?_status=Bogus').set(exportHeaders(t))),
      await status(m.http().get('/api/v2/jobs?_status=Pending,Pending').set(exportHeaders(t))),
    ];
  },
  'jobs-filter-knows-seven-states': async (m: TestMock) => {
    const t = await m.token();
    return status(m.http().get('/api/v2/jobs?_status=FailedExpired').set(exportHeaders(t)));
  },
  'jobs-not-bundle': async (m: TestMock) => {
    const { t } = await completed(m);
    return Array.isArray(json<unknown>(await m.http().get('/api/v2/jobs').set(exportHeaders(t))));
  },
  'jobs-bad-task-shape': async (m: TestMock) => {
    const { t } = await completed(m);
    return (await m.http().get('/api/v2/jobs').set(exportHeaders(t))).text;
  },
});

// Faults only the contract checks see: a status, media type, header form or body the spec does not document.
Object.assign(PROBES, {
  'contract-status-undocumented': async (m: TestMock) => status(m.http().get('/_version')),
  'contract-content-type-undocumented': async (m: TestMock) =>
    (
      await m
        .http()
        .get('/auth/welcome')
        .set(auth(await m.token()))
    ).headers['content-type'],
  'contract-retry-after-date': async (m: TestMock) => {
    const t = await tokenFor(m.app, 'SBXBM0002');
    await m.http().get('/api/v2/Patient/$export').set(exportHeaders(t));
    return (await m.http().get('/api/v2/Patient/$export').set(exportHeaders(t))).headers['retry-after'];
  },
  'contract-body-one-status': async (m: TestMock) => {
    const { id } = await completed(m);
    m.ctx.clock.advance(24 * 3600);
    return (
      await m
        .http()
        .get(`/api/v1/jobs/${id}`)
        .set(auth(await m.token()))
    ).text;
  },
});

// Faults only generated input shows (the fuzz checks): an odd _type, a quote in a value, a fraction.
Object.assign(PROBES, {
  'fuzz-type-500': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_type=Patient,,Coverage')).status,
  'fuzz-echo-unescaped': async (m: TestMock) =>
    String(
      (
        await m
          .http()
          .get('/api/v2/Patient/$export?_type=Pat%22ient')
          .set(exportHeaders(await m.token()))
          .parse(textParser)
      ).body,
    ),
  'fuzz-since-fraction-refused': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_since=2020-02-13T08:00:00.500Z')).status,
});

// Faults of the service routes, the auth provider, the token endpoint and method handling.
async function duringOutage(m: TestMock, state: 'timeout' | 'error'): Promise<unknown> {
  const t = await m.token();
  m.ctx.authProvider = state;
  const answers = await Promise.all(
    ['/api/v1/attribution_status', '/api/v2/attribution_status', '/_version'].map(async (path) => {
      const r = await m.http().get(path).set(auth(t));
      return [r.status, r.headers['retry-after'] ?? 'none'];
    }),
  );
  const token = await m.http().post('/auth/token').set('Authorization', basicFor('A9994'));
  return [answers, token.status, token.headers['retry-after'] ?? 'none'];
}

async function tokenBurst(m: TestMock): Promise<unknown> {
  m.ctx.tokenRateLimit = { limit: 1, windowSeconds: 300 };
  const out: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await m.http().post('/auth/token').set('Authorization', basicFor('A9994'));
    out.push([r.status, r.headers['retry-after'] ?? 'none']);
  }
  return out;
}

Object.assign(PROBES, {
  'service-version-wrong-shape': async (m: TestMock) => (await m.http().get('/_version')).text,
  'auth-info-wrong-shape': async (m: TestMock) => (await m.http().get('/_auth')).text,
  'health-always-ok': async (m: TestMock) => {
    m.ctx.authProvider = 'timeout';
    return status(m.http().get('/_health'));
  },
  'welcome-rejects-valid-token': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/auth/welcome')
        .set(auth(await m.token())),
    ),
  'denylist-ignored': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/attribution_status')
        .set(auth(await tokenFor(m.app, 'A9997'))),
    ),
  'public-routes-skip-aco-lookup': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/_version')
        .set(auth(await tokenFor(m.app, UNKNOWN_ACO_ID))),
    ),
  'token-accepts-get': (m: TestMock) =>
    status(m.http().get('/auth/token').set('Authorization', basicFor('A9994'))),
  'token-rate-limit-ignored': tokenBurst,
  'token-rate-limit-no-retry-after': tokenBurst,
  'outage-ignored': (m: TestMock) => duringOutage(m, 'error'),
  'outage-wrong-status': (m: TestMock) => duringOutage(m, 'timeout'),
  'outage-no-retry-after': (m: TestMock) => duringOutage(m, 'timeout'),
  'partially-adjudicated-omitted': async (m: TestMock) => {
    const t = await tokenFor(m.app, 'TEST001');
    const id = await startExport(m, t);
    m.ctx.clock.advance(60);
    const res = await m.http().get(`/api/v2/jobs/${id}`).set(auth(t));
    return json<{ output: Array<{ type: string }> }>(res).output.map((o) => o.type);
  },
  'status-failed-202': async (m: TestMock) => {
    const t = await m.token();
    const id = await startExport(m, t, '/api/v2/Patient/$export?_type=Patient');
    await m.http().post(`/__mock/jobs/${id}/state`).send({ state: 'Failed' });
    return status(m.http().get(`/api/v2/jobs/${id}`).set(auth(t)));
  },
  'export-accepts-post': async (m: TestMock) =>
    status(
      m
        .http()
        .post('/api/v2/Patient/$export')
        .set(exportHeaders(await m.token())),
    ),
  'attribution-missing-200': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/attribution_status')
        .set(auth(await tokenFor(m.app, 'TEST996'))),
    ),
});

const manifestProbe: Probe = async (m) => (await completed(m)).res.text;
for (const f of FAULTS) if (f.name.startsWith('manifest-')) PROBES[f.name] = manifestProbe;
// Content mutations show in the files they touch: error files for one, data files for the rest.
for (const name of Object.keys(CONTENT_MUTATIONS)) {
  PROBES[name] = name === 'content-error-file-wrong-type' ? errorFiles : (m) => files(m);
}

// Every answer of a kind: a filtered export's manifest, filtered job lists, Tasks, the metadata, status errors.
async function jobsAfter(m: TestMock, kickoffs: string[], query = ''): Promise<string> {
  const t = await m.token();
  for (const path of kickoffs) {
    await startExport(m, t, path);
    m.ctx.clock.advance(60);
  }
  await startExport(m, t, '/api/v2/Patient/$export?_type=Coverage'); // still running
  return (await m.http().get(`/api/v2/jobs${query}`).set(exportHeaders(t))).text;
}

async function cancelledStatus(m: TestMock): Promise<string> {
  const t = await m.token();
  const id = await startExport(m, t);
  await m.http().delete(`/api/v2/jobs/${id}`).set(auth(t));
  return (await m.http().get(`/api/v2/jobs/${id}`).set(auth(t))).text;
}

const metadataText: Probe = async (m) => (await m.http().get('/api/v2/metadata')).text;

Object.assign(PROBES, {
  'manifest-request-drops-query': async (m: TestMock) =>
    (await completed(m, '/api/v2/Patient/$export?_type=Patient')).res.text,
  'jobs-filtered-total-wrong': (m: TestMock) =>
    jobsAfter(m, ['/api/v2/Group/all/$export'], '?_status=Completed'),
  'jobs-task-invalid-dates': (m: TestMock) => jobsAfter(m, ['/api/v2/Group/all/$export']),
  'jobs-task-wrong-request': (m: TestMock) => jobsAfter(m, ['/api/v2/Patient/$export?_type=Patient']),
  'jobs-task-identifier-v1-system': (m: TestMock) => jobsAfter(m, ['/api/v2/Patient/$export']),
  'metadata-stu3-elements': metadataText,
  'metadata-wrong-format': metadataText,
  'metadata-wrong-implementation-url': metadataText,
  'status-outcome-invalid-fhir': cancelledStatus,
  'status-outcome-no-details': cancelledStatus,
});

/** A file of a completed export, downloaded with a token fetched after the job started. */
async function downloadWithNewerToken(m: TestMock): Promise<number> {
  const { res } = await completed(m);
  const url = new URL(json<{ output: Array<{ url: string }> }>(res).output[0]?.url ?? '').pathname;
  return status(
    m
      .http()
      .get(url)
      .set(auth(await m.token())),
  );
}

/** A job held In Progress past a token's lifetime, asked about with a token fetched then. */
async function heldJobStatus(m: TestMock, held: 'In Progress' | 'Pending' = 'In Progress'): Promise<number> {
  const id = await startExport(m, await m.token());
  const job = m.ctx.jobs.get(id)!;
  job.override = { status: held, atMs: m.ctx.clock.nowMs(), sticky: true };
  m.ctx.clock.advance(1300);
  return status(
    m
      .http()
      .get(`/api/v2/jobs/${id}`)
      .set(auth(await m.token())),
  );
}

Object.assign(PROBES, {
  'metadata-no-release-date': metadataText,
  'metadata-v1-no-accept-unknown': async (m: TestMock) => (await m.http().get('/api/v1/metadata')).text,
  'swagger-missing': (m: TestMock) => status(m.http().get('/api/v1/swagger/')),
  'auth-token-never-expires': async (m: TestMock) => {
    const t = await m.token();
    m.ctx.clock.advance(1300);
    return status(m.http().get('/api/v2/attribution_status').set(auth(t)));
  },
  'auth-token-whitespace': async (m: TestMock) =>
    /\s$/.test(
      json<{ access_token: string }>(
        await m.http().post('/auth/token').set('Authorization', basicFor('A9994')),
      ).access_token,
    ),
  'download-refuses-new-token': downloadWithNewerToken,
  'job-interrupted-by-token-expiry': (m: TestMock) => heldJobStatus(m),
});

/** The manifest of a completed export, as JSON. */
async function manifestOf(m: TestMock): Promise<Record<string, unknown>> {
  const { res } = await completed(m);
  return res.status === 200 ? json(res) : { status: res.status };
}

/** The second of two quick status requests for one job, under a poll limit of 1 in 10 s. */
async function secondQuickPoll(m: TestMock) {
  m.ctx.jobs.pollRateLimit = { limit: 1, windowSeconds: 10 };
  const t = await m.token();
  const id = await startExport(m, t);
  await m.http().get(`/api/v2/jobs/${id}`).set(auth(t));
  return m.http().get(`/api/v2/jobs/${id}`).set(auth(t));
}

Object.assign(PROBES, {
  'status-x-progress-no-percent': async (m: TestMock) => {
    const t = await m.token();
    const id = await startExport(m, t);
    m.ctx.clock.advance(1);
    return (await m.http().get(`/api/v2/jobs/${id}`).set(auth(t))).headers['x-progress'];
  },
  'download-expires-early': (m: TestMock) => firstFileStatusAfter(m, 13),
  'status-partial-failure-500': async (m: TestMock) => (await completed(m)).res.status,
  'manifest-error-array-empty': async (m: TestMock) => JSON.stringify((await manifestOf(m)).error),
  'manifest-lists-empty-file': async (m: TestMock) =>
    ((await manifestOf(m)).output as unknown[] | undefined)?.length,
  'manifest-count-wrong': async (m: TestMock) =>
    JSON.stringify(((await manifestOf(m)).output as Array<{ count?: number }>).map((o) => o.count ?? null)),
  'manifest-file-names-not-uuid': async (m: TestMock) =>
    JSON.stringify(
      ((await manifestOf(m)).output as Array<{ url: string }>).map((o) => o.url.split('/').at(-1)),
    ),
  'manifest-error-file-unpaired': async (m: TestMock) =>
    JSON.stringify(
      ((await manifestOf(m)).error as Array<{ url: string }>).map((o) => o.url.split('/').at(-1)),
    ),
  'manifest-extension-not-object': async (m: TestMock) =>
    JSON.stringify((await manifestOf(m)).extension ?? null),
  'jobs-status-filter-by-task-status': async (m: TestMock) => {
    const { t } = await completed(m);
    return status(m.http().get('/api/v2/jobs?_status=Archived').set(exportHeaders(t)));
  },
  'poll-rate-limit-ignored': async (m: TestMock) => (await secondQuickPoll(m)).status,
  'poll-rate-limit-no-retry-after': async (m: TestMock) =>
    (await secondQuickPoll(m)).headers['retry-after'] ?? 'none',
});

/** The first output file's Content-Type of an export kicked off with _outputFormat. */
async function outputFormatFileType(m: TestMock): Promise<string | undefined> {
  const { t, res } = await completed(m, '/api/v2/Group/all/$export?_outputFormat=ndjson');
  const url = new URL(json<{ output: Array<{ url: string }> }>(res).output[0]?.url ?? '').pathname;
  const file = await m
    .http()
    .get(url)
    .set({ ...auth(t), 'Accept-Encoding': 'identity' })
    .parse(textParser);
  return file.headers['content-type'] as string | undefined;
}

// What an export holds as a whole: whose enrollees, how far back, each resource once, a snapshot.
Object.assign(PROBES, {
  'export-ignores-organization': async (m: TestMock) => {
    // The second organization's Patients: its own, or under the fault the sandbox ACO's.
    const t = await tokenFor(m.app, 'A9990');
    const id = await startExport(m, t, '/api/v2/Group/all/$export?_type=Patient');
    m.ctx.clock.advance(120);
    const manifest = json<{ output: Array<{ url: string }> }>(
      await m.http().get(`/api/v2/jobs/${id}`).set(auth(t)),
    );
    const file = await m
      .http()
      .get(new URL(manifest.output[0]?.url ?? '').pathname)
      .set({ ...auth(t), 'Accept-Encoding': 'identity' })
      .parse(textParser);
    return String(file.body).slice(0, 200);
  },
  'per-patient-requests-served': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/Patient/-1/$export')
        .set(exportHeaders(await m.token())),
    ),
  'export-claims-before-2014': (m: TestMock) =>
    files(m, '/api/v2/Patient/$export?_type=ExplanationOfBenefit'),
  'export-without-since-recent-only': (m: TestMock) => files(m, '/api/v2/Patient/$export'),
  'kickoff-repeated-param-last-wins': (m: TestMock) =>
    files(m, '/api/v2/Patient/$export?_type=Patient&_type=Coverage'),
  'patient-export-omits-patients': async (m: TestMock) =>
    (await completed(m, '/api/v2/Patient/$export')).res.text,
  'output-format-served-as-json': outputFormatFileType,
  'export-duplicate-resource': (m: TestMock) => files(m),
  'export-updated-after-transaction-time': (m: TestMock) => files(m),
  'export-snapshot-drops-resources': (m: TestMock) => files(m),
  'manifest-empty-output-null': async (m: TestMock) => {
    const since = encodeURIComponent(new Date(m.ctx.clock.nowMs()).toISOString());
    return (await completed(m, `/api/v2/Group/all/$export?_since=${since}`)).res.text;
  },
});

/** The status of the first output file of a completed job, `offsetSeconds` from its Expires instant. */
async function fileAroundExpiry(m: TestMock, offsetSeconds: number): Promise<number> {
  const { res } = await completed(m);
  const url = new URL(json<{ output: Array<{ url: string }> }>(res).output[0]?.url ?? '').pathname;
  const expiresMs = Date.parse(String(res.headers.expires));
  m.ctx.clock.advance((expiresMs - m.ctx.clock.nowMs()) / 1000 + offsetSeconds);
  return status(
    m
      .http()
      .get(url)
      .set(auth(await m.token())),
  );
}

// Stateful rules (issue 21): who may cancel, what a cancel leaves behind, files until Expires.
Object.assign(PROBES, {
  'other-client-can-cancel': async (m: TestMock) => {
    const id = await startExport(m, await m.token());
    return status(
      m
        .http()
        .delete(`/api/v2/jobs/${id}`)
        .set(auth(await tokenFor(m.app, 'A9990'))),
    );
  },
  'cancel-completed-drops-files': async (m: TestMock) => {
    const { t, id } = await completed(m);
    await m.http().delete(`/api/v2/jobs/${id}`).set(auth(t));
    return status(m.http().get(`/api/v2/jobs/${id}`).set(auth(t)));
  },
  'cancel-keeps-files': async (m: TestMock) => {
    const { t, id, res } = await completed(m);
    const url = new URL(json<{ output: Array<{ url: string }> }>(res).output[0]?.url ?? '').pathname;
    // As a job whose files were written while it still ran, then cancelled.
    m.ctx.jobs.get(id)!.override = { status: 'In Progress', atMs: m.ctx.clock.nowMs(), sticky: true };
    await m.http().delete(`/api/v2/jobs/${id}`).set(auth(t));
    return status(m.http().get(url).set(auth(t)));
  },
  'files-expire-early': (m: TestMock) => fileAroundExpiry(m, -600),
  'expired-files-still-served': (m: TestMock) => fileAroundExpiry(m, 600),
});

// Transport security: these probes start an HTTPS mock of their own with the faults active on `m`.
async function overTls<T>(m: TestMock, probe: (mock: MockServer) => Promise<T>): Promise<T> {
  const mock = await startMock({ tls: true, faults: m.ctx.faults.list() });
  try {
    return await probe(mock);
  } finally {
    await mock.close();
  }
}

Object.assign(PROBES, {
  'tls-accepts-tls11': (m: TestMock) =>
    overTls(m, async (mock) => {
      const r = await tryHandshake({
        host: '127.0.0.1',
        port: mock.port,
        timeoutMs: 5_000,
        olderThanTls12: true,
      });
      return r.kind;
    }),
  'tls-plain-http-links': (m: TestMock) =>
    overTls(m, async (mock) => {
      const dispatcher = new Agent({ connect: { ca: testTlsFiles().ca } });
      try {
        const token = await undiciRequest(`${mock.url}/auth/token`, {
          method: 'POST',
          headers: { authorization: basicFor('A9994') },
          dispatcher,
        });
        const { access_token } = (await token.body.json()) as { access_token: string };
        const kicked = await undiciRequest(`${mock.url}/api/v2/Group/all/$export`, {
          headers: exportHeaders(access_token),
          dispatcher,
        });
        await kicked.body.dump();
        return new URL(String(kicked.headers['content-location'])).protocol;
      } finally {
        await dispatcher.close();
      }
    }),
});

// Seed 001's own faults (issue 16 item 5), written from the requirement rows, not from a check.
/** A job of A9994 (or `cmsId`) held in `state`, with its token. */
async function jobHeldIn(m: TestMock, state: string, cmsId = 'A9994', path?: string) {
  const t = await tokenFor(m.app, cmsId);
  const id = await startExport(m, t, path);
  m.ctx.jobs.get(id)!.override = { status: state as 'In Progress', atMs: m.ctx.clock.nowMs(), sticky: true };
  return { t, id };
}

/** The Tasks of the caller's unfiltered job list, as status and valueString, or the list's status. */
async function listedTasks(m: TestMock, t: string): Promise<unknown> {
  const res = await m.http().get('/api/v2/jobs').set(exportHeaders(t));
  if (res.status !== 200) return res.status;
  const bundle = json<{
    entry?: Array<{ resource: { status: string; input?: Array<{ valueString: string }> } }>;
  }>(res);
  return (bundle.entry ?? []).map((e) => [e.resource.status, e.resource.input?.[0]?.valueString]);
}

Object.assign(PROBES, {
  'ratelimit-pending-only': async (m: TestMock) => {
    const { t } = await jobHeldIn(m, 'In Progress', 'SBXBM0002', '/api/v2/Patient/$export');
    return status(m.http().get('/api/v2/Patient/$export').set(exportHeaders(t)));
  },
  'cancel-in-progress-refused': async (m: TestMock) => {
    const { t, id } = await jobHeldIn(m, 'In Progress');
    return status(m.http().delete(`/api/v2/jobs/${id}`).set(auth(t)));
  },
  'auth-token-expires-early': async (m: TestMock) => {
    const t = await m.token();
    m.ctx.clock.advance(11 * 60);
    return status(m.http().get('/api/v2/attribution_status').set(auth(t)));
  },
  'jobs-entry-per-file': async (m: TestMock) => {
    const { t } = await completed(m);
    return json<{ total: number }>(await m.http().get('/api/v2/jobs').set(exportHeaders(t))).total;
  },
  'claims-served-every-version': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v3/Patient/$export?_type=Claim')
        .set(exportHeaders(await tokenFor(m.app, 'TEST001'))),
    ),
  'jobs-list-hides-finished': async (m: TestMock) => {
    const { t } = await jobHeldIn(m, 'Cancelled');
    return listedTasks(m, t);
  },
  'jobs-expired-states-completed': async (m: TestMock) => {
    const { t } = await jobHeldIn(m, 'CancelledExpired');
    return listedTasks(m, t);
  },
  'status-pending-not-found': async (m: TestMock) => {
    const t = await m.token();
    const id = await startExport(m, t);
    return status(m.http().get(`/api/v2/jobs/${id}`).set(auth(t)));
  },
  'download-lags-completion': async (m: TestMock) => {
    const t = await m.token();
    const id = await startExport(m, t);
    m.ctx.clock.advance(3);
    const manifest = json<{ output: Array<{ url: string }> }>(
      await m.http().get(`/api/v2/jobs/${id}`).set(auth(t)),
    );
    return status(m.http().get(new URL(manifest.output[0]!.url).pathname).set(auth(t)));
  },
  'manifest-requires-access-token-false': async (m: TestMock) =>
    json((await completed(m)).res).requiresAccessToken,
  'error-file-outcome-no-code': errorFiles,
  'status-expired-empty-manifest': async (m: TestMock) => {
    const { id } = await completed(m);
    m.ctx.clock.advance(25 * 3600);
    return status(
      m
        .http()
        .get(`/api/v2/jobs/${id}`)
        .set(auth(await m.token())),
    );
  },
  'jobs-task-request-shifted': async (m: TestMock) => {
    const t = await m.token();
    await startExport(m, t, '/api/v2/Patient/$export?_type=Patient');
    await startExport(m, t, '/api/v2/Patient/$export?_type=Coverage');
    return listedTasks(m, t);
  },
  'manifest-error-lists-empty-file': async (m: TestMock) =>
    json<{ error: unknown[] }>((await completed(m)).res).error.length,
  'attribution-refuses-json-accept': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/attribution_status')
        .set({ ...auth(await m.token()), Accept: 'application/json' }),
    ),
});

// The faults written from seed 000's rows (issue 16 item 5).
async function outputTypes(m: TestMock, path: string, cmsId = 'A9994'): Promise<string[]> {
  const t = await tokenFor(m.app, cmsId);
  const id = await startExport(m, t, path);
  m.ctx.clock.advance(60);
  const res = await m.http().get(`/api/v2/jobs/${id}`).set(auth(t));
  return json<{ output: Array<{ type: string }> }>(res)
    .output.map((o) => o.type)
    .sort();
}

/** The job list's Tasks (identifier and times) after one completed export. */
async function taskTimes(m: TestMock): Promise<unknown> {
  const { t } = await completed(m);
  const bundle = json<{ entry?: Array<{ resource: Record<string, unknown> }> }>(
    await m.http().get('/api/v2/jobs').set(exportHeaders(t)),
  );
  return (bundle.entry ?? []).map((e) => [e.resource['identifier'], e.resource['executionPeriod']]);
}

Object.assign(PROBES, {
  'runout-omits-coverage': (m: TestMock) => outputTypes(m, '/api/v2/Group/runout/$export'),
  'partially-adjudicated-no-claimresponse': (m: TestMock) =>
    outputTypes(m, '/api/v2/Patient/$export', 'TEST001'),
  'default-export-adds-claims': (m: TestMock) => outputTypes(m, '/api/v2/Patient/$export'),
  'kickoff-group-prefix-match': async (m: TestMock) => status(kick(m, '/api/v2/Group/all-2024/$export')),
  'patient-includes-runout-enrollees': (m: TestMock) => files(m, '/api/v2/Patient/$export?_type=Patient'),
  'runout-claims-span-new-year': (m: TestMock) =>
    files(m, '/api/v2/Group/runout/$export?_type=ExplanationOfBenefit'),
  'group-since-existing-claims-only': (m: TestMock) =>
    files(m, `/api/v2/Group/all/$export?_type=Patient&_since=${yearAgo(m)}`),
  'group-since-new-claims-filtered': (m: TestMock) =>
    files(m, `/api/v2/Group/all/$export?_type=ExplanationOfBenefit&_since=${yearAgo(m)}`),
  'patient-since-drops-new-enrollees': (m: TestMock) =>
    files(m, `/api/v2/Patient/$export?_type=Patient&_since=${yearAgo(m)}`),
  'since-by-service-date': (m: TestMock) =>
    files(m, `/api/v2/Patient/$export?_type=ExplanationOfBenefit&_since=${yearAgo(m)}`),
  'download-json-array': async (m: TestMock) =>
    (await files(m, '/api/v2/Patient/$export?_type=Patient')).slice(0, 1),
  'jobs-task-times-local-as-utc': taskTimes,
  'jobs-task-end-is-expiry': taskTimes,
  'jobs-list-omits-newest': taskTimes,
  'attribution-status-no-runout': async (m: TestMock) =>
    (
      await m
        .http()
        .get('/api/v2/attribution_status')
        .set(auth(await m.token()))
    ).text,
  'metadata-status-draft': metadataText,
  'metadata-no-software-version': metadataText,
  'metadata-publisher-html-escaped': metadataText,
  'metadata-interactions-as-strings': metadataText,
  'metadata-cors-string': metadataText,
  'metadata-oauth-valueset-system': metadataText,
});

// independent faults: seeds 002/003 (issue 16 item 5).
const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A JWT shaped like the mock's tokens, unexpired, signed by nobody the mock knows. */
function unsignedLookingToken(m: TestMock): string {
  const now = Math.floor(m.ctx.clock.nowMs() / 1000);
  const payload = {
    iss: 'ssas',
    iat: now,
    exp: now + 600,
    use: 'AccessToken',
    dat: JSON.stringify({ cms_ids: ['A9994'] }),
  };
  return `${b64url({ alg: 'RS512', typ: 'JWT' })}.${b64url(payload)}.${Buffer.from('x'.repeat(256)).toString('base64url')}`;
}

/** The X-Progress of a job held in `state`. */
async function progressIn(m: TestMock, state: string): Promise<unknown> {
  const { t, id } = await jobHeldIn(m, state);
  return (await m.http().get(`/api/v2/jobs/${id}`).set(auth(t))).headers['x-progress'] ?? 'none';
}

Object.assign(PROBES, {
  'metadata-v1-fhir-version-r4': async (m: TestMock) =>
    json(await m.http().get('/api/v1/metadata')).fhirVersion,
  'auth-signature-unchecked': (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/attribution_status')
        .set(auth(unsignedLookingToken(m))),
    ),
  'auth-accepts-bare-token': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/attribution_status')
        .set('Authorization', await m.token()),
    ),
  'auth-secret-prefix-match': (m: TestMock) =>
    status(
      m
        .http()
        .post('/auth/token')
        .set(
          'Authorization',
          `Basic ${Buffer.from(
            '3841c594-a8c0-41e5-98cc-38bb45360d3c:f9780d323588f1cdfc3e63e95a8cbdcdd47602ff48a537b51dc5d7834bf466416a716bd4XXXXXXXX',
          ).toString('base64')}`,
        ),
    ),
  'auth-info-requires-token': (m: TestMock) => status(m.http().get('/_auth')),
  'content-mbi-holds-bene-id': (m: TestMock) => files(m, '/api/v2/Patient/$export?_type=Patient'),
  'content-mbi-all-current': (m: TestMock) => files(m, '/api/v2/Patient/$export?_type=Patient'),
  'content-patient-no-name': (m: TestMock) => files(m, '/api/v2/Patient/$export?_type=Patient'),
  'content-eob-no-care-team': (m: TestMock) => files(m, '/api/v2/Patient/$export?_type=ExplanationOfBenefit'),
  'content-stray-type-last-line': (m: TestMock) => files(m, '/api/v2/Patient/$export?_type=Coverage'),
  'kickoff-group-rejects-type': async (m: TestMock) =>
    (await kick(m, '/api/v2/Group/all/$export?_type=Coverage')).status,
  'since-offset-ignored': async (m: TestMock) => {
    // An hour after a Patient's lastUpdated, written in New York time (-05:00): that Patient is out.
    const first = (await files(m, '/api/v2/Patient/$export?_type=Patient')).split('\n')[0] ?? '';
    const updated = Date.parse(json<{ meta: { lastUpdated: string } }>({ text: first }).meta.lastUpdated);
    const wall = new Date(updated + 3_600_000 - 5 * 3_600_000).toISOString().slice(0, 23);
    return files(m, `/api/v2/Patient/$export?_type=Patient&_since=${wall}-05:00`);
  },
  'status-pending-no-x-progress': (m: TestMock) => progressIn(m, 'Pending'),
  'manifest-transaction-time-is-expiry': async (m: TestMock) => (await manifestOf(m))['transactionTime'],
  'manifest-request-internal-host': async (m: TestMock) => (await manifestOf(m))['request'],
  'manifest-urls-previous-job-id': async (m: TestMock) => JSON.stringify((await manifestOf(m))['output']),
  'content-sandbox-real-bene-id': (m: TestMock) => files(m, '/api/v2/Patient/$export?_type=Patient'),
  'content-coverage-part-b-as-a': (m: TestMock) => files(m, '/api/v2/Patient/$export?_type=Coverage'),
  'group-all-drops-last-enrollee': (m: TestMock) => files(m, '/api/v2/Group/all/$export?_type=Patient'),
  'download-accepts-any-bearer': async (m: TestMock) =>
    (await firstFile(m, { Authorization: 'Bearer not-a-token' }, false)).status,
  'auth-token-lives-an-hour': async (m: TestMock) =>
    json(await m.http().post('/auth/token').set('Authorization', basicFor('A9994'))).expires_in,
  'auth-expiry-checked-at-kickoff-only': async (m: TestMock) => {
    const t = await m.token();
    const id = await startExport(m, t);
    m.ctx.clock.advance(21 * 60);
    return status(m.http().get(`/api/v2/jobs/${id}`).set(auth(t)));
  },
  'metadata-date-go-format': metadataText,
  'service-version-not-at-root': (m: TestMock) => status(m.http().get('/_version')),
  'kickoff-v1-status-url-v2': async (m: TestMock) =>
    (await kick(m, '/api/v1/Patient/$export')).headers['content-location'],
  'metadata-export-definitions-swapped': metadataText,
  'manifest-error-typed-as-data': async (m: TestMock) => JSON.stringify((await manifestOf(m))['error']),
  'download-serves-next-file': (m: TestMock) => files(m),
  'kickoff-type-order-sensitive': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_type=Coverage,Patient')).status,
  'download-pretty-printed': (m: TestMock) => files(m, '/api/v2/Patient/$export?_type=Patient'),
  'metadata-publisher-abbreviated': metadataText,
  'metadata-software-name-short': metadataText,
  'metadata-rest-mode-client': metadataText,
  'metadata-no-search-system': metadataText,
  'metadata-cors-false': metadataText,
  'metadata-security-smart-service': metadataText,
  'metadata-v1-instantiates-r4': async (m: TestMock) => (await m.http().get('/api/v1/metadata')).text,
  'service-version-empty': async (m: TestMock) => (await m.http().get('/_version')).text,
  'kickoff-group-rejects-since': async (m: TestMock) =>
    (await kick(m, `/api/v2/Group/all/$export?_since=${yearAgo(m)}`)).status,
  'ratelimit-same-url-only': async (m: TestMock) => {
    const t = await tokenFor(m.app, 'SBXBM0002');
    await m.http().get('/api/v2/Patient/$export').set(exportHeaders(t));
    return status(m.http().get('/api/v2/Patient/$export?_type=Patient,Coverage').set(exportHeaders(t)));
  },
});

// independent faults: behavior rows (issue 16 item 5), written from the rows' text.
/** The first data line of each output file of an export, parsed. */
async function firstLines(m: TestMock, path: string): Promise<unknown[]> {
  return (await files(m, path))
    .split('\n')
    .filter((chunk) => chunk.trim() !== '')
    .slice(0, 1)
    .map((line) => JSON.parse(line) as unknown);
}

Object.assign(PROBES, {
  'health-omits-introspect': async (m: TestMock) => (await m.http().get('/_health').parse(textParser)).body,
  'health-blames-database': async (m: TestMock) => {
    m.ctx.authProvider = 'error';
    return (await m.http().get('/_health').parse(textParser)).body;
  },
  'health-skips-token-parse': (m: TestMock) =>
    status(m.http().get('/_health').set('Authorization', 'Bearer not-a-jwt')),
  'welcome-no-success': async (m: TestMock) =>
    (
      await m
        .http()
        .get('/auth/welcome')
        .set(auth(await m.token()))
    ).body,
  'denylist-exports-only': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/jobs')
        .set(exportHeaders(await tokenFor(m.app, 'A9997'))),
    ),
  'unknown-aco-401': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/attribution_status')
        .set(auth(await tokenFor(m.app, UNKNOWN_ACO_ID))),
    ),
  'outage-outcome-specific-code': async (m: TestMock) => {
    const t = await m.token();
    m.ctx.authProvider = 'timeout';
    return json<{ issue: Array<{ code: string }> }>(
      await m.http().get('/api/v2/attribution_status').set(auth(t)),
    ).issue[0]?.code;
  },
  'kickoff-type-repeat-adjacent-only': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_type=Patient,Coverage,Patient')).status,
  'kickoff-since-future-same-day': async (m: TestMock) => {
    // An hour ahead, kept inside the mock's UTC day.
    const now = m.ctx.clock.nowMs();
    const day = 86_400_000;
    const ahead = Math.min(now + 3_600_000, Math.floor(now / day) * day + day - 1000);
    const since = new Date(Math.max(ahead, now + 1000)).toISOString().replace(/\.\d+Z$/, 'Z');
    return (await kick(m, `/api/v2/Patient/$export?_since=${since}`)).status;
  },
  'status-bad-job-id-404': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/jobs/abc')
        .set(auth(await m.token())),
    ),
  'download-file-of-other-job': async (m: TestMock) => {
    const first = await completed(m);
    const name = new URL(json<{ output: Array<{ url: string }> }>(first.res).output[0]!.url).pathname
      .split('/')
      .pop();
    const second = await completed(m, '/api/v2/Patient/$export?_type=Coverage');
    return status(m.http().get(`/data/${second.id}/${name}`).set(auth(second.t)).parse(textParser));
  },
  'attribution-outdated-patient-accepted': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/Patient/$export')
        .set(exportHeaders(await tokenFor(m.app, 'TEST995'))),
    ),
  'attribution-outdated-runout-refused': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/Group/runout/$export')
        .set(exportHeaders(await tokenFor(m.app, 'TEST995'))),
    ),
  'content-bene-id-unsigned': (m: TestMock) => firstLines(m, '/api/v2/Patient/$export?_type=Patient'),
  'content-coverage-id-other-bene': (m: TestMock) => firstLines(m, '/api/v2/Patient/$export?_type=Coverage'),
  'content-eob-prefix-wrong-type': (m: TestMock) =>
    firstLines(m, '/api/v2/Patient/$export?_type=ExplanationOfBenefit'),
  'kickoff-accepts-wildcard-accept': async (m: TestMock) =>
    (await kick(m, undefined, { ...exportHeaders(await m.token()), Accept: '*/*' })).status,
  'export-post-405-no-allow': async (m: TestMock) =>
    (
      await m
        .http()
        .post('/api/v2/Patient/$export')
        .set(exportHeaders(await m.token()))
    ).headers['allow'] ?? 'none',
  'outcome-401-code-login': async (m: TestMock) =>
    json<{ issue: Array<{ code: string }> }>(await m.http().get('/api/v2/attribution_status')).issue[0]?.code,
  'kickoff-group-new-404': async (m: TestMock) => (await kick(m, '/api/v2/Group/new/$export')).status,
  'other-client-cancel-still-cancels': async (m: TestMock) => {
    const { t, id } = await jobHeldIn(m, 'In Progress');
    const other = await status(
      m
        .http()
        .delete(`/api/v2/jobs/${id}`)
        .set(auth(await tokenFor(m.app, 'A9990'))),
    );
    return [other, await status(m.http().get(`/api/v2/jobs/${id}`).set(auth(t)))];
  },
});

Object.assign(PROBES, {
  'token-rate-limit-empty-body': async (m: TestMock) => {
    m.ctx.tokenRateLimit = { limit: 1, windowSeconds: 300 };
    await m.http().post('/auth/token').set('Authorization', basicFor('A9994'));
    return (await m.http().post('/auth/token').set('Authorization', basicFor('A9994')).parse(textParser))
      .body;
  },
  'outage-retry-after-api-v1-only': async (m: TestMock) => {
    const t = await m.token();
    m.ctx.authProvider = 'timeout';
    return (await m.http().get('/auth/welcome').set(auth(t))).headers['retry-after'] ?? 'none';
  },
  'kickoff-question-mark-stripped': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export??_type=Patient')).status,
  'jobs-unknown-status-not-found': async (m: TestMock) => {
    const { t } = await completed(m);
    return status(m.http().get('/api/v2/jobs?_status=Bogus').set(exportHeaders(t)));
  },
  'content-pde-clm-id': async (m: TestMock) =>
    (await files(m, '/api/v2/Patient/$export?_type=ExplanationOfBenefit')).includes('variables/pde_id'),
  'kickoff-output-format-substring': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_outputFormat=application/x-ndjson')).status,
  'token-get-404': (m: TestMock) =>
    status(m.http().get('/auth/token').set('Authorization', basicFor('A9994'))),
  'cancel-twice-404': async (m: TestMock) => {
    const t = await m.token();
    const id = await startExport(m, t);
    await m.http().delete(`/api/v2/jobs/${id}`).set(auth(t));
    return status(m.http().delete(`/api/v2/jobs/${id}`).set(auth(t)));
  },
});

Object.assign(PROBES, {
  'jobs-status-repeat-adjacent-only': async (m: TestMock) => {
    const { t } = await completed(m);
    return status(m.http().get('/api/v2/jobs?_status=Completed,Failed,Completed').set(exportHeaders(t)));
  },
  'content-versioned-patient-reference': (m: TestMock) =>
    firstLines(m, '/api/v2/Patient/$export?_type=Coverage'),
  'kickoff-type-filter-final-action-refused': async (m: TestMock) =>
    (
      await kick(
        m,
        `/api/v3/Patient/$export?_typeFilter=${encodeURIComponent('ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/Final-Action|FinalAction')}`,
      )
    ).status,
  'kickoff-type-filter-claims-accepted': async (m: TestMock) =>
    (
      await kick(
        m,
        `/api/v3/Patient/$export?_typeFilter=${encodeURIComponent('Claim?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|SharedSystem')}`,
      )
    ).status,
  'token-rate-limit-retry-after-ms': tokenBurst,
  'cancel-keeps-error-files': async (m: TestMock) => {
    const { t, id, res } = await completed(m);
    const url = new URL(json<{ error: Array<{ url: string }> }>(res).error[0]?.url ?? '').pathname;
    m.ctx.jobs.get(id)!.override = { status: 'In Progress', atMs: m.ctx.clock.nowMs(), sticky: true };
    await m.http().delete(`/api/v2/jobs/${id}`).set(auth(t));
    return status(m.http().get(url).set(auth(t)));
  },
  'group-since-404-job-created': async (m: TestMock) => {
    const t = await m.token();
    await m.http().get('/api/v2/Group/all/$export?_since=2013-01-01T00:00:00Z').set(exportHeaders(t));
    return status(m.http().get('/api/v2/jobs').set(exportHeaders(t)));
  },
  'kickoff-group-prefer-unchecked': async (m: TestMock) => {
    const { Prefer: _omitted, ...headers } = exportHeaders(await m.token());
    return (await kick(m, '/api/v2/Group/runout/$export', headers)).status;
  },
});

// independent faults: contract rows (issue 16 item 5).
Object.assign(PROBES, {
  'contract-cancel-204': async (m: TestMock) => {
    const t = await m.token();
    const id = await startExport(m, t);
    return status(m.http().delete(`/api/v2/jobs/${id}`).set(auth(t)));
  },
  'contract-unknown-job-json': async (m: TestMock) =>
    (
      await m
        .http()
        .get('/api/v2/jobs/999999')
        .set(auth(await m.token()))
    ).headers['content-type'],
  'contract-expires-iso': async (m: TestMock) => (await completed(m)).res.headers.expires,
  'contract-jobs-total-string': async (m: TestMock) => {
    const { t } = await completed(m);
    return json<{ total: unknown }>(await m.http().get('/api/v2/jobs').set(exportHeaders(t))).total;
  },
});

// independent faults (h2): seed 001 rows ≥062
Object.assign(PROBES, {
  'metadata-kind-capability': metadataText,
  'metadata-format-mime-shortcuts': metadataText,
  'metadata-instantiates-ig-url': metadataText,
  'metadata-v2-instantiates-bfd-v1': metadataText,
  'metadata-export-ops-wrong-resource': metadataText,
  'metadata-token-url-api-path': metadataText,
});

/** The caller's job list filtered by `filter` (unfiltered without one), as its text or its status. */
async function jobListOf(m: TestMock, t: string, filter?: string): Promise<unknown> {
  const res = await m
    .http()
    .get(`/api/v2/jobs${filter ? `?_status=${encodeURIComponent(filter)}` : ''}`)
    .set(exportHeaders(t));
  return res.status === 200 ? res.text : res.status;
}

/** The path of the first output file of a completed export, with the token that started it. */
async function firstOutput(m: TestMock): Promise<{ t: string; url: string }> {
  const { t, res } = await completed(m);
  return { t, url: new URL(json<{ output: Array<{ url: string }> }>(res).output[0]?.url ?? '').pathname };
}

/** The body of A9994's attribution_status, a minute of mock time after the mock started. */
async function attributionText(m: TestMock): Promise<string> {
  const t = await m.token();
  m.ctx.clock.advance(60);
  return (await m.http().get('/api/v2/attribution_status').set(auth(t))).text;
}

Object.assign(PROBES, {
  'jobs-task-request-path-only': async (m: TestMock) => jobListOf(m, (await completed(m)).t),
  'jobs-filtered-empty-lists-all': async (m: TestMock) =>
    jobListOf(m, (await completed(m)).t, 'FailedExpired'),
  'jobs-status-filter-raw-contains': async (m: TestMock) => {
    const { t } = await jobHeldIn(m, 'Expired');
    return jobListOf(m, t, 'FailedExpired');
  },
  'jobs-task-status-unmapped-states': async (m: TestMock) => jobListOf(m, (await jobHeldIn(m, 'Archived')).t),
  'jobs-pending-task-requested': async (m: TestMock) => jobListOf(m, (await jobHeldIn(m, 'Pending')).t),
  'jobs-task-end-completed-only': async (m: TestMock) => jobListOf(m, (await jobHeldIn(m, 'Cancelled')).t),
  'attribution-status-request-time': attributionText,
  'attribution-types-camel-case': attributionText,
  'download-deleted-after-fetch': async (m: TestMock) => {
    const { t, url } = await firstOutput(m);
    await m.http().get(url).set(auth(t)).parse(textParser);
    return status(m.http().get(url).set(auth(t)).parse(textParser));
  },
  'download-expiry-from-last-access': async (m: TestMock) => {
    const { url } = await firstOutput(m);
    m.ctx.clock.advance(23 * 3600);
    await m
      .http()
      .get(url)
      .set(auth(await m.token()))
      .parse(textParser);
    m.ctx.clock.advance(2 * 3600);
    return status(
      m
        .http()
        .get(url)
        .set(auth(await m.token()))
        .parse(textParser),
    );
  },
  'download-one-at-a-time': async (m: TestMock) => {
    const { t, res } = await completed(m);
    const urls = json<{ output: Array<{ url: string }> }>(res).output.map((o) => new URL(o.url).pathname);
    // Paced, so the first answer is still being sent when the second is asked for.
    m.ctx.downloadPace = { bytes: 1024, delayMs: 20 };
    return Promise.all(urls.slice(0, 2).map((u) => status(m.http().get(u).set(auth(t)).parse(textParser))));
  },
  'download-gzip-twice': async (m: TestMock) => {
    try {
      return String((await firstFile(m, { 'Accept-Encoding': 'gzip' })).body).slice(0, 40);
    } catch (err) {
      return `error: ${(err as Error).message}`;
    }
  },
  'download-open-after-first-fetch': async (m: TestMock) => {
    const { t, url } = await firstOutput(m);
    await m.http().get(url).set(auth(t)).parse(textParser);
    return status(m.http().get(url).parse(textParser));
  },
  'manifest-error-file-missing': async (m: TestMock) => {
    const { t, res } = await completed(m);
    const url = new URL(json<{ error: Array<{ url: string }> }>(res).error[0]?.url ?? '').pathname;
    return status(m.http().get(url).set(auth(t)).parse(textParser));
  },
  'content-line-double-encoded': (m: TestMock) => files(m, '/api/v2/Patient/$export?_type=Patient'),
  'manifest-type-lowercase': async (m: TestMock) => JSON.stringify((await manifestOf(m))['output']),
  'download-plain-labelled-gzip': async (m: TestMock) => {
    try {
      return (await firstFile(m, { 'Accept-Encoding': 'identity' })).headers['content-encoding'] ?? 'none';
    } catch (err) {
      return `error: ${(err as Error).message}`;
    }
  },
  'jobs-filtered-list-all-acos': async (m: TestMock) => {
    await completed(m);
    return jobListOf(m, await tokenFor(m.app, 'A9990'), 'Completed');
  },
  'metadata-xml-without-accept': async (m: TestMock) =>
    (await m.http().get('/api/v2/metadata')).headers['content-type'],
  'metadata-impl-url-proxy-scheme': metadataText,
  'jobs-archived-filter-files-gone': async (m: TestMock) =>
    jobListOf(m, (await jobHeldIn(m, 'Expired')).t, 'Archived'),
  'jobs-task-start-date-only': async (m: TestMock) => jobListOf(m, (await completed(m)).t),
  'attribution-status-any-aco': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/attribution_status')
        .set(auth(await tokenFor(m.app, 'TEST996'))),
    ),
  'download-gzip-not-closed': async (m: TestMock) => {
    try {
      return String((await firstFile(m, { 'Accept-Encoding': 'gzip' })).body).length;
    } catch (err) {
      return `error: ${(err as Error).message}`;
    }
  },
  'jobs-task-intent-first-only': async (m: TestMock) => {
    const { t } = await completed(m);
    await completed(m, '/api/v2/Patient/$export?_type=Coverage');
    return jobListOf(m, t);
  },
});

// independent faults (h4): bulkdata ≤@143 (issue 16 item 5), written from the rows' text.
Object.assign(PROBES, {
  'outage-outcome-login-code': async (m: TestMock) => {
    const t = await m.token();
    m.ctx.authProvider = 'timeout';
    return json<{ issue: Array<{ code: string }> }>(
      await m.http().get('/api/v2/attribution_status').set(auth(t)),
    ).issue[0]?.code;
  },
  'ratelimit-duplicate-409': async (m: TestMock) => {
    const t = await tokenFor(m.app, 'SBXBM0002');
    await m.http().get('/api/v2/Patient/$export').set(exportHeaders(t));
    return status(m.http().get('/api/v2/Patient/$export').set(exportHeaders(t)));
  },
  'manifest-errors-in-output': async (m: TestMock) => JSON.stringify((await manifestOf(m)).error),
});

// independent faults (h3): seeds 002/003, smart, behavior
Object.assign(PROBES, {
  'status-manifest-double-encoded': async (m: TestMock) => typeof JSON.parse((await completed(m)).res.text),
  'manifest-output-keyed-by-type': async (m: TestMock) => Array.isArray((await manifestOf(m))['output']),
  'status-requires-accept': async (m: TestMock) => (await completed(m)).res.status,
  'kickoff-since-no-content-location': async (m: TestMock) =>
    (await kick(m, `/api/v2/Patient/$export?_since=${yearAgo(m)}`)).headers['content-location'] !== undefined,
  'manifest-filtered-relative-urls': async (m: TestMock) =>
    (await completed(m, '/api/v2/Patient/$export?_type=Patient')).res.text,
  'manifest-file-uuid-time-based': async (m: TestMock) => JSON.stringify((await manifestOf(m))['output']),
  'status-progress-over-100': (m: TestMock) => progressIn(m, 'In Progress'),
  'metadata-in-bundle': async (m: TestMock) => json(await m.http().get('/api/v1/metadata')).resourceType,
  'metadata-anonymous-redirect': (m: TestMock) => status(m.http().get('/api/v1/metadata')),
  'metadata-release-date-epoch': metadataText,
  'metadata-implementation-url-fhir-base': metadataText,
  'metadata-v1-accept-unknown-both': async (m: TestMock) =>
    json(await m.http().get('/api/v1/metadata')).acceptUnknown,
  'metadata-format-json-shortcode': metadataText,
  'auth-token-camelcase-field': async (m: TestMock) =>
    Object.keys(json(await m.http().post('/auth/token').set('Authorization', basicFor('A9994')))),
  'auth-token-201-created': (m: TestMock) =>
    status(m.http().post('/auth/token').set('Authorization', basicFor('A9994'))),
  'auth-token-not-before-skew': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/auth/welcome')
        .set(auth(await m.token())),
    ),
  'download-utf8-bom': async (m: TestMock) =>
    (await files(m, '/api/v2/Patient/$export?_type=Patient')).charCodeAt(0),
  'fuzz-echo-html': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_outputFormat=%3Cb%3Ex%3C%2Fb%3E')).text,
  'kickoff-type-empty-element-skipped': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_type=Patient,,Coverage')).status,
  'swagger-v2-paths-only': async (m: TestMock) =>
    Object.keys(json<{ paths: object }>(await m.http().get('/api/v1/swagger/swagger.json')).paths).join(' '),
  'group-since-existing-day-precision': async (m: TestMock) => {
    // A _since a second after the median lastUpdated of Group/all's claims: that claim's day is in.
    const all = await files(m, '/api/v2/Group/all/$export?_type=ExplanationOfBenefit');
    const times = all
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => Date.parse(json<{ meta: { lastUpdated: string } }>({ text: l }).meta.lastUpdated))
      .sort((a, b) => a - b);
    const since = new Date((times[Math.floor(times.length / 2)] ?? 0) + 1000).toISOString();
    return files(m, `/api/v2/Group/all/$export?_type=ExplanationOfBenefit&_since=${since}`);
  },
  'kickoff-content-location-internal-host': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export')).headers['content-location'],
  'status-running-partial-manifest': async (m: TestMock) => {
    const { t, id } = await jobHeldIn(m, 'In Progress');
    return status(m.http().get(`/api/v2/jobs/${id}`).set(auth(t)));
  },
  'kickoff-since-requires-fraction': async (m: TestMock) =>
    (await kick(m, `/api/v2/Patient/$export?_since=${yearAgo(m).replace(/\.\d+Z$/, 'Z')}`)).status,
  'auth-token-mime-wrapped': async (m: TestMock) =>
    json<{ access_token: string }>(await m.http().post('/auth/token').set('Authorization', basicFor('A9994')))
      .access_token.length,
  'status-running-no-auth': async (m: TestMock) => {
    const { id } = await jobHeldIn(m, 'In Progress');
    return status(m.http().get(`/api/v2/jobs/${id}`));
  },
});

// independent faults (h1): seeds 000/001 rows ≤059
Object.assign(PROBES, {
  'kickoff-content-location-next-id': async (m: TestMock) => (await kick(m)).headers['content-location'],
  'manifest-urls-under-api-path': async (m: TestMock) => {
    const { t, res } = await completed(m);
    const url = new URL(json<{ output: Array<{ url: string }> }>(res).output[0]?.url ?? '').pathname;
    // The file is served where the manifest places it.
    return [url, await status(m.http().get(url).set(auth(t)))];
  },
  'export-default-since-last-job': async (m: TestMock) => {
    await completed(m);
    return files(m, '/api/v2/Patient/$export');
  },
  'job-queued-dropped-on-token-expiry': (m: TestMock) => heldJobStatus(m, 'Pending'),
  'auth-token-issued-expired': async (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/attribution_status')
        .set(auth(await m.token())),
    ),
  'auth-api-accepts-basic-credentials': (m: TestMock) =>
    status(
      m
        .http()
        .get('/api/v2/attribution_status')
        .set({ Authorization: basicFor('A9994') }),
    ),
  'partially-adjudicated-files-empty': async (m: TestMock) => {
    const t = await tokenFor(m.app, 'TEST001');
    const id = await startExport(m, t);
    m.ctx.clock.advance(60);
    const manifest = json<{ output: Array<{ type: string; url: string }> }>(
      await m.http().get(`/api/v2/jobs/${id}`).set(auth(t)),
    );
    const claim = manifest.output.find((o) => o.type === 'Claim')?.url ?? '';
    const file = await m
      .http()
      .get(new URL(claim).pathname)
      .set({ ...auth(t), 'Accept-Encoding': 'identity' })
      .parse(textParser);
    return String(file.body).length;
  },
  'status-x-progress-fraction': (m: TestMock) => progressIn(m, 'In Progress'),
  'export-claims-of-other-organization': (m: TestMock) =>
    files(m, '/api/v2/Patient/$export?_type=ExplanationOfBenefit'),
  'status-complete-redirect': async (m: TestMock) => (await completed(m)).res.status,
  'status-x-progress-first-poll-only': async (m: TestMock) => {
    const { t, id } = await jobHeldIn(m, 'In Progress');
    const ask = async () =>
      (await m.http().get(`/api/v2/jobs/${id}`).set(auth(t))).headers['x-progress'] ?? 'none';
    return [await ask(), await ask()];
  },
  'export-default-types-sticky': async (m: TestMock) => {
    await kick(m, '/api/v2/Patient/$export?_type=Patient');
    return json<{ output: Array<{ type: string }> }>((await completed(m)).res).output.map((o) => o.type);
  }, // independent faults (rd): bulkdata ≥@186, round 2
  'kickoff-runout-201-created': async (m: TestMock) => (await kick(m, '/api/v2/Group/runout/$export')).status,
  'cancel-in-progress-200': async (m: TestMock) => {
    const { t, id } = await jobHeldIn(m, 'In Progress');
    return status(m.http().delete(`/api/v2/jobs/${id}`).set(auth(t)));
  },
  // independent faults (rc): bulkdata ≤@176, round 2
  'output-format-ndjson-as-json-array': async (m: TestMock) => {
    const { t, res } = await completed(m, '/api/v2/Group/all/$export?_outputFormat=ndjson');
    const url = new URL(json<{ output: Array<{ url: string }> }>(res).output[0]?.url ?? '').pathname;
    const file = await m
      .http()
      .get(url)
      .set({ ...auth(t), 'Accept-Encoding': 'identity' })
      .parse(textParser);
    return (file.body as string).slice(0, 1);
  },
  'kickoff-elements-refused-plain-text': async (m: TestMock) => {
    const res = await kick(m, '/api/v2/Patient/$export?_elements=id');
    return [res.status, res.headers['content-type']];
  },
  'status-manifest-of-earlier-job': async (m: TestMock) => {
    await completed(m, '/api/v2/Patient/$export?_type=Patient');
    return json<{ request: string }>((await completed(m, '/api/v2/Group/all/$export')).res).request;
  },
});

// independent faults (ra): seeds 000/001, round 2
Object.assign(PROBES, {
  'jobs-list-history-only': async (m: TestMock) => {
    const { t } = await jobHeldIn(m, 'In Progress');
    return listedTasks(m, t);
  },
  'jobs-cancelled-entry-outcome': async (m: TestMock) => {
    const { t } = await jobHeldIn(m, 'Cancelled');
    return jobListOf(m, t);
  },
  'kickoff-type-list-unsplit': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_type=Patient,Coverage')).status,
  'manifest-request-previous-job': async (m: TestMock) => {
    await kick(m);
    return json<{ request: string }>((await completed(m, '/api/v2/Patient/$export?_type=Patient')).res)
      .request;
  },
  'group-type-dropped': (m: TestMock) => outputTypes(m, '/api/v2/Group/all/$export?_type=Patient'),
  'auth-own-expired-token-403': async (m: TestMock) => {
    const t = await m.token();
    m.ctx.clock.advance(21 * 60);
    return status(m.http().get('/api/v2/attribution_status').set(auth(t)));
  },
});

// independent faults (rb): seeds 002/003, smart, behavior, round 2
Object.assign(PROBES, {
  'since-skips-coverage': (m: TestMock) =>
    files(m, `/api/v2/Patient/$export?_type=Coverage&_since=${yearAgo(m)}`),
  'since-selects-beneficiaries': (m: TestMock) =>
    files(m, `/api/v2/Patient/$export?_type=ExplanationOfBenefit&_since=${yearAgo(m)}`),
  'fuzz-since-impossible-date-500': async (m: TestMock) =>
    (await kick(m, '/api/v2/Patient/$export?_since=2020-02-30T00:00:00Z')).status,
  'kickoff-group-since-unvalidated': async (m: TestMock) =>
    (await kick(m, '/api/v2/Group/all/$export?_since=2020-02-13')).status,
  'download-files-gone-after-12h': (m: TestMock) => firstFileStatusAfter(m, 13),
});

describe('every fault changes the mock behaviour', () => {
  let m: TestMock;
  beforeAll(async () => {
    m = await testMock({ control: true });
  });
  afterAll(() => m.close());

  it('has a probe for every fault', () => {
    expect(FAULTS.map((f) => f.name).filter((n) => !PROBES[n])).toEqual([]);
  });

  it.each(FAULTS.map((f) => [f.name]))('%s', async (name) => {
    const probe = PROBES[name];
    if (!probe) throw new Error(`no probe for ${name}`);
    resetContext(m.ctx);
    const normal = await probe(m);
    resetContext(m.ctx);
    m.ctx.faults.set([name]);
    const faulty = await probe(m);
    resetContext(m.ctx);
    expect(faulty).not.toEqual(normal);
  });
});
