/**
 * The checks of what an export holds as a whole (whose enrollees, how far back, each resource once,
 * a snapshot at transactionTime, the default types and compartment of Patient/$export, a repeated
 * `_type`, `_outputFormat`, an export that finds nothing) and the per-patient request check, run
 * against small fake exports: each fails on data that breaks its rule, passes on data that keeps it,
 * and skips, never passes, where the rule is vacuous.
 */
import { CATALOG } from '../../src/checks/catalog';
import type { CheckContext, ExportRun, KickoffSpec } from '../../src/checks/context';
import { DataIndex } from '../../src/checks/kit/data-index';
import { judgeRefusedEmptyExport } from '../../src/checks/kit/data-snapshot';
import type { IndexedExport } from '../../src/checks/kit/data-exports';
import type { ManifestItem } from '../../src/flows/manifest';
import type { CheckOutcome } from '../../src/checks/types';
import type { TargetClient } from '../../src/http/target';
import { ExchangeLog } from '../../src/http/exchange';
import { Redactor } from '../../src/http/redaction';
import { exchange } from './fake-context';
import { line, type Res } from './fake-resources';

const TRANSACTION_TIME = '2026-03-15T14:30:00.000Z';
const day = (d: number): string => new Date(Date.UTC(2025, 0, 1) + d * 86_400_000).toISOString();

/** A fake server: the main organization's enrollees, the second organization's, how exports go wrong. */
interface FakeServer {
  data: Res[];
  other?: Res[];
  /** Replaces what a conforming server returns for a kick-off. */
  serve?: (spec: Omit<KickoffSpec, 'label'>, returned: Res[]) => Res[];
  /** Content-Type of the files of a kick-off. */
  contentType?: (spec: Omit<KickoffSpec, 'label'>) => string;
  /** The manifest's output, when it should not list the files. */
  output?: (spec: Omit<KickoffSpec, 'label'>, items: ManifestItem[]) => unknown;
  /** The shared (unfiltered Group) export, when it is not the conforming one. */
  main?: Res[];
}

/** A kick-off's parameters, with a repeated `_type` read as the IG says. */
function params(spec: Omit<KickoffSpec, 'label'>): { since?: number; types?: string[] } {
  const query = new URLSearchParams(spec.rawQuery ?? '');
  for (const [k, v] of Object.entries(spec.query ?? {})) query.append(k, String(v));
  const types = query.getAll('_type');
  const since = query.get('_since');
  return {
    ...(since ? { since: Date.parse(since) } : {}),
    ...(types.length ? { types: types.join(',').split(',') } : {}),
  };
}

function conforming(server: FakeServer, spec: Omit<KickoffSpec, 'label'>): Res[] {
  const data = spec.client ? (server.other ?? []) : server.data;
  const { since, types } = params(spec);
  return data.filter(
    (r) =>
      (!types || types.includes(r.type)) &&
      (since === undefined || (r.lastUpdated !== undefined && Date.parse(r.lastUpdated) > since)),
  );
}

const log = new ExchangeLog(new Redactor());

function exportRun(
  name: string,
  resources: Res[],
  server: FakeServer = { data: [] },
  spec: Omit<KickoffSpec, 'label'> = { endpoint: 'group' },
): ExportRun {
  const types = [...new Set(resources.map((r) => r.type))];
  const items: ManifestItem[] = types.map((type) => ({
    type,
    url: `http://t/data/1/${name}-${type}.ndjson`,
  }));
  const output = server.output ? server.output(spec, items) : items;
  return {
    name,
    kickoff: exchange(log, {
      url: `http://t/api/v2/${name}`,
      status: 202,
      headers: { 'content-location': 'http://t/api/v2/jobs/7' },
    }),
    kickoffUrl: `http://t/api/v2/${name}`,
    polls: [],
    manifest: { transactionTime: TRANSACTION_TIME, requiresAccessToken: true, output, error: [] },
    downloads: items.map((item) => ({
      item,
      kind: 'output',
      status: 200,
      contentType: server.contentType?.(spec) ?? 'application/fhir+ndjson',
      wireBytes: 0,
      bytes: 0,
      sentToken: true,
      acceptedGzip: true,
    })),
  };
}

