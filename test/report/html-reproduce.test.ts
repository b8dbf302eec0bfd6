/**
 * Reproducing a request from the HTML report: against the embedded mock (whose port closed with the
 * run) the report gives the command that starts the same mock, and curls pointed at it.
 */
import { renderHtml } from '../../src/report/html';
import { buildPayload } from '../../src/report/html/payload';
import { mockCommand, reproduceCurl } from '../../src/report/reproduce';
import { hostileReport } from './fixture';
import { cascadeReport, MOCK } from './html-fixture';

describe('against the embedded mock', () => {
  const report = cascadeReport();
  const payload = buildPayload(report);

  test('the payload has the command that starts a mock with the run’s faults and options', () => {
    expect(payload.mockCommand).toBe(
      'bcda-conformance mock --port 4010 --control --fault kickoff-200-instead-of-202 --quirks',
    );
  });

  test('every curl points at that mock, not at the port of the finished run', () => {
    const curl = payload.exchanges.find((x) => x.id === 'k0003')!.curl;
    expect(curl).toContain("'http://127.0.0.1:4010/api/v2/Patient/$export'");
    expect(payload.exchanges.map((x) => x.curl).join('\n')).not.toContain(MOCK);
    expect(curl).toContain('$BCDA_TOKEN');
  });

  test('the page says how to start it, near the top', () => {
    const page = renderHtml(report);
    const at = page.indexOf(
      '<code class="cmd">bcda-conformance mock --port 4010 --control --fault kickoff-200-instead-of-202 --quirks</code>',
    );
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(page.indexOf('<main>'));
  });

  test('an odd fault name cannot turn into a second shell command', () => {
    const cmd = mockCommand({ embeddedMock: true, mockFaults: ['x; rm -rf ~'], mockQuirks: false });
    expect(cmd).toBe("bcda-conformance mock --port 4010 --control --fault 'x; rm -rf ~'");
  });
});

describe('against a real target', () => {
  test('no mock command, and the curl keeps the recorded URL', () => {
    const report = hostileReport();
    const payload = buildPayload(report);
    expect(payload.mockCommand).toBeUndefined();
    expect(payload.exchanges[0]!.curl).toContain("'https://bcda.example.org/api/v2/Patient/$export'");
    expect(reproduceCurl(report.exchanges[0]!, report.run)).toBe(payload.exchanges[0]!.curl);
    expect(renderHtml(report)).not.toContain('bcda-conformance mock --port');
  });
});
