import { proveRequirements } from '../../src/verify/requirement-proofs';
import { renderRequirementsDocument } from '../../src/verify/requirements-markdown';
import type { FaultDetection, VerifyReport } from '../../src/verify/report';
import type { Requirement, RequirementsTable } from '../../src/requirements/table';

const req = (id: string, extra: Partial<Requirement> = {}): Requirement => ({
  id,
  source: 'seed-001',
  section: 'Start a job',
  statement: `statement of ${id}`,
  level: 'MUST',
  subject: 'server',
  testable: true,
  checks: [],
  faults: [],
  ...extra,
});
const table = (rows: Requirement[]): RequirementsTable =>
  ({
    sources: [
      {
        source: 'seed-001',
        title: 'How to access claims data',
        document: 'seeds/001',
        precedence: 0,
        file: 'spec/requirements/seed-001.yaml',
      },
    ],
    requirements: rows,
    byId: new Map(rows.map((r) => [r.id, r])),
    byCheck: new Map(),
  }) as RequirementsTable;
const fault = (name: string, tripped: string[], declaredBy: string[] = tripped) =>
  ({
    name,
    declaredBy,
    tripped: tripped.map((id) => ({ id, level: 'MUST', outcome: 'fail', message: '', run: 'v2 bcda' })),
  }) as unknown as FaultDetection;

describe('proveRequirements', () => {
  const rows = [
    req('BCDA-001-01', { checks: ['A'], faults: ['f-a'] }),
    req('BCDA-001-02', { checks: ['B'] }),
    req('BCDA-001-03', { checks: ['C'], faults: ['f-other'] }),
    req('BCDA-001-04', { uncovered: 'needs a runout export' }),
    req('BCDA-001-05', { testable: false, why: 'about onboarding' }),
  ];
  const faults = [fault('f-a', ['A']), fault('f-b', ['B']), fault('f-other', ['Z']), fault('f-c', ['C'])];

  test('verified when a fault trips one of its checks; proven by its own faults only when they trip them', () => {
    const { requirements } = proveRequirements(table(rows), faults, true);
    expect(requirements.map((r) => [r.id, r.status, r.provenBy])).toEqual([
      ['BCDA-001-01', 'verified', ['f-a']],
      ['BCDA-001-02', 'verified', []],
      ['BCDA-001-03', 'verified', []],
      ['BCDA-001-04', 'no check', []],
      ['BCDA-001-05', 'untestable', []],
    ]);
  });

  test('the summary names the unverified and those whose own faults missed', () => {
    const { summary } = proveRequirements(table(rows), [fault('f-a', ['A']), fault('f-other', ['Z'])], true);
    expect(summary).toMatchObject({
      requirements: 5,
      testable: 4,
      withChecks: 3,
      verified: 1,
      unverified: ['BCDA-001-02', 'BCDA-001-03'],
      noCheck: 1,
      withOwnFaults: 2,
      ownFaultsMissed: ['BCDA-001-03'],
    });
  });

  test('a row fault that none of its checks names is the independent proof, counted apart', () => {
    const own = [
      req('BCDA-001-01', { checks: ['A'], faults: ['f-a', 'f-from-text'] }),
      req('BCDA-001-02', { checks: ['B'], faults: ['f-missed'] }),
    ];
    // f-from-text trips A though A does not name it; f-missed trips nothing of B.
    const ran = [fault('f-a', ['A']), fault('f-from-text', ['A'], []), fault('f-missed', [], ['Z'])];
    const { requirements, summary } = proveRequirements(table(own), ran, true);
    expect(requirements.map((r) => [r.id, r.independent, r.provenBy])).toEqual([
      ['BCDA-001-01', ['f-from-text'], ['f-a', 'f-from-text']],
      ['BCDA-001-02', ['f-missed'], []],
    ]);
    expect(summary).toMatchObject({ withIndependentFaults: 2, independentProven: 1 });
    const doc = renderRequirementsDocument(
      { requirements: { requirements, summary } } as VerifyReport,
      table(own),
    );
    expect(doc).toContain('(independent of its checks: `f-from-text`)');
    expect(doc).toContain('- 1 of 2 requirements with a fault that none of their checks names');
  });

  test('a partial run (--fault) calls nothing unverified', () => {
    expect(proveRequirements(table(rows), [fault('f-a', ['A'])], false).summary.unverified).toEqual([]);
  });

  test('the coverage document lists each requirement with its checks, trips, and the reasons for the rest', () => {
    const t = table(rows);
    const report = { requirements: proveRequirements(t, faults, true) } as VerifyReport;
    const doc = renderRequirementsDocument(report, t);
    expect(doc).toContain(
      '- **BCDA-001-01** MUST · _Start a job_ — statement of BCDA-001-01 → `A`; tripped by `f-a`; own faults: `f-a`',
    );
    expect(doc).toContain('**no check yet**: needs a runout export');
    expect(doc).toContain('untestable: about onboarding');
    expect(doc).toContain(
      '| How to access claims data (`seed-001`) | 5 | 5 | 0 | 0 | 4 | 3 | 1 | 0 | 1 | 1 | 0 |',
    );
  });
});
