/**
 * Contract between the mock server (src/mock/*) and the synthetic data generator
 * (src/mock/data/*). The server decides what an export contains (ACO, version, types,
 * _since, runout, faults); the generator turns that into files, lazily and deterministically.
 */
import type { ApiVersion } from '../../core/vocabulary';
import type { DataFault } from './export-faults';

export type ExportResourceType =
  'Patient' | 'Coverage' | 'ExplanationOfBenefit' | 'Claim' | 'ClaimResponse' | 'Observation';

export interface AcoProfile {
  /** CMS id, e.g. `A9994`. */
  cmsId: string;
  /** Number of attributed beneficiaries. */
  beneficiaries: number;
  /** Data entitlements: adjudicated → Patient/Coverage/EOB; partially adjudicated → Claim/ClaimResponse. */
  adjudicated: boolean;
  partiallyAdjudicated: boolean;
}

/** Content faults the generator can inject (the server maps its fault catalog onto these). */
export type ContentMutation =
  /** One resource per file breaks the FHIR R4 schema (e.g. a bad `gender` code). */
  | 'invalid-resource'
  /** One line in each data file is a resource of another type than the file's. */
  | 'wrong-resource-type'
  /** EOB.patient / Coverage.beneficiary name a Patient that is not in the export. */
  | 'broken-reference'
  /** `meta.profile` is dropped (v2/v3) or wrong. */
  | 'missing-profile'
  /** Lines are not valid JSON (truncated). */
  | 'malformed-json'
  /** A Patient without its MBI identifier. */
  | 'no-mbi'
  /** A Patient without its bene_id identifier. */
  | 'no-bene-id'
  /** An ExplanationOfBenefit without its clm_id / pde_id identifier. */
  | 'no-claim-id'
  /** A Coverage id that does not follow `part-<a|b|c|d>-<beneficiary>`. */
  | 'bad-coverage-id'
  /** An ExplanationOfBenefit id whose prefix is not a claim type. */
  | 'bad-eob-prefix'
  /** EOB.patient / Coverage.beneficiary as an absolute URL instead of `Patient/<id>`. */
  | 'absolute-patient-reference'
  /** A Patient with a positive (real-looking) id in sandbox data. */
  | 'positive-patient-id'
  /** Error files start with a line that is not an OperationOutcome. */
  | 'error-file-wrong-type'
  /** The OperationOutcomes of error files have issues without the code FHIR R4 requires. */
  | 'error-outcome-no-code'
  /** Group/runout draws from the current enrollees instead of last year's runout population. */
  | 'runout-current-enrollees'
  /** Group/runout: the first claim of every claim file is dated on the transaction day (this year). */
  | 'service-in-current-year'
  /** An ExplanationOfBenefit without item lines, diagnoses, totals or payment. */
  | 'eob-no-claim-lines'
  /** A Patient whose MBI identifiers do not say whether they are current or historic. */
  | 'mbi-no-currency'
  /** A Patient without birthDate and address. */
  | 'patient-no-demographics'
  /** A Coverage without its group/plan classes (Medicare, Part A-D). */
  | 'coverage-no-part-class'
  /** A Coverage without the ESRD and entitlement-reason extensions (ms_cd, esrd_ind, orec, crec). */
  | 'coverage-no-esrd-oasi'
  /** A Patient export also draws from the runout population (not Group/runout's own rule). */
  | 'with-runout-enrollees'
  /** Group/runout: the first claim of every claim file spans the new year (December to January). */
  | 'service-spans-new-year'
  /** Each data file is one line: a JSON array of its resources. */
  | 'json-array'
  // Past the first line (line-faults.ts; seeds 002/003, issue 16 item 5):
  /** Every Patient's MBI identifiers hold its bene_id. */
  | 'mbi-holds-bene-id'
  /** Every MBI is marked current, replaced ones included. */
  | 'mbi-all-current'
  /** The second Patient of each file has no name. */
  | 'second-patient-no-name'
  /** Every ExplanationOfBenefit lacks its care team (performing, prescribing, attending provider). */
  | 'eob-no-care-team'
  /** Each data file ends with a line of another resource type. */
  | 'stray-type-last-line'
  /** The first line of each data file is a JSON string holding the resource's JSON (encoded twice). */
  | 'double-encoded-line'
  | 'money-value-string'
  | 'bluebutton-stu3-profile'
  /** Every Patient's bene_id identifier holds the positive (real-looking) number, Patient.id stays negative. */
  | 'bene-id-positive'
  /** Every Part B Coverage's plan class says Part A. */
  | 'part-b-labelled-part-a'
  /** Each resource is written as indented JSON over several lines. */
  | 'pretty-printed'
  /** A Patient whose bene_id value is its id without the minus sign. */
  | 'bene-id-unsigned'
  /** A Coverage whose id names another beneficiary than Coverage.beneficiary. */
  | 'coverage-id-other-bene'
  /** An ExplanationOfBenefit whose id prefix is another claim type than its profile's. */
  | 'eob-prefix-wrong-type'
  /** Every Part D event ExplanationOfBenefit identified with the clm_id system instead of pde_id. */
  | 'pde-clm-id'
  /** EOB.patient / Coverage.beneficiary as a versioned reference, Patient/<id>/_history/1. */
  | 'versioned-patient-reference'
  /** Claim and ClaimResponse files are listed but hold no line (independent faults h1). */
  | 'partial-claims-empty';

