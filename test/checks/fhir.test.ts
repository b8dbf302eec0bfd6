import { RULE } from '../../src/fhir';
import { RULE_OF_FHIR_CHECK, fhirChecks } from '../../src/checks/fhir';
import { requirementIdsOf } from '../../src/requirements/table';

describe('the FHIR content checks', () => {
  it('are one per validator rule and one per kind of resource the server answers with, each well formed', () => {
    const ids = fhirChecks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(RULE_OF_FHIR_CHECK.size).toBe(Object.keys(RULE).length);
    expect(ids.filter((id) => !RULE_OF_FHIR_CHECK.has(id))).toEqual([
      'FHIR-CAPABILITYSTATEMENT-VALID',
      'FHIR-OPERATIONOUTCOME-VALID',
      'FHIR-OPERATIONOUTCOME-BCDA-SHAPE',
      'FHIR-JOBS-BUNDLE-VALID',
    ]);
    for (const c of fhirChecks) {
      expect(c.id).toMatch(/^FHIR(-[A-Z0-9]+)+$/);
      expect(c.area).toBe('fhir');
      expect(requirementIdsOf(c.id).length).toBeGreaterThan(0);
      expect(c.faults.length).toBeGreaterThan(0);
      expect(c.title.length).toBeGreaterThan(10);
      expect(['MUST', 'SHOULD', 'MAY']).toContain(c.level);
    }
  });
});
