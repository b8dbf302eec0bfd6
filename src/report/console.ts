/**
 * Console output of a run. On a terminal: a live status line (checks and suites done, the current
 * job's X-Progress, bytes downloaded) with a line for every check that did not pass. In CI or
 * without a TTY: plain lines only — one per check, one per suite, one per X-Progress change.
 */
import type { CheckDefinition, ProgressEvent } from '../checks/context';
import type { CheckResult, RunReport } from '../engine/results';
import type { RunHooks } from '../engine/runner';
import { RunProgress, formatBytes, wantsLiveProgress, type ProgressCheck } from './progress';
import { terminalSafe } from './terminal-safe';

/** Text from the target (messages, X-Progress) passes through it before reaching a terminal. */
export { terminalSafe };

const SYMBOL: Record<string, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  skip: 'SKIP',
  error: 'ERR ',
};
/** Shortest gap between two redraws of the live line. */
const REDRAW_MS = 100;

/** The parts of a stream the console output needs (a TTY stream or a plain writable). */
export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ConsoleOptions {
  /** Live line (default: a TTY outside CI). */
  live?: boolean;
  /** The checks about to run, for exact suite counts. */
  plan?: readonly ProgressCheck[];
  /** Clock for redraw throttling (tests). */
  now?: () => number;
}

export function consoleHooks(
  stream: ConsoleStream = process.stderr,
  options: ConsoleOptions | boolean = {},
): RunHooks {
  const opts: ConsoleOptions = typeof options === 'boolean' ? { live: options } : options;
  const live = opts.live ?? wantsLiveProgress(stream.isTTY);
  const now = opts.now ?? Date.now;
  const progress = new RunProgress(opts.plan);
  let lastDraw = 0;
  let drawn = false;
  const clear = () => {
    if (live && drawn) stream.write('\r\x1b[K');
    drawn = false;
  };
  const draw = (force = false) => {
    if (!live) return;
    const t = now();
    if (!force && t - lastDraw < REDRAW_MS) return;
    lastDraw = t;
    stream.write(`\r\x1b[K${terminalSafe(progress.line(stream.columns || 120))}`);
    drawn = true;
  };
  /** Writes a whole line, keeping the live line below it. */
  const println = (text: string) => {
    clear();
    stream.write(`${terminalSafe(text)}\n`);
    draw(true);
  };
  return {
    onNotice: (m) => println(m),
    onCheckStart: (check: CheckDefinition, _i, n) => {
      const fresh = progress.start({ id: check.id, area: check.area }, n);
      if (fresh && !live) println(`-- suite ${check.area}`);
      else draw(true);
    },
    onCheckDone: (r: CheckResult) => {
      progress.finish({ id: r.id, area: r.area });
      const text = `${SYMBOL[r.outcome]} ${r.level.padEnd(6)} ${r.id}: ${r.message}${r.knownDeviation ? ' (known deviation)' : ''}`;
      if (!live || r.outcome !== 'pass') println(text);
      else draw(true);
    },
    onProgress: (e: ProgressEvent) => {
      const line = progress.event(e);
      if (!live && line) println(line);
      else draw();
    },
  };
}

export function printSummary(
  report: RunReport,
  files: string[],
  stream: ConsoleStream = process.stdout,
): void {
  const c = report.summary.counts;
  const downloaded = report.exports.reduce((n, t) => n + t.downloads.reduce((m, d) => m + d.bytes, 0), 0);
  stream.write(
    `\n${report.summary.verdict.toUpperCase()}: ${c.pass} passed, ${c.fail} failed, ${c.warn} warned, ${c.skip} skipped, ${c.error} errors ` +
      `(${report.summary.total} checks, ${report.run.requests} requests, ${report.run.kickoffs} kick-offs, ` +
      `${formatBytes(downloaded)} downloaded, ${(report.run.durationMs / 1000).toFixed(1)} s)\n`,
  );
  if (report.summary.mustFailures.length)
    stream.write(`MUST-level failures: ${report.summary.mustFailures.join(', ')}\n`);
  for (const f of files) stream.write(`wrote ${f}\n`);
}
