/**
 * The check-author API: what a check gets to work with. The configured target and the clients of
 * the client roles, kick-off helpers, and a once-per-run cache. Work that costs the target something
 * (a kick-off, a full export, whose flow is src/flows/export.ts) runs once per run and is shared by
 * every check that needs it; kick-offs are counted against --max-kickoffs, and jobs nobody needs any
 * more are cancelled at the end.
 */
import type { CheckMeta, CheckOutcome } from './types';
import type { ClientRole } from '../core/client-roles';
import type { ApiVersion } from '../core/vocabulary';
import type { RunConfig } from '../config/config';
import type { HttpResponse } from '../http/client';
import { TransportError } from '../http/client';
import type { ExchangeLog } from '../http/exchange';
import { operationId, type AuthMode, type CallOptions, type TargetClient } from '../http/target';
import type { OperationId } from '../../generated/operations';
import { pollJob } from '../flows/poll';
import type { ManifestItem } from '../flows/manifest';
import { downloadOne, type DownloadRecord } from '../flows/download';
import type { ExportLog, ExportRun, ExportSteps, Kicked } from '../flows/export';
import type { TokenObservation } from '../auth/tokens';
import type { SmartAuth } from '../auth/smart';
import { BudgetSpentError, type RequestBudget } from '../http/budget';
import type { ContractLedger } from '../contract/ledger';
import { DataIndex } from './kit/data-index';
import { requireLevel } from './kit/ig-capability';

export type { ExportRun };

