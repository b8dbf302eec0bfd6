import { judgeRequirement, countStatuses, judgeRequirements } from '../../src/engine/requirement-verdicts';
import type { CheckResult } from '../../src/engine/results';
import type { Requirement, RequirementsTable } from '../../src/requirements/table';

const req = (extra: Partial<Requirement> = {}): Requirement => ({
  id: 'BCDA-001-01',
  source: 'seed-001',
  section: 'Start a job',
  statement: 'A kick-off is answered 202 with Content-Location.',
  level: 'MUST',
  subject: 'server',
  testable: true,
  checks: ['A', 'B'],
  faults: [],
  ...extra,
});
const result = (id: string, outcome: CheckResult['outcome'], extra: Partial<CheckResult> = {}) =>
  [
    id,
    { id, outcome, message: `${id} said ${outcome}`, knownDeviation: undefined, ...extra } as CheckResult,
  ] as const;
const scope = { profile: 'bcda' as const, apiVersion: 'v2' as const, sandbox: true };

describe('judgeRequirement', () => {
  test('met when a check passed and none tripped', () => {
    const v = judgeRequirement(req(), new Map([result('A', 'pass'), result('B', 'skip')]), scope);
    expect(v.status).toBe('met');
    expect(v.checks).toEqual([
      { id: 'A', outcome: 'pass' },
      { id: 'B', outcome: 'skip' },
    ]);
  });

  test('broken when any of its checks failed or warned', () => {
    expect(judgeRequirement(req(), new Map([result('A', 'pass'), result('B', 'fail')]), scope).status).toBe(
      'broken',
    );
    expect(judgeRequirement(req(), new Map([result('A', 'warn')]), scope).status).toBe('broken');
  });

  test('a known deviation is not broken', () => {
    const v = judgeRequirement(
      req(),
      new Map([result('A', 'warn', { knownDeviation: 'real server: 400' })]),
      scope,
    );
    expect(v).toMatchObject({ status: 'known deviation', reason: 'real server: 400' });
  });

  test('not checked, with the checks’ own words, when every check skipped or errored', () => {
    const v = judgeRequirement(req(), new Map([result('A', 'skip'), result('B', 'error')]), scope);
    expect(v.status).toBe('not checked');
    expect(v.reason).toContain('A: skip: A said skip');
  });

  test('not selected when none of its checks ran', () => {
    expect(judgeRequirement(req(), new Map(), scope)).toMatchObject({ status: 'not selected' });
  });

  test('untestable, superseded, no check: the table’s reason', () => {
    expect(
      judgeRequirement(req({ testable: false, why: 'internal policy', checks: [] }), new Map(), scope),
    ).toMatchObject({
      status: 'untestable',
      reason: 'internal policy',
    });
    expect(
      judgeRequirement(
        req({ testable: false, why: 'older page', supersededBy: 'BCDA-000-01' }),
        new Map(),
        scope,
      ).status,
    ).toBe('superseded');
    expect(
      judgeRequirement(req({ checks: [], uncovered: 'needs a runout export' }), new Map(), scope),
    ).toMatchObject({
      status: 'no check',
      reason: 'needs a runout export',
    });
  });

  test('not applicable: another profile, another version, the other environment', () => {
    const tripped = new Map([result('A', 'fail')]);
    expect(judgeRequirement(req(), tripped, { ...scope, profile: 'bulk-data-ig' }).status).toBe(
      'not applicable',
    );
    expect(
      judgeRequirement(req({ source: 'bulkdata' }), tripped, { ...scope, profile: 'bulk-data-ig' }).status,
    ).toBe('broken');
    expect(judgeRequirement(req({ versions: ['v1'] }), tripped, scope).status).toBe('not applicable');
    expect(
      judgeRequirement(req({ environment: 'sandbox' }), tripped, { ...scope, sandbox: false }).status,
    ).toBe('not applicable');
    expect(judgeRequirement(req({ environment: 'production' }), tripped, scope).status).toBe(
      'not applicable',
    );
  });

  test('judgeRequirements and countStatuses cover the whole table', () => {
    const table = {
      requirements: [req(), req({ id: 'BCDA-001-02', checks: ['C'] })],
    } as unknown as RequirementsTable;
    const verdicts = judgeRequirements(table, [result('A', 'pass')[1], result('C', 'fail')[1]], scope);
    expect(countStatuses(verdicts)).toMatchObject({ met: 1, broken: 1, 'not checked': 0 });
  });
});
