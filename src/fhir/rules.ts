/**
 * The FHIR content rules, as catalog metadata. Each rule's outcome comes from the
 * ValidationIssues carrying its id; `faults` are filled in by the engine.
 */
import type { FhirRuleMeta } from './types';

export const RULE = {
  parse: 'FHIR-NDJSON-PARSE',
  schema: 'FHIR-SCHEMA',
  fileType: 'FHIR-FILE-RESOURCE-TYPE',
  errorFile: 'FHIR-ERROR-FILE-OPERATIONOUTCOME',
  profileMeta: 'FHIR-PROFILE-META',
  mbi: 'FHIR-ID-MBI-SYSTEM',
  beneId: 'FHIR-ID-BENE-ID-SYSTEM',
  claimId: 'FHIR-ID-CLM-ID-SYSTEM',
  coverageId: 'FHIR-COVERAGE-ID',
  eobPrefix: 'FHIR-EOB-ID-PREFIX',
  patientRef: 'FHIR-REF-PATIENT-FORMAT',
  refResolves: 'FHIR-REF-RESOLVES',
  sandboxIds: 'FHIR-SANDBOX-NEGATIVE-IDS',
} as const;

export type RuleId = (typeof RULE)[keyof typeof RULE];

const base = { area: 'fhir', operations: [] as string[], faults: [] as string[] } as const;

export const FHIR_RULES: readonly FhirRuleMeta[] = [
  {
    ...base,
    id: RULE.parse,
    title: 'Every NDJSON line is one JSON object',
    description:
      'Each line of a downloaded file is parsed on its own. A line that is not valid JSON, or not a JSON object, ' +
      'breaks the NDJSON format every bulk client relies on. Blank lines inside a file are reported as warnings.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['bulkdata@209', 'seed:001 §Download the data'],
  },
  {
    ...base,
    id: RULE.schema,
    title: 'Every resource is valid FHIR R4',
    description:
      'Each resource is validated against the official FHIR R4 4.0.1 JSON schema, tightened with the core ' +
      'StructureDefinition rules the schema misses (1..1 elements, choice[x] exclusivity, ext-1, integer ranges, ' +
      'no empty arrays or objects). Not applied to v1 exports, which carry STU3 resources.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['bulkdata@209', 'seed:000 §FHIR', 'behavior §7.2'],
    versions: ['v2', 'v3'],
  },
  {
    ...base,
    id: RULE.fileType,
    title: "Every line's resourceType is the file's manifest type",
    description:
      'An output file holds resources of one type only, the `type` its manifest entry names. ' +
      'Without a manifest, the first line fixes the type and every other line must match it.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['bulkdata@169', 'bulkdata@170', 'seed:001 §Download the data'],
  },
  {
    ...base,
    id: RULE.errorFile,
    title: 'Error files hold only OperationOutcome resources',
    description:
      'Files listed under `error` in the manifest must contain OperationOutcome resources and nothing else.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['bulkdata@196', 'seed:001 §Download the data', 'behavior §1'],
  },
  {
    ...base,
    id: RULE.profileMeta,
    title: 'meta.profile names the CARIN Blue Button profile for the API version',
    description:
      'v2 resources claim the unversioned C4BB profile of their type (C4BB-Patient, C4BB-Coverage, one of the ' +
      'C4BB-ExplanationOfBenefit profiles); v3 resources claim a versioned one (`…|2.1.0`); v1 (STU3) resources ' +
      'claim none.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2', 'seed:000 §FHIR'],
  },
  {
    ...base,
    id: RULE.mbi,
    title: 'Patients carry an MBI identifier',
    description:
      'Every Patient has an identifier with system `http://hl7.org/fhir/sid/us-mbi` and a value: ' +
      'the Medicare Beneficiary Identifier ACOs match beneficiaries on.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
  },
  {
    ...base,
    id: RULE.beneId,
    title: 'Patients carry their bene_id identifier',
    description:
      'Every Patient has an identifier with system `https://bluebutton.cms.gov/resources/variables/bene_id` ' +
      'whose value is the Patient id.',
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
  },
  {
    ...base,
    id: RULE.claimId,
    title: 'Claims carry their claim id identifier',
    description:
      'Every ExplanationOfBenefit has an identifier with system `https://bluebutton.cms.gov/resources/variables/clm_id` ' +
      '(Part D events: `…/variables/pde_id`).',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
  },
  {
    ...base,
    id: RULE.coverageId,
    title: 'Coverage ids are part-<a|b|c|d>-<beneficiary>',
    description:
      'Coverage ids name the Medicare part and the beneficiary (`part-a-<bene>`), and the beneficiary matches ' +
      'Coverage.beneficiary.',
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
  },
  {
    ...base,
    id: RULE.eobPrefix,
    title: 'ExplanationOfBenefit id prefix names its claim type and matches its profile',
    description:
      'EOB ids are `<claim type>-<claim id>` (carrier, dme, hha, hospice, inpatient, outpatient, pde, snf), and in ' +
      'v2/v3 the claimed C4BB EOB profile fits that claim type (e.g. pde → Pharmacy, outpatient → Outpatient-Institutional).',
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
  },
  {
    ...base,
    id: RULE.patientRef,
    title: 'Claims and coverage point at their Patient by a relative reference',
    description: 'ExplanationOfBenefit.patient and Coverage.beneficiary are `Patient/<id>` references.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
  },
  {
    ...base,
    id: RULE.refResolves,
    title: 'Patient references resolve inside the export',
    description:
      'Every Patient an ExplanationOfBenefit, Coverage or Claim in the export refers to is present in the ' +
      "export's Patient files (checked when the export includes Patient).",
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['behavior §7.2', 'bulkdata@33'],
  },
  {
    ...base,
    id: RULE.sandboxIds,
    title: 'Sandbox data uses only negative Patient ids',
    description:
      'Synthetic sandbox beneficiaries have negative ids, so they can never be mistaken for real ones; this holds ' +
      'for Patient.id and for every Patient reference.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['seed:001 §Download the data', 'behavior §7.2'],
  },
];