export interface CheckDefinition extends CheckMeta {
  /**
   * `late` checks run after all others: they change shared state (advance the clock, expire jobs).
   * `final` checks send nothing and judge the whole run: they run after the run's jobs are cancelled,
   * and still when the budget is spent or the target stopped answering.
   */
  phase?: 'normal' | 'late' | 'final';
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

export type ExportEndpoint = 'patient' | 'group';
/** Where an export starts: the IG's system-level `[base]/$export` besides Patient and Group. */
export type ExportLevel = ExportEndpoint | 'system';

/** One parameter of a POST kick-off's Parameters body, typed as the IG's OperationDefinitions type it. */
export type KickoffParameter =
  | { name: string; valueString: string }
  | { name: string; valueInstant: string }
  | { name: string; valueBoolean: boolean }
  | { name: string; valueReference: { reference: string } };

export interface KickoffSpec {
  endpoint: ExportLevel;
  group?: string;
  query?: CallOptions<OperationId>['query'];
  rawQuery?: string;
  /**
   * POST the kick-off with a FHIR Parameters body of these parameters (the IG's POST form) instead
   * of a GET with `query`.
   */
  parameters?: KickoffParameter[];
  /** Header overrides; undefined values remove the default Accept/Prefer. */
  headers?: Record<string, string | undefined>;
  auth?: AuthMode;
  label: string;
  /** Which client sends it (default: the main one). */
  client?: TargetClient;
}

/** A kick-off's answer; `jobUrl` is Content-Location (absolute) when the kick-off was accepted. */
export type KickoffResult = Kicked;

/** Control of the embedded mock (clock, job states); absent against any other target. */
export interface TargetControl {
  /** The id this control knows a job by, read from the job's status URL; undefined when it has none. */
  jobIdOf(jobUrl: string): string | undefined;
  advanceClock(seconds: number): Promise<void>;
  /** Undoes an earlier advanceClock (the mock refuses to go back further than advances went). */
  rewindClock(seconds: number): Promise<void>;
  forceJobState(jobId: string, state: string): Promise<void>;
  /** Simulates an outage of the auth provider (BCDA's SSAS): `ok` ends it. */
  setAuthProvider(state: 'ok' | 'timeout' | 'error'): Promise<void>;
  /** Limits tokens per ACO in a window of seconds; 0 switches the limit off. */
  setTokenRateLimit(limit: number, windowSeconds: number): Promise<void>;
  /** Limits status requests per job in a window of seconds; 0 switches the limit off. */
  setPollRateLimit?(limit: number, windowSeconds: number): Promise<void>;
  /** Sends downloads in pieces of `bytes` every `delayMs` (0 bytes: at once, the default). */
  setDownloadPace?(bytes: number, delayMs: number): Promise<void>;
  /** The beneficiaries (MBIs) the target could not export for a job: its error files must name them. */
  jobFailures?(jobId: string): Promise<string[]>;
}

/**
 * Thrown by a check (or the context on its behalf) when the check does not apply to this target:
 * the engine reports it as a skip with this message, never a pass.
 */
export class NotApplicable extends Error {}

export class KickoffBudgetExceeded extends Error {
  constructor(limit: number) {
    super(`the kick-off budget is used up: the run already started ${limit} jobs (--max-kickoffs)`);
  }
}

export interface ContextOptions {
  config: RunConfig;
  target: TargetClient;
  log: ExchangeLog;
  /** Where the exports the run follows are recorded (the report reads it). */
  exports: ExportLog;
  tokenObservations: () => TokenObservation[];
  invalidateToken: () => void;
  /** SMART Backend Services, when the run logs in with it (the SMART auth checks skip without). */
  smart?: SmartAuth;
  /** The second SMART client's login (--other-smart-client-id), when there is one. */
  otherSmart?: SmartAuth;
  /** The extra clients some checks need, by role (src/core/client-roles.ts); a role without one skips. */
  clients?: Partial<Record<ClientRole, TargetClient>>;
  control?: TargetControl;
  /** True when the target is BCDA's sandbox or the embedded mock (synthetic data: negative ids). */
  sandbox: boolean;
  /** When polling, downloads and Retry-After waits stop: a little before the budget ends. */
  deadline: number;
  /** The run's time budget: waits between requests end with it. */
  budget?: RequestBudget;
  /** The contract verdicts of the run's exchanges (absent where the contract does not apply). */
  contract?: ContractLedger;
  /**
   * Index the shared export's data lines as they first stream in, for the data checks that compare
   * exports (set when such checks are selected: the index costs memory per resource).
   */
  indexMainExport?: boolean;
  onProgress?: (event: ProgressEvent) => void;
}

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
  /** A second client (another ACO), for the cross-client checks. */
  readonly otherClient?: TargetClient;
  readonly rateLimitedClient?: TargetClient;
  /** A client whose ACO has no up-to-date attribution (BCDA's smoke-test ACO TEST995). */
  readonly outdatedClient?: TargetClient;
  /** A client whose ACO is denylisted (BCDA's A9997). */
  readonly denylistedClient?: TargetClient;
  /** A client whose ACO has no attribution data at all. */
  readonly unattributedClient?: TargetClient;
  /** A client whose organization the target does not know (its tokens are valid). */
  readonly unknownAcoClient?: TargetClient;
  /** A client entitled to partially adjudicated claims (v2 Claim and ClaimResponse). */
  readonly partiallyAdjudicatedClient?: TargetClient;
  readonly control?: TargetControl;
  /** SMART Backend Services, when the run logs in with it. */
  readonly smart?: SmartAuth;
  /** The second SMART client's login, when there is one. */
  readonly otherSmart?: SmartAuth;
  readonly sandbox: boolean;
  readonly deadline: number;
  /** The contract verdicts of every exchange so far (src/contract/); absent where the contract does not apply. */
  readonly contract?: ContractLedger;
  /** Kick-off requests sent (accepted or not). */
  kickoffs = 0;
  /** Kick-offs the target accepted: the jobs this run created, bounded by --max-kickoffs. */
  jobsStarted = 0;
  private readonly memo = new Map<string, Promise<unknown>>();
  /** Jobs started by the run that may still be running; cancelled at the end. */
  private readonly startedJobs = new Set<string>();
  /** The shared export's data lines, indexed on their first read (indexMainExport). */
  private readonly mainIndex?: DataIndex;
  /** Whole responses kept for later judging, by exchange id (keepWhole). */
  private readonly whole = new Map<string, HttpResponse>();

