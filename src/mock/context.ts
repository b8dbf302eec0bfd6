/**
 * Options of a mock instance and the state its routes share (clock, faults, jobs, ACOs, tokens).
 */
import type { ApiVersion } from '../core/vocabulary';
import { builtInAcos, type MockAco } from './acos';
import { createClock, type ClockOptions, type MockClock } from './clock';
import {
  BUILT_IN_CREDENTIALS,
  loadCredentialsFile,
  mergeAcos,
  parseCredentialEntry,
  type CredentialFileEntry,
  type MockCredential,
} from './credentials';
import type { ExportDataGenerator } from './data/types';
import { FaultSet, validateFaultNames, type FaultName } from './faults';
import { exportDataGenerator } from './data';
import { DEFAULT_MAX_JOBS_PER_ACO, JobStore } from './jobs';
import { PlanCache } from './manifest';
import { createTokenIssuer, type TokenIssuer } from './tokens';
import type { RequestRecorder } from './recording';
import { NO_DOWNLOAD_PACE, type DownloadPace } from './download-pace';

export interface MockOptions {
  /** TCP port; 0 (default programmatically) picks a free one. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Data seed: same seed → byte-identical files. Default 1. */
  seed?: number;
  /** Versions whose routes exist. Default v1, v2, v3. */
  apiVersions?: ApiVersion[];
  faults?: string[];
  /** Reproduce the real server's documented quirks instead of the seed docs' contract. */
  quirks?: boolean;
  /** Mount the /__mock/ control endpoints. */
  control?: boolean;
  /**
   * With control: every control request must present this token (`Authorization: Bearer TOKEN`
   * or `X-Mock-Control-Token: TOKEN`). Never logged or shown.
   */
  controlToken?: string;
  /** No request logging. Default true programmatically. */
  quiet?: boolean;
  /** Job speed multiplier; at 1 an A9994 export completes in about 2 s of clock time. */
  jobSpeed?: number;
  /** Token lifetime; default 1200 (20 minutes). */
  tokenLifetimeSeconds?: number;
  /** JSON file of ACOs (and their credentials) to add or replace. */
  credentialsFile?: string;
  /** ACOs to add or replace, same shape as a credentials file entry. */
  extraAcos?: CredentialFileEntry[];
  /** Clock start and freezing (frozen: time moves only via advance). */
  clock?: ClockOptions;
  /** Retry-After seconds on the duplicate-job 429. Default 1. */
  retryAfterSeconds?: number;
  /**
   * Time a client has to send a request's head, from opening the connection (a connection that
   * sends nothing is closed too) or from the first byte of each next request. Default 30 000 ms.
   */
  headersTimeoutMs?: number;
  /** Time a client has to send a whole request, head and body. Default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Time a kept-alive connection may sit idle between requests. Default 5 000 ms. */
  keepAliveTimeoutMs?: number;
  /**
   * Jobs kept per ACO (default 1000): past it the ACO's oldest job leaves memory and answers as
   * an expired one.
   */
  maxJobsPerAco?: number;
  /**
   * The auth provider's per-ACO token limit (behavior §2.8: SSAS allows 100 per 5 minutes by
   * default). Off by default so load tests and long client runs are not throttled.
   */
  tokenRateLimit?: TokenRateLimit;
  /** Grading mode (the client test kit): record every request a client sends. */
  recorder?: RequestRecorder;
  /**
   * Sign tokens with one key pair shared by every mock of this process that asks for it (the
   * client kit's mock per scenario), so a token one of them issued is valid on the others.
   */
  sharedSigningKey?: boolean;
  /** Listen over HTTPS with the public test certificate of fixtures/tls/ (src/mock/tls.ts). */
  tls?: boolean;
}

/** At most `limit` tokens per ACO in any `windowSeconds`; a limit of 0 switches it off. */
export interface TokenRateLimit {
  limit: number;
  windowSeconds: number;
}

/** The auth provider (SSAS) the mock pretends to call: reachable, timing out, or failing. */
export type AuthProviderState = 'ok' | 'timeout' | 'error';

export const AUTH_PROVIDER_STATES: readonly AuthProviderState[] = ['ok', 'timeout', 'error'];

/** Validates a token rate limit; every problem is an Error meant for a user. */
export function checkTokenRateLimit(value: TokenRateLimit): TokenRateLimit {
  const { limit, windowSeconds } = value;
  if (!Number.isInteger(limit) || limit < 0)
    throw new Error(`token rate limit must be a whole number of tokens (0 = off), got ${String(limit)}`);
  if (limit > 0 && (!Number.isInteger(windowSeconds) || windowSeconds < 1))
    throw new Error(
      `token rate limit window must be a positive whole number of seconds, got ${String(windowSeconds)}`,
    );
  return { limit, windowSeconds: limit > 0 ? windowSeconds : 0 };
}

export const ALL_VERSIONS: readonly ApiVersion[] = ['v1', 'v2', 'v3'];

