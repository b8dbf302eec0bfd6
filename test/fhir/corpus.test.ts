import { RULE } from '../../src/fhir';
import type { ValidationIssue } from '../../src/fhir';
import { readManifest, validateFixture, type CorpusEntry } from './corpus-helpers';

/**
 * The BCDA content rules (what a claim, a Patient and a Coverage hold) may speak too where a
 * defect makes an element unreadable: a malformed name or provider is also a missing one.
 */
const CONTENT_RULES: ReadonlySet<string> = new Set([
  RULE.eobContent,
  RULE.mbiCurrency,
  RULE.demographics,
  RULE.coveragePart,
  RULE.coverageMarkers,
]);
const judged = (issues: ValidationIssue[], entry: CorpusEntry): ValidationIssue[] =>
  issues.filter((i) => !CONTENT_RULES.has(i.ruleId) || i.path !== entry.path);

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
      const issues = judged((await validateFixture('invalid', entry)).issues, entry);
      expect(issues.length).toBeGreaterThan(0);
      for (const issue of issues) {
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
