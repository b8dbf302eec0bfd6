/**
 * Validates the lines of one NDJSON file, one at a time: JSON parse, R4 schema, BCDA rules,
 * file-type rules, counts and reference sets. Holds only counters, capped issues and id sets,
 * so memory does not grow with line size or count beyond the ids.
 */
import { checkProfileRules, referencedPatientIds, type Report } from './profile-rules';
import { RULE, type RuleId } from './rules';
import { describeSchemaError } from './schema-issue';
import { getResourceValidator, type ResourceValidator } from './schema/validator';
import type { FileValidationSummary, IssueSeverity, NdjsonValidationOptions, ValidationIssue } from './types';

export const DEFAULT_MAX_ISSUES = 100;

export class LineValidator {
  private readonly validate: ResourceValidator | undefined;
  private readonly maxIssues: number;
  private readonly sampleLimit: number;
  private expectedType: string | undefined;
  private lineNo = 0;
  private lineFailed = false;
  private readonly patientIds = new Set<string>();
  private readonly referenced = new Set<string>();
  readonly summary: FileValidationSummary;

  constructor(
    private readonly options: NdjsonValidationOptions,
    /** Number of the first line this validator sees, minus one (byte-range shards start mid-file). */
    lineOffset = 0,
  ) {
    // v1 exports are STU3: the R4 schema does not apply.
    this.validate = options.apiVersion === 'v1' ? undefined : getResourceValidator().validate;
    this.maxIssues = options.maxIssuesPerFile ?? DEFAULT_MAX_ISSUES;
    this.sampleLimit = options.validateLines ?? Infinity;
    this.expectedType = options.kind === 'error' ? 'OperationOutcome' : options.expectedType;
    this.lineNo = lineOffset;
    this.summary = {
      file: options.file,
      kind: options.kind,
      bytes: 0,
      lines: 0,
      validatedLines: 0,
      invalidLines: 0,
      countsByType: {},
      issues: [],
      issuesDropped: 0,
      references: { patientIds: [], referencedPatients: [] },
    };
  }

  private readonly report: Report = (ruleId: RuleId, path: string, message: string, severity: IssueSeverity = 'error') => {
    this.addIssue({ file: this.options.file, line: this.lineNo, path, message, ruleId, severity });
  };

  private addIssue(issue: ValidationIssue): void {
    if (issue.severity === 'error' && !this.lineFailed) {
      this.lineFailed = true;
      this.summary.invalidLines++;
      this.summary.firstFailingLine ??= issue.line;
    }
    if (this.summary.issues.length < this.maxIssues) this.summary.issues.push(issue);
    else this.summary.issuesDropped++;
  }

  /** One line, without its line terminator. */
  line(text: string): void {
    this.lineNo++;
    this.summary.lines++;
    if (this.summary.validatedLines >= this.sampleLimit) return;
    this.summary.validatedLines++;
    this.lineFailed = false;
    if (text.length === 0 || text.trim().length === 0) {
      this.report(RULE.parse, '', 'blank line inside an NDJSON file', 'warning');
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.report(RULE.parse, '', `not valid JSON: ${(e as Error).message}`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.report(RULE.parse, '', 'a line must hold one JSON object (a FHIR resource)');
      return;
    }
    this.resource(value as Record<string, unknown>);
  }

  private resource(res: Record<string, unknown>): void {
    const type = res.resourceType;
    if (typeof type !== 'string') {
      this.report(RULE.schema, 'resourceType', 'resourceType is missing or not a string');
      return;
    }
    const counts = this.summary.countsByType;
    counts[type] = (counts[type] ?? 0) + 1;
    if (this.options.kind === 'error') {
      if (type !== 'OperationOutcome') this.report(RULE.errorFile, `${type}.resourceType`, 'an error file holds only OperationOutcome resources');
    } else if (this.expectedType === undefined) {
      this.expectedType = type;
    } else if (type !== this.expectedType) {
      this.report(RULE.fileType, `${type}.resourceType`, `is ${type} in a file of ${this.expectedType} resources`);
    }
    if (this.validate && !this.validate(res)) {
      for (const err of this.validate.errors ?? []) {
        const { path, message } = describeSchemaError(type, err);
        this.report(RULE.schema, path, message);
      }
    }
    checkProfileRules(res, type, this.options, this.report);
    if (type === 'Patient' && typeof res.id === 'string') this.patientIds.add(res.id);
    const ref = referencedPatientIds(res, type);
    if (ref !== undefined) this.referenced.add(ref);
  }

  addBytes(n: number): void {
    this.summary.bytes += n;
  }

  finish(): FileValidationSummary {
    this.summary.references = { patientIds: [...this.patientIds], referencedPatients: [...this.referenced] };
    return this.summary;
  }
}