export interface ExportSpec {
  aco: AcoProfile;
  version: ApiVersion;
  /** Types the job exports, already validated and defaulted by the server. */
  types: ExportResourceType[];
  /** Only resources whose meta.lastUpdated is after this instant. */
  since?: Date;
  /**
   * Group/runout: the runout enrollees (attributed last year, not this year; see attribution.ts),
   * and only their claims with service dates up to 31 December of the year before `now`.
   */
  runout: boolean;
  /**
   * Splits the enrollees by attribution (seed 000 §/Group, `_since` on Group/all): those first
   * attributed in a file after `afterMonth` (attribution.ts month numbers) are newly attributed and
   * get their whole history, `since` not applied, in files of their own; the others get `since`.
   * `omit` leaves the newly attributed out instead (a fault).
   */
  newEnrollees?: { afterMonth: number; omit?: boolean };
  /**
   * Fault export-claims-of-other-organization: the first ExplanationOfBenefit file also holds the
   * claims of this organization's first enrollees (a claims join that ignores the organization).
   */
  claimsLeakFrom?: Pick<AcoProfile, 'cmsId' | 'beneficiaries'>;
  /** The job's transactionTime; no resource is lastUpdated after it. */
  transactionTime: Date;
  /** Run seed: same seed and spec → byte-identical files. */
  seed: number;
  /** Job id, part of the deterministic file-name derivation. */
  jobId: number;
  mutations?: ContentMutation[];
  /** Faults about what the export holds as a whole (export-faults.ts). */
  dataFaults?: DataFault[];
}

export interface PlannedFile {
  /** File name as served under /data/{jobId}/, e.g. `1b4e…-9c.ndjson` or `1b4e…-9c-error.ndjson`. */
  name: string;
  /** Resource type of the lines (`OperationOutcome` for error files). */
  type: ExportResourceType | 'OperationOutcome';
  kind: 'output' | 'error';
  /** Beneficiary index range [start, end) this file covers. */
  beneficiaries: [number, number];
  /** In an export split by attribution (ExportSpec.newEnrollees), the cohort whose lines it holds. */
  cohort?: 'new' | 'existing';
}

/** Functions the generator module (src/mock/data/index.ts) exports. */
export interface ExportDataGenerator {
  /** The files of an export, in manifest order. Cheap: generates no resources. */
  planExport(spec: ExportSpec): PlannedFile[];
  /**
   * The lines of one planned file (each a JSON text without the trailing newline), generated lazily.
   * `sortKeys` sorts object keys at every level, as the real server's re-serialization does.
   */
  fileLines(spec: ExportSpec, file: PlannedFile, options?: { sortKeys?: boolean }): Iterable<string>;
}
