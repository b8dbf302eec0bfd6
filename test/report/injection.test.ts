/**
 * Terminal and CI-log injection: target text with line breaks, escape sequences, bidi overrides
 * and GitHub Actions workflow commands (`::error::…` at a line start, `##[error]` anywhere) is
 * printed as inert text by `compare` (text and markdown). The `validate` side is in
 * test/cli/validate-command.test.ts; both use the helpers here.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { RunReport } from '../../src/engine/results';
import { runCompare } from '../../src/report/compare-command';
import { terminalSafe } from '../../src/report/console';
import { hostileReport } from './fixture';
import { expectInertLog, INJECT } from './injection-helpers';

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += String(chunk);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

/** A baseline and a current report whose check and validation strings all carry INJECT. */
function hostilePair(): { baseline: string; current: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'inject-'));
  const base = hostileReport();
  const current: RunReport = JSON.parse(JSON.stringify(base)) as RunReport;
  current.run.target = `https://t.example/${INJECT}`;
  current.results = current.results.map((r, i) => ({
    ...r,
    ...(i === 0 ? { id: `NEW-${INJECT}` } : {}),
    title: `t ${INJECT}`,
    outcome: i === 1 ? 'pass' : 'fail',
    message: `${INJECT}`,
  }));
  current.validation = current.validation.map((f) => ({
    ...f,
    issues: f.issues.map((issue) => ({
      ...issue,
      file: `${INJECT}.ndjson`,
      ruleId: `R-${INJECT}`,
      path: `Patient.${INJECT}`,
      message: `${INJECT}`,
    })),
  }));
  const write = (name: string, data: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(data));
    return file;
  };
  return { baseline: write('base.json', base), current: write('current.json', current) };
}

describe('terminalSafe', () => {
  it('shows control, bidi and line-separator characters as \\u escapes', () => {
    expect(terminalSafe('a\u001b[31mb\u009bc\u202ed\u2066e\u2028f\nx\ty')).toBe(
      'a\\u001b[31mb\\u009bc\\u202ed\\u2066e\\u2028f\\u000ax\ty',
    );
  });

  it('defuses workflow commands: `::` at the start (after any space), `##[` anywhere', () => {
    for (const text of ['::error::x', '  ::error::x', '\u00a0::warning::x', 'a ##[error]x']) {
      expectInertLog(terminalSafe(text));
    }
    expect(terminalSafe('a::b')).toBe('a::b');
  });

  it('is idempotent, so text escaped twice reads the same', () => {
    expect(terminalSafe(terminalSafe(INJECT))).toBe(terminalSafe(INJECT));
  });
});

describe('compare output with hostile report strings', () => {
  const { baseline, current } = hostilePair();

  it('text: no raw control character, no line that starts a workflow command', () => {
    const out = sink();
    expect(runCompare(baseline, current, 'text', out, sink())).toBe(1);
    expect(out.text).toContain('pwned-lf');
    expectInertLog(out.text);
  });

  it('markdown: the same, every table row keeps its cells, no live markup', () => {
    const out = sink();
    expect(runCompare(baseline, current, 'markdown', out, sink())).toBe(1);
    const md = out.text;
    expect(md).toContain('pwned-lf');
    expectInertLog(md);
    let header = 0;
    for (const line of md.split('\n')) {
      if (!line.startsWith('|')) {
        header = 0;
        continue;
      }
      // Pipes not escaped by an odd run of backslashes split cells.
      const cells = line.match(/(?<!\\)(?:\\\\)*\|/g)?.length ?? 0;
      if (header === 0) header = cells;
      expect({ line, cells }).toEqual({ line, cells: header });
    }
    expect(md).not.toMatch(/<b>|<\/b>/);
    expect(md).not.toMatch(/(?<!\\)!?\[(link|img)\]\(/);
    // Backticks only as the report's own code spans around plain ids.
    const unescaped = md.replace(/\\[\\`]/g, '');
    for (const span of unescaped.match(/`[^`\n]*`/g) ?? []) expect(span).toMatch(/^`[\w.\-[\]/]+`$/);
  });

  it('an error message that quotes the file is inert too', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'inject-'));
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...hostileReport(), schemaVersion: `9\n::error::pwned ${INJECT}` }));
    const err = sink();
    expect(runCompare(file, file, 'text', sink(), err)).toBe(2);
    expect(err.text).toContain('pwned');
    expectInertLog(err.text.replace(/\n$/, ''));
  });
});
