/** Folding one verdict per export into one outcome that names the exports breaking a rule. */
import { fail, pass, skip, warn, type ExportRun } from '../../../src/checks/context';
import {
  exportName,
  kickoffQuery,
  overEveryExport,
  sameRequestUrl,
} from '../../../src/checks/kit/every-export';

const run = (name: string, kickoffUrl = 'http://t/api/v2/Group/all/$export'): ExportRun => ({
  name,
  kickoffUrl,
  polls: [],
  downloads: [],
});

describe('overEveryExport', () => {
  it('skips when there is no export at all, saying why', () => {
    expect(overEveryExport([], 'the run followed no export')).toEqual(skip('the run followed no export'));
  });

  it('skips when no export could be judged, with the first reason', () => {
    const out = overEveryExport([{ run: run('main'), outcome: skip('never polled', ['x1']) }], 'none');
    expect(out).toMatchObject({
      outcome: 'skip',
      message: 'the shared export: never polled',
      evidence: ['x1'],
    });
  });

  it('passes on a single export', () => {
    const out = overEveryExport([{ run: run('main'), outcome: pass('request ok', ['x2']) }], 'none');
    expect(out).toMatchObject({
      outcome: 'pass',
      message: 'the shared export: request ok',
      evidence: ['x2'],
    });
  });

  it('fails naming only the exports that broke the rule, citing their exchanges', () => {
    const out = overEveryExport(
      [
        { run: run('main'), outcome: pass('fine', ['x1']) },
        { run: run('since'), outcome: fail('request is wrong', ['x7'], { expected: 'a', actual: 'b' }) },
        { run: run('type-patient'), outcome: skip('no manifest') },
      ],
      'none',
    );
    expect(out).toEqual({
      outcome: 'fail',
      message: 'the since export: request is wrong',
      evidence: ['x7'],
      expected: 'a',
      actual: 'b',
    });
  });

  it('lists every failing export and drops expected/actual when there are several', () => {
    const out = overEveryExport(
      [
        { run: run('main'), outcome: fail('one', ['x1'], { expected: 'a' }) },
        { run: run('since'), outcome: fail('two', ['x2']) },
      ],
      'none',
    );
    expect(out.message).toBe('the shared export: one; the since export: two');
    expect(out.evidence).toEqual(['x1', 'x2']);
    expect(out.expected).toBeUndefined();
  });

  it('warns, keeping a known deviation, when none fails', () => {
    const out = overEveryExport(
      [
        { run: run('main'), outcome: pass('ok') },
        { run: run('b'), outcome: warn('Go time', ['x3'], { knownDeviation: 'real server' }) },
      ],
      'none',
    );
    expect(out).toMatchObject({ outcome: 'warn', knownDeviation: 'real server', evidence: ['x3'] });
  });

  it('names how many exports passed and spells out the first three', () => {
    const verdicts = ['main', 'a', 'b', 'c', 'd'].map((n) => ({ run: run(n), outcome: pass('ok', [n]) }));
    const out = overEveryExport(verdicts, 'none');
    expect(out.outcome).toBe('pass');
    expect(out.message).toBe(
      'all 5 exports judged: the shared export: ok; the a export: ok; the b export: ok (+2 more)',
    );
  });
});

describe('export helpers', () => {
  it('name the shared export and the others', () => {
    expect(exportName(run('main'))).toBe('the shared export');
    expect(exportName(run('since'))).toBe('the since export');
  });

  it('read the kick-off query, and nothing from a kick-off never sent', () => {
    expect(kickoffQuery(run('a', 'http://t/api/v2/Patient/$export?_type=Patient')).get('_type')).toBe(
      'Patient',
    );
    expect([...kickoffQuery(run('a', '')).keys()]).toEqual([]);
  });

  it('compare request URLs across percent-encoding and a trailing slash, never loosely otherwise', () => {
    expect(
      sameRequestUrl(
        'http://t/api/v2/Group/all/%24export?_type=A%2CB',
        'http://t/api/v2/Group/all/$export?_type=A,B',
      ),
    ).toBe(true);
    expect(sameRequestUrl('http://t/x/', 'http://t/x')).toBe(true);
    expect(sameRequestUrl('http://t/x?_since=%ZZ', 'http://t/x?_since=%ZZ')).toBe(true);
    expect(sameRequestUrl('http://t/x', 'http://t/x?_type=Patient')).toBe(false);
  });
});
