/**
 * One scenario end to end: a mock in grading mode (recording every request), the scenario's
 * arrangements, the client run within the budget, then every client check over what was recorded.
 */
import type { CheckOutcome } from '../checks/types';
import type { Outcome } from '../core/vocabulary';
import { mockContextOf, startMock } from '../mock';
import { BUILT_IN_CREDENTIALS } from '../mock/credentials';
import { RequestRecorder } from '../mock/recording';
import { CLIENT_CHECKS } from './checks';
import { launchClient, waitForClient, type ClientInfo, type LaunchOptions } from './launch';
import type { Scenario } from './scenarios';
import type { ClientCheck, ScenarioMeta, ScenarioRecord } from './types';

export interface ScenarioRunOptions {
  /** The client command (`--exec`); without it the kit waits for a client run by hand. */
  exec?: string;
  /** Port of the mock; 0 or undefined picks a free one. */
  port?: number;
  /** Told the URL and credentials once the mock listens, before the client starts. */
  onReady?(scenario: ScenarioMeta, info: ClientInfo): void;
  launch?: LaunchOptions;
  /** By hand: how long without a request ends the scenario. Default 10 s. */
  idleSeconds?: number;
  /** Replaces every scenario's time budget (tests of a client that hangs). */
  budgetSeconds?: number;
}

const metaOf = (s: Scenario): ScenarioMeta => ({
  name: s.name,
  title: s.title,
  description: s.description,
  apiVersion: s.apiVersion,
  cmsId: s.cmsId,
  budgetSeconds: s.budgetSeconds,
});

export async function runScenario(
  given: Scenario,
  options: ScenarioRunOptions = {},
): Promise<ScenarioRecord> {
  const scenario = options.budgetSeconds ? { ...given, budgetSeconds: options.budgetSeconds } : given;
  const credential = BUILT_IN_CREDENTIALS.find((c) => c.cmsId === scenario.cmsId);
  if (!credential)
    throw new Error(`scenario ${scenario.name}: the mock has no credentials for ${scenario.cmsId}`);
  const recorder = new RequestRecorder({ idPrefix: `${scenario.name}/`, secrets: [credential.clientSecret] });
  const mock = await startMock({ ...scenario.mock, port: options.port ?? 0, recorder, quiet: true });
  const staged: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const react = await scenario.arrange?.({
      mock,
      ctx: mockContextOf(mock.app),
      recorder,
      credential,
      staged: (id) => staged.push(id),
      onClose: (cleanup) => cleanups.push(cleanup),
    });
    if (react) recorder.onResponse(react);
    const info: ClientInfo = {
      url: mock.url,
      clientId: credential.clientId,
      clientSecret: credential.clientSecret,
      apiVersion: scenario.apiVersion,
    };
    options.onReady?.(metaOf(scenario), info);
    const client = options.exec
      ? await launchClient(
          options.exec,
          info,
          scenario.budgetSeconds,
          options.launch ?? { output: 'inherit' },
        )
      : await waitForClient(
          () => recorder.all().at(-1)?.atMs,
          scenario.budgetSeconds,
          options.idleSeconds ?? 10,
        );
    return { scenario: metaOf(scenario), requests: [...recorder.all()], staged, client, origin: mock.url };
  } finally {
    for (const cleanup of cleanups) await cleanup();
    await mock.close();
  }
}

/** One check's outcome in one scenario. */
export interface ScenarioOutcome extends CheckOutcome {
  scenario: string;
}

/** A check that throws is an error of the kit, not a verdict on the client. */
function judge(check: ClientCheck, record: ScenarioRecord): ScenarioOutcome {
  try {
    return { scenario: record.scenario.name, ...check.run(record) };
  } catch (err) {
    return {
      scenario: record.scenario.name,
      outcome: 'error',
      message: `check failed to run: ${(err as Error).message}`,
      evidence: [],
    };
  }
}

export function judgeScenarios(records: readonly ScenarioRecord[]): Map<ClientCheck, ScenarioOutcome[]> {
  return new Map(CLIENT_CHECKS.map((check) => [check, records.map((r) => judge(check, r))] as const));
}

const SEVERITY: Readonly<Record<Outcome, number>> = { fail: 4, error: 3, warn: 2, pass: 1, skip: 0 };

/** A check's verdict over every scenario: the worst outcome, saying in which scenarios it came. */
export function combine(outcomes: readonly ScenarioOutcome[]): CheckOutcome {
  const worst = outcomes.reduce<Outcome>(
    (w, o) => (SEVERITY[o.outcome] > SEVERITY[w] ? o.outcome : w),
    'skip',
  );
  const these = outcomes.filter((o) => o.outcome === worst);
  const first = these[0];
  if (!first) return { outcome: 'skip', message: 'no scenario was run', evidence: [] };
  const message =
    worst === 'pass' || worst === 'skip'
      ? these.map((o) => `${o.scenario}: ${o.message}`).join('; ')
      : these.map((o) => `[${o.scenario}] ${o.message}`).join('; ');
  return {
    outcome: worst,
    message,
    evidence: these.flatMap((o) => o.evidence),
    ...(first.expected ? { expected: first.expected } : {}),
    ...(first.actual ? { actual: first.actual } : {}),
  };
}
