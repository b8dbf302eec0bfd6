import type { ApiVersion } from '../core/vocabulary';

export type IssueSeverity = 'error' | 'warning';

/** One finding on one NDJSON line (line 0: about the file as a whole). */
export interface ValidationIssue {
  file: string;
  /** 1-based line number; 0 for findings about the whole file or export. */
  line: number;
  /** FHIR-style element path, e.g. `ExplanationOfBenefit.item[0].sequence`. */
  path: string;
  message: string;
  /**
   * The code of the rule it breaks (RULE in rules.ts, e.g. `schema` or `ndjson-parse`). A string:
   * reports read back from disk (compare) carry whatever their file says.
   */
  ruleId: string;
  severity: IssueSeverity;
}

export interface NdjsonValidationOptions {
  /** Name used in issues and summaries (a path or a manifest URL). */
  file: string;
  /** `output` files hold data, `error` files OperationOutcomes (bulkdata@196). */
  kind: 'output' | 'error';
  /** The manifest `type` of the file; when absent the first line's type is expected on every line. */
  expectedType?: string;
  /** Selects the BCDA profile rules; v1 exports are STU3, so the R4 schema is not applied to them. */
  apiVersion?: ApiVersion;
  /** Sandbox data: Patient ids must be negative. */
  sandbox?: boolean;
  /** Validate only the first N lines (the rest are still counted). Default: all. */
  validateLines?: number;
  /** Issues kept per file (default 100); the rest are counted in `issuesDropped`. */
  maxIssuesPerFile?: number;
  /** Force gzip decoding on/off; by default it is detected from the magic bytes. */
  gzip?: boolean;
}

export interface FileValidationSummary {
  file: string;
  kind: 'output' | 'error';
  /** Bytes of NDJSON read (after gunzip). */
  bytes: number;
  lines: number;
  validatedLines: number;
  invalidLines: number;
  countsByType: Record<string, number>;
  firstFailingLine?: number;
  issues: ValidationIssue[];
  issuesDropped: number;
  references: {
    /** Ids of the Patient resources in the file. */
    patientIds: string[];
    /** Distinct `Patient/<id>` targets (as ids) of EOB.patient, Coverage.beneficiary, Claim.patient… */
    referencedPatients: string[];
  };
}

/**
 * A file read from disk by validateFiles. When reading stopped early (the file could not be
 * read, or its gzip data is cut short or corrupt) `error` says why and where, and the counts
 * cover the lines read until then.
 */
export interface FileValidationResult extends FileValidationSummary {
  error?: string;
}
