/**
 * The data checks (_since, _type, Group/all versus Patient, Group/runout) run against small fake
 * exports: each fails on data that breaks its rule, passes on data that keeps it, and skips, never
 * passes, on data where the rule is vacuous (no lastUpdated spread, one type only, no claim…).
 */
import { CATALOG } from '../../src/checks/catalog';
import type { CheckContext, ExportRun, KickoffSpec } from '../../src/checks/context';
import { DataIndex } from '../../src/checks/kit/data-index';
import type { IndexedExport } from '../../src/checks/kit/data-exports';
import type { ManifestItem } from '../../src/flows/manifest';
import type { CheckOutcome } from '../../src/checks/types';
import { line, type Res } from './fake-resources';

/** A fake server: its current enrollees' data, who is newly attributed, and its runout data. */
interface FakeServer {
  data: Res[];
  /** Newly attributed enrollees: Group/all with _since gives them their whole history. */
  newcomers?: Set<string>;
  runout?: Res[];
  /** Lines every export returns regardless of the request (a broken server). */
  serve?: (spec: Omit<KickoffSpec, 'label'>, data: Res[]) => Res[];
  /** Extra lines, sent as they are (e.g. not JSON). */
  raw?: (spec: Omit<KickoffSpec, 'label'>) => string[];
}

/** What a conforming server returns for a kick-off. */
function conforming(server: FakeServer, spec: Omit<KickoffSpec, 'label'>): Res[] {
  if (spec.group === 'runout') return server.runout ?? [];
  const query = (spec.query ?? {}) as Record<string, string>;
  const since = query._since ? Date.parse(query._since) : undefined;
  const types = query._type?.split(',');
  return server.data.filter((r) => {
    if (types && !types.includes(r.type)) return false;
    if (since === undefined) return true;
    if (spec.endpoint === 'group' && server.newcomers?.has(r.patient)) return true;
    return r.lastUpdated !== undefined && Date.parse(r.lastUpdated) > since;
  });
}

