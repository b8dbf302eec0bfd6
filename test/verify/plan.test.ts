import type { CheckMeta } from '../../src/checks/types';
import type { FaultDefinition, FaultName } from '../../src/core/faults';
import { planVerify } from '../../src/verify/plan';

/**
 * Made-up fault names that say what each case is about: planning treats a name as an opaque key, so
 * the test steps around the FaultName type here, and only here.
 */
const named = (name: string) => name as FaultName;

const check = ({
  faults,
  ...over
}: Partial<Omit<CheckMeta, 'faults'>> &
  Pick<CheckMeta, 'id' | 'area'> & { faults: string[] }): CheckMeta => ({
  title: over.id,
  description: '',
  level: 'MUST',
  profiles: ['bcda'],
  refs: ['bulkdata@1'],
  operations: [],
  ...over,
  faults: faults.map(named),
});
const fault = (name: string, area: FaultDefinition['area']): FaultDefinition => ({
  name: named(name),
  area,
  description: '',
  breaks: '',
  refs: [],
});

describe('planVerify', () => {
  const catalog = [
    check({ id: 'A', area: 'kickoff', faults: ['f-any'] }),
    check({ id: 'B', area: 'jobs', faults: ['f-any'] }),
    check({ id: 'C', area: 'kickoff', faults: ['f-v3'], versions: ['v3'] }),
    check({ id: 'D', area: 'status', faults: ['f-ig'], profiles: ['bulk-data-ig'] }),
    check({ id: 'E', area: 'fhir', faults: ['f-fhir'] }),
    check({ id: 'F', area: 'kickoff', faults: ['f-mixed'] }),
    check({ id: 'G', area: 'kickoff', faults: ['f-mixed'], versions: ['v1'] }),
  ];
  const faults = [
    fault('f-any', 'kickoff'),
    fault('f-v3', 'kickoff'),
    fault('f-ig', 'status'),
    fault('f-fhir', 'fhir'),
    fault('f-mixed', 'kickoff'),
    fault('f-none', 'cancel'),
  ];
  const plan = planVerify(catalog, faults);
  const jobsOf = (name: string) =>
    plan.faults
      .find((f) => f.fault.name === named(name))!
      .jobs.map((j) => `${j.version} ${j.profile} ${(j.suites ?? []).join(',')}`);

  // The contract checks send nothing and judge every exchange: they run under every fault.
  it('runs each fault once on v2 with the suites of the checks that name it, and the contract checks', () => {
    expect(jobsOf('f-any')).toEqual(['v2 bcda contract,jobs,kickoff']);
    expect(plan.faults.find((f) => f.fault.name === named('f-any'))!.declaredBy).toEqual(['A', 'B']);
  });

  it('moves to the version or profile the naming checks need, and adds runs only where required', () => {
    expect(jobsOf('f-v3')).toEqual(['v3 bcda contract,kickoff']);
    expect(jobsOf('f-ig')).toEqual(['v2 bulk-data-ig contract,status']);
    expect(jobsOf('f-mixed')).toEqual(['v2 bcda contract,kickoff', 'v1 bcda contract,kickoff']);
  });

  it('brings the download suite along for FHIR content faults, and still runs an unnamed fault', () => {
    expect(jobsOf('f-fhir')).toEqual(['v2 bcda contract,download,fhir']);
    expect(jobsOf('f-none')).toEqual(['v2 bcda cancel,contract']);
  });

  it('runs the whole catalog clean on every version, on the generic profile and with the real server quirks', () => {
    expect(plan.clean.map((j) => j.key)).toEqual([
      'clean v1 bcda',
      'clean v2 bcda',
      'clean v3 bcda',
      'clean v2 bulk-data-ig',
      'clean v2 bulk-data-ig bcda-mock',
      'clean v2 bcda quirks',
    ]);
    expect(plan.clean.every((j) => j.suites === undefined && j.fault === undefined)).toBe(true);
    expect(plan.partial).toBe(false);
  });

  it('plans only the asked-for faults when given a subset', () => {
    const partial = planVerify(catalog, faults, { only: new Set([named('f-v3')]) });
    expect(partial.partial).toBe(true);
    expect(partial.faults.map((f) => f.fault.name)).toEqual(['f-v3']);
  });
});

describe('planVerify: a fault only requirement rows name', () => {
  const catalog = [
    check({ id: 'M', area: 'metadata', faults: ['f-declared'] }),
    check({ id: 'N', area: 'metadata', faults: [] }),
  ];
  const faults = [
    fault('f-row-v1', 'metadata'),
    fault('f-declared', 'metadata'),
    fault('f-row-any', 'metadata'),
  ];
  const plan = planVerify(catalog, faults, {
    alsoJudgedBy: new Map([
      [named('f-row-v1'), ['N']],
      [named('f-declared'), ['N']],
      [named('f-row-any'), ['N']],
    ]),
    rowVersions: new Map([
      [named('f-row-v1'), ['v1' as const]],
      [named('f-declared'), ['v1' as const]],
    ]),
  });
  const versionsOf = (name: string) =>
    plan.faults.find((f) => f.fault.name === named(name))!.jobs.map((j) => `${j.version} ${j.profile}`);

  it('runs on the versions its rows give, when no check declares it', () => {
    expect(versionsOf('f-row-v1')).toEqual(['v1 bcda']);
  });

  it('stays where its declaring checks run, and on v2 when its rows hold for every version', () => {
    expect(versionsOf('f-declared')).toEqual(['v2 bcda']);
    expect(versionsOf('f-row-any')).toEqual(['v2 bcda']);
  });
});

describe('planVerify: a generic fault judged by a check of every export', () => {
  const ig = { profiles: ['bulk-data-ig' as const] };
  const catalog = [
    check({ id: 'ERRORS-JUDGE', area: 'status', faults: [], judgesExports: ['with-error-files'], ...ig }),
    check({ id: 'ERRORS-MAKER', area: 'kickoff', faults: [], makesExports: ['with-error-files'], ...ig }),
    check({ id: 'EMPTY-MAKER', area: 'download', faults: [], makesExports: ['empty-output'], ...ig }),
    check({ id: 'PLAIN', area: 'status', faults: [], ...ig }),
  ];
  const generic = (name: string): FaultDefinition => ({ ...fault(name, 'status'), mock: 'generic' });
  const plan = planVerify(catalog, [generic('f-error-items'), generic('f-output-items')], {
    alsoJudgedBy: new Map([
      [named('f-error-items'), ['ERRORS-JUDGE']],
      [named('f-output-items'), ['PLAIN']],
    ]),
  });
  const jobOf = (name: string) => plan.faults.find((f) => f.fault.name === named(name))!.jobs[0]!;

  it('also runs the check that makes the export holding error files, with its suite', () => {
    expect(jobOf('f-error-items').checks).toEqual(['ERRORS-JUDGE', 'ERRORS-MAKER']);
    expect(jobOf('f-error-items').suites).toContain('kickoff');
  });

  it('adds nothing for a check that needs no other export', () => {
    expect(jobOf('f-output-items').checks).toEqual(['PLAIN']);
    expect(jobOf('f-output-items').suites).not.toContain('kickoff');
  });
});
