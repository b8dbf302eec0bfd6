/**
 * The state behind one generic mock instance: options, clock, faults, the registered clients, the
 * tokens issued and assertion ids seen, the jobs, and the dataset.
 */
import type { FaultName } from '../../core/faults';
import { createClock, type ClockOptions, type MockClock } from '../clock';
import type { DefinitionStyle } from './capability';
import { loadClients, type RegisteredClient } from './clients';
import { buildDataset, type IgDataset } from './data';
import { IgFaultSet, validateIgFaultNames } from './faults';
import type { IgJob } from './jobs';

export interface IgMockOptions {
  /** TCP port (startIgMock; 0 or absent picks a free one). */
  port?: number;
  host?: string;
  /** Generic fault names to switch on (`ig-*`); others are refused. */
  faults?: readonly string[];
  /** Job speed multiplier: a job takes 2 s / jobSpeed of mock time (4 gives 0.5 s). */
  jobSpeed?: number;
  /** Data seed; the same seed gives the same resources. */
  seed?: number;
  /** How a running job's 202 says when to come back; both are correct forms. */
  retryAfterForm?: 'seconds' | 'http-date';
  /**
   * How the CapabilityStatement names its exports: `own` (default) OperationDefinitions served by
   * the mock, based on the IG's and listing the supported parameters, or the IG's canonicals (`ig`).
   */
  definitions?: DefinitionStyle;
  /** Mount the /__mock/ control routes (default true). */
  control?: boolean;
  /** A controllable clock, as the BCDA mock's (tests use `{ start, frozen: true }`). */
  clock?: ClockOptions;
  /** No request log (default true). */
  quiet?: boolean;
}

export interface IssuedToken {
  clientId: string;
  scopes: string[];
  expiresMs: number;
}

export interface IgContext {
  clock: MockClock;
  faults: IgFaultSet;
  initialFaults: FaultName[];
  clients: RegisteredClient[];
  tokens: Map<string, IssuedToken>;
  /** `clientId jti` → when the assertion expires (a replay before then is refused). */
  seenJtis: Map<string, number>;
  jobs: Map<string, IgJob>;
  /** Per job, when its status was last asked (mock ms), for the polling limit. */
  polls: Map<string, number[]>;
  data: IgDataset;
  jobSpeed: number;
  retryAfterForm: 'seconds' | 'http-date';
  definitions: DefinitionStyle;
  control: boolean;
}

/** Access tokens last five minutes (SMART: short-lived, expires_in at most 300). */
export const TOKEN_LIFETIME_S = 300;

export function createIgContext(options: IgMockOptions = {}): IgContext {
  const initialFaults = validateIgFaultNames(options.faults ?? []);
  const jobSpeed = options.jobSpeed ?? 1;
  if (!Number.isFinite(jobSpeed) || jobSpeed <= 0)
    throw new Error(`jobSpeed must be a positive number, got ${jobSpeed}`);
  return {
    clock: createClock(options.clock),
    faults: new IgFaultSet(initialFaults),
    initialFaults,
    clients: loadClients(),
    tokens: new Map(),
    seenJtis: new Map(),
    jobs: new Map(),
    polls: new Map(),
    data: buildDataset(options.seed ?? 17),
    jobSpeed,
    retryAfterForm: options.retryAfterForm ?? 'seconds',
    definitions: options.definitions ?? 'own',
    control: options.control ?? true,
  };
}

/** Drops tokens, jobs and seen assertions, rewinds the clock and restores the starting faults. */
export function resetIgContext(ctx: IgContext): void {
  ctx.tokens.clear();
  ctx.seenJtis.clear();
  ctx.jobs.clear();
  ctx.polls.clear();
  ctx.clock.reset();
  ctx.faults.set(ctx.initialFaults);
}
