/**
 * FHIR content checks: one per rule of the validator (src/fhir/rules.ts), judged from the issues
 * carrying that rule's code in the shared export's files. Each rule's check is complete here: its
 * id, texts, level, refs, and the mock faults that must trip it (feeds `npm run verify`).
 */
import { RULE, type RuleId, type ValidationIssue } from '../fhir';
import { type CheckDefinition, fail, pass, skip, warn } from './context';
import { exportIssues } from './kit/export-issues';
import type { CheckMeta } from './types';

/** What each rule's check states about itself; area, operations and run are the same for all. */
type RuleCheckMeta = Omit<CheckMeta, 'area' | 'operations'>;

/** Every validator rule has exactly one check (the Record's keys make that a compile-time fact). */
const RULE_CHECKS: Record<RuleId, RuleCheckMeta> = {
  [RULE.parse]: {
    id: 'FHIR-NDJSON-PARSE',
    title: 'Every NDJSON line is one JSON object',
    description:
      'Each line of a downloaded file is parsed on its own. A line that is not valid JSON, or not a JSON object, ' +
      'breaks the NDJSON format every bulk client relies on. Blank lines inside a file are reported as warnings.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['bulkdata@209', 'seed:001 §Download the data'],
    faults: ['content-malformed-json'],
  },
  [RULE.schema]: {
    id: 'FHIR-SCHEMA',
    title: 'Every resource is valid FHIR R4',
    description:
      'Each resource is validated against the official FHIR R4 4.0.1 JSON schema, tightened with the core ' +
      'StructureDefinition rules the schema misses (1..1 elements, choice[x] exclusivity, ext-1, integer ranges, ' +
      'no empty arrays or objects). Not applied to v1 exports, which carry STU3 resources.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['bulkdata@209', 'seed:000 §FHIR', 'behavior §7.2'],
    versions: ['v2', 'v3'],
    faults: ['content-invalid-fhir'],
  },
  [RULE.fileType]: {
    id: 'FHIR-FILE-RESOURCE-TYPE',
    title: "Every line's resourceType is the file's manifest type",
    description:
      'An output file holds resources of one type only, the `type` its manifest entry names. ' +
      'Without a manifest, the first line fixes the type and every other line must match it.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['bulkdata@169', 'bulkdata@170', 'seed:001 §Download the data'],
    faults: ['content-wrong-resource-type', 'manifest-output-wrong-type'],
  },
  [RULE.errorFile]: {
    id: 'FHIR-ERROR-FILE-OPERATIONOUTCOME',
    title: 'Error files hold only OperationOutcome resources',
    description:
      'Files listed under `error` in the manifest must contain OperationOutcome resources and nothing else.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['bulkdata@196', 'seed:001 §Download the data', 'behavior §1'],
    faults: ['content-error-file-wrong-type'],
  },
  [RULE.profileMeta]: {
    id: 'FHIR-PROFILE-META',
    title: 'meta.profile names the CARIN Blue Button profile for the API version',
    description:
      'v2 resources claim the unversioned C4BB profile of their type (C4BB-Patient, C4BB-Coverage, one of the ' +
      'C4BB-ExplanationOfBenefit profiles); v3 resources claim a versioned one (`…|2.1.0`); v1 (STU3) resources ' +
      'claim none.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2', 'seed:000 §FHIR'],
    faults: ['content-missing-profile'],
  },
  [RULE.mbi]: {
    id: 'FHIR-ID-MBI-SYSTEM',
    title: 'Patients carry an MBI identifier',
    description:
      'Every Patient has an identifier with system `http://hl7.org/fhir/sid/us-mbi` and a value: ' +
      'the Medicare Beneficiary Identifier ACOs match beneficiaries on.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-no-mbi'],
  },
  [RULE.beneId]: {
    id: 'FHIR-ID-BENE-ID-SYSTEM',
    title: 'Patients carry their bene_id identifier',
    description:
      'Every Patient has an identifier with system `https://bluebutton.cms.gov/resources/variables/bene_id` ' +
      'whose value is the Patient id.',
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-no-bene-id'],
  },
  [RULE.claimId]: {
    id: 'FHIR-ID-CLM-ID-SYSTEM',
    title: 'Claims carry their claim id identifier',
    description:
      'Every ExplanationOfBenefit has an identifier with system `https://bluebutton.cms.gov/resources/variables/clm_id` ' +
      '(Part D events: `…/variables/pde_id`).',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-no-claim-id'],
  },
  [RULE.coverageId]: {
    id: 'FHIR-COVERAGE-ID',
    title: 'Coverage ids are part-<a|b|c|d>-<beneficiary>',
    description:
      'Coverage ids name the Medicare part and the beneficiary (`part-a-<bene>`), and the beneficiary matches ' +
      'Coverage.beneficiary.',
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-bad-coverage-id'],
  },
  [RULE.eobPrefix]: {
    id: 'FHIR-EOB-ID-PREFIX',
    title: 'ExplanationOfBenefit id prefix names its claim type and matches its profile',
    description:
      'EOB ids are `<claim type>-<claim id>` (carrier, dme, hha, hospice, inpatient, outpatient, pde, snf), and in ' +
      'v2/v3 the claimed C4BB EOB profile fits that claim type (e.g. pde → Pharmacy, outpatient → Outpatient-Institutional).',
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-bad-eob-prefix'],
  },
  [RULE.patientRef]: {
    id: 'FHIR-REF-PATIENT-FORMAT',
    title: 'Claims and coverage point at their Patient by a relative reference',
    description: 'ExplanationOfBenefit.patient and Coverage.beneficiary are `Patient/<id>` references.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-absolute-patient-reference'],
  },
  [RULE.refResolves]: {
    id: 'FHIR-REF-RESOLVES',
    title: 'Patient references resolve inside the export',
    description:
      'Every Patient an ExplanationOfBenefit, Coverage or Claim in the export refers to is present in the ' +
      "export's Patient files (checked when the export includes Patient).",
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['behavior §7.2', 'bulkdata@33'],
    faults: ['content-broken-references'],
  },
  [RULE.sandboxIds]: {
    id: 'FHIR-SANDBOX-NEGATIVE-IDS',
    title: 'Sandbox data uses only negative Patient ids',
    description:
      'Synthetic sandbox beneficiaries have negative ids, so they can never be mistaken for real ones; this holds ' +
      'for Patient.id and for every Patient reference.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['seed:001 §Download the data', 'behavior §7.2'],
    faults: ['content-positive-patient-ids'],
  },
};

