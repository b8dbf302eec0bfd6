import { RULE } from '../../src/fhir';
import { fhirChecks } from '../../src/checks/fhir';

describe('the FHIR content checks', () => {
  it('are one per validator rule, each well formed', () => {
    const ids = fhirChecks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(fhirChecks).toHaveLength(Object.keys(RULE).length);
    for (const c of fhirChecks) {
      expect(c.id).toMatch(/^FHIR(-[A-Z0-9]+)+$/);
      expect(c.area).toBe('fhir');
      expect(c.refs.length).toBeGreaterThan(0);
      expect(c.faults.length).toBeGreaterThan(0);
      expect(c.title.length).toBeGreaterThan(10);
      expect(['MUST', 'SHOULD', 'MAY']).toContain(c.level);
    }
  });
});
