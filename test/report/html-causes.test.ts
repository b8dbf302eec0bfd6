/** The HTML report opens on what failed, grouped by root cause (src/report/html/causes.ts, failures.ts). */
import { renderHtml } from '../../src/report/html';
import { groupByCause } from '../../src/report/html/causes';
import { renderFailures } from '../../src/report/html/failures';
import type { RunReport } from '../../src/engine/results';
import { hostileReport } from './fixture';
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

describe('the "What failed" section', () => {
  test('comes first in the page, before the check table, which stays complete', () => {
    const page = renderHtml(cascadeReport());
    const failures = page.indexOf('<section id="failures"');
    expect(failures).toBeGreaterThan(page.indexOf('<main>'));
    expect(failures).toBeLessThan(page.indexOf('id="checks"'));
    expect(page.match(/<tr\s+class="check"/g)).toHaveLength(cascadeReport().results.length);
  });

  test('shows each group’s first failure, with the rest collapsed and linked to the table', () => {
    const section = renderFailures(cascadeReport()).value;
    const causes = section.split('<li class="cause"').slice(1);
    expect(causes).toHaveLength(3);
    const first = causes[0]!;
    const collapsed = first.slice(first.indexOf('<details class="cascade">'));
    const head = first.slice(0, first.indexOf('<details'));
    expect(head).toContain('href="#check=KICKOFF-GROUP-ALL-ACCEPTED"');
    expect(head).toContain('status 200, expected 202');
    expect(head).toContain(`Export problem: ${PROBLEM}`);
    expect(head).not.toContain('DOWNLOAD-OK');
    expect(collapsed).toMatch(
      /<summary>Because of the same cause: 2 more checks failed, 5 checks skipped<\/summary>/,
    );
    expect(collapsed).not.toMatch(/<details[^>]*\sopen/);
    for (const id of ['KICKOFF-TYPE-PATIENT', 'DOWNLOAD-OK', 'CANCEL-ACCEPTED'])
      expect(collapsed).toContain(`data-check="${id}"`);
    expect(section).toMatch(/1 skipped check<\/summary>|1 skipped check that no failure above explains/);
  });

  test('target text in messages is escaped', () => {
    const section = renderFailures(cascadeReport()).value;
    expect(section).toContain('status 404, not a Bundle &lt;script&gt;');
    expect(section).not.toContain('<script>');
  });

  test('a run where nothing failed says so', () => {
    const base = hostileReport();
    const clean = { ...base, results: base.results.map((r) => ({ ...r, outcome: 'pass' as const })) };
    expect(renderFailures(clean).value).toContain('Nothing failed');
  });
});
