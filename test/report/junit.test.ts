/** junit.xml agrees with the exit code: only what fails the run is a <failure> or <error>. */
import { renderJunit } from '../../src/report/junit';
import type { CheckResult, RunReport } from '../../src/engine/results';
import { hostileReport } from './fixture';

/** The XML of one testcase, up to the next testcase or the end of its suite. */
const caseOf = (xml: string, id: string): string => {
  const piece = xml.split('<testcase ').find((p) => p.includes(`name="${id} `));
  expect(piece).toBeDefined();
  return piece!.split('</testsuite>')[0]!;
};

function report(results: CheckResult[], extra: Partial<RunReport['run']> = {}): RunReport {
  const base = hostileReport();
  return { ...base, results, run: { ...base.run, ...extra } };
}

const result = (
  id: string,
  outcome: CheckResult['outcome'],
  level: CheckResult['level'],
  extra: Partial<CheckResult> = {},
) => {
  const r = hostileReport().results[0]!;
  return { ...r, id, outcome, level, evidence: ['x0001'], ...extra };
};

describe('renderJunit', () => {
  const results = [
    result('MUST-FAIL', 'fail', 'MUST'),
    result('MUST-ERROR', 'error', 'MUST'),
    result('SHOULD-FAIL', 'fail', 'SHOULD'),
    result('SHOULD-WARN', 'warn', 'SHOULD'),
    result('QUIRK-WARN', 'warn', 'SHOULD', { knownDeviation: 'the real server does this' }),
    result('MAY-ERROR', 'error', 'MAY'),
    result('SKIPPED', 'skip', 'MUST'),
    result('PASSED', 'pass', 'MUST'),
  ];

  it('by default marks only MUST failures and errors, as the exit code counts them', () => {
    const xml = renderJunit(report(results));
    expect(caseOf(xml, 'MUST-FAIL')).toContain('<failure ');
    expect(caseOf(xml, 'MUST-ERROR')).toContain('<error ');
    for (const id of ['SHOULD-FAIL', 'SHOULD-WARN', 'QUIRK-WARN']) {
      expect(caseOf(xml, id)).not.toMatch(/<failure|<error|<skipped/);
      expect(caseOf(xml, id)).toContain('<property name="finding"');
      expect(caseOf(xml, id)).toContain('does not fail the run');
    }
    expect(caseOf(xml, 'MAY-ERROR')).toContain('<skipped message="not judged: ');
    expect(caseOf(xml, 'SKIPPED')).toContain('<skipped ');
    expect(caseOf(xml, 'PASSED')).not.toMatch(/<failure|<error|<skipped|system-out/);
    expect(xml).toMatch(/<testsuites [^>]*failures="1" errors="1" skipped="2"/);
  });

  it('under --strict also marks every tripped check, but not a known deviation', () => {
    const xml = renderJunit(report(results), { strict: true });
    for (const id of ['MUST-FAIL', 'SHOULD-FAIL', 'SHOULD-WARN'])
      expect(caseOf(xml, id)).toContain('<failure ');
    expect(caseOf(xml, 'QUIRK-WARN')).not.toContain('<failure');
    expect(xml).toMatch(/<testsuites [^>]*failures="3" errors="1" skipped="2"/);
  });

  it('puts expected, actual and a reproduce command in the failure body, not bare evidence ids', () => {
    const xml = renderJunit(
      report([result('MUST-FAIL', 'fail', 'MUST', { expected: 'status 400', actual: 'status 202' })]),
    );
    const body = caseOf(xml, 'MUST-FAIL');
    expect(body).toContain('expected: status 400');
    expect(body).toContain('actual:   status 202');
    expect(body).toContain('reproduce:');
    expect(body).toMatch(/curl -sS -i .*Authorization: Bearer \$BCDA_TOKEN/);
    expect(body).toContain('https://bcda.example.org/api/v2/Patient/$export');
    expect(body).not.toMatch(/evidence: x0001/);
  });

  it('against the embedded mock, starts a mock with the same faults and points the curl at it', () => {
    const xml = renderJunit(
      report([result('MUST-FAIL', 'fail', 'MUST')], {
        embeddedMock: true,
        target: 'embedded mock',
        mockFaults: ['kickoff-ignores-accept'],
        mockQuirks: true,
      }),
    );
    const body = caseOf(xml, 'MUST-FAIL');
    expect(body).toContain(
      'bcda-conformance mock --port 4010 --control --fault kickoff-ignores-accept --quirks &amp;',
    );
    expect(body).toContain('&apos;http://127.0.0.1:4010/api/v2/Patient/$export&apos;');
  });
});
