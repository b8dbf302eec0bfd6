/**
 * Runs the selected checks against one target and returns the run report. Without a target it
 * starts the embedded mock (with control endpoints, so clock and job-state checks can run) and
 * uses its published sandbox credentials.
 */
import { request as undiciRequest } from 'undici';
import { selectChecks } from '../checks/catalog';
import type { CheckOutcome } from '../checks/types';
import type { RunConfig } from '../config/config';
import { ClientCredentialsTokens, StaticTokens, TokenError, type TokenObservation } from '../auth/tokens';
import { HttpClient, TransportError } from '../http/client';
import { BudgetSpentError, TimeBudget, timeoutWithin } from '../http/budget';
import { manifestItems } from '../flows/manifest';
import { ExchangeLog } from '../http/exchange';
import { Redactor } from '../http/redaction';
import { TargetClient } from '../http/target';
import {
  CheckContext,
  KickoffBudgetExceeded,
  type CheckDefinition,
  type ContextOptions,
  type ExportRun,
  type ProgressEvent,
  type TargetControl,
} from '../checks/context';
import { coverageMatrix } from './coverage';
import {
  REPORT_SCHEMA_VERSION,
  summarize,
  type CheckResult,
  type ExportTimeline,
  type RunReport,
} from './results';
import { TOOL_VERSION } from './version';
import { protectResourceContent } from '../report/privacy';
import type { MockServer } from '../mock';

/**
 * Requests in a row without a complete response (none at all, or headers and then a body that
 * stalled) after which the target counts as gone for the rest of the run.
 */
export const GONE_AFTER_FAILURES = 10;

/**
 * Cancelling the run's jobs at the end may use what is left of the run budget, or this long when
 * less is left: a spent budget delays the end of the run by a few seconds at most.
 */
export const CLEANUP_GRACE_MS = 3_000;
/** How long the report waits for exports the budget cut short to wind down (their requests are aborted). */
const EXPORTS_GRACE_MS = 1_000;

/**
 * Polling, downloads and Retry-After waits stop this long before the run budget ends (a tenth of
 * it, 1 to 60 s), so the checks that judge a job that never finished still run and say so.
 */
export function flowReserveMs(timeoutSeconds: number): number {
  return Math.min(60_000, Math.max(1_000, timeoutSeconds * 100));
}

export interface RunHooks {
  onCheckStart?: (check: CheckDefinition, index: number, total: number) => void;
  onCheckDone?: (result: CheckResult, index: number, total: number) => void;
  onProgress?: (event: ProgressEvent) => void;
  onNotice?: (message: string) => void;
}

export interface RunOutcome {
  report: RunReport;
  /** Set when the target could not be reached at all (exit code 3). */
  unreachable?: string;
}

interface Credentials {
  clientId: string;
  clientSecret: string;
}

type ClientRole =
  | 'other'
  | 'rateLimited'
  | 'outdated'
  | 'denylisted'
  | 'unattributed'
  | 'unknownAco'
  | 'partiallyAdjudicated';

/** Each extra client: the mock ACO that plays it, its config keys, and where checks find it. */
const CLIENT_ROLES: ReadonlyArray<{
  role: ClientRole;
  mockAco: string;
  idKey: keyof RunConfig & `${ClientRole}ClientId`;
  secretKey: keyof RunConfig & `${ClientRole}ClientSecret`;
  contextKey: keyof ContextOptions & `${ClientRole}Client`;
}> = [
  {
    role: 'other',
    mockAco: 'A9990',
    idKey: 'otherClientId',
    secretKey: 'otherClientSecret',
    contextKey: 'otherClient',
  },
  {
    role: 'rateLimited',
    mockAco: 'SBXBM0002',
    idKey: 'rateLimitedClientId',
    secretKey: 'rateLimitedClientSecret',
    contextKey: 'rateLimitedClient',
  },
  {
    role: 'outdated',
    mockAco: 'TEST995',
    idKey: 'outdatedClientId',
    secretKey: 'outdatedClientSecret',
    contextKey: 'outdatedClient',
  },
  {
    role: 'denylisted',
    mockAco: 'A9997',
    idKey: 'denylistedClientId',
    secretKey: 'denylistedClientSecret',
    contextKey: 'denylistedClient',
  },
  {
    role: 'unattributed',
    mockAco: 'TEST996',
    idKey: 'unattributedClientId',
    secretKey: 'unattributedClientSecret',
    contextKey: 'unattributedClient',
  },
  // The embedded mock's credentials whose CMS id no ACO has.
  {
    role: 'unknownAco',
    mockAco: 'X9999',
    idKey: 'unknownAcoClientId',
    secretKey: 'unknownAcoClientSecret',
    contextKey: 'unknownAcoClient',
  },
  {
    role: 'partiallyAdjudicated',
    mockAco: 'TEST001',
    idKey: 'partiallyAdjudicatedClientId',
    secretKey: 'partiallyAdjudicatedClientSecret',
    contextKey: 'partiallyAdjudicatedClient',
  },
];

