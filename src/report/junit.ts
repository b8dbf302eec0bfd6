/** JUnit XML: one testcase per check, grouped by area; counts match report.json. */
import type { CheckResult, RunReport } from '../engine/results';

const escapeXml = (s: string) =>
  s
    // XML 1.0 cannot carry most control characters, even escaped: matching them is the point here.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

function testcase(r: CheckResult): string {
  const name = escapeXml(`${r.id} ${r.title}`);
  const attrs = `classname="bcda-conformance.${r.area}" name="${name}" time="${(r.durationMs / 1000).toFixed(3)}"`;
  const detail = escapeXml(
    [
      r.message,
      r.expected ? `expected: ${r.expected}` : '',
      r.actual ? `actual: ${r.actual}` : '',
      `level: ${r.level}`,
      `refs: ${r.refs.join(', ')}`,
      r.evidence.length ? `evidence: ${r.evidence.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  switch (r.outcome) {
    case 'fail':
      return `    <testcase ${attrs}>\n      <failure message="${escapeXml(`[${r.level}] ${r.message}`)}" type="${r.level}">${detail}</failure>\n    </testcase>`;
    case 'error':
      return `    <testcase ${attrs}>\n      <error message="${escapeXml(r.message)}" type="error">${detail}</error>\n    </testcase>`;
    case 'skip':
      return `    <testcase ${attrs}>\n      <skipped message="${escapeXml(r.message)}"/>\n    </testcase>`;
    case 'warn':
      return `    <testcase ${attrs}>\n      <system-out>${escapeXml(`WARNING: ${r.message}`)}</system-out>\n    </testcase>`;
    default:
      return `    <testcase ${attrs}/>`;
  }
}

export function renderJunit(report: RunReport): string {
  const areas = [...new Set(report.results.map((r) => r.area))];
  const suites = areas.map((area) => {
    const rs = report.results.filter((r) => r.area === area);
    const count = (o: string) => rs.filter((r) => r.outcome === o).length;
    const time = rs.reduce((n, r) => n + r.durationMs, 0) / 1000;
    return [
      `  <testsuite name="${escapeXml(area)}" tests="${rs.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}" time="${time.toFixed(3)}" timestamp="${report.run.startedAt.replace(/Z$/, '')}">`,
      ...rs.map(testcase),
      '  </testsuite>',
    ].join('\n');
  });
  const c = report.summary.counts;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="bcda-conformance ${escapeXml(report.run.target)} ${report.run.apiVersion}" tests="${report.summary.total}" failures="${c.fail}" errors="${c.error}" skipped="${c.skip}" time="${(report.run.durationMs / 1000).toFixed(3)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
