/**
 * One conformance run, wired: config → target (a server, or the embedded mock started here with
 * control endpoints and its published sandbox credentials) → HTTP client, token providers and the
 * clients of the client roles → the check loop (src/engine/) → the report, assembled from the
 * results, the exchange log and the export log.
 */
import { selectChecks } from '../checks/catalog';
import { CheckContext, type ProgressEvent, type TargetControl } from '../checks/context';
import type { RunConfig } from '../config/config';
import { runChecks, type CheckLoopHooks, type CheckLoopOutcome } from '../engine/run-checks';
import type { RunReport } from '../engine/results';
import { TOOL_VERSION } from '../engine/version';
import { ExportLog } from '../flows/export';
import { TimeBudget } from '../http/budget';
import { HttpClient } from '../http/client';
import { ExchangeLog } from '../http/exchange';
import { Redactor } from '../http/redaction';
import type { MockServer } from '../mock';
import type { IgMockServer } from '../mock/ig';
import { SANDBOX_CREDENTIAL } from '../mock/credentials';
import { assembleReport } from './assemble-report';
import {
  makeClients,
  roleCredentialsFromConfig,
  roleCredentialsFromMock,
  type RoleCredentials,
} from './clients';
import { controlClient, httpControl, offersMockControl } from './mock-control';
import { discoverGroup } from './discover-group';
import { EMBEDDED_JOB_SPEED } from './embedded-speed';
import {
  embeddedOtherSmartSettings,
  embeddedSmartSettings,
  otherSmartAuthFromConfig,
  smartAuthFromConfig,
} from '../auth/smart-setup';
import { notRunResults, preflight, type PreflightStop } from './preflight';
import { isPublicSandboxUrl } from '../core/sandbox-host';
import { DATA_AREAS } from '../checks/kit/data-exports';
import { embeddedFuzzSettings } from '../fuzz/embedded';
import { ContractLedger, loadCompiledContract } from '../contract/ledger';
import { readCaFile } from '../config/ca-file';

/** How long the report waits for exports the budget cut short to wind down (their requests are aborted). */
const EXPORTS_GRACE_MS = 1_000;

const USER_AGENT = `bcda-conformance/${TOOL_VERSION}`;

/**
 * Polling, downloads and Retry-After waits stop this long before the run budget ends (a tenth of
 * it, 1 to 60 s), so the checks that judge a job that never finished still run and say so.
 */
export function flowReserveMs(timeoutSeconds: number): number {
  return Math.min(60_000, Math.max(1_000, timeoutSeconds * 100));
}

export interface RunHooks extends CheckLoopHooks {
  onProgress?: (event: ProgressEvent) => void;
  /** Run only these checks of the selection (verify's narrow jobs); not a user setting. */
  onlyChecks?: ReadonlySet<string>;
  /**
   * The target is a mock the caller started with control (verify's BCDA mock judged as a FHIR
   * base): use its control without probing for it, since a probe can time out on a loaded machine
   * and change which checks run. Not a user setting.
   */
  targetHasControl?: boolean;
}

export interface RunOutcome {
  report: RunReport;
  /** Set when the target could not be reached at all (exit code 3). */
  unreachable?: string;
  /**
   * Set when the pre-flight stopped the run before any check ran: every check in the report is an
   * error saying so. `unreachable` is set too when that was the reason.
   */
  stopped?: PreflightStop;
}

