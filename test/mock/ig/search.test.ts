/**
 * The generic mock's Provenance search and system history: declared in the CapabilityStatement,
 * paged through `next` links, and agreeing with what exports hold and list as deleted.
 */
import { NARROW, igTestMock, token, type IgTestMock } from './helpers';

type Bundle = {
  type: string;
  total: number;
  link: { relation: string; url: string }[];
  entry: {
    resource?: { resourceType: string; id: string };
    request?: { method: string; url: string };
    response?: { lastModified?: string };
  }[];
};

let m: IgTestMock;
let t: string;
beforeAll(async () => {
  m = await igTestMock();
  t = await token(m);
});
afterAll(() => m.close());

const get = async (path: string, bearer = t) =>
  m.http().get(path).set('Authorization', `Bearer ${bearer}`).set('Accept', 'application/fhir+json');

/** Every entry of a paged Bundle, following its next links. */
async function allPages(path: string): Promise<Bundle['entry']> {
  const entries: Bundle['entry'] = [];
  let next: string | undefined = path;
  while (next) {
    const res = await get(next);
    expect(res.status).toBe(200);
    const bundle = JSON.parse(res.text) as Bundle;
    entries.push(...bundle.entry);
    const link = bundle.link.find((l) => l.relation === 'next')?.url;
    next = link ? new URL(link).pathname + new URL(link).search : undefined;
  }
  return entries;
}

test('the CapabilityStatement declares the Provenance search and the system history', async () => {
  const statement = JSON.parse((await m.http().get('/fhir/metadata')).text) as {
    rest: {
      interaction?: { code: string }[];
      resource: { type: string; interaction?: { code: string }[] }[];
    }[];
  };
  const rest = statement.rest[0]!;
  expect(rest.interaction).toEqual([{ code: 'history-system' }]);
  expect(rest.resource.find((r) => r.type === 'Provenance')?.interaction).toEqual([{ code: 'search-type' }]);
});

test('the Provenance search pages through every Provenance, with the token', async () => {
  const entries = await allPages('/fhir/Provenance?_count=50');
  const ids = entries.map((e) => e.resource?.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.length).toBe(m.ctx.data.resources.filter((r) => r.type === 'Provenance').length);
  expect((await m.http().get('/fhir/Provenance')).status).toBe(401);
  expect((await get('/fhir/Provenance', await token(m, NARROW, 'system/Patient.read'))).status).toBe(403);
  expect((await get('/fhir/Provenance?_count=x')).status).toBe(400);
});

test('the system history lists each deletion after _since as a DELETE with its instant', async () => {
  const since = '2025-06-01T00:00:00Z';
  const entries = await allPages(`/fhir/_history?_since=${since}&_count=100`);
  const deletes = entries.filter((e) => e.request?.method === 'DELETE');
  const expected = m.ctx.data.resources.filter(
    (r) => r.deletedMs !== undefined && r.deletedMs > Date.parse(since) && r.deletedMs <= m.ctx.clock.nowMs(),
  );
  expect(deletes.map((e) => e.request?.url).sort()).toEqual(expected.map((r) => `${r.type}/${r.id}`).sort());
  for (const e of entries)
    expect(Date.parse(e.response?.lastModified ?? '')).toBeGreaterThan(Date.parse(since));
  expect((await get('/fhir/_history?_since=yesterday')).status).toBe(400);
});
