import { json, startExport, testMock, textParser, type TestMock } from './helpers';

type Manifest = { output: Array<{ type: string; url: string }>; error: Array<{ type: string; url: string }> };

async function completedManifest(
  m: TestMock,
  token: string,
  path?: string,
): Promise<{ id: number; manifest: Manifest }> {
  const id = await startExport(m, token, path);
  m.ctx.clock.advance(60);
  const res = await m.http().get(`/api/v2/jobs/${id}`).set('Authorization', `Bearer ${token}`);
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  return { id, manifest: json<Manifest>(res) };
}

const pathOf = (url: string): string => new URL(url).pathname;

/** superagent asks for gzip by default; `identity` unless the test says otherwise. */
async function download(m: TestMock, token: string, url: string, headers: Record<string, string> = {}) {
  return m
    .http()
    .get(pathOf(url))
    .set({ Authorization: `Bearer ${token}`, 'Accept-Encoding': 'identity', ...headers })
    .parse(textParser);
}

describe('mock downloads', () => {
  let m: TestMock;
  let token: string;
  beforeAll(async () => {
    m = await testMock({ control: true });
    token = await m.token();
  });
  afterAll(() => m.close());

  it('serves every manifest file as NDJSON of its type, plain and gzip', async () => {
    const { manifest } = await completedManifest(m, token);
    expect(manifest.output.length).toBeGreaterThanOrEqual(3);
    for (const entry of [...manifest.output, ...manifest.error]) {
      const plain = await download(m, token, entry.url);
      expect(plain.status).toBe(200);
      expect(plain.headers['content-type']).toBe('application/fhir+ndjson');
      expect(plain.headers['content-encoding']).toBeUndefined();
      const text = String(plain.body);
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.trimEnd().split('\n');
      for (const line of lines)
        expect((JSON.parse(line) as { resourceType: string }).resourceType).toBe(entry.type);
      // superagent decodes gzip transparently: the decoded body must equal the plain one.
      const zipped = await download(m, token, entry.url, { 'Accept-Encoding': 'gzip;q=0' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(String(zipped.body)).toBe(text);
    }
  });

  it('references in EOB and Coverage resolve to exported Patients', async () => {
    const { manifest } = await completedManifest(m, token);
    const patients = new Set<string>();
    const refs: string[] = [];
    for (const entry of manifest.output) {
      const lines = String((await download(m, token, entry.url)).body)
        .trimEnd()
        .split('\n');
      for (const line of lines) {
        const r = JSON.parse(line) as {
          resourceType: string;
          id: string;
          patient?: { reference?: string };
          beneficiary?: { reference?: string };
        };
        if (r.resourceType === 'Patient') patients.add(`Patient/${r.id}`);
        const ref = r.patient?.reference ?? r.beneficiary?.reference;
        if (ref) refs.push(ref);
      }
    }
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((r) => !patients.has(r))).toEqual([]);
  });

  it('requires the bearer token and the owning ACO', async () => {
    const { manifest } = await completedManifest(m, token);
    const url = pathOf(manifest.output[0]?.url ?? '');
    const anonymous = await m.http().get(url).parse(textParser);
    expect(anonymous.status).toBe(401);
    expect(String(anonymous.body)).toContain('Invalid Token');
  });

  it('404 Job not found for unknown files and unfinished jobs; 400 for traversal', async () => {
    const { id, manifest } = await completedManifest(m, token);
    const unknown = await m
      .http()
      .get(`/data/${id}/nope.ndjson`)
      .set('Authorization', `Bearer ${token}`)
      .parse(textParser);
    expect(unknown.status).toBe(404);
    expect(String(unknown.body)).toBe(
      '{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"Job not found"}]}',
    );
    const fileName =
      pathOf(manifest.output[0]?.url ?? '')
        .split('/')
        .pop() ?? '';
    const pending = await startExport(m, token);
    const early = await m.http().get(`/data/${pending}/${fileName}`).set('Authorization', `Bearer ${token}`);
    expect(early.status).toBe(404);
    const traversal = await m
      .http()
      .get(`/data/${id}/..%2F..%2Fetc%2Fpasswd`)
      .set('Authorization', `Bearer ${token}`)
      .parse(textParser);
    expect(traversal.status).toBe(400);
    expect(String(traversal.body)).not.toContain('root:');
  });

  it('files are gone (404 Not Found, plain text) once the job is archived', async () => {
    const { manifest } = await completedManifest(m, token);
    m.ctx.clock.advance(24 * 3600);
    const fresh = await m.token();
    const res = await download(m, fresh, manifest.output[0]?.url ?? '');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(String(res.body)).toBe('Not Found\n');
    token = fresh;
  });

  it('_type limits the files to the requested types', async () => {
    const { manifest } = await completedManifest(m, token, '/api/v2/Patient/$export?_type=Coverage');
    expect(new Set(manifest.output.map((o) => o.type))).toEqual(new Set(['Coverage']));
  });
});

describe('mock data determinism', () => {
  async function exportBytes(seed: number, quirks = false, faults: string[] = []): Promise<string[]> {
    const m = await testMock({ seed, quirks, faults });
    try {
      const token = await m.token();
      const { manifest } = await completedManifest(m, token);
      const bodies: string[] = [];
      for (const entry of [...manifest.output, ...manifest.error]) {
        bodies.push(`${pathOf(entry.url)}\n${String((await download(m, token, entry.url)).body)}`);
      }
      return bodies;
    } finally {
      await m.close();
    }
  }

  it('same seed → byte-identical files; another seed → different files', async () => {
    const a = await exportBytes(7);
    const b = await exportBytes(7);
    expect(b).toEqual(a);
    const c = await exportBytes(8);
    expect(c).not.toEqual(a);
  });

  it('quirks re-serialize each line with keys sorted at every level', async () => {
    const bodies = await exportBytes(7, true);
    const firstLine = (bodies[0] ?? '').split('\n')[1] ?? '';
    const keys = Object.keys(JSON.parse(firstLine) as object);
    expect(keys).toEqual([...keys].sort());
    // Every level, not only the top: the text is its own sorted re-serialization.
    const sortDeep = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortDeep)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]),
            )
          : v;
    // Only BFD resources are re-serialized; BCDA writes its own error lines resourceType-first (behavior §2.7).
    const isError = (body: string) => (body.split('\n')[0] ?? '').endsWith('-error.ndjson');
    for (const body of bodies.filter((b) => !isError(b))) {
      for (const line of body.split('\n').slice(1).filter(Boolean)) {
        expect(line).toBe(JSON.stringify(sortDeep(JSON.parse(line))));
      }
    }
    const errorLines = bodies.filter(isError).flatMap((b) => b.split('\n').slice(1).filter(Boolean));
    expect(errorLines.length).toBeGreaterThan(0);
    for (const line of errorLines)
      expect(line.startsWith('{"resourceType":"OperationOutcome","issue":[')).toBe(true);
  });

  it('quirks leave a deliberately malformed line as it is', async () => {
    const bodies = await exportBytes(7, true, ['content-malformed-json']);
    const lines = bodies.flatMap((b) => b.split('\n').slice(1).filter(Boolean));
    const broken = lines.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    expect(broken.length).toBeGreaterThan(0);
  });
});
