/** The generic mock's kick-off parameters, handling preferences, scopes and the data they select. */
import { validateResource } from '../../../src/fhir';
import {
  FULL,
  NARROW,
  download,
  exportedByType,
  igTestMock,
  kickoffHeaders,
  runExport,
  token,
  type Manifest,
  type IgTestMock,
} from './helpers';

let m: IgTestMock;
let t: string;
beforeAll(async () => {
  m = await igTestMock();
  t = await token(m);
});
afterAll(() => m.close());
beforeEach(async () => {
  // A fresh token for each test: the clock moves on as exports run.
  t = await token(m);
});

const kick = (path: string, prefer = 'respond-async', tok = t) =>
  m.http().get(path).set(kickoffHeaders(tok, prefer));
const ids = (list: Record<string, unknown>[] | undefined) => (list ?? []).map((r) => r.id as string);
const outcomeText = (text: string) => JSON.stringify(JSON.parse(text));

describe('kick-off headers', () => {
  it('needs Prefer: respond-async, and Accept if given must allow FHIR JSON', async () => {
    const noPrefer = await m
      .http()
      .get('/fhir/$export')
      .set({ Authorization: `Bearer ${t}` });
    expect(noPrefer.status).toBe(400);
    expect(noPrefer.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const xml = await m
      .http()
      .get('/fhir/$export')
      .set({ ...kickoffHeaders(t), Accept: 'application/fhir+xml' });
    expect(xml.status).toBe(400);
    const noAccept = await m
      .http()
      .get('/fhir/$export')
      .set({ Authorization: `Bearer ${t}`, Prefer: 'respond-async' });
    expect(noAccept.status).toBe(202);
  });
});

describe('_outputFormat, _type, _since', () => {
  it.each(['application/fhir+ndjson', 'application/ndjson', 'ndjson'])(
    'accepts _outputFormat=%s',
    async (f) => {
      expect((await kick(`/fhir/$export?_outputFormat=${encodeURIComponent(f)}`)).status).toBe(202);
    },
  );

  it('refuses another _outputFormat under strict handling', async () => {
    expect((await kick('/fhir/$export?_outputFormat=text%2Fcsv')).status).toBe(400);
  });

  it('filters by _type, comma list and repeated alike', async () => {
    for (const q of ['_type=Patient,Condition', '_type=Patient&_type=Condition']) {
      const { manifest } = await runExport(m, t, `/fhir/Patient/$export?${q}`);
      expect(manifest.output.map((o) => o.type)).toEqual(['Patient', 'Condition']);
    }
  });

  it('refuses a type outside the Patient compartment or unknown under strict, 400 OperationOutcome', async () => {
    for (const q of ['_type=Practitioner', '_type=Foo']) {
      const res = await kick(`/fhir/Patient/$export?${q}`);
      expect(res.status).toBe(400);
      expect(validateResource(JSON.parse(res.text))).toEqual([]);
    }
  });

  it('_since splits the data, and lists what was deleted after it as DELETE transaction Bundles', async () => {
    const all = await exportedByType(
      m,
      t,
      (await runExport(m, t, '/fhir/$export?_type=Observation')).manifest,
    );
    const since = '2025-06-01T00:00:00Z';
    const { manifest } = await runExport(
      m,
      t,
      `/fhir/$export?_type=Observation&_since=${encodeURIComponent(since)}`,
    );
    const recent = await exportedByType(m, t, manifest);
    const allObs = all.get('Observation') ?? [];
    const recentObs = recent.get('Observation') ?? [];
    expect(recentObs.length).toBeGreaterThan(0);
    expect(recentObs.length).toBeLessThan(allObs.length);
    for (const o of recentObs)
      expect(Date.parse((o.meta as { lastUpdated: string }).lastUpdated)).toBeGreaterThan(Date.parse(since));
    expect(manifest.deleted?.length).toBe(1);
    const bundles = await download(m, t, manifest.deleted?.[0]?.url ?? '');
    expect(bundles.length).toBeGreaterThan(0);
    const deletedIds = new Set<string>();
    for (const b of bundles) {
      expect(validateResource(b)).toEqual([]);
      expect(b).toMatchObject({ resourceType: 'Bundle', type: 'transaction' });
      const [entry] = b.entry as { request: { method: string; url: string } }[];
      expect(entry?.request.method).toBe('DELETE');
      expect(entry?.request.url).toMatch(/^Observation\//);
      deletedIds.add(entry?.request.url.slice('Observation/'.length) ?? '');
    }
    for (const id of ids(recentObs)) expect(deletedIds.has(id)).toBe(false);
    for (const id of ids(allObs)) expect(deletedIds.has(id)).toBe(false);
  });

  it('refuses a _since that is not an instant', async () => {
    expect((await kick('/fhir/$export?_since=yesterday')).status).toBe(400);
  });
});

describe('scopes', () => {
  it('a narrow token: _type outside its scopes is 403; without _type only what it may read', async () => {
    const narrow = await token(m, NARROW, 'system/Patient.read');
    const res = await kick('/fhir/$export?_type=Observation', 'respond-async', narrow);
    expect(res.status).toBe(403);
    expect(validateResource(JSON.parse(res.text))).toEqual([]);
    const { manifest } = await runExport(m, narrow, '/fhir/$export');
    expect(manifest.output.map((o) => o.type)).toEqual(['Patient']);
  });

  it("a narrow token cannot download another type's file", async () => {
    const { manifest } = await runExport(m, t, '/fhir/$export?_type=Patient,Observation');
    // The job's own client with a narrower token: another client's is refused whatever its scopes.
    const narrow = await token(m, FULL, 'system/Patient.read');
    const get = (type: string) =>
      m
        .http()
        .get(new URL(manifest.output.find((o) => o.type === type)?.url ?? '').pathname)
        .set('Authorization', `Bearer ${narrow}`);
    expect((await get('Patient')).status).toBe(200);
    expect((await get('Observation')).status).toBe(403);
  });

  it("another client's job and files are not found for it, and its cancel leaves the job", async () => {
    const { statusUrl, manifest } = await runExport(m, t, '/fhir/$export?_type=Patient');
    const other = { Authorization: `Bearer ${await token(m, NARROW, 'system/Patient.read')}` };
    const status = new URL(statusUrl).pathname;
    const answers = [
      await m.http().get(status).set(other),
      await m.http().get(new URL(manifest.output[0]!.url).pathname).set(other),
      await m.http().delete(status).set(other),
    ];
    expect(answers.map((r) => [r.status, r.headers['content-type']])).toEqual(
      answers.map(() => [404, 'application/fhir+json; charset=utf-8']),
    );
    expect((await m.http().get(status).set('Authorization', `Bearer ${t}`)).status).toBe(200);
  });
});

describe('_elements', () => {
  it('keeps the listed and mandatory elements and tags SUBSETTED', async () => {
    const { manifest } = await runExport(
      m,
      t,
      '/fhir/$export?_type=Observation,Patient&_elements=Observation.valueQuantity',
    );
    const out = await exportedByType(m, t, manifest);
    for (const o of out.get('Observation') ?? []) {
      expect(Object.keys(o).sort()).toEqual([
        'code',
        'id',
        'meta',
        'resourceType',
        'status',
        'valueQuantity',
      ]);
      expect((o.meta as { tag: { code: string }[] }).tag.map((x) => x.code)).toEqual(['SUBSETTED']);
      expect(validateResource(o)).toEqual([]);
    }
    // Patients are untouched: no element was listed for their type.
    for (const p of out.get('Patient') ?? []) expect(p.name).toBeDefined();
  });

  it('refuses a nested element', async () => {
    expect((await kick('/fhir/$export?_elements=code.coding')).status).toBe(400);
  });
});

describe('patient', () => {
  const body = (...refs: string[]) => ({
    resourceType: 'Parameters',
    parameter: [
      { name: '_type', valueString: 'Patient,Observation' },
      ...refs.map((reference) => ({ name: 'patient', valueReference: { reference } })),
    ],
  });

  it('POST Parameters: only the named patients; the manifest request is the URL without parameters', async () => {
    const { manifest } = await runExport(m, t, '/fhir/Group/cohort-a/$export', {
      body: body('Patient/pat-002'),
    });
    expect(manifest.request).toBe(`${m.root()}/fhir/Group/cohort-a/$export`);
    const out = await exportedByType(m, t, manifest);
    expect(ids(out.get('Patient'))).toEqual(['pat-002']);
    for (const o of out.get('Observation') ?? []) expect(o.subject).toEqual({ reference: 'Patient/pat-002' });
  });

  it('refuses an unknown patient and, at Group level, a patient outside the group', async () => {
    const post = (path: string, b: unknown) =>
      m
        .http()
        .post(path)
        .set(kickoffHeaders(t))
        .set('Content-Type', 'application/fhir+json')
        .send(JSON.stringify(b));
    expect((await post('/fhir/Patient/$export', body('Patient/nobody'))).status).toBe(400);
    expect((await post('/fhir/Group/cohort-a/$export', body('Patient/pat-024'))).status).toBe(400);
    expect((await post('/fhir/Group/cohort-b/$export', body('Patient/pat-024'))).status).toBe(202);
    expect((await post('/fhir/Patient/$export', { resourceType: 'Bundle' })).status).toBe(400);
    expect((await post('/fhir/Group/no-such-group/$export', body())).status).toBe(404);
  });
});

describe('includeAssociatedData', () => {
  const provenanceOf = async (value: string) => {
    const { manifest } = await runExport(
      m,
      t,
      `/fhir/$export?_type=Observation&includeAssociatedData=${value}`,
    );
    const out = await exportedByType(m, t, manifest);
    return { obs: out.get('Observation') ?? [], prov: out.get('Provenance') ?? [] };
  };

  it('Latest: one Provenance per exported resource, the most recent; Relevant: all of them', async () => {
    const latest = await provenanceOf('LatestProvenanceResources');
    const relevant = await provenanceOf('RelevantProvenanceResources');
    const targets = (list: Record<string, unknown>[]) =>
      list.map((p) => (p.target as { reference: string }[])[0]?.reference ?? '');
    expect(new Set(targets(latest.prov)).size).toBe(latest.prov.length);
    expect(relevant.prov.length).toBeGreaterThan(latest.prov.length);
    for (const p of latest.prov) {
      const target = targets([p])[0];
      const recordedOfSame = relevant.prov
        .filter((r) => targets([r])[0] === target)
        .map((r) => Date.parse(r.recorded as string));
      expect(Date.parse(p.recorded as string)).toBe(Math.max(...recordedOfSame));
    }
    const obsRefs = new Set(latest.obs.map((o) => `Observation/${o.id as string}`));
    for (const target of targets(relevant.prov)) expect(obsRefs.has(target)).toBe(true);
  });

  it('both values: the least restrictive (Relevant)', async () => {
    const both = await provenanceOf('LatestProvenanceResources,RelevantProvenanceResources');
    const relevant = await provenanceOf('RelevantProvenanceResources');
    expect(both.prov.length).toBe(relevant.prov.length);
  });

  it('an unsupported value is refused under strict', async () => {
    expect((await kick('/fhir/$export?includeAssociatedData=_custom')).status).toBe(400);
  });
});

describe('_typeFilter', () => {
  const heartRate = encodeURIComponent('Observation?code=http://loinc.org|8867-4');
  const weight = encodeURIComponent('Observation?code=http://loinc.org|29463-7');
  const codesOf = (list: Record<string, unknown>[]) =>
    new Set(list.map((o) => (o.code as { coding: { code: string }[] }).coding[0]?.code));

  it('filters, and repeated queries are ORed (as a comma list)', async () => {
    const one = await exportedByType(
      m,
      t,
      (await runExport(m, t, `/fhir/$export?_type=Observation&_typeFilter=${heartRate}`)).manifest,
    );
    expect(codesOf(one.get('Observation') ?? [])).toEqual(new Set(['8867-4']));
    for (const q of [
      `_typeFilter=${heartRate}&_typeFilter=${weight}`,
      `_typeFilter=${heartRate},${weight}`,
    ]) {
      const two = await exportedByType(
        m,
        t,
        (await runExport(m, t, `/fhir/$export?_type=Observation&${q}`)).manifest,
      );
      expect(codesOf(two.get('Observation') ?? [])).toEqual(new Set(['8867-4', '29463-7']));
    }
  });

  it('refuses an unsupported search parameter under strict', async () => {
    expect(
      (await kick(`/fhir/$export?_typeFilter=${encodeURIComponent('Observation?_sort=date')}`)).status,
    ).toBe(400);
  });
});

describe('strict and lenient handling', () => {
  it('strict (the default): an unknown or unsupported parameter is 400 OperationOutcome', async () => {
    for (const q of ['_foo=bar', 'allowPartialManifests=true', 'organizeOutputBy=Patient']) {
      for (const prefer of ['respond-async', 'respond-async, handling=strict']) {
        const res = await kick(`/fhir/$export?${q}`, prefer);
        expect(res.status).toBe(400);
        expect(outcomeText(res.text)).toContain('OperationOutcome');
      }
    }
  });

  it('lenient: ignored, with one OperationOutcome per ignored parameter in error', async () => {
    const { manifest } = await runExport(
      m,
      t,
      '/fhir/$export?_type=Patient&_foo=bar&allowPartialManifests=true',
      {
        prefer: 'respond-async, handling=lenient',
      },
    );
    expect(manifest.output.map((o) => o.type)).toEqual(['Patient']);
    expect(manifest.error).toHaveLength(1);
    expect(manifest.error[0]?.type).toBe('OperationOutcome');
    const outcomes = await download(m, t, manifest.error[0]?.url ?? '');
    expect(outcomes).toHaveLength(2);
    for (const o of outcomes) expect(validateResource(o)).toEqual([]);
    expect(JSON.stringify(outcomes)).toContain('_foo');
    expect(JSON.stringify(outcomes)).toContain('allowPartialManifests');
  });
});

describe('organizeOutputBy (STU3)', () => {
  /** Each block's patient and the resources under its header, file by file. */
  const blocksOf = async (manifest: Manifest) => {
    const blocks: { patient: string; resources: Record<string, unknown>[] }[] = [];
    for (const item of manifest.output)
      for (const r of await download(m, t, item.url)) {
        if (r.resourceType === 'Parameters') {
          const [p] = r.parameter as { name: string; valueReference: { reference: string } }[];
          expect(p?.name).toBe('header');
          blocks.push({
            patient: (p?.valueReference.reference ?? '').slice('Patient/'.length),
            resources: [],
          });
        } else blocks.at(-1)?.resources.push(r);
      }
    return blocks;
  };

  it('Patient at the Patient and Group levels: blocks headed by a header, the Patient first, then its compartment', async () => {
    for (const [path, patients] of [
      ['/fhir/Patient/$export?organizeOutputBy=Patient', 24],
      ['/fhir/Group/cohort-a/$export?organizeOutputBy=Patient', 16],
    ] as const) {
      const { manifest } = await runExport(m, t, path);
      expect((manifest as unknown as { outputOrganizedBy?: string }).outputOrganizedBy).toBe('Patient');
      expect(manifest.output.length).toBeGreaterThan(1);
      for (const item of manifest.output) expect(item.type).toBeUndefined();
      const blocks = await blocksOf(manifest);
      expect(new Set(blocks.map((b) => b.patient)).size).toBe(patients);
      expect(blocks).toHaveLength(patients);
      for (const b of blocks) {
        expect(b.resources[0]).toMatchObject({ resourceType: 'Patient', id: b.patient });
        for (const r of b.resources.slice(1))
          if (r.resourceType !== 'Provenance') expect(JSON.stringify(r)).toContain(`"Patient/${b.patient}"`);
      }
    }
  });

  it('refuses the system level and other types under strict', async () => {
    expect((await kick('/fhir/$export?organizeOutputBy=Patient')).status).toBe(400);
    expect((await kick('/fhir/Patient/$export?organizeOutputBy=Encounter')).status).toBe(400);
  });
});

describe('attachments, Group, Retry-After', () => {
  it('attachments have a contentType and an absolute URL that answers with the same token', async () => {
    const out = await exportedByType(
      m,
      t,
      (await runExport(m, t, '/fhir/$export?_type=DocumentReference')).manifest,
    );
    const docs = out.get('DocumentReference') ?? [];
    expect(docs.length).toBe(24);
    for (const d of docs.slice(0, 3)) {
      const { attachment } = (d.content as { attachment: { contentType: string; url: string } }[])[0]!;
      expect(attachment.contentType).toBe('text/plain');
      expect(attachment.url).toMatch(new RegExp(`^${m.root()}/fhir/Binary/`));
      const res = await m.http().get(new URL(attachment.url).pathname).set('Authorization', `Bearer ${t}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect((await m.http().get(new URL(attachment.url).pathname)).status).toBe(401);
    }
  });

  it('reads and searches Group', async () => {
    const read = await m.http().get('/fhir/Group/cohort-b').set('Authorization', `Bearer ${t}`);
    expect(read.status).toBe(200);
    expect(validateResource(JSON.parse(read.text))).toEqual([]);
    const search = await m.http().get('/fhir/Group').set('Authorization', `Bearer ${t}`);
    const bundle = JSON.parse(search.text) as { total: number };
    expect(validateResource(bundle)).toEqual([]);
    expect(bundle.total).toBe(2);
  });

  it('sends Retry-After as an HTTP-date when asked to', async () => {
    const other = await igTestMock({ retryAfterForm: 'http-date' });
    try {
      const tok = await token(other, FULL);
      const res = await other.http().get('/fhir/$export').set(kickoffHeaders(tok));
      const status = await other
        .http()
        .get(new URL(res.headers['content-location'] as string).pathname)
        .set('Authorization', `Bearer ${tok}`);
      expect(status.status).toBe(202);
      expect(Number.isNaN(Date.parse(status.headers['retry-after'] as string))).toBe(false);
      expect(status.headers['retry-after']).toMatch(/GMT$/);
    } finally {
      await other.close();
    }
  });
});
