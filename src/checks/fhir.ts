/**
 * FHIR content checks: one catalog check per validator rule (src/fhir/rules.ts), judged from the
 * issues the validator found in the shared export's files. Fault names that must trip each rule
 * live here, beside the rest of the catalog's fault mapping.
 */
import { FHIR_RULES, RULE, type ValidationIssue } from '../fhir';
import { type CheckDefinition, fail, pass, skip, warn } from './context';
import { exportIssues } from './kit/export-issues';

/** Mock faults that each rule must catch (feeds `npm run verify`). */
const RULE_FAULTS: Record<string, string[]> = {
  [RULE.parse]: ['content-malformed-json'],
  [RULE.schema]: ['content-invalid-fhir'],
  [RULE.fileType]: ['content-wrong-resource-type', 'manifest-output-wrong-type'],
  [RULE.profileMeta]: ['content-missing-profile'],
  [RULE.refResolves]: ['content-broken-references'],
  [RULE.errorFile]: ['content-error-file-wrong-type'],
  [RULE.mbi]: ['content-no-mbi'],
  [RULE.beneId]: ['content-no-bene-id'],
  [RULE.claimId]: ['content-no-claim-id'],
  [RULE.coverageId]: ['content-bad-coverage-id'],
  [RULE.eobPrefix]: ['content-bad-eob-prefix'],
  [RULE.patientRef]: ['content-absolute-patient-reference'],
  [RULE.sandboxIds]: ['content-positive-patient-ids'],
};

export const fhirChecks: CheckDefinition[] = FHIR_RULES.map((rule) => ({
  ...rule,
  faults: RULE_FAULTS[rule.id] ?? rule.faults,
  operations: ['downloadFile'],
  async run(ctx) {
    const run = await ctx.mainExport();
    const validated = run.downloads.filter((d) => d.validation);
    if (!validated.length)
      return skip(`no file of the shared export was validated: ${run.problem ?? 'no downloads'}`);
    const issues = ctx.once(`fhir-issues`, async () => exportIssues(run));
    const mine = (await issues).filter((i) => i.ruleId === rule.id);
    const lines = validated.reduce((n, d) => n + (d.validation?.validatedLines ?? 0), 0);
    const evidence = validated
      .map((d) => d.exchangeId ?? '')
      .filter(Boolean)
      .slice(0, 10);
    const errors = mine.filter((i) => i.severity === 'error');
    const describe = (list: ValidationIssue[]) =>
      list
        .slice(0, 3)
        .map((i) => `${i.file.replace(/^.*\/data\//, 'data/')}:${i.line} ${i.path} ${i.message}`)
        .join('; ') + (list.length > 3 ? ` (+${list.length - 3} more)` : '');
    if (errors.length) {
      return rule.level === 'MUST' ? fail(describe(errors), evidence) : warn(describe(errors), evidence);
    }
    if (mine.length) return warn(describe(mine), evidence);
    return pass(`${lines} line(s) in ${validated.length} file(s) checked`, evidence);
  },
}));
