/** The validation issues of an export: every file's own, and those found across its files. */
import { checkExportReferences, type ValidationIssue } from '../../fhir';
import type { ExportRun } from '../context';

export function exportIssues(run: ExportRun): ValidationIssue[] {
  const summaries = run.downloads.flatMap((d) => (d.validation ? [d.validation] : []));
  return [...summaries.flatMap((s) => s.issues), ...checkExportReferences(summaries)];
}
