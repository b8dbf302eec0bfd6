import { RULE, checkExportReferences, type FileValidationSummary } from '../../src/fhir';
import { referencedPatientIds } from '../../src/fhir/profile-rules';

function summary(
  file: string,
  counts: Record<string, number>,
  patientIds: string[],
  referencedPatients: string[],
): FileValidationSummary {
  return {
    file,
    kind: 'output',
    bytes: 1,
    lines: 1,
    validatedLines: 1,
    invalidLines: 0,
    countsByType: counts,
    issues: [],
    issuesDropped: 0,
    references: { patientIds, referencedPatients },
  };
}

describe('checkExportReferences', () => {
  it('passes when every referenced Patient is in the export', () => {
    const issues = checkExportReferences([
      summary('p', { Patient: 2 }, ['-1', '-2'], []),
      summary('e', { ExplanationOfBenefit: 3 }, [], ['-1', '-2']),
    ]);
    expect(issues).toEqual([]);
  });

  it('names the file and the missing Patients', () => {
    const issues = checkExportReferences([
      summary('p', { Patient: 1 }, ['-1'], []),
      summary('c', { Coverage: 2 }, [], ['-1', '-9']),
    ]);
    expect(issues).toEqual([
      expect.objectContaining({ file: 'c', ruleId: RULE.refResolves, severity: 'error' }),
    ]);
    expect(issues[0]?.message).toContain('Patient/-9');
  });

  it('cannot check an export without Patient resources', () => {
    expect(checkExportReferences([summary('e', { ExplanationOfBenefit: 1 }, [], ['-9'])])).toEqual([]);
  });
});

// independent faults (h4): ig-group-export-population-data showed clinical data's subjects unread.
describe('referencedPatientIds', () => {
  it("reads claims' and coverage's Patient, and any other type's subject or patient", () => {
    const ref = (id: string) => ({ reference: `Patient/${id}` });
    expect(referencedPatientIds({ patient: ref('-1') }, 'ExplanationOfBenefit')).toBe('-1');
    expect(referencedPatientIds({ beneficiary: ref('-2') }, 'Coverage')).toBe('-2');
    expect(referencedPatientIds({ subject: ref('pat-3') }, 'Observation')).toBe('pat-3');
    expect(referencedPatientIds({ patient: ref('pat-4') }, 'Immunization')).toBe('pat-4');
    expect(referencedPatientIds({ subject: { reference: 'Group/g1' } }, 'Observation')).toBeUndefined();
    expect(referencedPatientIds({ link: [{ other: ref('pat-5') }] }, 'Patient')).toBeUndefined();
  });
});
