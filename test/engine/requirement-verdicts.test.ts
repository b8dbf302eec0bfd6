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
    expect(v).toEqual({ id: 'BCDA-001-01', status: 'met' });
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

  test('not checked, naming each check and what it ended in, when every check skipped or errored', () => {
    const v = judgeRequirement(req(), new Map([result('A', 'skip'), result('B', 'error')]), scope);
    expect(v).toEqual({ id: 'BCDA-001-01', status: 'not checked', reason: 'A skip, B error' });
  });

  test('not selected when none of its checks ran', () => {
    expect(judgeRequirement(req(), new Map(), scope)).toMatchObject({ status: 'not selected' });
  });

  test('untestable, superseded, no check: the status alone (the reasons stay in the table)', () => {
    const alone = (r: Requirement) => judgeRequirement(r, new Map(), scope);
    expect(alone(req({ testable: false, why: 'internal policy', checks: [] }))).toEqual({
      id: 'BCDA-001-01',
      status: 'untestable',
    });
    expect(alone(req({ testable: false, why: 'older page', supersededBy: 'BCDA-000-01' }))).toEqual({
      id: 'BCDA-001-01',
      status: 'superseded',
    });
    expect(alone(req({ checks: [], uncovered: 'needs a runout export' }))).toEqual({
      id: 'BCDA-001-01',
      status: 'no check',
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
