/**
 * JUnit XML: one testcase per check, grouped by area. Its failures are what fails the run (see
 * testcase), so the CI view agrees with the exit code under the default and under --strict.
 */
import { failsRun, type CheckResult, type RunReport } from '../engine/results';
import type { Exchange } from '../http/exchange';
import { mockCommand, reproduceCurl } from './reproduce';

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

export interface JunitOptions {
  /** The run's --strict: what counts against the run, and so what JUnit marks as a failure. */
  strict: boolean;
}

/**
 * How to send a failing check's requests again. Against the embedded mock, whose port is gone once
 * the run ends, first the command that starts a mock with the run's faults, and curls pointed at it.
 */
function reproduce(r: CheckResult, report: RunReport, exchanges: ReadonlyMap<string, Exchange>): string[] {
  const evidence = r.evidence.map((id) => exchanges.get(id)).filter((e): e is Exchange => e !== undefined);
  if (!evidence.length) return [];
  const lines = ['reproduce:'];
  const mock = mockCommand(report.run);
  if (mock) lines.push(`  ${mock} &`);
  for (const e of evidence.slice(0, 3)) lines.push(`  ${reproduceCurl(e, report.run)}`);
  if (evidence.length > 3) lines.push(`  (and ${evidence.length - 3} more requests: see index.html)`);
  return lines;
}

function detailOf(r: CheckResult, report: RunReport, exchanges: ReadonlyMap<string, Exchange>): string {
  return [
    r.message,
    r.expected ? `expected: ${r.expected}` : '',
    r.actual ? `actual:   ${r.actual}` : '',
    `level: ${r.level}`,
    r.requirements?.length ? `requirements: ${r.requirements.join(', ')}` : '',
    `refs: ${r.refs.join(', ')}`,
    ...reproduce(r, report, exchanges),
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * One check as a testcase. Only what makes the run exit 1 is a <failure> (a MUST failure, a MUST
 * error, and under --strict any tripped check), so CI viewers show red exactly when the build is red.
 * A finding that does not fail the run (a SHOULD failure, a warning) passes with the finding in
 * <system-out> and a `finding` property; a check that could not judge is <skipped> with its reason.
 */
function testcase(
  r: CheckResult,
  report: RunReport,
  exchanges: ReadonlyMap<string, Exchange>,
  options: JunitOptions,
): string {
  const name = escapeXml(`${r.id} ${r.title}`);
  const attrs = `classname="bcda-conformance.${r.area}" name="${name}" time="${(r.durationMs / 1000).toFixed(3)}"`;
  const open = `    <testcase ${attrs}>`;
  const close = '    </testcase>';
  if (failsRun(r, options.strict)) {
    const tag = r.outcome === 'error' ? 'error' : 'failure';
    const detail = escapeXml(detailOf(r, report, exchanges));
    return `${open}\n      <${tag} message="${escapeXml(`[${r.level}] ${r.message}`)}" type="${r.outcome === 'error' ? 'error' : r.level}">${detail}</${tag}>\n${close}`;
  }
  if (r.outcome === 'skip' || r.outcome === 'error') {
    const why = r.outcome === 'error' ? `not judged: ${r.message}` : r.message;
    return `${open}\n      <skipped message="${escapeXml(why)}"/>\n${close}`;
  }
  if (r.outcome === 'fail' || r.outcome === 'warn') {
    const kind = r.knownDeviation
      ? 'known deviation'
      : `${r.level} ${r.outcome === 'fail' ? 'failure' : 'warning'}`;
    const note = `${kind.toUpperCase()} (does not fail the run${options.strict ? '' : '; --strict would'}): ${detailOf(r, report, exchanges)}`;
    return [
      open,
      '      <properties>',
      `        <property name="finding" value="${escapeXml(kind)}"/>`,
      '      </properties>',
      `      <system-out>${escapeXml(note)}</system-out>`,
      close,
    ].join('\n');
  }
  return `    <testcase ${attrs}/>`;
}

export function renderJunit(report: RunReport, options: JunitOptions = { strict: false }): string {
  const exchanges = new Map(report.exchanges.map((e) => [e.id, e] as const));
  const counted = (rs: readonly CheckResult[], tag: 'failure' | 'error' | 'skipped') =>
    rs.filter((r) => {
      if (failsRun(r, options.strict)) return tag === (r.outcome === 'error' ? 'error' : 'failure');
      return tag === 'skipped' && (r.outcome === 'skip' || r.outcome === 'error');
    }).length;
  const areas = [...new Set(report.results.map((r) => r.area))];
  const suites = areas.map((area) => {
    const rs = report.results.filter((r) => r.area === area);
    const time = rs.reduce((n, r) => n + r.durationMs, 0) / 1000;
    return [
      `  <testsuite name="${escapeXml(area)}" tests="${rs.length}" failures="${counted(rs, 'failure')}" errors="${counted(rs, 'error')}" skipped="${counted(rs, 'skipped')}" time="${time.toFixed(3)}" timestamp="${report.run.startedAt.replace(/Z$/, '')}">`,
      ...rs.map((r) => testcase(r, report, exchanges, options)),
      '  </testsuite>',
    ].join('\n');
  });
  const all = report.results;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="bcda-conformance ${escapeXml(report.run.target)} ${report.run.apiVersion}" tests="${report.summary.total}" failures="${counted(all, 'failure')}" errors="${counted(all, 'error')}" skipped="${counted(all, 'skipped')}" time="${(report.run.durationMs / 1000).toFixed(3)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