export async function runConformance(config: RunConfig, hooks: RunHooks = {}): Promise<RunOutcome> {
  const started = Date.now();
  // --timeout bounds the whole run, from here to the reports.
  const budget = new TimeBudget(
    config.timeoutSeconds * 1000,
    `the run time budget (--timeout ${config.timeoutSeconds} s) was spent`,
    started,
  );
  let mock: MockServer | undefined;
  let resolved = config;
  let control: TargetControl | undefined;
  // The extra clients some checks need, by role: from the embedded mock's built-in ACOs, or from config.
  const extra: Partial<Record<ClientRole, Credentials>> = {};
  if (!config.target) {
    // Loaded only when needed: a run against a real server never starts fastify.
    const { startMock } = await import('../mock');
    mock = await startMock({
      control: true,
      quiet: true,
      faults: config.mockFaults,
      quirks: config.mockQuirks,
    });
    const byId = (cmsId: string) => mock!.credentials.find((c) => c.cmsId === cmsId);
    const main = byId('A9994')!;
    resolved = { ...config, target: mock.url, clientId: main.clientId, clientSecret: main.clientSecret };
    for (const role of CLIENT_ROLES) {
      const found = byId(role.mockAco);
      if (found) extra[role.role] = { clientId: found.clientId, clientSecret: found.clientSecret };
    }
    control = httpControl(mock.url, config.requestTimeoutSeconds * 1000, budget);
    hooks.onNotice?.(`started the embedded mock at ${mock.url}`);
  } else {
    for (const role of CLIENT_ROLES) {
      const clientId = config[role.idKey];
      const clientSecret = config[role.secretKey];
      if (clientId && clientSecret) extra[role.role] = { clientId, clientSecret };
    }
    // A separately started mock with --control offers the same clock and job-state control.
    if (await offersMockControl(config.target, config.requestTimeoutSeconds * 1000, budget.signal)) {
      control = httpControl(config.target, config.requestTimeoutSeconds * 1000, budget);
      hooks.onNotice?.(
        'the target offers mock control endpoints (/__mock): clock and job-state checks will use them',
      );
    }
  }
  const target = resolved.target!;
  const redactor = new Redactor();
  const log = new ExchangeLog(redactor);
  const http = new HttpClient({
    baseUrl: target,
    log,
    timeoutMs: resolved.requestTimeoutSeconds * 1000,
    budget,
    defaultHeaders: { 'user-agent': `bcda-conformance/${TOOL_VERSION}` },
    allowOrigins: resolved.allowOrigins,
  });

  const makeClient = (creds: Credentials) => {
    const tokens = new ClientCredentialsTokens(creds, redactor);
    const client = new TargetClient(http, tokens);
    tokens.bind(client);
    return { client, tokens };
  };
  let observations: () => TokenObservation[] = () => [];
  let invalidate = () => {};
  let main: TargetClient;
  if (resolved.token) {
    const tokens = new StaticTokens(resolved.token, redactor);
    main = new TargetClient(http, tokens);
  } else {
    const made = makeClient({ clientId: resolved.clientId!, clientSecret: resolved.clientSecret! });
    main = made.client;
    observations = () => made.tokens.observations;
    invalidate = () => made.tokens.invalidate();
  }
  const ctx = new CheckContext({
    config: resolved,
    target: main,
    log,
    tokenObservations: () => observations(),
    invalidateToken: () => invalidate(),
    ...Object.fromEntries(
      CLIENT_ROLES.flatMap((r) => {
        const creds = extra[r.role];
        return creds ? [[r.contextKey, makeClient(creds).client]] : [];
      }),
    ),
    ...(control ? { control } : {}),
    sandbox: Boolean(mock) || /sandbox\.bcda\.cms\.gov/i.test(target),
    deadline: budget.deadline - flowReserveMs(resolved.timeoutSeconds),
    budget,
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
  });

  const checks = selectChecks({
    profile: resolved.profile,
    version: resolved.apiVersion,
    areas: resolved.suites,
    ...(resolved.grep ? { grep: resolved.grep } : {}),
  });
  const ordered = [...checks.filter((c) => c.phase !== 'late'), ...checks.filter((c) => c.phase === 'late')];

  const results: CheckResult[] = [];
  let unreachable: string | undefined;
  /** Set when the target stops answering mid-run: the checks left would each wait out their timeouts. */
  let gone: string | undefined;
  let budgetNoticed = false;
  try {
    unreachable = await probe(ctx);
    if (!unreachable && needsSharedExport(ordered)) {
      // Started early so polling overlaps the checks that do not need it (they see any failure).
      ctx.mainExport().catch(() => undefined);
    }
    for (const [index, check] of ordered.entries()) {
      hooks.onCheckStart?.(check, index, ordered.length);
      const t0 = Date.now();
      const failures = http.connectionFailures;
      if (!unreachable && !gone && failures.inARow >= GONE_AFTER_FAILURES) {
        gone = `the target stopped answering: the last ${failures.inARow} requests got no complete response (${failures.last ?? 'unknown'})`;
        hooks.onNotice?.(`${gone}; the remaining checks are not run`);
      }
      if (!unreachable && !gone && budget.isSpent && !budgetNoticed) {
        budgetNoticed = true;
        hooks.onNotice?.(`${budget.reason}; the remaining checks are not run`);
      }
      const outcome: CheckOutcome = unreachable
        ? {
            outcome: 'error',
            message: `not run: the target cannot be reached (${unreachable})`,
            evidence: [],
          }
        : gone
          ? { outcome: 'error', message: `not run: ${gone}`, evidence: [] }
          : budget.isSpent
            ? { outcome: 'error', message: `not run: ${budget.reason}`, evidence: [] }
            : await withinBudget(runOne(check, ctx), budget);
      const result: CheckResult = {
        id: check.id,
        title: check.title,
        description: check.description,
        level: check.level,
        area: check.area,
        profiles: check.profiles,
        refs: check.refs,
        operations: check.operations,
        startedAt: new Date(t0).toISOString(),
        durationMs: Date.now() - t0,
        ...outcome,
        message: redactor.text(outcome.message),
        ...(outcome.expected !== undefined ? { expected: redactor.text(outcome.expected) } : {}),
        ...(outcome.actual !== undefined ? { actual: redactor.text(outcome.actual) } : {}),
      };
      results.push(result);
      hooks.onCheckDone?.(result, index, ordered.length);
    }
    if (!unreachable && !gone) {
      // Past a spent budget only a short grace period: the cleanup must not stretch the run.
      const grace = new TimeBudget(
        Math.max(budget.remainingMs(), CLEANUP_GRACE_MS),
        'the time for cancelling the run’s jobs ran out',
      );
      try {
        await Promise.race([ctx.cleanup(grace), grace.spent]);
      } finally {
        grace.dispose();
      }
    }
  } finally {
    budget.dispose();
    await http.close().catch(() => undefined);
    if (mock) await mock.close().catch(() => undefined);
  }

  const followed = await collectExports(ctx);
  const validation = followed.runs.flatMap((run) =>
    run.downloads.flatMap((d) => {
      if (!d.validation) return [];
      const { references: _references, ...rest } = d.validation;
      return [rest];
    }),
  );
  const finished = Date.now();
  const report: RunReport = protectResourceContent(
    {
      schemaVersion: REPORT_SCHEMA_VERSION,
      tool: { name: 'bcda-conformance', version: TOOL_VERSION },
      run: {
        target: mock ? 'embedded mock' : target,
        embeddedMock: Boolean(mock),
        apiVersion: resolved.apiVersion,
        profile: resolved.profile,
        group: resolved.group,
        suites: resolved.suites,
        ...(resolved.grep ? { grep: resolved.grep } : {}),
        startedAt: new Date(started).toISOString(),
        finishedAt: new Date(finished).toISOString(),
        durationMs: finished - started,
        requests: http.requestCount,
        kickoffs: ctx.kickoffs,
        jobsStarted: ctx.jobsStarted,
        maxKickoffs: resolved.maxKickoffs,
        mockFaults: mock ? resolved.mockFaults : [],
        mockQuirks: mock ? resolved.mockQuirks : false,
      },
      summary: summarize(results),
      results,
      coverage: coverageMatrix(log.all(), resolved.apiVersion),
      // Built from target data outside the exchanges (URLs, header values): redacted like them.
      validation: redactor.deep(validation),
      exports: redactor.deep(followed.timelines),
      exchanges: [...log.all()],
    },
    resolved.includeSamples,
  );
  return unreachable ? { report, unreachable } : { report };
}

