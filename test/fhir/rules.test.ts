import { FHIR_RULES, RULE } from '../../src/fhir';

describe('FHIR_RULES catalog metadata', () => {
  it('has one entry per rule id, each well formed', () => {
    const ids = FHIR_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(Object.values(RULE).sort());
    for (const r of FHIR_RULES) {
      expect(r.id).toMatch(/^FHIR(-[A-Z0-9]+)+$/);
      expect(r.area).toBe('fhir');
      expect(r.refs.length).toBeGreaterThan(0);
      expect(r.title.length).toBeGreaterThan(10);
      expect(['MUST', 'SHOULD', 'MAY']).toContain(r.level);
    }
  });

  it('includes the rules other modules rely on', () => {
    const ids = FHIR_RULES.map((r) => r.id);
    for (const id of [
      'FHIR-SCHEMA',
      'FHIR-NDJSON-PARSE',
      'FHIR-PROFILE-META',
      'FHIR-ID-MBI-SYSTEM',
      'FHIR-EOB-ID-PREFIX',
      'FHIR-REF-RESOLVES',
      'FHIR-ERROR-FILE-OPERATIONOUTCOME',
      'FHIR-SANDBOX-NEGATIVE-IDS',
      'FHIR-FILE-RESOURCE-TYPE',
    ]) {
      expect(ids).toContain(id);
    }
  });
});
