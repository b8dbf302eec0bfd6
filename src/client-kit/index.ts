/**
 * The client test kit (issue 19): the mock grades a BCDA client. `gradeClient` runs the chosen
 * scenarios (one after another, or at once), each on a fresh mock in grading mode, judges the
 * client checks over what each recorded, and assembles the client report.
 */
import { judgeScenarios, runScenario, type ScenarioRunOptions } from './grade';
import { assembleClientReport, type ClientKitReport } from './report';
import { selectScenarios } from './scenarios';
import type { ScenarioRecord } from './types';

export { CLIENT_CHECKS } from './checks';
export { SCENARIOS, selectScenarios, type Scenario } from './scenarios';
export type { ClientKitReport } from './report';
export type { ScenarioOutcome } from './grade';
export type { ClientCheck, ExportEndpoint, ScenarioMeta, ScenarioRecord } from './types';
export type { ClientInfo, ClientRun, ClientRunInfo, LaunchOptions } from './launch';

export interface GradeOptions extends ScenarioRunOptions {
  /** Scenario names; all when empty. */
  scenarios?: readonly string[];
  /** Run the scenarios at once, each on its own mock (needs `exec` or `run`, and no fixed port). */
  concurrent?: boolean;
}

/**
 * Grades a client: runs it (`exec`, `run`, or by hand) through the scenarios and returns the
 * report, its `results` the client checks (worst outcome over the scenarios) and
 * `summary.mustFailures` the MUST-level checks it failed.
 */
export async function gradeClient(options: GradeOptions = {}): Promise<ClientKitReport> {
  const scenarios = selectScenarios(options.scenarios ?? []);
  const started = Date.now();
  const origins = new Map<string, string>();
  const run = (scenario: (typeof scenarios)[number]): Promise<ScenarioRecord> =>
    runScenario(scenario, {
      ...options,
      onReady: (meta, info) => {
        origins.set(meta.name, info.url);
        options.onReady?.(meta, info);
      },
    });
  const records: ScenarioRecord[] = [];
  if (options.concurrent && (options.exec || options.run) && !options.port)
    records.push(...(await Promise.all(scenarios.map(run))));
  else for (const scenario of scenarios) records.push(await run(scenario));
  return assembleClientReport({
    records,
    judged: judgeScenarios(records),
    started,
    finished: Date.now(),
    origins,
    target: options.run
      ? 'BCDA client (in process)'
      : options.exec
        ? 'BCDA client (--exec)'
        : 'BCDA client (run by hand)',
  });
}
