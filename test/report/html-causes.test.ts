/** Failures grouped by root cause for the HTML report (src/report/html/causes.ts). */
import { groupByCause } from '../../src/report/html/causes';
import type { RunReport } from '../../src/engine/results';
import { cascadeReport, PROBLEM } from './html-fixture';

const ids = (report: RunReport, indices: number[]) => indices.map((i) => report.results[i]!.id);

describe('grouping by root cause', () => {
  const report = cascadeReport();
  const { groups, otherSkips } = groupByCause(report);

  test('one broken kick-off leads one group: its first failure, what failed the same way, what it made skip', () => {
    const first = groups[0]!;
    expect(report.results[first.head]!.id).toBe('KICKOFF-GROUP-ALL-ACCEPTED');
    expect(ids(report, first.failed)).toEqual(['KICKOFF-PATIENT-ACCEPTED', 'KICKOFF-TYPE-PATIENT']);
    // By the shared kick-off exchange, by quoting the export problem, by naming the check.
    expect(ids(report, first.skipped)).toEqual([
      'STATUS-COMPLETE-200',
      'MANIFEST-OUTPUT-ITEMS',
      'DOWNLOAD-OK',
      'FHIR-SCHEMA',
      'CANCEL-ACCEPTED',
    ]);
    expect(first.problems).toEqual([{ problem: PROBLEM, exports: ['main'] }]);
  });

  test('unrelated failures are their own groups, MUST before SHOULD; known deviations are not failures', () => {
    expect(groups.map((g) => report.results[g.head]!.id)).toEqual([
      'KICKOFF-GROUP-ALL-ACCEPTED',
      'JOBS-FILTER-STATUS',
      'STATUS-X-PROGRESS-FORMAT-OF-THE-PROGRESS-HEADER',
    ]);
    const all = groups.flatMap((g) => ids(report, [g.head, ...g.failed, ...g.skipped]));
    expect(all).not.toContain('JOBS-PENDING-LISTED');
    expect(all).not.toContain('METADATA-PUBLIC');
  });

  test('a skip no failure explains is listed apart', () => {
    expect(ids(report, otherSkips)).toEqual(['AUTH-NEEDS-SECOND-CLIENT']);
  });
});