function exportRun(name: string, resources: Res[], transactionTime = '2026-03-15T14:30:00.000Z'): ExportRun {
  const types = [...new Set(resources.map((r) => r.type))];
  const items: ManifestItem[] = types.map((type) => ({
    type,
    url: `http://t/data/1/${name}-${type}.ndjson`,
  }));
  return {
    name,
    kickoffUrl: 'http://t/kick',
    polls: [],
    manifest: { transactionTime, requiresAccessToken: true, output: items, error: [] },
    downloads: items.map((item) => ({
      item,
      kind: 'output',
      status: 200,
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

/** Just enough of a CheckContext for the data checks: the run's memo and filtered exports. */
function fakeContext(server: FakeServer): CheckContext {
  const memo = new Map<string, Promise<unknown>>([
    ['data:unfiltered', Promise.resolve(indexed('Group/all/$export', server.data))],
  ]);
  return {
    config: { group: 'all', profile: 'bcda' },
    version: 'v2',
    once<T>(key: string, fn: () => Promise<T>): Promise<T> {
      if (!memo.has(key)) memo.set(key, fn());
      return memo.get(key) as Promise<T>;
    },
    filteredExport(
      name: string,
      spec: Omit<KickoffSpec, 'label'>,
      inspect?: (l: string, i: ManifestItem) => void,
    ) {
      const resources = (server.serve ?? ((s) => conforming(server, s)))(spec, server.data);
      const run = exportRun(name, resources);
      for (const r of resources) inspect?.(line(r), { type: r.type, url: '' });
      for (const raw of server.raw?.(spec) ?? []) inspect?.(raw, { type: 'Patient', url: '' });
      return Promise.resolve(run);
    },
  } as unknown as CheckContext;
}

function check(id: string) {
  const found = CATALOG.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

const run = (id: string, server: FakeServer): Promise<CheckOutcome> => check(id).run(fakeContext(server));

const day = (d: number): string => new Date(Date.UTC(2025, 0, 1) + d * 86_400_000).toISOString();

/**
 * Ten enrollees, each with two EOBs, a Coverage and a Patient updated a quarter apart (the first two
 * before the median, the others after); p0 and p1 are newly attributed.
 */
function population(
  lastUpdated: (n: number, k: number) => string | undefined = (n, k) => day(k * 90 + n),
): FakeServer {
  const data: Res[] = [];
  for (let n = 0; n < 10; n++) {
    const patient = `p${n}`;
    const at = (k: number) => lastUpdated(n, k);
    data.push({
      type: 'ExplanationOfBenefit',
      id: `e${n}a`,
      patient,
      lastUpdated: at(0),
      served: '2024-05-01',
    });
    data.push({
      type: 'ExplanationOfBenefit',
      id: `e${n}b`,
      patient,
      lastUpdated: at(1),
      served: '2024-11-01',
    });
    data.push({ type: 'Coverage', id: `c${n}`, patient, lastUpdated: at(2) });
    data.push({ type: 'Patient', id: patient, patient, lastUpdated: at(3) });
  }
  const runout: Res[] = [
    { type: 'Patient', id: 'r0', patient: 'r0', lastUpdated: day(1) },
    { type: 'ExplanationOfBenefit', id: 'r0e', patient: 'r0', lastUpdated: day(2), served: '2025-12-30' },
  ];
  return { data, newcomers: new Set(['p0', 'p1']), runout };
}

const SAME_INSTANT = () => '2025-06-01T00:00:00.000Z';
const NO_INSTANT = () => undefined;

const DATA_CHECKS = [
  'DOWNLOAD-SINCE-HONOURED',
  'DOWNLOAD-GROUP-SINCE-EXISTING',
  'DOWNLOAD-GROUP-SINCE-NEW-ENROLLEES',
  'DOWNLOAD-PATIENT-SAME-ENROLLEES',
  'DOWNLOAD-TYPE-PATIENT',
  'DOWNLOAD-TYPE-GROUP',
  'DOWNLOAD-RUNOUT-SERVICE-DATES',
  'DOWNLOAD-RUNOUT-NOT-CURRENT',
];

describe('the data checks against a conforming server', () => {
  it.each(DATA_CHECKS)('%s passes', async (id) => {
    expect(await run(id, population())).toMatchObject({ outcome: 'pass' });
  });
});

describe('the data checks skip, never pass, where their rule is vacuous', () => {
  const since = DATA_CHECKS.slice(0, 4);
  it.each(since)('%s: every resource has the same lastUpdated', async (id) => {
    const out = await run(id, population(SAME_INSTANT));
    expect(out).toMatchObject({ outcome: 'skip', message: expect.stringContaining('same meta.lastUpdated') });
  });

  it.each(since)('%s: no resource has a lastUpdated', async (id) => {
    const out = await run(id, population(NO_INSTANT));
    expect(out).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('no resource has a meta.lastUpdated'),
    });
  });

  it.each(['DOWNLOAD-TYPE-PATIENT', 'DOWNLOAD-TYPE-GROUP'])(
    '%s: the unfiltered export has one type',
    async (id) => {
      const server = population();
      server.data = server.data.filter((r) => r.type === 'Patient');
      expect(await run(id, server)).toMatchObject({
        outcome: 'skip',
        message: expect.stringContaining('one resource type only'),
      });
    },
  );

  it('DOWNLOAD-GROUP-SINCE-NEW-ENROLLEES: no enrollee comes back with older data', async () => {
    const server = { ...population(), newcomers: new Set<string>() };
    expect(await run('DOWNLOAD-GROUP-SINCE-NEW-ENROLLEES', server)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('shows no newly attributed enrollee'),
    });
  });

  it('DOWNLOAD-GROUP-SINCE-EXISTING: too few enrollees have data before _since', async () => {
    const server = population();
    server.data = server.data.filter((r) => ['p0', 'p1', 'p2'].includes(r.patient));
    expect(await run('DOWNLOAD-GROUP-SINCE-EXISTING', server)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('too few to tell'),
    });
  });

  it('DOWNLOAD-RUNOUT-SERVICE-DATES: the runout export holds no claim', async () => {
    const server = population();
    server.runout = server.runout!.filter((r) => r.type === 'Patient');
    expect(await run('DOWNLOAD-RUNOUT-SERVICE-DATES', server)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('no claim'),
    });
  });

  it('DOWNLOAD-RUNOUT-NOT-CURRENT: the runout export holds no enrollee', async () => {
    expect(await run('DOWNLOAD-RUNOUT-NOT-CURRENT', { ...population(), runout: [] })).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('no enrollee'),
    });
  });

  it('DOWNLOAD-PATIENT-SAME-ENROLLEES and the runout enrollee check need Group/all as the shared export', async () => {
    for (const id of ['DOWNLOAD-PATIENT-SAME-ENROLLEES', 'DOWNLOAD-RUNOUT-NOT-CURRENT']) {
      const ctx = fakeContext(population());
      (ctx.config as { group: string }).group = 'runout';
      expect(await check(id).run(ctx)).toMatchObject({
        outcome: 'skip',
        message: expect.stringContaining('not Group/all'),
      });
    }
  });
});