function indexed(label: string, resources: Res[]): IndexedExport {
  const index = new DataIndex();
  for (const r of resources) index.add(line(r), r.type);
  return { label, run: exportRun(label, resources), index, evidence: [] };
}

function fakeContext(
  server: FakeServer,
  options: { otherClient?: boolean; profile?: 'bcda' | 'bulk-data-ig' } = {},
): CheckContext {
  const unfiltered = indexed('Group/all/$export', server.main ?? server.data);
  const memo = new Map<string, Promise<unknown>>([
    ['data:unfiltered', Promise.resolve(unfiltered)],
    ['data:every-indexed-export', Promise.resolve([unfiltered])],
  ]);
  return {
    config: { group: 'all', profile: options.profile ?? 'bcda' },
    version: 'v2',
    generic: options.profile === 'bulk-data-ig',
    group: () => 'all',
    target: { baseUrl: 'http://t' },
    ...(options.otherClient === false ? {} : { otherClient: {} as TargetClient }),
    once<T>(key: string, fn: () => Promise<T>): Promise<T> {
      if (!memo.has(key)) memo.set(key, fn());
      return memo.get(key) as Promise<T>;
    },
    mainExport: () => Promise.resolve(unfiltered.run),
    filteredExport(
      name: string,
      spec: Omit<KickoffSpec, 'label'>,
      inspect?: (l: string, i: ManifestItem) => void,
    ) {
      const wanted = conforming(server, spec);
      const resources = server.serve ? server.serve(spec, wanted) : wanted;
      for (const r of resources) inspect?.(line(r), { type: r.type, url: '' });
      return Promise.resolve(exportRun(name, resources, server, spec));
    },
  } as unknown as CheckContext;
}

