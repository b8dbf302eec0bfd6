/**
 * Validates the lines of one NDJSON file, one at a time: JSON parse, R4 schema, BCDA rules,
 * file-type rules, counts and reference sets. Holds only counters, capped issues and id sets,
 * so memory does not grow with line size or count beyond the ids.
 */
import { describeJsonSyntaxError } from '../core/json-error';
import { checkProfileRules, referencedPatientIds, type Report } from './profile-rules';
import { RULE, type RuleId } from './rules';
import { describeSchemaError } from './schema-issue';
import { explainInvariants } from './schema/explain-invariants';
import type { FastValidator } from './schema/fast-codegen';
import { getFastValidator, getResourceValidator } from './schema/validator';
import type { FileValidationSummary, IssueSeverity, NdjsonValidationOptions, ValidationIssue } from './types';

export const DEFAULT_MAX_ISSUES = 100;

/**
 * A line is "clean" when it holds no backslash escape: its string values can then hold no
 * whitespace but plain spaces (JSON has no raw control characters in strings, and the schema's
 * patterns count only ASCII whitespace), so the fast validator skips most regexps.
 */
export function isCleanLine(text: string): boolean {
  return text.indexOf('\\') === -1;
}

export class LineValidator {
  private readonly fastValidate: FastValidator | undefined;
  private readonly maxIssues: number;
  private readonly sampleLimit: number;
  private expectedType: string | undefined;
  private lineNo = 0;
  private lineFailed = false;
  private readonly patientIds = new Set<string>();
  private readonly referenced = new Set<string>();
  /** The resource type of the latest lines and how many in a row (see countType). */
  private runType: string | undefined;
  private runCount = 0;
  /** The last id added to `referenced`: a patient's claims usually come one after another. */
  private lastReferenced: string | undefined;
  readonly summary: FileValidationSummary;

