/**
 * Where each FHIR Bulk Data Access IG v2.0.0 server requirement sits, for links: `bulkdata@N` is
 * requirement N of the numbered list the team cites (the Inferno bulk data test kit's ids). Read from
 * the requirements table (spec/requirements/bulkdata.yaml): its level, the IG page and section anchor,
 * and the first words of its sentence, which a text fragment highlights on that page (empty when those
 * words are not unique to one requirement: the link then opens the section).
 * test/report/html-references.test.ts checks it against ../shared/reference/bulk-data-ig-v2.md.
 */
import { requirementsTable } from '../../requirements/table';

export type IgRequirementPlace = readonly [level: string, section: string, words: string];

let places: ReadonlyMap<number, IgRequirementPlace> | undefined;

/** Every IG requirement the table holds, by number. */
export function igRequirements(): ReadonlyMap<number, IgRequirementPlace> {
  places ??= new Map(
    requirementsTable()
      .requirements.filter((r) => r.source === 'bulkdata')
      .map((r) => [
        Number(r.id.slice('bulkdata@'.length)),
        [r.level, r.section, r.anchorWords ?? ''] as const,
      ]),
  );
  return places;
}