function check(id: string) {
  const found = CATALOG.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

const run = (
  id: string,
  server: FakeServer,
  options?: Parameters<typeof fakeContext>[1],
): Promise<CheckOutcome> => check(id).run(fakeContext(server, options));

/** Ten enrollees, each with two EOBs, a Coverage and a Patient updated a quarter apart. */
function population(
  prefix = 'p',
  lastUpdated = (n: number, k: number): string | undefined => day(k * 90 + n),
): Res[] {
  const data: Res[] = [];
  for (let n = 0; n < 10; n++) {
    const patient = `${prefix}${n}`;
    data.push({
      type: 'ExplanationOfBenefit',
      id: `${patient}e1`,
      patient,
      lastUpdated: lastUpdated(n, 0),
      served: '2024-05-01',
    });
    data.push({
      type: 'ExplanationOfBenefit',
      id: `${patient}e2`,
      patient,
      lastUpdated: lastUpdated(n, 1),
      served: '2024-11-01',
    });
    data.push({ type: 'Coverage', id: `${patient}c`, patient, lastUpdated: lastUpdated(n, 2) });
    data.push({ type: 'Patient', id: patient, patient, lastUpdated: lastUpdated(n, 3) });
  }
  return data;
}

const conformingServer = (): FakeServer => ({ data: population(), other: population('q') });

const PASSING = [
  'DOWNLOAD-OWN-ENROLLEES',
  'DOWNLOAD-GROUP-FROM-2014',
  'DOWNLOAD-PATIENT-FROM-2014',
  'DOWNLOAD-FULL-HISTORY',
  'DOWNLOAD-PATIENT-DEFAULT-TYPES',
  'DOWNLOAD-PATIENT-COMPARTMENT',
  'DOWNLOAD-TYPE-REPEATED',
  'DOWNLOAD-OUTPUT-FORMAT',
  'DOWNLOAD-EACH-RESOURCE-ONCE',
  'DOWNLOAD-NOT-AFTER-TRANSACTION-TIME',
  'DOWNLOAD-SNAPSHOT-COMPLETE',
];

describe('against a conforming server', () => {
  it.each(PASSING)('%s passes', async (id) => {
    expect(await run(id, conformingServer())).toMatchObject({ outcome: 'pass' });
  });

  it('DOWNLOAD-EMPTY-OUTPUT passes on output [] when nothing changed after _since', async () => {
    const out = await run('DOWNLOAD-EMPTY-OUTPUT', { data: population(), serve: () => [] });
    expect(out).toMatchObject({ outcome: 'pass', message: expect.stringContaining('output []') });
  });
});

describe('skips, never passes, where the rule is vacuous', () => {
  it('DOWNLOAD-OWN-ENROLLEES: no second client', async () => {
    expect(await run('DOWNLOAD-OWN-ENROLLEES', conformingServer(), { otherClient: false })).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('no second client'),
    });
  });

  it("DOWNLOAD-OWN-ENROLLEES: the second organization's export holds no Patient", async () => {
    expect(await run('DOWNLOAD-OWN-ENROLLEES', { ...conformingServer(), other: [] })).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('holds no Patient'),
    });
  });

  it.each(['DOWNLOAD-GROUP-FROM-2014', 'DOWNLOAD-PATIENT-FROM-2014'])('%s: no claim', async (id) => {
    const server = { data: population().filter((r) => r.type !== 'ExplanationOfBenefit') };
    expect(await run(id, server)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('no claim'),
    });
  });

  it('DOWNLOAD-FULL-HISTORY: every resource has the same lastUpdated', async () => {
    const server = { data: population('p', () => '2025-06-01T00:00:00.000Z') };
    expect(await run('DOWNLOAD-FULL-HISTORY', server)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('same meta.lastUpdated'),
    });
  });

  it('DOWNLOAD-PATIENT-DEFAULT-TYPES: Patient/$export returns nothing at all', async () => {
    const server: FakeServer = {
      data: population(),
      serve: (spec, got) => (spec.endpoint === 'patient' ? [] : got),
    };
    expect(await run('DOWNLOAD-PATIENT-DEFAULT-TYPES', server)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('no data at all'),
    });
  });

  it('DOWNLOAD-PATIENT-COMPARTMENT: no Patient in the export', async () => {
    const server: FakeServer = {
      data: population(),
      serve: (_s, got) => got.filter((r) => r.type !== 'Patient'),
    };
    expect(await run('DOWNLOAD-PATIENT-COMPARTMENT', server)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('holds no Patient'),
    });
  });

  it('DOWNLOAD-TYPE-REPEATED: the data has no Coverage', async () => {
    const server = { data: population().filter((r) => r.type !== 'Coverage') };
    expect(await run('DOWNLOAD-TYPE-REPEATED', server)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('no Coverage data'),
    });
  });

  it('DOWNLOAD-OUTPUT-FORMAT: no file', async () => {
    const server: FakeServer = {
      data: population(),
      serve: (spec, got) => (params(spec).types ? got : spec.query?._outputFormat ? [] : got),
    };
    expect(await run('DOWNLOAD-OUTPUT-FORMAT', server)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('no output file'),
    });
  });

  it.each(['DOWNLOAD-EACH-RESOURCE-ONCE', 'DOWNLOAD-NOT-AFTER-TRANSACTION-TIME'])(
    '%s: no export holds a resource (with a lastUpdated)',
    async (id) => {
      const server = { data: population('p', () => undefined), main: [] as Res[], serve: () => [] as Res[] };
      expect(await run(id, server)).toMatchObject({ outcome: 'skip' });
    },
  );

  it('DOWNLOAD-SNAPSHOT-COMPLETE: the second export holds nothing modified by the first transactionTime', async () => {
    const server = { data: population('p', () => '2027-01-01T00:00:00.000Z') };
    expect(await run('DOWNLOAD-SNAPSHOT-COMPLETE', server)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('to look for'),
    });
  });

  it('DOWNLOAD-EMPTY-OUTPUT: the export found something', async () => {
    const server: FakeServer = { data: population(), serve: () => population().slice(0, 2) };
    expect(await run('DOWNLOAD-EMPTY-OUTPUT', server)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('shows nothing about an export that finds nothing'),
    });
  });
});

