import { ExportSpecError, fileLines, planExport } from '../../../src/mock/data';
import { ACOS, spec } from './helpers';

describe('bad export specs get a clear error', () => {
  test.each([
    ['aco.beneficiaries', { aco: { ...ACOS.A9994!, beneficiaries: -1 } }],
    ['aco.beneficiaries', { aco: { ...ACOS.A9994!, beneficiaries: 2.5 } }],
    ['aco.cmsId', { aco: { ...ACOS.A9994!, cmsId: '' } }],
    ['transactionTime', { transactionTime: new Date('not a date') }],
    ['since', { since: new Date(NaN) }],
    ['seed', { seed: Number.NaN }],
    ['version', { version: 'v4' as 'v1' }],
  ])('%s', (field, overrides) => {
    expect(() => planExport(spec(overrides))).toThrow(ExportSpecError);
    expect(() => planExport(spec(overrides))).toThrow(field);
  });

  test('a file outside the ACO is rejected before any line is produced', () => {
    const s = spec();
    const file = planExport(s)[0]!;
    expect(() => fileLines(s, { ...file, beneficiaries: [0, 51] })).toThrow(/outside the ACO/);
    expect(() => fileLines(s, { ...file, beneficiaries: [10, 5] })).toThrow(ExportSpecError);
  });
});
