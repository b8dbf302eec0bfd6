/**
 * `bcda-conformance list --requirements`: the requirements table, one line a requirement, with
 * whether it can be tested and which checks verify it (or why none does).
 */
import { GENERIC_SOURCES, type Requirement, type RequirementsTable } from '../requirements/table';
import type { Profile } from '../core/vocabulary';

/** The rows a profile judges by: every source for `bcda`, the IG's rows for `bulk-data-ig`. */
export function requirementsOfProfile(table: RequirementsTable, profile?: Profile): Requirement[] {
  return profile && profile !== 'bcda'
    ? table.requirements.filter((r) => GENERIC_SOURCES.includes(r.source))
    : table.requirements;
}

/** How a requirement stands in the table: its checks, or why it has none. */
export function coverageText(r: Requirement): string {
  if (r.supersededBy) return `superseded by ${r.supersededBy}`;
  if (!r.testable) return `untestable: ${r.why ?? ''}`;
  if (r.checks.length) return r.checks.join(', ');
  return `NO CHECK: ${r.uncovered ?? ''}`;
}

const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

export function formatRequirementsList(rows: readonly Requirement[], total: number): string {
  // The id column is as wide as the longest id (smart-backend@NN is longer than BCDA-001-17).
  const idWidth = Math.max(13, ...rows.map((r) => r.id.length));
  const lines = rows.map(
    (r) =>
      `${r.id.padEnd(idWidth)} ${r.level.padEnd(10)} ${clip(r.statement, 70).padEnd(70)}  ${clip(coverageText(r), 90)}`,
  );
  const testable = rows.filter((r) => r.testable && !r.supersededBy);
  const checked = testable.filter((r) => r.checks.length);
  lines.push(
    '',
    `${rows.length} of ${total} requirements; ${testable.length} testable, ${checked.length} of them verified by a check`,
  );
  return `${lines.join('\n')}\n`;
}