describe('fails where the data breaks the rule', () => {
  it('DOWNLOAD-OWN-ENROLLEES: both organizations get the same Patients', async () => {
    const server = { data: population(), other: population() };
    expect(await run('DOWNLOAD-OWN-ENROLLEES', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('does not depend on who asks'),
    });
  });

  it("DOWNLOAD-OWN-ENROLLEES: claims of the other organization's enrollee come along", async () => {
    const other = population('q');
    const claim = other.find((r) => r.type === 'ExplanationOfBenefit')!;
    const server = { data: [...population(), claim], other };
    expect(await run('DOWNLOAD-OWN-ENROLLEES', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining(`ExplanationOfBenefit/${claim.id} → Patient/q0`),
    });
  });

  it.each(['DOWNLOAD-GROUP-FROM-2014', 'DOWNLOAD-PATIENT-FROM-2014'])(
    '%s: a claim served in 2013',
    async (id) => {
      const data = population();
      data[0] = { ...data[0]!, served: '2013-06-14' };
      expect(await run(id, { data })).toMatchObject({
        outcome: 'fail',
        message: expect.stringContaining('before 2014-01-01'),
      });
    },
  );

  it('DOWNLOAD-FULL-HISTORY: Patient/$export without _since returns only recent data', async () => {
    const server: FakeServer = {
      data: population(),
      serve: (spec, got) =>
        spec.endpoint === 'patient' && !params(spec).since && !params(spec).types
          ? got.filter((r) => Date.parse(r.lastUpdated!) > Date.parse(day(250)))
          : got,
    };
    expect(await run('DOWNLOAD-FULL-HISTORY', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('holds no resource updated at or before'),
    });
  });

  it('DOWNLOAD-FULL-HISTORY: the Group _since export returns what the unfiltered one lacks', async () => {
    const server: FakeServer = {
      data: population(),
      main: population().filter((r) => r.id !== 'p9c'),
    };
    expect(await run('DOWNLOAD-FULL-HISTORY', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('lacks 1 of the'),
    });
  });

  it('DOWNLOAD-PATIENT-DEFAULT-TYPES: Patient/$export leaves the Patients out', async () => {
    const server: FakeServer = {
      data: population(),
      serve: (spec, got) => (spec.endpoint === 'patient' ? got.filter((r) => r.type !== 'Patient') : got),
    };
    expect(await run('DOWNLOAD-PATIENT-DEFAULT-TYPES', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('no Patient file'),
    });
    // The IG asks only for the Patients: without Coverage, bulk-data-ig passes, bcda fails.
    const noCoverage: FakeServer = {
      data: population(),
      serve: (_s, got) => got.filter((r) => r.type !== 'Coverage'),
    };
    expect(await run('DOWNLOAD-PATIENT-DEFAULT-TYPES', noCoverage)).toMatchObject({ outcome: 'fail' });
    expect(
      await run('DOWNLOAD-PATIENT-DEFAULT-TYPES', noCoverage, { profile: 'bulk-data-ig' }),
    ).toMatchObject({
      outcome: 'pass',
    });
  });

  it('DOWNLOAD-PATIENT-COMPARTMENT: a claim of a Patient the export does not hold', async () => {
    const server: FakeServer = {
      data: population(),
      serve: (spec, got) =>
        spec.endpoint === 'patient'
          ? [...got, { type: 'ExplanationOfBenefit', id: 'stray', patient: 'nobody', lastUpdated: day(1) }]
          : got,
    };
    expect(await run('DOWNLOAD-PATIENT-COMPARTMENT', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('Patient/nobody'),
    });
  });

  it("DOWNLOAD-TYPE-REPEATED: the last value only fails; the first value only is BCDA's known deviation", async () => {
    const keep =
      (type: string): FakeServer['serve'] =>
      (spec, got) =>
        spec.rawQuery ? got.filter((r) => r.type === type) : got;
    expect(
      await run('DOWNLOAD-TYPE-REPEATED', { data: population(), serve: keep('Coverage') }),
    ).toMatchObject({
      outcome: 'fail',
    });
    expect(await run('DOWNLOAD-TYPE-REPEATED', { data: population(), serve: keep('Patient') })).toMatchObject(
      {
        outcome: 'warn',
        knownDeviation: expect.stringContaining('first value'),
      },
    );
    expect(
      await run(
        'DOWNLOAD-TYPE-REPEATED',
        { data: population(), serve: keep('Patient') },
        { profile: 'bulk-data-ig' },
      ),
    ).toMatchObject({ outcome: 'fail' });
  });

  it('DOWNLOAD-OUTPUT-FORMAT: files served as application/json', async () => {
    const server: FakeServer = {
      data: population(),
      contentType: (spec) => (spec.query?._outputFormat ? 'application/json' : 'application/fhir+ndjson'),
    };
    expect(await run('DOWNLOAD-OUTPUT-FORMAT', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('"application/json"'),
    });
  });

  it('DOWNLOAD-EACH-RESOURCE-ONCE: a resource given twice', async () => {
    const server: FakeServer = {
      data: population(),
      serve: (spec, got) =>
        spec.endpoint === 'patient' ? [...got, { ...got[0]!, lastUpdated: day(0) }] : got,
    };
    expect(await run('DOWNLOAD-EACH-RESOURCE-ONCE', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('the data-patient export'),
    });
  });

  it('DOWNLOAD-NOT-AFTER-TRANSACTION-TIME: a resource modified after transactionTime', async () => {
    const server: FakeServer = {
      data: population(),
      serve: (spec, got) =>
        spec.endpoint === 'patient'
          ? got.map((r, i) => (i === 0 ? { ...r, lastUpdated: '2026-03-15T15:30:00.000Z' } : r))
          : got,
    };
    expect(await run('DOWNLOAD-NOT-AFTER-TRANSACTION-TIME', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('modified after transactionTime'),
    });
  });

  it('DOWNLOAD-SNAPSHOT-COMPLETE: the first export misses a resource modified before it', async () => {
    const server: FakeServer = { data: population(), main: population().filter((r) => r.id !== 'p3e1') };
    expect(await run('DOWNLOAD-SNAPSHOT-COMPLETE', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('ExplanationOfBenefit/p3e1'),
    });
  });

  it('DOWNLOAD-EMPTY-OUTPUT: output null', async () => {
    const server: FakeServer = { data: population(), serve: () => [], output: () => null };
    expect(await run('DOWNLOAD-EMPTY-OUTPUT', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('not []'),
    });
  });
});