/**
 * Waits for a check until the run budget is spent, and no longer: a check still running then is
 * abandoned (its requests have been aborted), and one that ended after the budget aborted its
 * requests has no verdict to give either.
 */
async function withinBudget(running: Promise<CheckOutcome>, budget: TimeBudget): Promise<CheckOutcome> {
  const outcome = await Promise.race([running, budget.spent.then(() => undefined)]);
  if (outcome === undefined || budget.isSpent)
    return { outcome: 'error', message: `not finished: ${budget.reason}`, evidence: [] };
  return outcome;
}

/** Runs one check; a failure of the tool or the transport becomes an `error` outcome, never a crash. */
async function runOne(check: CheckDefinition, ctx: CheckContext): Promise<CheckOutcome> {
  try {
    return await check.run(ctx);
  } catch (err) {
    if (err instanceof KickoffBudgetExceeded) return { outcome: 'skip', message: err.message, evidence: [] };
    if (err instanceof BudgetSpentError)
      return { outcome: 'error', message: `not finished: ${err.message}`, evidence: [] };
    if (err instanceof TransportError)
      return { outcome: 'error', message: `request failed: ${err.message}`, evidence: [err.exchange.id] };
    if (err instanceof TokenError) {
      return {
        outcome: 'error',
        message: `no bearer token: ${err.message}`,
        evidence: err.exchangeId ? [err.exchangeId] : [],
      };
    }
    return { outcome: 'error', message: `the check itself failed: ${(err as Error).message}`, evidence: [] };
  }
}

