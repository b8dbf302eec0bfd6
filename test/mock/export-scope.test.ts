/**
 * The mock's answers to what the wave-2 data checks ask: a repeated kick-off parameter (joined by
 * default, first value under --quirks), no per-patient paths, an export that finds nothing, and the
 * faults that break each of those rules and the whole-export rules (whose enrollees, how far back,
 * each resource once, the snapshot at transactionTime, the format of an _outputFormat export).
 */
import type { FaultName } from '../../src/mock/faults';
import { exportHeaders, json, startExport, testMock, textParser, type TestMock } from './helpers';

type Manifest = {
  transactionTime: string;
  output: Array<{ type: string; url: string }> | null;
  error: Array<{ type: string; url: string }>;
};

interface Resource {
  resourceType: string;
  id: string;
  meta?: { lastUpdated?: string };
  billablePeriod?: { start?: string };
}

async function manifestOf(m: TestMock, token: string, id: number): Promise<Manifest> {
  m.ctx.clock.advance(60);
  const res = await m.http().get(`/api/v2/jobs/${id}`).set('Authorization', `Bearer ${token}`);
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  return json<Manifest>(res);
}

async function linesOf(m: TestMock, token: string, manifest: Manifest): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const item of manifest.output ?? []) {
    const res = await m
      .http()
      .get(new URL(item.url).pathname)
      .set({ Authorization: `Bearer ${token}`, 'Accept-Encoding': 'identity' })
      .parse(textParser);
    out.push(
      ...String(res.body)
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Resource),
    );
  }
  return out;
}

async function exported(
  m: TestMock,
  token: string,
  path: string,
): Promise<{ manifest: Manifest; lines: Resource[] }> {
  const manifest = await manifestOf(m, token, await startExport(m, token, path));
  return { manifest, lines: await linesOf(m, token, manifest) };
}

const typesOf = (lines: Resource[]): string[] => [...new Set(lines.map((r) => r.resourceType))].sort();

async function withMock(
  options: { faults?: FaultName[]; quirks?: boolean },
  body: (m: TestMock, token: string) => Promise<void>,
): Promise<void> {
  const m = await testMock({ control: true, ...options });
  try {
    await body(m, await m.token());
  } finally {
    await m.close();
  }
}

describe('a repeated kick-off parameter', () => {
  const path = '/api/v2/Patient/$export?_type=Patient&_type=Coverage';

  it('is read as one comma-separated list by default (the IG)', () =>
    withMock({}, async (m, token) => {
      expect(typesOf((await exported(m, token, path)).lines)).toEqual(['Coverage', 'Patient']);
    }));

  it('is read by its first value only under --quirks (BCDA)', () =>
    withMock({ quirks: true }, async (m, token) => {
      expect(typesOf((await exported(m, token, path)).lines)).toEqual(['Patient']);
    }));

  it('keeps only its last value under kickoff-repeated-param-last-wins', () =>
    withMock({ faults: ['kickoff-repeated-param-last-wins'] }, async (m, token) => {
      expect(typesOf((await exported(m, token, path)).lines)).toEqual(['Coverage']);
    }));
});

describe('per-patient paths', () => {
  it('are unknown: 404 page not found, whatever the method', () =>
    withMock({}, async (m, token) => {
      for (const path of ['/api/v2/Patient/-1/$export', '/api/v2/Patient/-1']) {
        const get = await m.http().get(path).set(exportHeaders(token));
        expect([get.status, get.text]).toEqual([404, '404 page not found\n']);
        const post = await m.http().post(path).set(exportHeaders(token));
        expect(post.status).toBe(404);
      }
    }));

  it('start a job and serve the Patient under per-patient-requests-served', () =>
    withMock({ faults: ['per-patient-requests-served'] }, async (m, token) => {
      expect((await m.http().get('/api/v2/Patient/-1/$export').set(exportHeaders(token))).status).toBe(202);
      const one = await m.http().get('/api/v2/Patient/-1').set(exportHeaders(token));
      expect([one.status, json(one)]).toEqual([200, { resourceType: 'Patient', id: '-1' }]);
    }));
});

describe('an export that finds nothing', () => {
  it('answers output [], or null under manifest-empty-output-null', async () => {
    for (const [faults, want] of [
      [[], []],
      [['manifest-empty-output-null'], null],
    ] as const)
      await withMock({ faults: [...faults] }, async (m, token) => {
        const main = await exported(m, token, '/api/v2/Group/all/$export');
        const since = encodeURIComponent(main.manifest.transactionTime);
        const empty = await exported(m, token, `/api/v2/Group/all/$export?_since=${since}`);
        expect(empty.manifest.output).toEqual(want);
      });
  });
});

