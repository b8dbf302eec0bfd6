import type { CheckDefinition } from '../../src/checks/context';
import type { CheckResult } from '../../src/engine/results';
import { consoleHooks } from '../../src/report/console';
import { jobName, RunProgress, wantsLiveProgress } from '../../src/report/progress';

const ANSI = new RegExp(String.raw`\x1b\[|\r`);

function stream(isTTY: boolean) {
  const s = { text: '', isTTY, columns: 80, write: (t: string) => ((s.text += t), true) };
  return s;
}
const def = (id: string, area: CheckDefinition['area']) =>
  ({ id, area, level: 'MUST' }) as unknown as CheckDefinition;
const result = (id: string, area: CheckResult['area'], outcome: CheckResult['outcome']) =>
  ({ id, area, outcome, level: 'MUST', message: `msg ${id}` }) as unknown as CheckResult;

function drive(hooks: ReturnType<typeof consoleHooks>) {
  const plan: Array<[string, CheckDefinition['area'], CheckResult['outcome']]> = [
    ['METADATA-A', 'metadata', 'pass'],
    ['STATUS-B', 'status', 'fail'],
    ['STATUS-C', 'status', 'pass'],
  ];
  hooks.onNotice?.('started the embedded mock');
  plan.forEach(([id, area, outcome], i) => {
    hooks.onCheckStart?.(def(id, area), i, plan.length);
    if (i === 1) {
      hooks.onProgress?.({
        kind: 'poll',
        job: 'http://h/api/v2/jobs/14',
        status: 202,
        xProgress: 'In Progress (40%)',
      });
      hooks.onProgress?.({
        kind: 'poll',
        job: 'http://h/api/v2/jobs/14',
        status: 202,
        xProgress: 'In Progress (40%)',
      });
      hooks.onProgress?.({ kind: 'poll', job: 'http://h/api/v2/jobs/14', status: 200 });
      hooks.onProgress?.({ kind: 'download', bytes: 3 * 1024 * 1024 });
    }
    hooks.onCheckDone?.(result(id, area, outcome), i, plan.length);
  });
}

describe('progress', () => {
  test('CI output: plain lines only, a line per check, suite and X-Progress change', () => {
    const s = stream(false);
    drive(consoleHooks(s, { live: false }));
    expect(s.text).not.toMatch(ANSI);
    const lines = s.text.trimEnd().split('\n');
    expect(lines).toEqual([
      'started the embedded mock',
      '-- suite metadata',
      'PASS MUST   METADATA-A: msg METADATA-A',
      '-- suite status',
      '  job 14: In Progress (40%)',
      '  job 14: complete (HTTP 200)',
      'FAIL MUST   STATUS-B: msg STATUS-B',
      'PASS MUST   STATUS-C: msg STATUS-C',
    ]);
  });

  test('terminal output: a live line redrawn in place, failures kept as lines', () => {
    const s = stream(true);
    let t = 0;
    drive(
      consoleHooks(s, {
        colour: false,
        live: true,
        now: () => (t += 1000),
        plan: [
          { id: 'METADATA-A', area: 'metadata' },
          { id: 'STATUS-B', area: 'status' },
          { id: 'STATUS-C', area: 'status' },
        ],
      }),
    );
    expect(s.text).toContain('\r\x1b[K');
    expect(s.text).toContain('FAIL MUST   STATUS-B: msg STATUS-B\n');
    expect(s.text).not.toContain('PASS MUST   METADATA-A');
    expect(s.text).toContain('job 14: In Progress (40%)');
    expect(s.text).toContain('3.0 MiB downloaded');
    expect(s.text).toContain('3/3 checks · 2/2 suites');
    // Every redraw fits the terminal.
    for (const piece of s.text.split('\r\x1b[K')) expect(piece.replace(/\n.*/s, '').length).toBeLessThan(80);
  });

  test('live only on a TTY outside CI', () => {
    expect(wantsLiveProgress(true, {})).toBe(true);
    expect(wantsLiveProgress(false, {})).toBe(false);
    expect(wantsLiveProgress(true, { CI: 'true' })).toBe(false);
    expect(wantsLiveProgress(true, { CI: '1' })).toBe(false);
    expect(wantsLiveProgress(true, { CI: 'false' })).toBe(true);
    expect(wantsLiveProgress(true, { TERM: 'dumb' })).toBe(false);
  });

  test('the status line counts suites without a plan and cuts to the width', () => {
    const p = new RunProgress();
    p.start({ id: 'A-1', area: 'auth' }, 4);
    p.finish({ id: 'A-1', area: 'auth' });
    p.start({ id: 'K-1', area: 'kickoff' }, 4);
    expect(p.line(200)).toBe('1/4 checks · suites done: 1 · kickoff: K-1');
    expect(p.line(20)).toHaveLength(19);
    expect(jobName('https://h/api/v2/jobs/42?x=1')).toBe('job 42');
  });
});
