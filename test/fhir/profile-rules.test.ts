/** Edge cases of the hand-coded id and reference checks in profile-rules.ts. */
import { checkProfileRules, patientRefId, type Report } from '../../src/fhir/profile-rules';
import { RULE } from '../../src/fhir';

function issues(res: Record<string, unknown>, type: string): string[] {
  const out: string[] = [];
  const report: Report = (ruleId, path) => out.push(`${ruleId} ${path}`);
  checkProfileRules(res, type, { apiVersion: 'v2' }, report);
  return out;
}

describe('patientRefId', () => {
  it.each([
    ['Patient/-19990000000169', '-19990000000169'],
    ['Patient/a.B-9', 'a.B-9'],
    [`Patient/${'x'.repeat(64)}`, 'x'.repeat(64)],
    [`Patient/${'x'.repeat(65)}`, undefined],
    ['Patient/', undefined],
    ['Patient/a b', undefined],
    ['Patient/a_b', undefined],
    ['Patient/é', undefined],
    ['Patient/1/_history/2', undefined],
    ['https://x/Patient/1', undefined],
    ['Organization/1', undefined],
  ])('%s → %s', (reference, id) => {
    expect(patientRefId({ reference })).toBe(id);
  });

  it('ignores anything but an object with a string reference', () => {
    for (const ref of [undefined, null, 'Patient/1', [{ reference: 'Patient/1' }], { reference: 1 }])
      expect(patientRefId(ref)).toBeUndefined();
  });
});

describe('Coverage.id', () => {
  const coverage = (id: string, bene = 'X1') => ({
    resourceType: 'Coverage',
    id,
    beneficiary: { reference: `Patient/${bene}` },
    meta: { profile: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Coverage'] },
  });

  const idIssues = (id: string): string[] =>
    issues(coverage(id), 'Coverage').filter((i) => i.startsWith(`${RULE.coverageId} `));

  it.each(['part-a-X1', 'part-b-X1', 'part-c-X1', 'part-d-X1'])('accepts %s', (id) => {
    expect(idIssues(id)).toEqual([]);
  });

  it.each(['part-e-X1', 'part-a-', 'part-aX1', 'Part-a-X1', 'part-', 'x'])('rejects the form of %s', (id) => {
    expect(idIssues(id)).toEqual([`${RULE.coverageId} Coverage.id`]);
  });

  it.each(['part-a-X2', 'part-a-0X1', 'part-a-X1 '])('says %s names another beneficiary', (id) => {
    expect(idIssues(id)).toEqual([`${RULE.coverageId} Coverage.id`]);
  });
});

describe('EOB id prefix against the claimed profile', () => {
  const C4BB = 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/';
  const eob = (id: string, profile: string) => ({
    resourceType: 'ExplanationOfBenefit',
    id,
    patient: { reference: 'Patient/X1' },
    identifier: [{ system: 'https://bluebutton.cms.gov/resources/variables/clm_id', value: '1' }],
    meta: { profile: [`${C4BB}${profile}`] },
  });
  const prefixIssues = (id: string, profile: string): string[] =>
    issues(eob(id, profile), 'ExplanationOfBenefit').filter((i) => i.startsWith(RULE.eobPrefix));

  it.each([
    ['carrier-1', 'C4BB-ExplanationOfBenefit-Professional-NonClinician'],
    ['inpatient-1', 'C4BB-ExplanationOfBenefit-Inpatient-Institutional|1.0.0'],
    ['dme-1', 'C4BB-ExplanationOfBenefit-Inpatient-Institutional'],
  ])('accepts %s claiming %s', (id, profile) => {
    expect(prefixIssues(id, profile)).toEqual([]);
  });

  it.each([
    ['carrier-1', 'C4BB-ExplanationOfBenefit-Inpatient-Institutional'],
    ['inpatient-1', 'C4BB-ExplanationOfBenefit-Inpatient-InstitutionalX'],
    ['inpatient-1', 'C4BB-ExplanationOfBenefit-Inpatient-Institutional-1.0.0'],
  ])('flags %s claiming %s', (id, profile) => {
    expect(prefixIssues(id, profile)).toEqual([`${RULE.eobPrefix} ExplanationOfBenefit.meta.profile`]);
  });
});
