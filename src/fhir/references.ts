import { RULE } from './rules';
import type { FileValidationSummary, ValidationIssue } from './types';

const EXAMPLES = 5;

/**
 * Cross-file check: every Patient the export's resources reference is in its Patient files.
 * Skipped (no issues) when the export has no Patient output, since nothing can resolve then.
 */
export function checkExportReferences(summaries: FileValidationSummary[]): ValidationIssue[] {
  const outputs = summaries.filter((s) => s.kind === 'output');
  if (!outputs.some((s) => (s.countsByType.Patient ?? 0) > 0)) return [];
  const known = new Set<string>();
  for (const s of outputs) for (const id of s.references.patientIds) known.add(id);
  const issues: ValidationIssue[] = [];
  for (const s of outputs) {
    const missing = s.references.referencedPatients.filter((id) => !known.has(id));
    if (!missing.length) continue;
    const shown = missing
      .slice(0, EXAMPLES)
      .map((id) => `Patient/${id}`)
      .join(', ');
    const more = missing.length > EXAMPLES ? ` and ${missing.length - EXAMPLES} more` : '';
    issues.push({
      file: s.file,
      line: 0,
      path: 'Patient reference',
      message: `${missing.length} referenced Patient(s) are not in the export's Patient files: ${shown}${more}`,
      ruleId: RULE.refResolves,
      severity: 'error',
    });
  }
  return issues;
}
