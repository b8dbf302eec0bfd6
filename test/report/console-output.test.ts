/** Colour, --quiet/--verbose, and GitHub Actions annotations and job summary. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { consoleHooks, printSummary, wantsColour } from '../../src/report/console';
import { annotations, jobSummary, reportToGitHub } from '../../src/report/github-actions';
import type { CheckResult } from '../../src/engine/results';
import { hostileReport } from './fixture';

const sink = () => {
  let text = '';
  return {
    write: (s: string) => {
      text += s;
      return true;
    },
    get text() {
      return text;
    },
  };
};

describe('colour', () => {
  it('is on for a terminal only, off in CI and with NO_COLOR, forced by FORCE_COLOR', () => {
    expect(wantsColour(true, {})).toBe(true);
    expect(wantsColour(false, {})).toBe(false);
    expect(wantsColour(true, { CI: 'true' })).toBe(false);
    expect(wantsColour(true, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColour(true, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
  });

  it('paints the outcome and the verdict, never the target text', () => {
    const out = sink();
    const hooks = consoleHooks(out, { live: false, colour: true });
    const r = { ...hostileReport().results[0]!, message: 'bad \x1b[2J news' };
    hooks.onCheckDone?.(r, 0, 1);
    expect(out.text).toContain('\x1b[31mFAIL\x1b[0m ');
    expect(out.text).toContain('bad \\u001b[2J news');
    const summary = sink();
    printSummary(hostileReport(), [], summary, true);
    // eslint-disable-next-line no-control-regex
    expect(summary.text).toMatch(/\x1b\[1;3[12]m(NOT )?CONFORMANT\x1b\[0m/);
    const plain = sink();
    printSummary(hostileReport(), [], plain, false);
    // eslint-disable-next-line no-control-regex
    expect(plain.text).not.toMatch(/\x1b/);
  });
});

describe('verbosity', () => {
  const results = hostileReport().results;
  const passed = results.find((r) => r.outcome === 'pass')!;
  const failed: CheckResult = {
    ...results[0]!,
    outcome: 'fail',
    expected: 'status 400',
    actual: 'status 202',
  };

  it('--quiet prints nothing per check', () => {
    const out = sink();
    const hooks = consoleHooks(out, { live: false, verbosity: 'quiet' });
    hooks.onNotice?.('waiting 5 s');
    hooks.onCheckDone?.(failed, 0, 1);
    expect(out.text).toBe('');
  });

  it('--verbose prints passes on a live terminal and the expected and actual values', () => {
    const normal = sink();
    consoleHooks(normal, { live: true, colour: false }).onCheckDone?.(passed, 0, 1);
    expect(normal.text).not.toContain(`PASS`);
    const out = sink();
    const hooks = consoleHooks(out, { live: true, colour: false, verbosity: 'verbose' });
    hooks.onCheckDone?.(passed, 0, 2);
    hooks.onCheckDone?.(failed, 1, 2);
    expect(out.text).toContain(`PASS MUST   ${passed.id}`);
    expect(out.text).toContain('expected: status 400');
    expect(out.text).toContain('actual:   status 202');
  });
});

describe('GitHub Actions', () => {
  const hostile = (): ReturnType<typeof hostileReport> => {
    const report = hostileReport();
    report.results[0] = { ...report.results[0]!, message: 'line one\n::error::pwned\r%0A, and: more' };
    return report;
  };

  it('annotates what fails the run as errors and other findings as warnings, each on one inert line', () => {
    const text = annotations(hostile(), false);
    const lines = text.trimEnd().split('\n');
    expect(lines.every((l) => /^::(error|warning) title=[^:]*::/.test(l))).toBe(true);
    expect(lines.filter((l) => l.startsWith('::error')).map((l) => /title=([^:]*)::/.exec(l)![1])).toEqual([
      'KICKOFF-PATIENT-ACCEPT-MISSING [MUST]',
      'METADATA-PUBLIC [MUST]',
    ]);
    expect(lines.some((l) => l.startsWith('::warning title=STATUS-X-PROGRESS [SHOULD]'))).toBe(true);
    expect(text).not.toMatch(/\n::error::pwned/);
    expect(text).toContain('line one\\u000a::error::pwned\\u000d%250A, and: more');
    // Under --strict the SHOULD warning fails the run too.
    expect(annotations(hostile(), true)).toMatch(/^::error title=STATUS-X-PROGRESS \[SHOULD\]::/m);
  });

  it('writes a markdown job summary that escapes target text', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bcda-gha-'));
    const file = path.join(dir, 'summary.md');
    const out = sink();
    reportToGitHub(hostile(), false, out, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file });
    const summary = readFileSync(file, 'utf8');
    expect(summary).toContain('### bcda-conformance: ❌ not conformant');
    expect(summary).toContain('#### Failed the run (MUST) (2)');
    expect(summary).toContain('`KICKOFF-PATIENT-ACCEPT-MISSING`');
    expect(summary).not.toContain('<script>');
    expect(summary.split('\n').some((l) => l.startsWith('::'))).toBe(false);
    expect(summary).toBe(`${jobSummary(hostile(), false)}\n`);
    expect(out.text).toContain('::error title=');
  });
});

describe('the summary', () => {
  it('counts the requirements by what the run showed, when the report has them', () => {
    const report = hostileReport();
    const verdict = (status: string) => ({ status }) as NonNullable<typeof report.requirements>[number];
    const withRequirements = {
      ...report,
      requirements: [
        verdict('met'),
        verdict('met'),
        verdict('broken'),
        verdict('not selected'),
        verdict('untestable'),
      ],
    };
    const out = sink();
    printSummary(withRequirements, [], out, false);
    expect(out.text).toContain(
      'requirements: 2 met, 1 broken, 0 known deviations, 0 not checked, 1 not selected (0 with no check yet; 1 untestable, superseded or not applicable)',
    );
    const none = sink();
    printSummary(report, [], none, false);
    expect(none.text).not.toContain('requirements:');
  });
});
