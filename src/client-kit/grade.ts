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
import {
  launchClient,
  runInProcess,
  waitForClient,
  type ClientInfo,
  type ClientRun,
  type LaunchOptions,
} from './launch';
import { holdJobsForTheirFirstPoll, type Scenario } from './scenarios';
import type { ClientCheck, ScenarioMeta, ScenarioRecord } from './types';

export interface ScenarioRunOptions {
  /** The client command (`--exec`); without it (or `run`) the kit waits for a client run by hand. */
  exec?: string;
  /** The client as a function called in this process, once per scenario (instead of `exec`). */
  run?: ClientRun;
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
  endpoint: s.endpoint ?? 'Group/all',
  cmsId: s.cmsId,
  budgetSeconds: s.budgetSeconds,
});

/**
 * Job speed of a grading mock unless a scenario sets its own: an A9994 export takes 0.8 s, so the
 * poll after the first (held at 202 with Retry-After: 1, holdJobsForTheirFirstPoll) finds it done.
 */
export const GRADING_JOB_SPEED = 2.5;

export async function runScenario(
  given: Scenario,
  options: ScenarioRunOptions = {},
): Promise<ScenarioRecord> {
  const scenario = options.budgetSeconds ? { ...given, budgetSeconds: options.budgetSeconds } : given;
  const credential = BUILT_IN_CREDENTIALS.find((c) => c.cmsId === scenario.cmsId);
  if (!credential)
    throw new Error(`scenario ${scenario.name}: the mock has no credentials for ${scenario.cmsId}`);
  const recorder = new RequestRecorder({ idPrefix: `${scenario.name}/`, secrets: [credential.clientSecret] });
  const mock = await startMock({
    jobSpeed: GRADING_JOB_SPEED,
    ...scenario.mock,
    port: options.port ?? 0,
    recorder,
    quiet: true,
    // One RSA key for every grading mock of this process: each would cost ~300 ms of CPU to make.
    sharedSigningKey: true,
  });
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
    // After the scenario's own reaction, which may force the job into a state of its own.
    recorder.onResponse(holdJobsForTheirFirstPoll(mockContextOf(mock.app)));
    const meta = metaOf(scenario);
    const info: ClientInfo = {
      url: mock.url,
      clientId: credential.clientId,
      clientSecret: credential.clientSecret,
      apiVersion: scenario.apiVersion,
      endpoint: meta.endpoint,
    };
    options.onReady?.(meta, info);
    const client = options.run
      ? await runInProcess(options.run, info, scenario.name, scenario.budgetSeconds)
      : options.exec
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
    // A client's own error message goes into the report's note: never with its secret in it.
    if (client.note) client.note = recorder.scrub(client.note);
    return {
      scenario: meta,
      requests: [...recorder.all()],
      staged,
      client,
      origin: mock.url,
      basicFingerprint: recorder.fingerprint(
        Buffer.from(`${credential.clientId}:${credential.clientSecret}`).toString('base64'),
      ),
    };
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