describe('the whole-export faults', () => {
  it('export-ignores-organization gives every organization the same enrollees', async () => {
    const patientsOf = async (faults: FaultName[]): Promise<[string[], string[]]> => {
      let sets: [string[], string[]] = [[], []];
      await withMock({ faults }, async (m, token) => {
        const other = await m.token('A9990');
        const path = '/api/v2/Group/all/$export?_type=Patient';
        const ids = async (t: string) => (await exported(m, t, path)).lines.map((r) => r.id).sort();
        sets = [await ids(token), await ids(other)];
      });
      return sets;
    };
    const [mine, theirs] = await patientsOf([]);
    expect(mine.filter((id) => theirs.includes(id))).toEqual([]);
    const [same, alike] = await patientsOf(['export-ignores-organization']);
    expect(alike).toEqual(same);
  });

  it('export-claims-before-2014 dates a claim of every EOB file in 2013', () =>
    withMock({ faults: ['export-claims-before-2014'] }, async (m, token) => {
      const { lines } = await exported(m, token, '/api/v2/Patient/$export?_type=ExplanationOfBenefit');
      expect(lines.some((r) => (r.billablePeriod?.start ?? '9999') < '2014-01-01')).toBe(true);
    }));

  it('export-without-since-recent-only leaves out what is older than a year', () =>
    withMock({ faults: ['export-without-since-recent-only'] }, async (m, token) => {
      const { manifest, lines } = await exported(m, token, '/api/v2/Patient/$export');
      const yearAgo = Date.parse(manifest.transactionTime) - 365 * 86_400_000;
      expect(lines.every((r) => Date.parse(r.meta!.lastUpdated!) > yearAgo)).toBe(true);
    }));

  it('patient-export-omits-patients leaves Patient out of Patient/$export only', () =>
    withMock({ faults: ['patient-export-omits-patients'] }, async (m, token) => {
      expect(
        (await exported(m, token, '/api/v2/Patient/$export')).manifest.output!.map((o) => o.type),
      ).not.toContain('Patient');
      expect(
        (await exported(m, token, '/api/v2/Group/all/$export')).manifest.output!.map((o) => o.type),
      ).toContain('Patient');
    }));

  it('export-duplicate-resource and export-updated-after-transaction-time change the first resource of each file', () =>
    withMock(
      { faults: ['export-duplicate-resource', 'export-updated-after-transaction-time'] },
      async (m, token) => {
        const { manifest, lines } = await exported(m, token, '/api/v2/Patient/$export?_type=Patient');
        const keys = lines.map((r) => `${r.resourceType}/${r.id}`);
        expect(new Set(keys).size).toBe(keys.length - manifest.output!.length);
        const at = Date.parse(manifest.transactionTime);
        expect(lines.filter((r) => Date.parse(r.meta!.lastUpdated!) > at)).toHaveLength(
          manifest.output!.length,
        );
      },
    ));

  it('export-snapshot-drops-resources leaves out a different selection in each job', () =>
    withMock({ faults: ['export-snapshot-drops-resources'] }, async (m, token) => {
      const path = '/api/v2/Group/all/$export';
      const keys = async () =>
        new Set((await exported(m, token, path)).lines.map((r) => `${r.resourceType}/${r.id}`));
      const [a, b] = [await keys(), await keys()];
      expect([...b].some((k) => !a.has(k))).toBe(true);
      expect([...a].some((k) => !b.has(k))).toBe(true);
    }));

  it('output-format-served-as-json serves the files of an _outputFormat export as application/json', () =>
    withMock({ faults: ['output-format-served-as-json'] }, async (m, token) => {
      for (const [path, type] of [
        ['/api/v2/Group/all/$export?_outputFormat=ndjson', 'application/json'],
        ['/api/v2/Group/all/$export', 'application/fhir+ndjson'],
      ] as const) {
        const manifest = await manifestOf(m, token, await startExport(m, token, path));
        const file = await m
          .http()
          .get(new URL(manifest.output![0]!.url).pathname)
          .set({ Authorization: `Bearer ${token}`, 'Accept-Encoding': 'identity' })
          .parse(textParser);
        expect(file.headers['content-type']).toBe(type);
      }
    }));
});