export async function runConformance(config: RunConfig, hooks: RunHooks = {}): Promise<RunOutcome> {
  const started = Date.now();
  // --timeout bounds the whole run, from here to the reports.
  const budget = new TimeBudget(
    config.timeoutSeconds * 1000,
    `the run time budget (--timeout ${config.timeoutSeconds} s) was spent`,
    started,
  );
  const requestTimeoutMs = config.requestTimeoutSeconds * 1000;
  let mock: MockServer | undefined;
  let igMock: IgMockServer | undefined;
  let resolved = config;
  let roles: RoleCredentials;
  let control: TargetControl | undefined;
  const generic = config.profile === 'bulk-data-ig';
  // The user's CA bundle (--ca); the embedded mock over HTTPS (--mock-tls, or a tls- fault to prove
  // the transport checks) is trusted through the test CA of fixtures/tls/ instead.
  let trustedCa = config.ca ? readCaFile(config.ca) : undefined;
  const mockTls = !config.target && (config.mockTls || config.mockFaults.some((f) => f.startsWith('tls-')));
  if (mockTls && generic) throw new Error('--mock-tls: the embedded generic mock has no HTTPS listener');
  if (!config.target && generic) {
    // The generic profile's embedded target is the reference Bulk Data server (src/mock/ig/), logged
    // in to with its published SMART client unless the user gave a client of their own.
    const { startIgMock } = await import('../mock/ig');
    igMock = await startIgMock({
      quiet: true,
      // Its control sets job states (a failed job, one held in progress) for the checks that need them.
      control: true,
      faults: config.mockFaults,
      jobSpeed: EMBEDDED_JOB_SPEED,
    });
    const main = embeddedSmartSettings(config, igMock.clients);
    // The cross-client checks' second client: another of its published clients.
    const other = embeddedOtherSmartSettings(config, main.smartClientId, igMock.clients);
    resolved = { ...config, target: igMock.fhirBase, ...main, ...other };
    roles = {};
    hooks.onNotice?.(`started the embedded generic Bulk Data mock at ${igMock.fhirBase}`);
  } else if (!config.target) {
    // Loaded only when needed: a run against a real server never starts fastify.
    const { startMock } = await import('../mock');
    mock = await startMock({
      control: true,
      quiet: true,
      faults: config.mockFaults,
      quirks: config.mockQuirks,
      jobSpeed: EMBEDDED_JOB_SPEED,
      ...(mockTls ? { tls: true } : {}),
    });
    if (mockTls) trustedCa = (await import('../mock/tls')).testTlsFiles().ca;
    const main = mock.credentials.find((c) => c.cmsId === SANDBOX_CREDENTIAL.cmsId)!;
    resolved = {
      ...config,
      // The generic profile addresses a FHIR base; the BCDA mock's is /api/<version>, groups all/runout.
      target: generic ? `${mock.url}/api/${config.apiVersion}` : mock.url,
      ...(generic && config.group === undefined ? { group: 'all' } : {}),
      clientId: main.clientId,
      clientSecret: main.clientSecret,
      ...embeddedFuzzSettings(config),
    };
    roles = roleCredentialsFromMock(mock.credentials);
    hooks.onNotice?.(`started the embedded mock at ${mock.url}`);
  } else {
    roles = roleCredentialsFromConfig(config);
  }
  const target = resolved.target!;
  // The user's --sandbox wins; otherwise the embedded mock and BCDA's public sandbox host are sandboxes.
  const sandbox = resolved.sandbox ?? (Boolean(mock) || Boolean(igMock) || isPublicSandboxUrl(target));
  // Mock control lives at the root of the mock's origin, whatever path the FHIR base has.
  const controlHttp = controlClient(
    mock ? mock.url : generic ? new URL(target).origin : target,
    USER_AGENT,
    trustedCa,
  );
  const redactor = new Redactor();
  const log = new ExchangeLog(redactor);
  const exports = new ExportLog();
  const http = new HttpClient({
    baseUrl: target,
    log,
    timeoutMs: requestTimeoutMs,
    budget,
    defaultHeaders: { 'user-agent': USER_AGENT },
    allowOrigins: resolved.allowOrigins,
    ...(trustedCa ? { ca: trustedCa } : {}),
  });
  let ctx: CheckContext;
  let contract: ContractLedger | undefined;
  let loop: CheckLoopOutcome;
  let stopped: PreflightStop | undefined;
  try {
    if (mock || hooks.targetHasControl) {
      control = httpControl(controlHttp, requestTimeoutMs, budget);
    } else if (igMock) {
      control = httpControl(controlHttp, requestTimeoutMs, budget, 'bulk-data-ig');
    } else {
      // A separately started mock with --control offers the same control as the embedded one.
      const kind = await offersMockControl(controlHttp, requestTimeoutMs, budget);
      if (kind) {
        control = httpControl(controlHttp, requestTimeoutMs, budget, kind);
        hooks.onNotice?.(
          kind === 'bcda'
            ? 'the target offers mock control endpoints (/__mock): clock and job-state checks will use them'
            : "the target offers the generic mock's control endpoints (/__mock): job-state checks will use them",
        );
      }
    }
    // SMART Backend Services when its settings are given (a fixed --token still wins).
    const smart = await smartAuthFromConfig(resolved, http, redactor);
    // A second SMART client plays the `other` role (a generic server's other client), wins over its credentials.
    const otherSmart = await otherSmartAuthFromConfig(resolved, http, redactor, smart);
    const clients = makeClients(
      http,
      redactor,
      resolved.token
        ? { token: resolved.token }
        : smart
          ? { tokens: smart.tokens }
          : { clientId: resolved.clientId!, clientSecret: resolved.clientSecret! },
      roles,
      generic ? 'fhir-base' : 'bcda',
      otherSmart ? { other: otherSmart.tokens } : {},
    );
    if (generic && resolved.group === undefined) {
      const group = await discoverGroup(clients.main);
      if (group.id) resolved = { ...resolved, group: group.id };
      hooks.onNotice?.(group.notice);
    }
    const checks = selectChecks({
      profile: resolved.profile,
      version: resolved.apiVersion,
      areas: resolved.suites,
      ...(resolved.grep ? { grep: resolved.grep } : {}),
    }).filter((c) => !hooks.onlyChecks || hooks.onlyChecks.has(c.id));
    // The contract judges every exchange of a bcda run when its checks are selected; a generic
    // Bulk Data server has no such contract.
    if (resolved.profile === 'bcda' && checks.some((c) => c.area === 'contract'))
      contract = new ContractLedger(await loadCompiledContract(), target, log);
    ctx = new CheckContext({
      config: resolved,
      target: clients.main,
      log,
      exports,
      tokenObservations: clients.tokenObservations,
      invalidateToken: clients.invalidateToken,
      ...(smart ? { smart } : {}),
      ...(otherSmart ? { otherSmart } : {}),
      clients: clients.byRole,
      ...(control ? { control } : {}),
      sandbox,
      deadline: budget.deadline - flowReserveMs(resolved.timeoutSeconds),
      budget,
      ...(contract ? { contract } : {}),
      indexMainExport: checks.some((c) => DATA_AREAS.includes(c.area)),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    });
    // Only a server given by the user: the embedded mock is known to answer and take its credentials.
    stopped = config.target && !resolved.skipPreflight ? await preflight(ctx, checks, resolved) : undefined;
    loop = stopped
      ? {
          results: notRunResults(checks, stopped),
          ...(stopped.kind === 'unreachable' ? { unreachable: stopped.reason ?? stopped.message } : {}),
        }
      : await runChecks(checks, ctx, budget, hooks);
  } finally {
    budget.dispose();
    await http.close().catch(() => undefined);
    await controlHttp.close().catch(() => undefined);
    if (mock) await mock.close().catch(() => undefined);
    if (igMock) await igMock.close().catch(() => undefined);
  }

  const report = assembleReport({
    config: resolved,
    target: mock ? 'embedded mock' : igMock ? 'embedded generic mock' : target,
    embeddedMock: Boolean(mock) || Boolean(igMock),
    sandbox,
    started,
    exports: await exports.settled(EXPORTS_GRACE_MS),
    finished: Date.now(),
    requests: http.requestCount,
    kickoffs: ctx.kickoffs,
    jobsStarted: ctx.jobsStarted,
    results: loop.results,
    log,
    ...(contract ? { contract: contract.verdicts() } : {}),
  });
  return {
    report,
    ...(loop.unreachable ? { unreachable: loop.unreachable } : {}),
    ...(stopped ? { stopped } : {}),
  };
}
