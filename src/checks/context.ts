/**
 * What a check gets to work with: the configured target, the token provider, and shared flows.
 * Flows that cost the target something (a kick-off, a full export) run once per run and are
 * shared by every check that needs them; kick-offs are counted against --max-kickoffs, and jobs
 * nobody needs any more are cancelled at the end.
 */
import type { ApiVersion, CheckMeta, CheckOutcome } from './types';
import type { RunConfig } from '../config/config';
import type { HttpResponse } from '../http/client';
import { TransportError } from '../http/client';
import type { ExchangeLog } from '../http/exchange';
import { operationId, type AuthMode, type CallOptions, type TargetClient } from '../http/target';
import type { OperationId } from '../../generated/operations';
import { pollJob, type PollRecord } from '../flows/poll';
import { asManifest, manifestItems, type Manifest, type ManifestItem } from '../flows/manifest';
import { downloadAll, downloadOne, type DownloadRecord } from '../flows/download';
import { retryAfterMs, type TokenObservation } from '../auth/tokens';
import { BudgetSpentError, sleepWithin, type RequestBudget } from '../http/budget';

export interface CheckDefinition extends CheckMeta {
  /** `late` checks run after all others: they change shared state (advance the clock, expire jobs). */
  phase?: 'normal' | 'late';
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

export type ExportEndpoint = 'patient' | 'group';

export interface KickoffSpec {
  endpoint: ExportEndpoint;
  group?: string;
  query?: CallOptions<OperationId>['query'];
  rawQuery?: string;
  /** Header overrides; undefined values remove the default Accept/Prefer. */
  headers?: Record<string, string | undefined>;
  auth?: AuthMode;
  label: string;
  /** Which client sends it (default: the main one). */
  client?: TargetClient;
}

export interface KickoffResult {
  res: HttpResponse;
  /** Content-Location when the kick-off was accepted. */
  jobUrl?: string;
}

export interface ExportRun {
  name: string;
  kickoff?: HttpResponse;
  kickoffUrl: string;
  jobUrl?: string;
  polls: PollRecord[];
  final?: HttpResponse;
  manifest?: Manifest;
  /** Why the export did not complete, when it did not. */
  problem?: string;
  downloads: DownloadRecord[];
}

/** Control of the embedded mock (clock, job states); absent against any other target. */
export interface TargetControl {
  advanceClock(seconds: number): Promise<void>;
  /** Undoes an earlier advanceClock (the mock refuses to go back further than advances went). */
  rewindClock(seconds: number): Promise<void>;
  forceJobState(jobId: string, state: string): Promise<void>;
  /** Simulates an outage of the auth provider (BCDA's SSAS): `ok` ends it. */
  setAuthProvider(state: 'ok' | 'timeout' | 'error'): Promise<void>;
  /** Limits tokens per ACO in a window of seconds; 0 switches the limit off. */
  setTokenRateLimit(limit: number, windowSeconds: number): Promise<void>;
}

export class KickoffBudgetExceeded extends Error {
  constructor(limit: number) {
    super(`the kick-off budget is used up: the run already started ${limit} jobs (--max-kickoffs)`);
  }
}

export interface ContextOptions {
  config: RunConfig;
  target: TargetClient;
  log: ExchangeLog;
  tokenObservations: () => TokenObservation[];
  invalidateToken: () => void;
  otherClient?: TargetClient;
  rateLimitedClient?: TargetClient;
  /** A client whose ACO has no up-to-date attribution (BCDA's smoke-test ACO TEST995). */
  outdatedClient?: TargetClient;
  /** A client whose ACO is denylisted (BCDA's A9997). */
  denylistedClient?: TargetClient;
  /** A client whose ACO has no attribution data at all. */
  unattributedClient?: TargetClient;
  unknownAcoClient?: TargetClient;
  partiallyAdjudicatedClient?: TargetClient;
  control?: TargetControl;
  /** True when the target is BCDA's sandbox or the embedded mock (synthetic data: negative ids). */
  sandbox: boolean;
  /** When polling, downloads and Retry-After waits stop: a little before the budget ends. */
  deadline: number;
  /** The run's time budget: waits between requests end with it. */
  budget?: RequestBudget;
  onProgress?: (event: ProgressEvent) => void;
}

/** Kick-offs of a needed export, in all, while the target answers 429 (each after its Retry-After). */
const RATE_LIMIT_ATTEMPTS = 5;

export type ProgressEvent =
  | { kind: 'poll'; job: string; status: number; xProgress?: string }
  | { kind: 'download'; bytes: number }
  /** The run waits before asking again, as a 429's Retry-After told it. */
  | { kind: 'wait'; what: string; ms: number };

export class CheckContext {
  readonly config: RunConfig;
  readonly version: ApiVersion;
  readonly target: TargetClient;
  readonly log: ExchangeLog;
  readonly otherClient?: TargetClient;
  readonly rateLimitedClient?: TargetClient;
  readonly outdatedClient?: TargetClient;
  readonly denylistedClient?: TargetClient;
  readonly unattributedClient?: TargetClient;
  /** A client whose organization the target does not know (its tokens are valid). */
  readonly unknownAcoClient?: TargetClient;
  /** A client entitled to partially adjudicated claims (v2 Claim and ClaimResponse). */
  readonly partiallyAdjudicatedClient?: TargetClient;
  readonly control?: TargetControl;
  readonly sandbox: boolean;
  readonly deadline: number;
  /** Kick-off requests sent (accepted or not). */
  kickoffs = 0;
  /** Kick-offs the target accepted: the jobs this run created, bounded by --max-kickoffs. */
  jobsStarted = 0;
  private readonly memo = new Map<string, Promise<unknown>>();
  /** Jobs started by the run that may still be running; cancelled at the end. */
  private readonly startedJobs = new Set<string>();
  /** Every export the run follows, as far as it got, and the names of those that are over. */
  private readonly exportRuns = new Map<string, ExportRun>();
  private readonly exportsDone = new Set<string>();