describe('acceptance judged on the kick-off of an export the run makes anyway', () => {
  it('passes on its 202 without a kick-off of its own, and fails on a refusal', async () => {
    const id = 'KICKOFF-GROUP-OUTPUTFORMAT-APPLICATION-FHIR-NDJSON';
    // The fake context has no kickoffAndCancel: a kick-off of the check's own would throw.
    expect(await run(id, conformingServer())).toMatchObject({ outcome: 'pass' });
    const ctx = fakeContext(conformingServer());
    const follow = ctx.filteredExport.bind(ctx);
    ctx.filteredExport = async (name, spec, inspect) => {
      const got = await follow(name, spec, inspect);
      const refused = exchange(log, {
        url: got.kickoffUrl,
        status: 400,
        body: { resourceType: 'OperationOutcome' },
      });
      return {
        name,
        kickoff: refused,
        kickoffUrl: got.kickoffUrl,
        polls: [],
        downloads: [],
        problem: 'refused',
      };
    };
    expect(await check(id).run(ctx)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('400'),
    });
  });
});

describe('KICKOFF-NO-PER-PATIENT', () => {
  /** A context whose shared export names Patient -1 and whose target answers the two per-patient requests. */
  function perPatientContext(
    answers: Array<{ status: number; body?: unknown; headers?: Record<string, string> }>,
    patientIds = ['-1'],
  ) {
    const cancelled: string[] = [];
    const sent: string[] = [];
    const ctx = {
      version: 'v2',
      op: (base: string) => `${base}V2`,
      mainExport: async () => ({
        name: 'main',
        kickoffUrl: '',
        polls: [],
        downloads: [{ validation: { references: { patientIds, referencedPatients: [] } } }],
      }),
      target: {
        url: () => 'http://t/api/v2/Patient/$export',
        get: async (url: string) => {
          sent.push(url);
          return exchange(log, { url, ...answers[sent.length - 1]! });
        },
      },
      cancel: async (url: string) => {
        cancelled.push(url);
      },
    } as unknown as CheckContext;
    return { ctx, sent, cancelled };
  }

  it('passes when both paths are unknown (404)', async () => {
    const { ctx, sent } = perPatientContext([{ status: 404, body: '404 page not found' }, { status: 404 }]);
    expect(await check('KICKOFF-NO-PER-PATIENT').run(ctx)).toMatchObject({ outcome: 'pass' });
    expect(sent).toEqual(['http://t/api/v2/Patient/-1/$export', 'http://t/api/v2/Patient/-1']);
  });

  it('fails on a job for one patient (cancelled) or a Patient served', async () => {
    const { ctx, cancelled } = perPatientContext([
      { status: 202, headers: { 'content-location': 'http://t/api/v2/jobs/9' } },
      { status: 200, body: { resourceType: 'Patient', id: '-1' } },
    ]);
    const out = await check('KICKOFF-NO-PER-PATIENT').run(ctx);
    expect(out).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('answered 200 with a Patient'),
    });
    expect(cancelled).toEqual(['http://t/api/v2/jobs/9']);
  });

  it('skips when the shared export names no Patient', async () => {
    const { ctx } = perPatientContext([], []);
    expect(await check('KICKOFF-NO-PER-PATIENT').run(ctx)).toMatchObject({ outcome: 'skip' });
  });
});

