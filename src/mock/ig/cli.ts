/**
 * `bcda-conformance mock --profile bulk-data-ig`: the generic mock's flags, listings and start.
 * Loaded by src/mock/cli.ts; the server itself is imported only when it starts.
 */
import { IG_FAULTS, validateIgFaultNames } from './faults';
import { loadClients, publishedClients } from './clients';
import type { IgMockOptions } from './context';

/** The flags the generic mock takes (a subset of `mock`'s). */
export interface IgMockFlags {
  port?: string;
  host?: string;
  seed?: string;
  fault?: string[];
  control?: boolean;
  jobSpeed?: string;
  retryAfterForm?: string;
  definitions?: string;
  quiet?: boolean;
}

/** The `mock` flags that only the BCDA mock understands (refused with --profile bulk-data-ig). */
export const BCDA_ONLY_FLAGS: Record<string, string> = {
  apiVersions: '--api-versions',
  quirks: '--quirks',
  controlToken: '--control-token',
  credentials: '--credentials',
  tokenLifetime: '--token-lifetime',
  tokenRateLimit: '--token-rate-limit',
  clockStart: '--clock-start',
  frozenClock: '--frozen-clock',
  headersTimeout: '--headers-timeout',
  requestTimeout: '--request-timeout',
  keepAliveTimeout: '--keep-alive-timeout',
  maxJobsPerAco: '--max-jobs-per-aco',
};

/** Turns flags into options; throws an Error whose message is the one line to show. */
export function parseIgMockFlags(flags: IgMockFlags & Record<string, unknown>): IgMockOptions {
  const bcdaOnly = Object.keys(BCDA_ONLY_FLAGS).filter((k) => flags[k] !== undefined && flags[k] !== false);
  if (bcdaOnly.length > 0)
    throw new Error(
      `${bcdaOnly.map((k) => BCDA_ONLY_FLAGS[k]).join(', ')}: BCDA mock only, not with --profile bulk-data-ig`,
    );
  const whole = (flag: string, value: string, max: number): number => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n > max)
      throw new Error(`${flag} must be a whole number from 0 to ${max}, got "${value}"`);
    return n;
  };
  const options: IgMockOptions = {
    port: whole('--port', flags.port ?? '4010', 65535),
    host: flags.host ?? '127.0.0.1',
    control: flags.control === true,
    quiet: flags.quiet === true,
    faults: validateIgFaultNames((flags.fault ?? []).flatMap((f) => f.split(','))),
  };
  if (flags.seed !== undefined) options.seed = whole('--seed', flags.seed, Number.MAX_SAFE_INTEGER);
  if (flags.jobSpeed !== undefined) {
    const speed = Number(flags.jobSpeed);
    if (!Number.isFinite(speed) || speed <= 0)
      throw new Error(`--job-speed must be a positive number, got "${flags.jobSpeed}"`);
    options.jobSpeed = speed;
  }
  if (flags.retryAfterForm !== undefined) {
    if (flags.retryAfterForm !== 'seconds' && flags.retryAfterForm !== 'http-date')
      throw new Error(`--retry-after-form takes seconds or http-date, got "${flags.retryAfterForm}"`);
    options.retryAfterForm = flags.retryAfterForm;
  }
  if (flags.definitions !== undefined) {
    if (flags.definitions !== 'own' && flags.definitions !== 'ig')
      throw new Error(`--definitions takes own or ig, got "${flags.definitions}"`);
    options.definitions = flags.definitions;
  }
  return options;
}

export function igFaultsListing(): string {
  return IG_FAULTS.map(
    (f) => `${f.name}  [${f.area}]\n  ${f.description}\n  breaks: ${f.breaks} (${f.refs.join('; ')})`,
  ).join('\n');
}

export function igClientsListing(): string {
  return publishedClients(loadClients())
    .map(
      (c) =>
        `${c.clientId}: ${c.description}\n  scopes:    ${c.scopes.join(' ')}\n  RS384 key: ${c.keyFiles.RS384}\n  ES384 key: ${c.keyFiles.ES384}\n`,
    )
    .join('\n');
}

/** Starts the generic mock and prints where it is and how to log in. */
export async function startIgMockFromCli(options: IgMockOptions): Promise<{ close(): Promise<void> }> {
  const { startIgMock } = await import('./index');
  const server = await startIgMock(options);
  process.stderr.write(
    `Generic Bulk Data IG mock listening: FHIR base ${server.fhirBase}` +
      `${options.control ? `, control at ${server.url}/__mock/` : ''}` +
      `${options.faults?.length ? `, faults: ${options.faults.join(',')}` : ''}\n` +
      `SMART Backend Services clients (token URL ${server.url}/auth/token):\n` +
      server.clients
        .map(
          (c) =>
            `  ${c.clientId} (${c.scopes.join(' ')})\n    RS384 key: ${c.keyFiles.RS384}\n    ES384 key: ${c.keyFiles.ES384}\n`,
        )
        .join(''),
  );
  return server;
}
