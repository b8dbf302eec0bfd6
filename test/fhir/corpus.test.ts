import { RULE } from '../../src/fhir';
import { readManifest, validateFixture } from './corpus-helpers';

const invalid = readManifest('invalid');
const valid = readManifest('valid');

describe('FHIR corpus: invalid resources', () => {
  it('has at least 40 distinct known defects', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(40);
    expect(new Set(invalid.map((e) => e.defect)).size).toBe(invalid.length);
  });

  it('names only known rule codes', () => {
    const ids = new Set<string>(Object.values(RULE));
    for (const e of invalid) expect(ids.has(e.ruleId ?? '')).toBe(true);
  });

  it.each(invalid.map((e) => [e.file, e] as const))(
    '%s is flagged at its path and nothing else',
    async (_file, entry) => {
      const summary = await validateFixture('invalid', entry);
      expect(summary.issues.length).toBeGreaterThan(0);
      for (const issue of summary.issues) {
        expect({ ruleId: issue.ruleId, path: issue.path, line: issue.line }).toEqual({
          ruleId: entry.ruleId,
          path: entry.path,
          line: entry.line ?? 1,
        });
      }
    },
  );
});

describe('FHIR corpus: valid edge cases', () => {
  it.each(valid.map((e) => [e.file, e] as const))('%s is not flagged', async (_file, entry) => {
    const summary = await validateFixture('valid', entry);
    expect(summary.issues).toEqual([]);
    expect(summary.validatedLines).toBeGreaterThan(0);
  });
});
