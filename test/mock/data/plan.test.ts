import { BATCH_SIZES, WARNINGS_FILE_NAME, fileLines, planExport } from '../../../src/mock/data';
import { ACOS, UUID_V4, spec } from './helpers';

describe('planExport', () => {
  test.each(['A9994', 'A9990', 'A9991', 'A9992', 'A9993'])('splits %s into BCDA batch sizes', (cmsId) => {
    const aco = ACOS[cmsId]!;
    const plan = planExport(spec({ aco }));
    const outputs = (type: string) => plan.filter((f) => f.kind === 'output' && f.type === type);
    expect(outputs('Patient')).toHaveLength(Math.ceil(aco.beneficiaries / 5000));
    expect(outputs('Coverage')).toHaveLength(Math.ceil(aco.beneficiaries / 4000));
    const eobFiles = outputs('ExplanationOfBenefit');
    // A 50-beneficiary batch without any claim is omitted, which is very rare.
    expect(eobFiles.length).toBeGreaterThan(Math.ceil(aco.beneficiaries / 50) * 0.95);
    expect(eobFiles.length).toBeLessThanOrEqual(Math.ceil(aco.beneficiaries / 50));
    for (const f of plan.filter((p) => p.kind === 'output')) {
      const [start, end] = f.beneficiaries;
      expect(start % BATCH_SIZES[f.type as 'Patient']).toBe(0);
      expect(end - start).toBeLessThanOrEqual(BATCH_SIZES[f.type as 'Patient']);
      expect(end).toBeLessThanOrEqual(aco.beneficiaries);
    }
    // The batches of each type cover every beneficiary exactly once.
    const patientCover = outputs('Patient').reduce((n, f) => n + f.beneficiaries[1] - f.beneficiaries[0], 0);
    expect(patientCover).toBe(aco.beneficiaries);
  });

  test('names are UUID-v4-shaped, unique, and error files share their data file uuid', () => {
    const plan = planExport(spec({ aco: ACOS.A9990! }));
    const names = plan.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    const outputNames = new Set(plan.filter((f) => f.kind === 'output').map((f) => f.name));
    const errors = plan.filter((f) => f.kind === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const f of plan) {
      if (f.kind === 'output') expect(f.name).toMatch(new RegExp(UUID_V4.source.slice(0, -1) + '\\.ndjson$'));
      else {
        expect(f.type).toBe('OperationOutcome');
        expect(f.name).toMatch(new RegExp(UUID_V4.source.slice(0, -1) + '-error\\.ndjson$'));
      }
    }
    // Every error file sits beside a data file of the same batch (all batches here have data).
    for (const e of errors) expect(outputNames.has(e.name.replace('-error', ''))).toBe(true);
    // Manifest order: outputs first, then errors.
    const firstError = plan.findIndex((f) => f.kind === 'error');
    expect(plan.slice(firstError).every((f) => f.kind === 'error')).toBe(true);
  });

  test('file names are deterministic and depend on the job', () => {
    const a = planExport(spec()).map((f) => f.name);
    expect(planExport(spec()).map((f) => f.name)).toEqual(a);
    expect(planExport(spec({ jobId: 8 })).map((f) => f.name)).not.toEqual(a);
    expect(planExport(spec({ seed: 43 })).map((f) => f.name)).not.toEqual(a);
    expect(planExport(spec({ version: 'v1' })).map((f) => f.name)).not.toEqual(a);
  });

  test('the 50-beneficiary ACO has an error file for each type', () => {
    const plan = planExport(spec());
    expect(plan.filter((f) => f.kind === 'error')).toHaveLength(3);
  });

  test('Claim and ClaimResponse only for partially adjudicated ACOs', () => {
    const types = ['Patient', 'Coverage', 'ExplanationOfBenefit', 'Claim', 'ClaimResponse'] as const;
    const plain = planExport(spec({ types: [...types] }));
    expect(plain.some((f) => f.type === 'Claim' || f.type === 'ClaimResponse')).toBe(false);
    const pac = planExport(spec({ aco: ACOS.TEST001!, types: [...types] }));
    expect([...new Set(pac.filter((f) => f.kind === 'output').map((f) => f.type))]).toEqual([...types]);
  });

  test('types filter and order follow spec.types', () => {
    const plan = planExport(spec({ types: ['Coverage', 'Patient'] }));
    expect(plan.filter((f) => f.kind === 'output').map((f) => f.type)).toEqual(['Coverage', 'Patient']);
  });

  test('v3 EOB exports list warnings-and-info.ndjson first among errors', () => {
    const plan = planExport(spec({ version: 'v3' }));
    const errors = plan.filter((f) => f.kind === 'error');
    expect(errors[0]?.name).toBe(WARNINGS_FILE_NAME);
    const lines = [...fileLines(spec({ version: 'v3' }), errors[0]!)];
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'warning' }],
    });
    expect(
      planExport(spec({ version: 'v3', types: ['Patient'] })).some((f) => f.name === WARNINGS_FILE_NAME),
    ).toBe(false);
  });

  test('a _since after every lastUpdated leaves only error files', () => {
    const plan = planExport(spec({ since: new Date(TRANSACTION_TIME_MS - 60_000) }));
    expect(plan.filter((f) => f.kind === 'output')).toEqual([]);
    expect(plan.filter((f) => f.kind === 'error').length).toBeGreaterThan(0);
  });

  test('Observation (not generated) and an empty ACO give no files', () => {
    expect(planExport(spec({ types: ['Observation'] }))).toEqual([]);
    expect(planExport(spec({ aco: { ...ACOS.A9994!, beneficiaries: 0 } }))).toEqual([]);
  });
});

const TRANSACTION_TIME_MS = spec().transactionTime.getTime();