/** Asks for the public metadata once; a transport failure there means the target is unreachable. */
async function probe(ctx: CheckContext): Promise<string | undefined> {
  try {
    await ctx.once('metadata', () =>
      ctx.target.call(ctx.op('getMetadata'), { label: 'metadata without a token', auth: 'none' }),
    );
    return undefined;
  } catch (err) {
    // No answer to the first request within the whole run budget counts as unreachable too.
    if (err instanceof TransportError || err instanceof BudgetSpentError) return err.message;
    throw err;
  }
}

function needsSharedExport(checks: CheckDefinition[]): boolean {
  return checks.some((c) => ['status', 'download', 'fhir', 'jobs'].includes(c.area));
}

async function collectExports(
  ctx: CheckContext,
): Promise<{ runs: ExportRun[]; timelines: ExportTimeline[] }> {
  const runs = await ctx.settledExports(EXPORTS_GRACE_MS);
  const timelines = runs.map((run) => {
    const t: ExportTimeline = {
      name: run.name,
      polls: run.polls,
      downloads: run.downloads.map((d) => {
        const ex = d.exchangeId ? ctx.log.get(d.exchangeId) : undefined;
        return {
          url: d.item.url,
          type: d.item.type,
          kind: d.kind,
          bytes: d.bytes,
          wireBytes: d.wireBytes,
          ...(d.exchangeId ? { exchangeId: d.exchangeId } : {}),
          ...(d.status !== undefined ? { status: d.status } : {}),
          ...(ex ? { startedAt: ex.startedAt, durationMs: ex.durationMs } : {}),
          ...(d.error ? { error: d.error } : {}),
        };
      }),
    };
    if (run.jobUrl) t.jobUrl = run.jobUrl;
    if (run.kickoff) {
      t.kickoffExchange = run.kickoff.exchange.id;
      t.kickoffAt = run.kickoff.exchange.startedAt;
    }
    if (run.final) t.finalExchange = run.final.exchange.id;
    // A manifest may list more files than the run downloads (--max-files): say so.
    const inManifest = run.manifest
      ? manifestItems(run.manifest.output).length + manifestItems(run.manifest.error).length
      : 0;
    const problems = [
      ...(run.problem ? [run.problem] : []),
      ...(run.downloads.length && inManifest > run.downloads.length
        ? [
            `the manifest lists ${inManifest} files; the run downloaded only the first ${run.downloads.length} (at most ${ctx.config.maxFiles} per export, --max-files)`,
          ]
        : []),
    ];
    if (problems.length) t.problem = problems.join('; ');
    return t;
  });
  return { runs, timelines };
}