  constructor(
    private readonly options: NdjsonValidationOptions,
    /** Number of the first line this validator sees, minus one (byte-range shards start mid-file). */
    lineOffset = 0,
  ) {
    // v1 exports are STU3: the R4 schema does not apply.
    this.fastValidate = options.apiVersion === 'v1' ? undefined : getFastValidator().validate;
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
      // No prototype: resource types come from the data (`__proto__` must count like any other).
      countsByType: Object.create(null) as Record<string, number>,
      issues: [],
      issuesDropped: 0,
      references: { patientIds: [], referencedPatients: [] },
    };
  }

  private readonly report: Report = (
    ruleId: RuleId,
    path: string,
    message: string,
    severity: IssueSeverity = 'error',
  ) => {
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

  /**
   * One line, without its line terminator;
   * `badUtf8At`: offset in the line of its first byte that is not UTF-8, or -1.
   */
  line(text: string, badUtf8At = -1): void {
    this.lineNo++;
    this.summary.lines++;
    if (this.summary.validatedLines >= this.sampleLimit) return;
    this.summary.validatedLines++;
    this.lineFailed = false;
    // NDJSON is UTF-8: a client may reject the file. The rest of the line is still checked (as
    // decoded with U+FFFD in place of the bad bytes), so its other problems show too.
    if (badUtf8At >= 0)
      this.report(
        RULE.parse,
        '',
        `not valid UTF-8: invalid byte sequence at byte offset ${badUtf8At} of the line`,
      );
    // Only a line starting with whitespace can be blank (avoids trimming every line).
    const c0 = text.charCodeAt(0);
    if (text.length === 0 || ((c0 === 32 || c0 === 9 || c0 === 13) && text.trim().length === 0)) {
      this.report(RULE.parse, '', 'blank line inside an NDJSON file', 'warning');
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // V8's message quotes the line: say only what kind of error and where.
      this.report(RULE.parse, '', describeJsonSyntaxError(text));
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.report(RULE.parse, '', 'a line must hold one JSON object (a FHIR resource)');
      return;
    }
    this.resource(value as Record<string, unknown>, text);
  }

  /**
   * Counts a resource of `type`. Lines of a file share their type, so the run of the current type
   * is counted in a field and added to countsByType when the type changes: a keyed store per
   * line would first look the (not interned) type name up in V8's string table.
   */
  private countType(type: string): void {
    if (type === this.runType) {
      this.runCount++;
      return;
    }
    this.flushTypeRun();
    this.runType = type;
    this.runCount = 1;
  }

  private flushTypeRun(): void {
    if (this.runType === undefined) return;
    const counts = this.summary.countsByType;
    counts[this.runType] = (counts[this.runType] ?? 0) + this.runCount;
    this.runType = undefined;
    this.runCount = 0;
  }

  /** A line longer than the splitter's limit (`limit` bytes): counted and reported, not parsed. */
  oversizedLine(bytes: number, limit: number): void {
    this.unparsedLine(
      `the line is ${bytes} bytes long, over the ${limit}-byte limit for one resource; not validated`,
    );
  }

  /** A line found longer than `limit` bytes where reading stopped (a download): its length is unknown. */
  unreadLongLine(limit: number): void {
    this.unparsedLine(
      `the line is longer than the ${limit}-byte limit for one resource; not validated, and the file was read no further`,
    );
  }

  private unparsedLine(message: string): void {
    this.lineNo++;
    this.summary.lines++;
    if (this.summary.validatedLines >= this.sampleLimit) return;
    this.summary.validatedLines++;
    this.lineFailed = false;
    this.report(RULE.parse, '', message);
  }

  private resource(res: Record<string, unknown>, text: string): void {
    const type = res.resourceType;
    if (typeof type !== 'string') {
      this.report(RULE.schema, 'resourceType', 'resourceType is missing or not a string');
      return;
    }
    this.countType(type);
    if (this.options.kind === 'error') {
      if (type !== 'OperationOutcome')
        this.report(
          RULE.errorFile,
          `${type}.resourceType`,
          'an error file holds only OperationOutcome resources',
        );
    } else if (this.expectedType === undefined) {
      this.expectedType = type;
    } else if (type !== this.expectedType) {
      this.report(
        RULE.fileType,
        `${type}.resourceType`,
        `is ${type} in a file of ${this.expectedType} resources`,
      );
    }
    if (this.fastValidate) {
      if (!this.passesFastCheck(res, text)) this.explainSchemaFailure(res, type);
      else if (this.fastValidate.warned?.()) this.explainWarnings(res);
    }
    checkProfileRules(res, type, this.options, this.report);
    if (type === 'Patient' && typeof res.id === 'string') this.patientIds.add(res.id);
    const ref = referencedPatientIds(res, type);
    if (ref !== undefined && ref !== this.lastReferenced) {
      this.referenced.add(ref);
      this.lastReferenced = ref;
    }
  }

  private passesFastCheck(res: Record<string, unknown>, text: string): boolean {
    try {
      return (this.fastValidate as FastValidator)(res, isCleanLine(text));
    } catch {
      return false; // e.g. nesting deep enough to overflow the stack: let Ajv explain
    }
  }

  /**
   * Runs the Ajv validator (loaded on first use) to say where the resource breaks the schema, and
   * when Ajv accepts it, the invariants explainer (the rules of schema/invariants.ts).
   */
  private explainSchemaFailure(res: Record<string, unknown>, type: string): void {
    const detailed = getResourceValidator().validate;
    let accepted: boolean;
    try {
      accepted = detailed(res);
    } catch {
      this.report(RULE.schema, type, 'the resource is nested too deeply to validate');
      return;
    }
    if (accepted) {
      const findings = explainInvariants(res);
      for (const { path, message, severity } of findings)
        this.report(RULE.schema, path, message, severity ?? 'error');
      if (findings.some((f) => f.severity === undefined)) return;
      // Should not happen (a differential test keeps both equal); never hide a rejection.
      this.report(
        RULE.schema,
        type,
        'rejected by the fast schema check but accepted by Ajv (validator mismatch)',
        'warning',
      );
      return;
    }
    for (const err of detailed.errors ?? []) {
      const { path, message } = describeSchemaError(type, err);
      this.report(RULE.schema, path, message);
    }
  }

  /** The warnings of a resource the fast validator passed with a warning (see invariants.ts). */
  private explainWarnings(res: Record<string, unknown>): void {
    for (const { path, message, severity } of explainInvariants(res))
      this.report(RULE.schema, path, message, severity ?? 'error');
  }

  addBytes(n: number): void {
    this.summary.bytes += n;
  }

  finish(): FileValidationSummary {
    this.flushTypeRun();
    this.summary.references = { patientIds: [...this.patientIds], referencedPatients: [...this.referenced] };
    return this.summary;
  }
}