export interface MockContext {
  seed: number;
  versions: ApiVersion[];
  quirks: boolean;
  control: boolean;
  controlToken?: string;
  timeouts: ConnectionTimeouts;
  jobSpeed: number;
  retryAfterSeconds: number;
  clock: MockClock;
  faults: FaultSet;
  initialFaults: FaultName[];
  jobs: JobStore;
  plans: PlanCache;
  acos: Map<string, MockAco>;
  credentials: MockCredential[];
  credentialsById: Map<string, MockCredential>;
  tokens: TokenIssuer;
  generator: ExportDataGenerator;
  /** Switched by `POST /__mock/auth-provider`; reset to ok. */
  authProvider: AuthProviderState;
  tokenRateLimit: TokenRateLimit;
  initialTokenRateLimit: TokenRateLimit;
  /** Clock times (ms) of the tokens issued per ACO inside the current window. */
  tokensIssued: Map<string, number[]>;
  /** Set by `POST /__mock/download-pace`; off (streamed at once) until then and after a reset. */
  downloadPace: DownloadPace;
}

/** How long the server waits for clients, in milliseconds (see MockOptions). */
export interface ConnectionTimeouts {
  headersMs: number;
  requestMs: number;
  keepAliveMs: number;
}

/** The longest timeout accepted: an hour is far past any client that is still there. */
const MAX_TIMEOUT_MS = 3_600_000;

function checkTimeouts(options: MockOptions): ConnectionTimeouts {
  const timeouts = {
    headersMs: options.headersTimeoutMs ?? 30_000,
    requestMs: options.requestTimeoutMs ?? 30_000,
    keepAliveMs: options.keepAliveTimeoutMs ?? 5_000,
  };
  const labels: Record<keyof ConnectionTimeouts, string> = {
    headersMs: 'headers',
    requestMs: 'request',
    keepAliveMs: 'keep-alive',
  };
  for (const key of Object.keys(labels) as Array<keyof ConnectionTimeouts>) {
    const value = timeouts[key];
    if (!Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS)
      throw new Error(
        `the ${labels[key]} timeout must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${String(value)}`,
      );
  }
  // Node refuses a head timeout longer than the whole request's, and it would mean nothing.
  if (timeouts.headersMs > timeouts.requestMs)
    throw new Error('the headers timeout cannot be longer than the request timeout');
  return timeouts;
}

/** Validates options; every problem is an Error with a message meant for a user. */
export async function createContext(options: MockOptions = {}): Promise<MockContext> {
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`seed must be a non-negative integer, got ${String(seed)}`);
  const versions = options.apiVersions ?? [...ALL_VERSIONS];
  const badVersion = versions.find((v) => !ALL_VERSIONS.includes(v));
  if (badVersion !== undefined || versions.length === 0) {
    throw new Error(
      `api versions must be a non-empty list of v1, v2, v3; got ${versions.join(',') || '(none)'}`,
    );
  }
  const jobSpeed = options.jobSpeed ?? 1;
  if (!(jobSpeed > 0) || !Number.isFinite(jobSpeed))
    throw new Error(`job speed must be a positive number, got ${String(jobSpeed)}`);
  const lifetime = options.tokenLifetimeSeconds ?? 1200;
  if (!Number.isInteger(lifetime) || lifetime < 1) {
    throw new Error(`token lifetime must be a positive whole number of seconds, got ${String(lifetime)}`);
  }
  const controlToken = options.controlToken;
  if (controlToken !== undefined) {
    if (options.control !== true) throw new Error('a control token needs control (--control)');
    // Visible ASCII only: it travels in a header and is compared byte for byte.
    if (!/^[\x21-\x7e]{1,512}$/.test(controlToken))
      throw new Error('the control token must be 1 to 512 visible ASCII characters, no spaces');
  }
  const timeouts = checkTimeouts(options);
  const maxJobsPerAco = options.maxJobsPerAco ?? DEFAULT_MAX_JOBS_PER_ACO;
  if (!Number.isInteger(maxJobsPerAco) || maxJobsPerAco < 1 || maxJobsPerAco > 1_000_000)
    throw new Error(
      `max jobs per ACO must be a whole number from 1 to 1000000, got ${String(maxJobsPerAco)}`,
    );
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  const initialFaults = validateFaultNames(options.faults ?? []);

  let registry = { acos: builtInAcos(), credentials: [...BUILT_IN_CREDENTIALS] };
  if (options.credentialsFile) registry = mergeAcos(registry, loadCredentialsFile(options.credentialsFile));
  if (options.extraAcos) {
    const entries = options.extraAcos.map((e, i) => parseCredentialEntry(e, `extraAcos[${i}]`));
    registry = mergeAcos(registry, entries);
  }
  const clock = createClock(options.clock);
  const tokenRateLimit = checkTokenRateLimit(options.tokenRateLimit ?? { limit: 0, windowSeconds: 0 });
  return {
    seed,
    versions: [...new Set(versions)],
    quirks: options.quirks === true,
    control: options.control === true,
    ...(controlToken !== undefined ? { controlToken } : {}),
    timeouts,
    jobSpeed,
    retryAfterSeconds,
    clock,
    faults: new FaultSet(initialFaults),
    initialFaults,
    jobs: new JobStore(maxJobsPerAco),
    plans: new PlanCache(),
    acos: new Map(registry.acos.map((a) => [a.cmsId, a])),
    credentials: registry.credentials,
    credentialsById: new Map(registry.credentials.map((c) => [c.clientId, c])),
    tokens: await createTokenIssuer(clock, lifetime, options.sharedSigningKey === true),
    generator: exportDataGenerator,
    authProvider: 'ok',
    tokenRateLimit,
    initialTokenRateLimit: tokenRateLimit,
    tokensIssued: new Map(),
    downloadPace: NO_DOWNLOAD_PACE,
  };
}