  constructor(private readonly options: ContextOptions) {
    this.config = options.config;
    this.version = options.config.apiVersion;
    this.target = options.target;
    this.log = options.log;
    if (options.otherClient) this.otherClient = options.otherClient;
    if (options.rateLimitedClient) this.rateLimitedClient = options.rateLimitedClient;
    if (options.outdatedClient) this.outdatedClient = options.outdatedClient;
    if (options.denylistedClient) this.denylistedClient = options.denylistedClient;
    if (options.unattributedClient) this.unattributedClient = options.unattributedClient;
    if (options.unknownAcoClient) this.unknownAcoClient = options.unknownAcoClient;
    if (options.partiallyAdjudicatedClient)
      this.partiallyAdjudicatedClient = options.partiallyAdjudicatedClient;
    if (options.control) this.control = options.control;
    this.sandbox = options.sandbox;
    this.deadline = options.deadline;
  }

  op(base: string): OperationId {
    return operationId(base, this.version);
  }

  /** Forgets the cached bearer token (e.g. after the target's clock moved past its expiry). */
  invalidateToken(): void {
    this.options.invalidateToken();
  }

  tokenObservations(): TokenObservation[] {
    return this.options.tokenObservations();
  }

  /**
   * Every export the run followed (for the report's timelines), once settled; one still going
   * after `graceMs` (the run budget cut it short) is reported as far as it got.
   */
  async settledExports(graceMs = Infinity): Promise<ExportRun[]> {
    const pending = [...this.memo].filter(([key]) => key.startsWith('export:')).map(([, p]) => p);
    const all = Promise.allSettled(pending);
    if (Number.isFinite(graceMs)) await Promise.race([all, sleepWithin(graceMs)]);
    else await all;
    return [...this.exportRuns].map(([name, run]) =>
      this.exportsDone.has(name)
        ? run
        : { ...run, problem: run.problem ?? 'not finished when the run ended (its time budget was spent)' },
    );
  }

