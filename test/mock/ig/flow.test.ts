/** The generic mock's correct behaviour: discovery, SMART token, kick-off, status, files, cancel. */
import { validateResource } from '../../../src/fhir';
import {
  type Manifest,
  download,
  FULL,
  igTestMock,
  kickoffHeaders,
  runExport,
  token,
  tokenRequest,
  type IgTestMock,
} from './helpers';

let m: IgTestMock;
beforeAll(async () => {
  m = await igTestMock();
});
afterAll(() => m.close());

describe('discovery', () => {
  it('serves a valid R4 CapabilityStatement declaring the three exports and SMART', async () => {
    const res = await m.http().get('/fhir/metadata');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const cs = JSON.parse(res.text) as CapabilityLike;
    expect(validateResource(cs)).toEqual([]);
    expect(cs.instantiates).toEqual(['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data']);
    expect(cs.rest[0]?.operation).toEqual([
      { name: 'export', definition: `${m.root()}/fhir/OperationDefinition/bulk-ig-mock-export` },
    ]);
    expect(cs.rest[0]?.security.extension[0]?.extension[0]?.valueUri).toBe(`${m.root()}/auth/token`);
  });

  it('serves its own OperationDefinitions, based on the IG ones, listing the parameters it supports', async () => {
    for (const [id, base] of [
      ['bulk-ig-mock-export', 'export'],
      ['bulk-ig-mock-patient-export', 'patient-export'],
      ['bulk-ig-mock-group-export', 'group-export'],
    ] as const) {
      const res = await m.http().get(`/fhir/OperationDefinition/${id}`);
      expect(res.status).toBe(200);
      const od = JSON.parse(res.text) as { base: string; parameter: { name: string }[] };
      expect(validateResource(od)).toEqual([]);
      expect(od.base).toBe(`http://hl7.org/fhir/uv/bulkdata/OperationDefinition/${base}`);
      expect(od.parameter.some((p) => p.name === 'patient')).toBe(id !== 'bulk-ig-mock-export');
      expect(od.parameter.some((p) => p.name === 'organizeOutputBy')).toBe(id !== 'bulk-ig-mock-export');
    }
    expect((await m.http().get('/fhir/OperationDefinition/nope')).status).toBe(404);
  });

  it("names the IG's canonicals instead with definitions: 'ig'", async () => {
    const other = await igTestMock({ definitions: 'ig' });
    try {
      const cs = JSON.parse((await other.http().get('/fhir/metadata')).text) as CapabilityLike;
      expect(cs.rest[0]?.operation).toEqual([
        { name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' },
      ]);
    } finally {
      await other.close();
    }
  });

  it('serves the SMART configuration', async () => {
    const res = await m.http().get('/fhir/.well-known/smart-configuration');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      token_endpoint: `${m.root()}/auth/token`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
      capabilities: ['client-confidential-asymmetric'],
      code_challenge_methods_supported: ['S256'],
    });
  });
});

describe('a whole export', () => {
  it.each(['RS384', 'ES384'] as const)('gets a token with an %s assertion', async (alg) => {
    const res = await tokenRequest(m, { alg }, 'system/*.read');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 300,
      scope: 'system/*.read',
    });
  });

  it('runs a system export: 202, status 202 then manifest, NDJSON files of valid R4', async () => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
    expect(kick.status).toBe(202);
    const location = kick.headers['content-location'] as string;
    expect(location).toMatch(new RegExp(`^${m.root()}/fhir/bulkstatus/[0-9a-f-]{36}$`));
    const running = await m.http().get(new URL(location).pathname).set('Authorization', `Bearer ${t}`);
    expect(running.status).toBe(202);
    expect(running.headers['retry-after']).toBe('1');
    expect(running.headers['x-progress']).toMatch(/^In Progress, \d+%$/);
    m.ctx.clock.advance(5);
    const done = await m.http().get(new URL(location).pathname).set('Authorization', `Bearer ${t}`);
    expect(done.status).toBe(200);
    expect(done.headers['content-type']).toMatch(/^application\/json/);
    expect(done.headers.expires).toBeDefined();
    const manifest = done.body as Manifest;
    expect(manifest).toMatchObject({
      transactionTime: START_ISO,
      request: `${m.root()}/fhir/$export`,
      requiresAccessToken: true,
      error: [],
      deleted: [],
    });
    expect(manifest.output.map((o) => o.type)).toEqual([
      'Patient',
      'Encounter',
      'Observation',
      'Condition',
      'DocumentReference',
      'Provenance',
      'Group',
      'Practitioner',
      'Organization',
    ]);
    for (const item of manifest.output) {
      const res = await m.http().get(new URL(item.url).pathname).set('Authorization', `Bearer ${t}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/fhir+ndjson');
      const resources = await download(m, t, item.url);
      expect(resources).toHaveLength(item.count ?? -1);
      for (const r of resources) {
        expect(r.resourceType).toBe(item.type);
        expect(validateResource(r)).toEqual([]);
      }
    }
  });

  it('cancels: DELETE 202, then the status URL answers 404 OperationOutcome', async () => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/Patient/$export').set(kickoffHeaders(t));
    const path = new URL(kick.headers['content-location'] as string).pathname;
    expect((await m.http().delete(path).set('Authorization', `Bearer ${t}`)).status).toBe(202);
    const after = await m.http().get(path).set('Authorization', `Bearer ${t}`);
    expect(after.status).toBe(404);
    expect(after.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(JSON.parse(after.text)).toMatchObject({ resourceType: 'OperationOutcome' });
    expect((await m.http().delete(path).set('Authorization', `Bearer ${t}`)).status).toBe(404);
  });

  it('answers an unknown job 404 OperationOutcome as application/fhir+json', async () => {
    const t = await token(m);
    const res = await m.http().get('/fhir/bulkstatus/no-such-job').set('Authorization', `Bearer ${t}`);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(validateResource(JSON.parse(res.text))).toEqual([]);
  });

  it('needs a token for kick-off, status and files', async () => {
    const t = await token(m);
    const { manifest, statusUrl } = await runExport(m, t, '/fhir/Group/cohort-a/$export');
    expect((await m.http().get('/fhir/Group/cohort-a/$export').set(kickoffHeaders('nope'))).status).toBe(401);
    expect((await m.http().get(new URL(statusUrl).pathname)).status).toBe(401);
    expect((await m.http().get(new URL(manifest.output[0]!.url).pathname)).status).toBe(401);
    expect(FULL).toBe('bulk-ig-full-client');
  });
});

const START_ISO = '2026-03-10T12:00:00.000Z';

interface CapabilityLike {
  instantiates: string[];
  rest: { operation: unknown[]; security: { extension: { extension: { valueUri: string }[] }[] } }[];
}

describe('polling too often', () => {
  it('answers 429 with Retry-After past ten status requests a second for one job', async () => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
    const path = new URL(kick.headers['content-location'] as string).pathname;
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await m.http().get(path).set('Authorization', `Bearer ${t}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(202));
    const res = await m.http().get(path).set('Authorization', `Bearer ${t}`);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    m.ctx.clock.advance(1.5);
    expect((await m.http().get(path).set('Authorization', `Bearer ${t}`)).status).toBe(202);
  });
});
