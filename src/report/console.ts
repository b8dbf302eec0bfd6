/** Console output of a run: one line per check in CI, a live status line on a terminal, a summary. */
import type { CheckDefinition, ProgressEvent } from '../engine/context';
import type { CheckResult, RunReport } from '../engine/results';
import type { RunHooks } from '../engine/runner';

const SYMBOL: Record<string, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP', error: 'ERR ' };

export function consoleHooks(stream: NodeJS.WriteStream = process.stderr, live = Boolean(stream.isTTY) && process.env.CI !== 'true'): RunHooks {
  let current = '';
  let xProgress = '';
  let bytes = 0;
  let done = 0;
  let total = 0;
  const status = () => {
    if (!live) return;
    const line = `[${done}/${total}] ${current}${xProgress ? ` | job: ${xProgress}` : ''}${bytes ? ` | downloaded ${(bytes / 1048576).toFixed(1)} MiB` : ''}`;
    stream.write(`\r\x1b[K${line.slice(0, (stream.columns ?? 120) - 1)}`);
  };
  return {
    onNotice: (m) => stream.write(`${live ? '\r\x1b[K' : ''}${m}\n`),
    onCheckStart: (check: CheckDefinition, _i, n) => {
      total = n;
      current = check.id;
      status();
    },
    onCheckDone: (r: CheckResult) => {
      done += 1;
      if (live) stream.write('\r\x1b[K');
      if (!live || r.outcome !== 'pass') stream.write(`${SYMBOL[r.outcome]} ${r.level.padEnd(6)} ${r.id}: ${r.message}\n`);
      status();
    },
    onProgress: (e: ProgressEvent) => {
      if (e.kind === 'poll') xProgress = e.xProgress ?? String(e.status);
      else bytes += e.bytes;
      status();
    },
  };
}

export function printSummary(report: RunReport, files: string[], stream: NodeJS.WriteStream = process.stdout): void {
  const c = report.summary.counts;
  stream.write(
    `\n${report.summary.verdict.toUpperCase()}: ${c.pass} passed, ${c.fail} failed, ${c.warn} warned, ${c.skip} skipped, ${c.error} errors ` +
      `(${report.summary.total} checks, ${report.run.requests} requests, ${report.run.kickoffs} kick-offs, ${(report.run.durationMs / 1000).toFixed(1)} s)\n`,
  );
  if (report.summary.mustFailures.length) stream.write(`MUST-level failures: ${report.summary.mustFailures.join(', ')}\n`);
  for (const f of files) stream.write(`wrote ${f}\n`);
}
