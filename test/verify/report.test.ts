import type { CheckMeta } from '../../src/checks/types';
import type { FaultDefinition, FaultName } from '../../src/core/faults';
import type { JobCheckResult, JobResult } from '../../src/verify/job';
import { isTripped } from '../../src/verify/job';
import {
  renderCatchesDocument,
  renderReadmeSection,
  renderVerifyMarkdown,
  replaceReadmeSection,
} from '../../src/verify/markdown';
import { planVerify } from '../../src/verify/plan';
import { buildVerifyReport } from '../../src/verify/report';

/**
 * Made-up fault names that say what each case is about: planning treats a name as an opaque key, so
 * the test steps around the FaultName type here, and only here.
 */
const named = (name: string) => name as FaultName;
const meta = (id: string, faults: string[]): CheckMeta => ({
  id,
  title: id,
  description: '',
  level: 'MUST',
  area: 'kickoff',
  profiles: ['bcda'],
  refs: ['bulkdata@1'],
  operations: [],
  faults: faults.map(named),
});
const fault = (name: string): FaultDefinition => ({
  name: named(name),
  area: 'kickoff',
  description: `${name} | breaks things`,
  breaks: 'x',
  refs: [],
});
const r = (
  id: string,
  outcome: JobCheckResult['outcome'],
  extra: Partial<JobCheckResult> = {},
): JobCheckResult => ({ id, level: 'MUST', outcome, message: `${id} ${outcome}`, ...extra });

describe('isTripped', () => {
  it('counts failures and plain warnings, not known deviations, skips or errors', () => {
    expect(isTripped(r('A', 'fail'))).toBe(true);
    expect(isTripped(r('A', 'warn'))).toBe(true);
    expect(isTripped(r('A', 'warn', { knownDeviation: 'the real server does this' }))).toBe(false);
    expect(isTripped(r('A', 'skip'))).toBe(false);
    expect(isTripped(r('A', 'error'))).toBe(false);
    expect(isTripped(r('A', 'pass'))).toBe(false);
  });
});

describe('buildVerifyReport', () => {
  const catalog = [meta('CHECK-A', ['fault-a']), meta('CHECK-B', ['fault-b']), meta('CHECK-C', ['fault-a'])];
  const plan = planVerify(catalog, [fault('fault-a'), fault('fault-b')]);
  const clean = (
    key: string,
    results: JobCheckResult[] = [r('CHECK-A', 'pass'), r('CHECK-B', 'pass')],
  ): JobResult => ({ key, durationMs: 10, results });
  // A clean run shows the target's documented departures (expectedTrips) and nothing else.
  const departures = (j: (typeof plan.clean)[number]) =>
    Object.keys(j.expectedTrips ?? {}).map((id) => r(id, 'fail'));
  const cleanRuns = plan.clean.map((j) => clean(j.key, departures(j)));

  it('marks a fault detected when any check trips and a check proven when a fault it names trips it', () => {
    const report = buildVerifyReport(
      plan,
      catalog,
      [
        ...cleanRuns,
        clean('fault-a v2 bcda', [r('CHECK-A', 'fail'), r('CHECK-C', 'pass')]),
        clean('fault-b v2 bcda', [r('CHECK-A', 'warn'), r('CHECK-B', 'error')]),
      ],
      { startedAt: 0, finishedAt: 1000 },
    );
    expect(report.faults.map((f) => [f.name, f.detected, f.tripped.map((t) => t.id)])).toEqual([
      ['fault-a', true, ['CHECK-A']],
      ['fault-b', true, ['CHECK-A']],
    ]);
    expect(report.faults[1]!.errors).toEqual([{ id: 'CHECK-B', message: 'CHECK-B error', run: 'v2 bcda' }]);
    expect(report.checks.map((c) => [c.id, c.provenBy])).toEqual([
      ['CHECK-A', ['fault-a']],
      ['CHECK-B', []],
      ['CHECK-C', []],
    ]);
    expect(report.summary).toMatchObject({
      faults: 2,
      detected: 2,
      checksProven: 1,
      checksUnproven: ['CHECK-B', 'CHECK-C'],
      ok: false,
    });
  });

  it('fails the run when the clean mock trips a check or a fault trips nothing', () => {
    const dirty = plan.clean.map((j, i) => clean(j.key, i === 0 ? [r('CHECK-A', 'fail')] : departures(j)));
    const report = buildVerifyReport(
      plan,
      catalog,
      [...dirty, clean('fault-a v2 bcda', []), clean('fault-b v2 bcda', [])],
      { startedAt: 0, finishedAt: 1 },
    );
    expect(report.summary.cleanTrips).toBe(1);
    expect(report.summary.undetected).toEqual(['fault-a', 'fault-b']);
    expect(report.summary.ok).toBe(false);
    expect(renderVerifyMarkdown(report)).toContain('**not detected**');
  });

  it('is ok when everything is detected, proven and clean, and escapes table cells', () => {
    const report = buildVerifyReport(
      plan,
      [meta('CHECK-A', ['fault-a']), meta('CHECK-B', ['fault-b'])],
      [
        ...cleanRuns,
        clean('fault-a v2 bcda', [r('CHECK-A', 'fail')]),
        clean('fault-b v2 bcda', [r('CHECK-B', 'fail')]),
      ],
      { startedAt: 0, finishedAt: 1 },
    );
    expect(report.summary.ok).toBe(true);
    const section = renderReadmeSection(report);
    expect(section).toContain('2 of 2 mock faults detected (100 %)');
    expect(section).toContain('](docs/what-it-catches.md)');
    expect(section).not.toContain('breaks things');
    const doc = renderCatchesDocument(report);
    expect(doc).toContain('2 of 2 mock faults detected (100 %)');
    expect(doc).toContain('fault-a \\| breaks things');
    for (const text of [section, doc]) expect(text).not.toMatch(/Generated|\d+ s\b/);
  });
});

describe('replaceReadmeSection', () => {
  it('replaces only what lies between the markers, and refuses a README without them', () => {
    const start = '<!-- verify:start (generated by npm run verify; do not edit) -->';
    const readme = `# T\n\nbefore\n${start}\nold\n<!-- verify:end -->\nafter\n`;
    expect(replaceReadmeSection(readme, `${start}\nnew\n<!-- verify:end -->`)).toBe(
      `# T\n\nbefore\n${start}\nnew\n<!-- verify:end -->\nafter\n`,
    );
    expect(replaceReadmeSection('# no markers', 'x')).toBeUndefined();
  });
});