describe('DOWNLOAD-EMPTY-OUTPUT: a kick-off refused instead of an empty export', () => {
  const refusedWith = (status: number, body?: unknown) => {
    const kickoff = exchange(new ExchangeLog(new Redactor()), {
      url: 'http://t/fhir/Group/g/$export?_since=x',
      status,
      ...(body === undefined ? {} : { body }),
    });
    const run: ExportRun = {
      name: 'data-since-transaction-time',
      kickoffUrl: 'K',
      polls: [],
      downloads: [],
      kickoff,
    };
    return judgeRefusedEmptyExport({ skip: 'the export did not complete', evidence: ['e'], run });
  };

  it('fails a 404 (the server refuses an export that finds nothing)', () => {
    expect(refusedWith(404)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('refused with 404'),
    });
  });

  it("says nothing of BCDA's documented 404 for a _since no attribution file is older than", () => {
    const outcome = {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'not-found',
          diagnostics: 'failed to start job; attribution file not found for given _since parameter.',
        },
      ],
    };
    expect(refusedWith(404, outcome)).toBeUndefined();
  });

  it('says nothing of 401, 403, 429 or a server error (the caller skips)', () => {
    for (const status of [401, 403, 429, 500, 202]) expect(refusedWith(status)).toBeUndefined();
  });
});
