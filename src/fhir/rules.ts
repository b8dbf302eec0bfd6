/**
 * The validator's rules, by the codes it owns. Every ValidationIssue carries one of these codes as
 * its `ruleId`; the catalog (src/checks/fhir.ts) holds each rule's check, with its id, texts,
 * level and faults, and judges it from the issues carrying its code.
 */

export const RULE = {
  parse: 'ndjson-parse',
  schema: 'schema',
  fileType: 'file-resource-type',
  errorFile: 'error-file-operationoutcome',
  profileMeta: 'profile-meta',
  mbi: 'id-mbi-system',
  beneId: 'id-bene-id-system',
  claimId: 'id-clm-id-system',
  coverageId: 'coverage-id',
  eobPrefix: 'eob-id-prefix',
  patientRef: 'ref-patient-format',
  refResolves: 'ref-resolves',
  sandboxIds: 'sandbox-negative-ids',
  eobContent: 'eob-claim-content',
  mbiCurrency: 'patient-mbi-currency',
  demographics: 'patient-demographics',
  coveragePart: 'coverage-part-class',
  coverageMarkers: 'coverage-esrd-oasi',
} as const;

/** A rule's code, as issues carry it. */
export type RuleId = (typeof RULE)[keyof typeof RULE];
