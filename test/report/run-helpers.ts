/** Runs the engine the way the CLI does, into a temporary directory, for the report tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type RawSettings } from '../../src/config/config';
import { runConformance, type RunOutcome } from '../../src/run/run-conformance';
import { consoleHooks, printSummary } from '../../src/report/console';
import { writeReports, type WrittenReports } from '../../src/report/write';

export interface TestRun {
  outcome: RunOutcome;
  files: WrittenReports;
  dir: string;
  /** Everything the console hooks and the summary printed. */
  consoleText: string;
}

export async function runAndWrite(settings: RawSettings, prefix = 'report-run-'): Promise<TestRun> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  // An empty environment and a directory without a config file: only `settings` count.
  const config = loadConfig({ ...settings, outDir: path.join(dir, 'reports') }, {}, dir);
  const sink = { text: '', isTTY: false, write: (t: string) => ((sink.text += t), true) };
  const outcome = await runConformance(config, consoleHooks(sink, { live: false }));
  const files = writeReports(outcome.report, config.outDir);
  printSummary(outcome.report, Object.values(files), sink);
  return { outcome, files, dir, consoleText: sink.text };
}
