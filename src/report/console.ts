/**
 * Console output of a run. On a terminal: a live status line (checks and suites done, the current
 * job's X-Progress, bytes downloaded) with a line for every check that did not pass. In CI or
 * without a TTY: plain lines only — one per check, one per suite, one per X-Progress change.
 */
import type { CheckDefinition, ProgressEvent } from '../checks/context';
import type { CheckResult, RunReport } from '../engine/results';
import type { RunHooks } from '../run/run-conformance';
import { RunProgress, formatBytes, wantsLiveProgress, type ProgressCheck } from './progress';
import { terminalSafe } from './terminal-safe';
import { countStatuses } from '../engine/requirement-verdicts';

/** Text from the target (messages, X-Progress) passes through it before reaching a terminal. */
export { terminalSafe };

const SYMBOL: Record<string, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  skip: 'SKIP',
  error: 'ERR ',
};
/** SGR colours of the outcome symbols and the verdict. */
const COLOUR: Record<string, string> = {
  pass: '32',
  fail: '31',
  warn: '33',
  skip: '2',
  error: '35',
  conformant: '1;32',
  'not conformant': '1;31',
};
const paint = (on: boolean, key: string, text: string) =>
  on && COLOUR[key] ? `\x1b[${COLOUR[key]}m${text}\x1b[0m` : text;

/**
 * Colour only on a terminal, never in CI or when NO_COLOR is set (no-color.org); FORCE_COLOR turns
 * it on anywhere.
 */
export function wantsColour(isTTY: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return wantsLiveProgress(isTTY, env);
}

/** How much a run prints: only the summary, a line per check that did not pass, or everything. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';
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
  /** Default normal. */
  verbosity?: Verbosity;
  /** Default: wantsColour for the stream. */
  colour?: boolean;
}

export function consoleHooks(
  stream: ConsoleStream = process.stderr,
  options: ConsoleOptions | boolean = {},
): RunHooks {
  const opts: ConsoleOptions = typeof options === 'boolean' ? { live: options } : options;
  const verbosity = opts.verbosity ?? 'normal';
  if (verbosity === 'quiet') return {};
  const live = opts.live ?? wantsLiveProgress(stream.isTTY);
  const colour = opts.colour ?? wantsColour(stream.isTTY);
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
  const println = (text: string, prefix = '') => {
    clear();
    stream.write(`${prefix}${terminalSafe(text)}\n`);
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
      const text = `${r.level.padEnd(6)} ${r.id}: ${r.message}${r.knownDeviation ? ' (known deviation)' : ''}`;
      // The symbol is ours, so its colour codes are written around the escaped target text.
      const symbol = `${paint(colour, r.outcome, SYMBOL[r.outcome] ?? r.outcome)} `;
      if (!live || r.outcome !== 'pass' || verbosity === 'verbose') println(text, symbol);
      else draw(true);
      if (verbosity === 'verbose' && r.outcome !== 'pass') {
        if (r.expected) println(`       expected: ${r.expected}`);
        if (r.actual) println(`       actual:   ${r.actual}`);
      }
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
  colour = wantsColour(stream.isTTY),
): void {
  const c = report.summary.counts;
  const downloaded = report.exports.reduce((n, t) => n + t.downloads.reduce((m, d) => m + d.bytes, 0), 0);
  stream.write(
    `\n${paint(colour, report.summary.verdict, report.summary.verdict.toUpperCase())}: ${c.pass} passed, ${c.fail} failed, ${c.warn} warned, ${c.skip} skipped, ${c.error} errors ` +
      `(${report.summary.total} checks, ${report.run.requests} requests, ${report.run.kickoffs} kick-offs, ` +
      `${formatBytes(downloaded)} downloaded, ${(report.run.durationMs / 1000).toFixed(1)} s)\n`,
  );
  if (report.summary.mustFailures.length)
    stream.write(`MUST-level failures: ${report.summary.mustFailures.join(', ')}\n`);
  if (report.requirements?.length) {
    const n = countStatuses(report.requirements);
    stream.write(
      `requirements: ${n.met} met, ${n.broken} broken, ${n['known deviation']} known deviations, ${n['not checked']} not checked, ${n['not selected']} not selected (${n['no check']} with no check yet; ${n.untestable + n.superseded + n['not applicable']} untestable, superseded or not applicable)\n`,
    );
  }
  for (const f of files) stream.write(`wrote ${f}\n`);
}