/** True when the target answers GET /__mock/state like this project's mock started with --control. */
async function offersMockControl(
  baseUrl: string,
  timeoutMs: number,
  runSignal: AbortSignal,
): Promise<boolean> {
  // Any target gets this request, hostile ones too: bounded in time and in bytes read.
  const budget = Math.min(3_000, timeoutMs);
  const bounded = timeoutWithin(budget, runSignal);
  try {
    const res = await undiciRequest(`${baseUrl.replace(/\/+$/, '')}/__mock/state`, {
      method: 'GET',
      signal: bounded.signal,
      headersTimeout: budget,
      bodyTimeout: budget,
    });
    // Destroying the body below emits an abort error: expected, and not to crash the run.
    res.body.on('error', () => undefined);
    if (res.statusCode !== 200) {
      res.body.destroy();
      return false;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_MOCK_STATE_BYTES) {
        res.body.destroy();
        return false;
      }
      chunks.push(chunk as Buffer);
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { faults?: unknown; jobs?: unknown };
    return Array.isArray(body.faults) && Array.isArray(body.jobs);
  } catch {
    // Not reachable, not JSON, not our mock: no control, and the probe reports reachability.
    return false;
  } finally {
    bounded.dispose();
  }
}

/** The mock's /__mock/state is small; a longer answer is not the mock. */
const MAX_MOCK_STATE_BYTES = 1_000_000;

/**
 * Control of a mock through its /__mock endpoints (not recorded as exchanges). A change is not
 * made once the run budget is spent; putting the mock back as it was (clock, auth provider, token
 * limit) still is, within its own short timeout, so a shared mock is not left changed.
 */
function httpControl(baseUrl: string, timeoutMs: number, budget: TimeBudget): TargetControl {
  const limit = Math.min(timeoutMs, CLEANUP_GRACE_MS * 2);
  const post = async (path: string, body: unknown, restores = false) => {
    if (!restores && budget.isSpent) throw new BudgetSpentError(budget.reason);
    const bounded = timeoutWithin(limit, restores ? undefined : budget.signal);
    try {
      const res = await undiciRequest(`${baseUrl}/__mock${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: bounded.signal,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`mock control ${path} answered ${res.statusCode}: ${text}`);
    } finally {
      bounded.dispose();
    }
  };
  return {
    advanceClock: (seconds) => post('/clock/advance', { seconds }),
    rewindClock: (seconds) => post('/clock/rewind', { seconds }, true),
    forceJobState: (jobId, state) => post(`/jobs/${encodeURIComponent(jobId)}/state`, { state }),
    setAuthProvider: (state) => post('/auth-provider', { state }, state === 'ok'),
    setTokenRateLimit: (limit, windowSeconds) =>
      // Switching the limit off takes no window (the mock wants one of at least 1 s, if any).
      post('/token-rate-limit', limit === 0 ? { limit } : { limit, windowSeconds }, limit === 0),
  };
}
