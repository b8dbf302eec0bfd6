import { RULE, checkExportReferences, type FileValidationSummary } from '../../src/fhir';
import { validateExport } from '../mock/data/helpers';
import type { ApiVersion } from '../../src/core/vocabulary';
import type { ContentMutation, ExportSpec } from '../../src/mock/data/types';

function spec(version: ApiVersion, mutations?: ContentMutation[]): ExportSpec {
  return {
    aco: { cmsId: 'TEST001', beneficiaries: 40, adjudicated: true, partiallyAdjudicated: true },
    version,
    types: ['Patient', 'Coverage', 'ExplanationOfBenefit', 'Claim', 'ClaimResponse'],
    runout: false,
    transactionTime: new Date('2026-06-01T12:00:00Z'),
    seed: 11,
    jobId: 3,
    ...(mutations ? { mutations } : {}),
  };
}

const ruleIds = (summaries: FileValidationSummary[]): Set<string> =>
  new Set([...summaries.flatMap((x) => x.issues), ...checkExportReferences(summaries)].map((i) => i.ruleId));

describe('every resource the mock generates validates clean', () => {
  it.each(['v2', 'v3'] as const)(
    '%s export',
    async (version) => {
      const summaries = await validateExport(spec(version));
      expect(summaries.reduce((a, x) => a + x.validatedLines, 0)).toBeGreaterThan(100);
      expect(summaries.flatMap((x) => x.issues)).toEqual([]);
      expect(checkExportReferences(summaries)).toEqual([]);
    },
    60_000,
  );
});

describe("the mock's content faults are caught by the right rule", () => {
  const cases: [ContentMutation, string][] = [
    ['invalid-resource', RULE.schema],
    ['wrong-resource-type', RULE.fileType],
    ['broken-reference', RULE.refResolves],
    ['missing-profile', RULE.profileMeta],
    ['malformed-json', RULE.parse],
  ];
  it.each(cases)(
    '%s → %s',
    async (mutation, ruleId) => {
      const ids = ruleIds(await validateExport(spec('v2', [mutation])));
      expect(ids).toContain(ruleId);
    },
    60_000,
  );
});