describe('the data checks fail where the data breaks their rule', () => {
  const ignoringSince: FakeServer['serve'] = (_spec, data) => data;

  it('an ignored _since fails the Patient and the Group checks', async () => {
    const server = { ...population(), serve: ignoringSince };
    expect(await run('DOWNLOAD-SINCE-HONOURED', server)).toMatchObject({ outcome: 'fail' });
    expect(await run('DOWNLOAD-GROUP-SINCE-EXISTING', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('applied to no enrollee'),
    });
  });

  it('Group/all dropping the newly attributed fails the new-enrollee check', async () => {
    const base = population();
    const server: FakeServer = {
      ...base,
      serve: (spec) =>
        conforming(base, spec).filter((r) => spec.endpoint !== 'group' || !base.newcomers!.has(r.patient)),
    };
    expect(await run('DOWNLOAD-GROUP-SINCE-NEW-ENROLLEES', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('lacks'),
    });
  });

  it("a newly attributed enrollee's partial history fails the new-enrollee check", async () => {
    const base = population();
    const server: FakeServer = {
      ...base,
      serve: (spec) => conforming(base, spec).filter((r) => r.id !== 'e0a'),
    };
    expect(await run('DOWNLOAD-GROUP-SINCE-NEW-ENROLLEES', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('without their full history'),
    });
  });

  it('Patient with _since dropping resources updated after it fails the _since check', async () => {
    const base = population();
    // Newly attributed enrollees left out of the filtered Patient export (their updates included).
    const server: FakeServer = {
      ...base,
      serve: (spec) =>
        conforming(base, spec).filter((r) => !spec.query?.['_since'] || !base.newcomers!.has(r.patient)),
    };
    expect(await run('DOWNLOAD-SINCE-HONOURED', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringMatching(/lacks \d+ of the \d+ resources .* holds updated after _since/),
    });
  });

  it('an existing enrollee given part of its older data fails the existing-enrollee check', async () => {
    const base = population();
    // Group/all with _since also returns each enrollee's first claim, whatever its date.
    const server: FakeServer = {
      ...base,
      serve: (spec) =>
        spec.query?.['_since'] && spec.endpoint === 'group'
          ? [...conforming(base, spec), ...base.data.filter((r) => /^e[2-5]a$/.test(r.id))]
          : conforming(base, spec),
    };
    expect(await run('DOWNLOAD-GROUP-SINCE-EXISTING', server)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('got part of their data from before _since'),
    });
  });

  it('Patient leaving an enrollee out fails the same-enrollees check', async () => {
    const base = population();
    const server: FakeServer = {
      ...base,
      serve: (spec) =>
        conforming(base, spec).filter((r) => spec.endpoint !== 'patient' || r.patient !== 'p9'),
    };
    expect(await run('DOWNLOAD-PATIENT-SAME-ENROLLEES', server)).toMatchObject({ outcome: 'fail' });
  });

  it('a line that is not a resource makes the same-enrollees check skip, not call its resource missing', async () => {
    const base = population();
    const server: FakeServer = {
      ...base,
      serve: (spec) =>
        conforming(base, spec).filter((r) => spec.endpoint !== 'patient' || r.patient !== 'p9'),
      raw: (spec) => (spec.endpoint === 'patient' ? ['{"resourceType":"Patient","id":"p9"'] : []),
    };
    expect(await run('DOWNLOAD-PATIENT-SAME-ENROLLEES', server)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('1 of its lines are not a resource with a type and an id'),
    });
  });

  it('a type not asked for, or one asked for missing, fails the _type checks', async () => {
    const base = population();
    const leaking: FakeServer = {
      ...base,
      serve: (spec) => (spec.query ? base.data : conforming(base, spec)),
    };
    const dropping: FakeServer = {
      ...base,
      serve: (spec) => conforming(base, spec).filter((r) => !spec.query || r.type !== 'Patient'),
    };
    for (const id of ['DOWNLOAD-TYPE-PATIENT', 'DOWNLOAD-TYPE-GROUP']) {
      expect(await run(id, leaking)).toMatchObject({
        outcome: 'fail',
        message: expect.stringContaining('not asked for'),
      });
      expect(await run(id, dropping)).toMatchObject({
        outcome: 'fail',
        message: expect.stringContaining('no Patient data'),
      });
    }
  });

  it('a runout claim served this year, or a runout enrollee still attributed, fails the runout checks', async () => {
    const late = population();
    late.runout!.push({
      type: 'ExplanationOfBenefit',
      id: 'r0f',
      patient: 'r0',
      lastUpdated: day(3),
      served: '2026-01-02',
    });
    expect(await run('DOWNLOAD-RUNOUT-SERVICE-DATES', late)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('after 2025-12-31'),
    });
    const current = population();
    current.runout = current.data.slice(0, 4);
    expect(await run('DOWNLOAD-RUNOUT-NOT-CURRENT', current)).toMatchObject({ outcome: 'fail' });
  });
});

describe('an export not read whole', () => {
  it('makes a check that found nothing wrong skip instead of pass', async () => {
    const { judgeSince } = await import('../../src/checks/kit/data-rules');
    const partial = {
      ...indexed('Patient/$export', population().data.slice(0, 4)),
      incomplete: 'only 1 of its 2 data files were downloaded',
    };
    expect(judgeSince(partial, Date.parse(day(0)) - 1)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('not read whole'),
    });
  });
});