  /** Runs `fn` once per key for the whole run; later callers share the result. */
  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      this.memo.set(key, p);
    }
    return p;
  }

  /**
   * Waits for the work already started in the background (the shared export the runner starts
   * early), without starting any: for checks that change the target's state for everyone.
   */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.memo.values()]);
  }

  exportPath(endpoint: ExportEndpoint, group = this.config.group): string {
    return endpoint === 'patient'
      ? `/api/${this.version}/Patient/$export`
      : `/api/${this.version}/Group/${group}/$export`;
  }

  /** Sends an export kick-off with the documented headers unless overridden. Counts against the budget. */
  async kickoff(spec: KickoffSpec): Promise<KickoffResult> {
    if (this.jobsStarted >= this.config.maxKickoffs) throw new KickoffBudgetExceeded(this.config.maxKickoffs);
    this.kickoffs += 1;
    const client = spec.client ?? this.target;
    const headers: Record<string, string | undefined> = {
      accept: 'application/fhir+json',
      prefer: 'respond-async',
    };
    for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = v;
    const op = spec.endpoint === 'patient' ? this.op('exportPatient') : this.op('exportGroup');
    const res = await client.call(op, {
      label: spec.label,
      path: { groupId: spec.group ?? this.config.group },
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.rawQuery ? { rawQuery: spec.rawQuery } : {}),
      headers,
      auth: spec.auth ?? 'token',
    });
    const location = res.headers['content-location'];
    if (res.status === 202) this.jobsStarted += 1;
    if (res.status === 202 && location) {
      const absolute = safeResolve(location, client.baseUrl);
      this.startedJobs.add(absolute);
      return { res, jobUrl: absolute };
    }
    return { res };
  }

  /**
   * A kick-off the run needs (an export to follow): on 429 it waits as Retry-After says (at least
   * 1 s, at most 60 s, within the run budget) and asks again, a few times, as BCDA asks clients to
   * do when an earlier job of theirs is still running.
   */
  private async kickoffWaitingOutRateLimit(spec: KickoffSpec): Promise<KickoffResult> {
    for (let attempt = 1; ; attempt++) {
      const kicked = await this.kickoff(spec);
      if (kicked.res.status !== 429 || attempt >= RATE_LIMIT_ATTEMPTS) return kicked;
      const hinted = retryAfterMs(kicked.res.headers['retry-after']);
      const wait = Math.min(Math.max(hinted ?? 5_000, 1_000), 60_000);
      if (Date.now() + wait >= this.deadline) return kicked;
      this.options.onProgress?.({ kind: 'wait', what: spec.label, ms: wait });
      await sleepWithin(wait, this.options.budget?.signal);
    }
  }

  /** Kicks off a job only to look at the kick-off answer, then cancels it (politeness). */
  async kickoffAndCancel(spec: KickoffSpec): Promise<KickoffResult> {
    const result = await this.kickoff(spec);
    if (result.jobUrl)
      await this.cancel(result.jobUrl, 'cancel a job started only to test the kick-off', spec.client);
    return result;
  }

  /** `budget` replaces the run's own (the cleanup's grace period once the run budget is spent). */
  async cancel(
    jobUrl: string,
    label: string,
    client: TargetClient = this.target,
    budget?: RequestBudget,
  ): Promise<HttpResponse | undefined> {
    try {
      const res = await client.http.send({
        method: 'DELETE',
        url: jobUrl,
        label,
        operationId: this.op('cancelJob'),
        headers: { authorization: await client.authorization('token'), accept: 'application/fhir+json' },
        ...(budget ? { budget } : {}),
      });
      this.startedJobs.delete(jobUrl);
      return res;
    } catch (err) {
      if (err instanceof TransportError || err instanceof BudgetSpentError) return undefined;
      throw err;
    }
  }

  /** Marks a job as needed to the end of the run (not cancelled during cleanup). */
  keep(jobUrl: string): void {
    this.startedJobs.delete(jobUrl);
  }

  /** Cancels every job the run started and still tracks (run end), within `budget` when given. */
  async cleanup(budget?: RequestBudget): Promise<void> {
    for (const url of [...this.startedJobs]) {
      if (budget?.signal.aborted) return;
      // Best effort: a job that cannot be cancelled (no token any more…) must not end the run.
      await this.cancel(url, 'cleanup: cancel a job the run no longer needs', this.target, budget).catch(
        () => undefined,
      );
    }
  }

  /** Polls a job URL within the run budget. */
  poll(jobUrl: string, label: string, client: TargetClient = this.target) {
    return pollJob(client, jobUrl, {
      label,
      operationId: this.op('getJobStatus'),
      deadline: this.deadline,
      requestTimeoutMs: this.config.requestTimeoutSeconds * 1000,
      onUnauthorized: () => this.options.invalidateToken(),
      onPoll: (r) =>
        this.options.onProgress?.({
          kind: 'poll',
          // The console shows these: a token the target echoed into them must not appear there.
          job: this.log.redactor.text(jobUrl),
          status: r.status,
          ...(r.xProgress !== undefined ? { xProgress: this.log.redactor.text(r.xProgress) } : {}),
        }),
    });
  }

  /**
   * The shared completed export every download and manifest check reads: Group/<group> (or Patient)
   * with default types, polled to completion and every file downloaded and validated once.
   */
  mainExport(): Promise<ExportRun> {
    return this.once('export:main', () =>
      this.runExport('main', { endpoint: 'group', label: 'kick-off of the shared export' }, true),
    );
  }

  /** A completed export with extra parameters (e.g. _type or _since), downloaded and validated. */
  filteredExport(
    name: string,
    spec: Omit<KickoffSpec, 'label'>,
    inspectLine?: (line: string, item: ManifestItem) => void,
  ): Promise<ExportRun> {
    return this.once(`export:${name}`, () =>
      this.runExport(name, { ...spec, label: `kick-off of the ${name} export` }, true, inspectLine),
    );
  }

  private async runExport(
    name: string,
    spec: KickoffSpec,
    download: boolean,
    inspectLine?: (line: string, item: ManifestItem) => void,
  ): Promise<ExportRun> {
    const run: ExportRun = { name, kickoffUrl: '', polls: [], downloads: [] };
    this.exportRuns.set(name, run);
    try {
      return await this.followExport(run, spec, download, inspectLine);
    } catch (err) {
      run.problem ??= (err as Error).message;
      throw err;
    } finally {
      this.exportsDone.add(name);
    }
  }

  private async followExport(
    run: ExportRun,
    spec: KickoffSpec,
    download: boolean,
    inspectLine?: (line: string, item: ManifestItem) => void,
  ): Promise<ExportRun> {
    const name = run.name;
    let kicked: KickoffResult;
    try {
      kicked = await this.kickoffWaitingOutRateLimit(spec);
    } catch (err) {
      run.problem =
        err instanceof TransportError ? `the kick-off failed: ${err.message}` : (err as Error).message;
      return run;
    }
    run.kickoff = kicked.res;
    run.kickoffUrl = kicked.res.exchange.request.url;
    if (!kicked.jobUrl) {
      run.problem = `the kick-off answered ${kicked.res.status}${kicked.res.status === 202 ? ' without Content-Location' : ''}, so there is no job to follow`;
      return run;
    }
    run.jobUrl = kicked.jobUrl;
    this.keep(kicked.jobUrl);
    // Another client's export is polled and downloaded with that client's token.
    const client = spec.client ?? this.target;
    const polled = await this.poll(kicked.jobUrl, `poll the ${name} export`, client);
    run.polls = polled.polls;
    if (polled.final) run.final = polled.final;
    if (!polled.final) {
      run.problem = polled.stopped ?? 'polling stopped';
      this.startedJobs.add(kicked.jobUrl); // still running: cancel it at the end
      return run;
    }
    if (polled.final.status !== 200) {
      run.problem = `the job ended with status ${polled.final.status}, not 200`;
      return run;
    }
    const manifest = asManifest(polled.final.json());
    if (!manifest) {
      run.problem = `the completed job's body is not a JSON object (${polled.final.jsonError() ?? 'no body'})`;
      return run;
    }
    run.manifest = manifest;
    if (download) {
      const items = [
        ...manifestItems(manifest.output).map((item) => ({ item, kind: 'output' as const })),
        ...manifestItems(manifest.error).map((item) => ({ item, kind: 'error' as const })),
      ];
      run.downloads = await downloadAll({
        target: client,
        items,
        // The token goes only where the manifest says it is needed (bulkdata@201, @216).
        sendToken: manifest.requiresAccessToken === true,
        acceptGzip: true,
        concurrency: 4,
        maxFiles: this.config.maxFiles,
        apiVersion: this.version,
        sandbox: this.sandbox,
        ...(this.config.validateLines !== undefined ? { validateLines: this.config.validateLines } : {}),
        deadline: this.deadline,
        onProgress: (bytes) => this.options.onProgress?.({ kind: 'download', bytes }),
        ...(inspectLine ? { inspectLine } : {}),
      });
    }
    return run;
  }

  /** Downloads one file of the shared export again with explicit settings (plain, without token…). */
  redownload(
    record: DownloadRecord,
    settings: { sendToken: boolean; acceptGzip: boolean },
  ): Promise<DownloadRecord> {
    return downloadOne(
      {
        target: this.target,
        sendToken: settings.sendToken,
        acceptGzip: settings.acceptGzip,
        apiVersion: this.version,
        sandbox: this.sandbox,
        validateLines: 200,
        deadline: this.deadline,
      },
      record.item,
      record.kind,
    );
  }
}

function safeResolve(location: string, base: string): string {
  try {
    return new URL(location, base).toString();
  } catch {
    return location;
  }
}

/** Outcome helpers, so checks read as statements. */
export const pass = (
  message: string,
  evidence: string[] = [],
  extra: Partial<CheckOutcome> = {},
): CheckOutcome => ({
  outcome: 'pass',
  message,
  evidence,
  ...extra,
});
export const fail = (
  message: string,
  evidence: string[] = [],
  extra: Partial<CheckOutcome> = {},
): CheckOutcome => ({
  outcome: 'fail',
  message,
  evidence,
  ...extra,
});
export const warn = (
  message: string,
  evidence: string[] = [],
  extra: Partial<CheckOutcome> = {},
): CheckOutcome => ({
  outcome: 'warn',
  message,
  evidence,
  ...extra,
});
/** Fails with `problem` when there is one, else passes with `passMessage`; both cite `evidence`. */
export const verdict = (
  problem: string | undefined,
  passMessage: string,
  evidence: string[],
): CheckOutcome => (problem ? fail(problem, evidence) : pass(passMessage, evidence));
export const skip = (message: string, evidence: string[] = []): CheckOutcome => ({
  outcome: 'skip',
  message,
  evidence,
});