/**
 * The rule code of each FHIR check id: reports before 1.1.0 carried the check id as an issue's
 * `ruleId`, and `compare` reads those through this map.
 */
export const RULE_OF_FHIR_CHECK: ReadonlyMap<string, RuleId> = new Map(
  (Object.entries(RULE_CHECKS) as Array<[RuleId, RuleCheckMeta]>).map(([rule, meta]) => [meta.id, rule]),
);

export const fhirChecks: CheckDefinition[] = (
  Object.entries(RULE_CHECKS) as Array<[RuleId, RuleCheckMeta]>
).map(([rule, meta]) => ({
  ...meta,
  area: 'fhir',
  operations: ['downloadFile'],
  async run(ctx) {
    const run = await ctx.mainExport();
    const validated = run.downloads.filter((d) => d.validation);
    if (!validated.length)
      return skip(`no file of the shared export was validated: ${run.problem ?? 'no downloads'}`);
    const issues = ctx.once(`fhir-issues`, async () => exportIssues(run));
    const mine = (await issues).filter((i) => i.ruleId === rule);
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
      return meta.level === 'MUST' ? fail(describe(errors), evidence) : warn(describe(errors), evidence);
    }
    if (mine.length) return warn(describe(mine), evidence);
    return pass(`${lines} line(s) in ${validated.length} file(s) checked`, evidence);
  },
}));