  constructor(private readonly options: ContextOptions) {
    this.config = options.config;
    this.version = options.config.apiVersion;
    this.target = options.target;
    this.log = options.log;
    const clients = options.clients ?? {};
    if (clients.other) this.otherClient = clients.other;
    if (clients.rateLimited) this.rateLimitedClient = clients.rateLimited;
    if (clients.outdated) this.outdatedClient = clients.outdated;
    if (clients.denylisted) this.denylistedClient = clients.denylisted;
    if (clients.unattributed) this.unattributedClient = clients.unattributed;
    if (clients.unknownAco) this.unknownAcoClient = clients.unknownAco;
    if (clients.partiallyAdjudicated) this.partiallyAdjudicatedClient = clients.partiallyAdjudicated;
    if (options.control) this.control = options.control;
    if (options.smart) this.smart = options.smart;
    if (options.otherSmart) this.otherSmart = options.otherSmart;
    this.sandbox = options.sandbox;
    this.deadline = options.deadline;
    if (options.contract) this.contract = options.contract;
    if (options.indexMainExport) this.mainIndex = new DataIndex();
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
   * Waits for the work already started in the background (the shared export the check loop starts
   * early), without starting any: for checks that change the target's state for everyone.
   */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.memo.values()]);
  }

  /** True when the target is addressed as a generic FHIR base (the bulk-data-ig profile). */
  get generic(): boolean {
    return this.target.addressing === 'fhir-base';
  }

  /**
   * The group of the run's Group exports: --group, or under bulk-data-ig the one found on the
   * server. A check that needs one skips (NotApplicable) when there is none.
   */
  group(): string {
    if (this.config.group !== undefined) return this.config.group;
    throw new NotApplicable(
      'no Group to export: --group was not given and the server listed no Group (GET [base]/Group)',
    );
  }

  /** Sends an export kick-off with the documented headers unless overridden. Counts against the budget. */
  async kickoff(spec: KickoffSpec): Promise<KickoffResult> {
    if (this.jobsStarted >= this.config.maxKickoffs) throw new KickoffBudgetExceeded(this.config.maxKickoffs);
    // A generic server offers the levels its CapabilityStatement declares, not necessarily all three.
    if (this.generic) await requireLevel(this, spec.endpoint);
    this.kickoffs += 1;
    const client = spec.client ?? this.target;
    const headers: Record<string, string | undefined> = {
      accept: 'application/fhir+json',
      prefer: 'respond-async',
    };
    for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = v;
    const res = await this.sendKickoff(client, spec, headers);
    const location = res.headers['content-location'];
    if (res.status === 202) this.jobsStarted += 1;
    if (res.status === 202 && location) {
      const absolute = safeResolve(location, client.baseUrl);
      this.startedJobs.add(absolute);
      return { res, jobUrl: absolute };
    }
    return { res };
  }

  /** The kick-off request itself: GET with a query, or POST with a Parameters body; any level. */
  private async sendKickoff(
    client: TargetClient,
    spec: KickoffSpec,
    headers: Record<string, string | undefined>,
  ): Promise<HttpResponse> {
    const auth = spec.auth ?? 'token';
    const opts = {
      label: spec.label,
      ...(spec.endpoint === 'group' ? { path: { groupId: spec.group ?? this.group() } } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.rawQuery ? { rawQuery: spec.rawQuery } : {}),
    };
    // The system level is not a BCDA operation: its URL is the FHIR base's, built here.
    const op = spec.endpoint === 'patient' ? this.op('exportPatient') : this.op('exportGroup');
    const url =
      spec.endpoint === 'system'
        ? client.url(this.op('exportPatient'), opts).replace(/\/Patient\/\$export(?=\?|$)/, '/$export')
        : client.url(op, opts);
    if (!spec.parameters) {
      if (spec.endpoint !== 'system') return client.call(op, { ...opts, headers, auth });
      return client.http.send({
        method: 'GET',
        url,
        label: spec.label,
        headers: { ...headers, authorization: await client.authorization(auth) },
      });
    }
    const body = JSON.stringify({ resourceType: 'Parameters', parameter: spec.parameters });
    return client.http.send({
      method: 'POST',
      url,
      label: spec.label,
      ...(spec.endpoint !== 'system' ? { operationId: op } : {}),
      headers: {
        'content-type': 'application/fhir+json',
        ...headers,
        authorization: await client.authorization(auth),
      },
      body,
    });
  }

  /**
   * Kicks off a job only to look at the kick-off answer, then cancels it (politeness); `cancelled` is
   * the cancel's answer, which also shows whether Content-Location led to a job.
   */
  async kickoffAndCancel(spec: KickoffSpec): Promise<KickoffResult & { cancelled?: HttpResponse }> {
    const result = await this.kickoff(spec);
    if (!result.jobUrl) return result;
    const cancelled = await this.cancel(
      result.jobUrl,
      'cancel a job started only to test the kick-off',
      spec.client,
    );
    return cancelled ? { ...result, cancelled } : result;
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
    const index = this.mainIndex;
    return this.once('export:main', () =>
      this.followExport(
        'main',
        // A generic server without a Group to export shares its Patient export instead.
        this.generic && this.config.group === undefined
          ? { endpoint: 'patient', label: 'kick-off of the shared export' }
          : { endpoint: 'group', label: 'kick-off of the shared export' },
        index
          ? (line, item) => {
              if (item.type !== 'OperationOutcome') index.add(line, item.type);
            }
          : undefined,
      ),
    );
  }

  /**
   * The shared export's data lines as its first read indexed them, when the run asked for that
   * (indexMainExport); read it only once mainExport() has settled.
   */
  mainExportIndex(): DataIndex | undefined {
    return this.mainIndex;
  }

  /** A completed export with extra parameters (e.g. _type or _since), downloaded and validated. */
  filteredExport(
    name: string,
    spec: Omit<KickoffSpec, 'label'>,
    inspectLine?: (line: string, item: ManifestItem) => void,
  ): Promise<ExportRun> {
    return this.once(`export:${name}`, () =>
      this.followExport(name, { ...spec, label: `kick-off of the ${name} export` }, inspectLine),
    );
  }

  /**
   * Follows an export to the end (src/flows/export.ts) with `spec`'s client: kick-offs counted
   * against --max-kickoffs, the job kept until the end of the run, polling and downloads within
   * the run's deadline. The export log records it for the report.
   */
  private followExport(
    name: string,
    spec: KickoffSpec,
    inspectLine?: (line: string, item: ManifestItem) => void,
  ): Promise<ExportRun> {
    // Another client's export is polled and downloaded with that client's token.
    const client = spec.client ?? this.target;
    const steps: ExportSteps = {
      kickoff: () => this.kickoff(spec),
      poll: (jobUrl, label) => this.poll(jobUrl, label, client),
      client,
      jobs: { keep: (url) => this.keep(url), cancelAtEnd: (url) => this.startedJobs.add(url) },
      download: {
        maxFiles: this.config.maxFiles,
        apiVersion: this.version,
        sandbox: this.sandbox,
        ...(this.config.validateLines !== undefined ? { validateLines: this.config.validateLines } : {}),
        deadline: this.deadline,
        onProgress: (bytes) => this.options.onProgress?.({ kind: 'download', bytes }),
        ...(inspectLine ? { inspectLine } : {}),
      },
      deadline: this.deadline,
      ...(this.options.budget ? { signal: this.options.budget.signal } : {}),
      onWait: (ms) => this.options.onProgress?.({ kind: 'wait', what: spec.label, ms }),
    };
    return this.options.exports.follow(name, steps);
  }

  /**
   * Every export the run followed (the shared one included: started here when nobody has), each as
   * far as it got, in the order they started. For `late` checks that judge every export: by then
   * the exports the other checks started have ended.
   */
  async followedExports(): Promise<ExportRun[]> {
    await this.mainExport().catch(() => undefined);
    return this.options.exports.settled();
  }

  /**
   * Keeps a whole response for the checks that judge every answer of a kind after the fact: the
   * exchange log records at most MAX_RECORDED_BODY of each body.
   */
  keepWhole(res: HttpResponse): void {
    this.whole.set(res.exchange.id, res);
  }

  /** The whole response of an exchange, when a check kept it (keepWhole). */
  wholeResponse(exchangeId: string): HttpResponse | undefined {
    return this.whole.get(exchangeId);
  }

  /** Downloads one file of the shared export again with explicit settings (plain, without token…). */
  redownload(
    record: DownloadRecord,
    settings: { sendToken: boolean; acceptGzip: boolean; acceptEncoding?: string },
  ): Promise<DownloadRecord> {
    // Spent, the download would come back empty and read as the server's fault: not finished instead.
    if (Date.now() >= this.deadline)
      throw new BudgetSpentError('the run time budget ran out before this download');
    return downloadOne(
      {
        target: this.target,
        sendToken: settings.sendToken,
        acceptGzip: settings.acceptGzip,
        ...(settings.acceptEncoding ? { acceptEncoding: settings.acceptEncoding } : {}),
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
