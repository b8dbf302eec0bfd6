/**
 * `bcda-conformance mock`: runs the mock until SIGINT/SIGTERM, or lists its credentials or faults.
 * Bad flags print one line and exit with code 2.
 */
import type { Command } from 'commander';
import type { ApiVersion } from '../core/vocabulary';
import { builtInAcos } from './acos';
import type { MockOptions } from './context';
import { BUILT_IN_CREDENTIALS, loadCredentialsFile, mergeAcos } from './credentials';
import { FAULTS, validateFaultNames } from './faults';

export interface MockFlags {
  port?: string;
  host?: string;
  seed?: string;
  apiVersions?: string;
  fault?: string[];
  quirks?: boolean;
  control?: boolean;
  tls?: boolean;
  controlToken?: string;
  credentials?: string;
  jobSpeed?: string;
  tokenLifetime?: string;
  tokenRateLimit?: string;
  clockStart?: string;
  frozenClock?: boolean;
  headersTimeout?: string;
  requestTimeout?: string;
  keepAliveTimeout?: string;
  maxJobsPerAco?: string;
  quiet?: boolean;
  listCredentials?: boolean;
  listFaults?: boolean;
  /** `bulk-data-ig`: run the generic Bulk Data IG mock (src/mock/ig/) instead of BCDA's. */
  profile?: string;
  retryAfterForm?: string;
  definitions?: string;
}

/**
 * The versions the mock serves (the same list as context.ts ALL_VERSIONS). Kept here so that
 * parsing flags does not load the server, its data generator and JWT code: a bad flag answers
 * at once, and `bcda-conformance` starts faster for the other commands.
 */
const ALL_VERSIONS: readonly ApiVersion[] = ['v1', 'v2', 'v3'];

/** A flag problem; the message is shown to the user as is. */
export class UsageError extends Error {}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/** An ISO 8601 instant with a time zone, e.g. 2026-06-15T12:00:00Z. */
function clockStart(value: string): Date {
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value.trim())
    ? new Date(value.trim())
    : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    throw new UsageError(`--clock-start must be an instant such as 2026-06-15T12:00:00Z, got "${value}"`);
  }
  return at;
}

/** `N` or `N/SECONDS` (default window 300 s, SSAS's): at most N tokens per ACO per window. */
function tokenRateLimit(value: string): { limit: number; windowSeconds: number } {
  const m = /^\s*(\d+)\s*(?:\/\s*(\d+)\s*)?$/.exec(value);
  const limit = m ? Number(m[1]) : NaN;
  const windowSeconds = m?.[2] !== undefined ? Number(m[2]) : 300;
  if (!m || limit < 1 || limit > 1_000_000 || windowSeconds < 1 || windowSeconds > 86400) {
    throw new UsageError(
      `--token-rate-limit takes N or N/SECONDS (1-1000000 tokens per ACO, window 1-86400 s), got "${value}"`,
    );
  }
  return { limit, windowSeconds };
}

/** Where the control token may come from instead of the command line (which `ps` shows). */
export const CONTROL_TOKEN_ENV = 'BCDA_MOCK_CONTROL_TOKEN';

/** Turns command-line flags into MockOptions; throws UsageError on anything invalid. */
export function parseMockFlags(flags: MockFlags, env: NodeJS.ProcessEnv = process.env): MockOptions {
  const options: MockOptions = {
    port: integer('--port', flags.port ?? '4010', 0, 65535),
    host: flags.host ?? '127.0.0.1',
    quirks: flags.quirks === true,
    control: flags.control === true,
    quiet: flags.quiet === true,
  };
  if (flags.tls === true) options.tls = true;
  if (flags.seed !== undefined) options.seed = integer('--seed', flags.seed, 0, Number.MAX_SAFE_INTEGER);
  if (flags.apiVersions !== undefined) {
    const versions = flags.apiVersions
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    const bad = versions.filter((v) => !(ALL_VERSIONS as readonly string[]).includes(v));
    if (versions.length === 0 || bad.length > 0) {
      throw new UsageError(
        `--api-versions takes a comma-separated list of v1, v2, v3; got "${flags.apiVersions}"`,
      );
    }
    options.apiVersions = versions as ApiVersion[];
  }
  const faults = (flags.fault ?? []).flatMap((f) => f.split(','));
  try {
    options.faults = validateFaultNames(faults);
  } catch (err) {
    throw new UsageError(`--fault: ${(err as Error).message}`);
  }
  if (flags.credentials !== undefined) options.credentialsFile = flags.credentials;
  if (flags.jobSpeed !== undefined) {
    const speed = Number(flags.jobSpeed);
    if (!Number.isFinite(speed) || speed <= 0)
      throw new UsageError(`--job-speed must be a positive number, got "${flags.jobSpeed}"`);
    options.jobSpeed = speed;
  }
  if (flags.tokenLifetime !== undefined) {
    options.tokenLifetimeSeconds = integer('--token-lifetime', flags.tokenLifetime, 1, 86400);
  }
  if (flags.tokenRateLimit !== undefined) options.tokenRateLimit = tokenRateLimit(flags.tokenRateLimit);
  if (flags.headersTimeout !== undefined)
    options.headersTimeoutMs = integer('--headers-timeout', flags.headersTimeout, 1, 3600) * 1000;
  if (flags.requestTimeout !== undefined)
    options.requestTimeoutMs = integer('--request-timeout', flags.requestTimeout, 1, 3600) * 1000;
  if (flags.keepAliveTimeout !== undefined)
    options.keepAliveTimeoutMs = integer('--keep-alive-timeout', flags.keepAliveTimeout, 1, 3600) * 1000;
  if (flags.maxJobsPerAco !== undefined)
    options.maxJobsPerAco = integer('--max-jobs-per-aco', flags.maxJobsPerAco, 1, 1_000_000);
  if ((options.headersTimeoutMs ?? 30_000) > (options.requestTimeoutMs ?? 30_000))
    throw new UsageError('--headers-timeout cannot be longer than --request-timeout (default 30 s each)');
  const controlToken = flags.controlToken ?? (env[CONTROL_TOKEN_ENV] || undefined);
  if (controlToken !== undefined) {
    const from = flags.controlToken !== undefined ? '--control-token' : CONTROL_TOKEN_ENV;
    if (flags.control !== true) throw new UsageError(`${from} needs --control`);
    if (!/^[\x21-\x7e]{1,512}$/.test(controlToken))
      throw new UsageError(`${from} must be 1 to 512 visible ASCII characters, no spaces`);
    options.controlToken = controlToken;
  }
  if (flags.frozenClock === true && flags.control !== true) {
    throw new UsageError(
      '--frozen-clock needs --control: only POST /__mock/clock/advance moves a frozen clock',
    );
  }
  if (flags.clockStart !== undefined || flags.frozenClock === true) {
    options.clock = { frozen: flags.frozenClock === true };
    if (flags.clockStart !== undefined) options.clock.start = clockStart(flags.clockStart);
  }
  return options;
}

/** The `--list-credentials` text: one block per ACO with its client pair. */
export function credentialsListing(credentialsFile?: string): string {
  let registry = { acos: builtInAcos(), credentials: [...BUILT_IN_CREDENTIALS] };
  if (credentialsFile) registry = mergeAcos(registry, loadCredentialsFile(credentialsFile));
  const lines: string[] = [];
  for (const aco of registry.acos) {
    const notes = [
      `${aco.beneficiaries} beneficiaries`,
      aco.partiallyAdjudicated
        ? aco.adjudicated
          ? 'adjudicated + partially adjudicated'
          : 'partially adjudicated'
        : 'adjudicated',
      aco.denylisted ? 'denylisted (403)' : '',
      aco.attribution !== 'current'
        ? `attribution ${aco.attribution} (export 404, runout ${aco.runout ? '202' : '404'})`
        : '',
      aco.attribution === 'missing' ? 'no attribution data (attribution_status 404)' : '',
      aco.rateLimited ? 'rate-limited (429 on a duplicate in-flight job)' : '',
    ].filter((n) => n !== '');
    lines.push(`${aco.cmsId}  ${aco.name}: ${notes.join(', ')}`);
    for (const c of registry.credentials.filter((cr) => cr.cmsId === aco.cmsId)) {
      lines.push(`  client id:     ${c.clientId}`);
      lines.push(`  client secret: ${c.clientSecret}`);
    }
    lines.push('');
  }
  // Credentials whose CMS id no ACO has: their tokens are valid, the organization is unknown.
  for (const c of registry.credentials.filter((cr) => !registry.acos.some((a) => a.cmsId === cr.cmsId))) {
    lines.push(`${c.cmsId}  (no such ACO): every request with its token answers 403 "Unauthorized Error"`);
    lines.push(`  client id:     ${c.clientId}`);
    lines.push(`  client secret: ${c.clientSecret}`);
    lines.push('');
  }
  return lines.join('\n');
}

export function faultsListing(): string {
  return FAULTS.filter((f) => f.mock === undefined)
    .map((f) => `${f.name}  [${f.area}]\n  ${f.description}\n  breaks: ${f.breaks} (${f.refs.join('; ')})`)
    .join('\n');
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerMockCommand(program: Command): void {
  program
    .command('mock')
    .description('Run the stateful BCDA mock server (synthetic data, fault injection) until interrupted')
    .option('--port <port>', 'TCP port (0 picks a free one)', '4010')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--seed <n>', 'data seed: the same seed gives byte-identical files')
    .option('--api-versions <list>', 'API versions to serve, e.g. v1,v2,v3')
    .option(
      '--fault <names>',
      'switch on faults (comma-separated, repeatable); see --list-faults',
      collect,
      [],
    )
    .option('--quirks', "reproduce the real server's documented quirks")
    .option('--tls', 'listen over HTTPS (TLS 1.2 or later) with the public test certificate of fixtures/tls/')
    .option('--control', 'mount the /__mock/ control endpoints (faults, clock, job states, reset)')
    .option(
      '--control-token <token>',
      `control requests must present this token (Authorization: Bearer, or X-Mock-Control-Token); also ${CONTROL_TOKEN_ENV}`,
    )
    .option('--credentials <file>', 'JSON file of ACOs and client credentials to add or replace')
    .option('--job-speed <x>', 'job speed multiplier (1: the A9994 export takes about 2 s)')
    .option('--token-lifetime <seconds>', 'access token lifetime', undefined)
    .option(
      '--token-rate-limit <n[/seconds]>',
      'at most n tokens per ACO per window (default 300 s); more answer 429 like SSAS (default: no limit)',
    )
    .option('--clock-start <instant>', 'start the mock clock at this instant, e.g. 2026-06-15T12:00:00Z')
    .option(
      '--frozen-clock',
      'the clock moves only through POST /__mock/clock/advance (deterministic load tests)',
    )
    .option(
      '--headers-timeout <seconds>',
      "time to send a request's head; a connection that sends nothing is closed after it too (default 30)",
    )
    .option('--request-timeout <seconds>', 'time to send a whole request, head and body (default 30)')
    .option('--keep-alive-timeout <seconds>', 'idle time allowed between kept-alive requests (default 5)')
    .option(
      '--max-jobs-per-aco <n>',
      "jobs kept per ACO (default 1000); past it the ACO's oldest job is dropped and answers as expired",
    )
    .option('--quiet', 'no request log')
    .option('--list-credentials', 'print the ACOs and their client credentials, then exit')
    .option('--list-faults', 'print the fault catalog, then exit')
    .option(
      '--profile <profile>',
      'bulk-data-ig: run the generic Bulk Data IG mock (FHIR base /fhir, SMART Backend Services) instead of BCDA',
    )
    .option('--retry-after-form <form>', 'generic mock: Retry-After as seconds (default) or http-date')
    .option(
      '--definitions <style>',
      "generic mock: name the exports by its own OperationDefinitions (own, default) or the IG's canonicals (ig)",
    )
    .exitOverride((err) => {
      // Help and version exit 0; every other commander complaint is a usage error.
      process.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action(async (flags: MockFlags) => {
      await runMockCommand(flags);
    });
}

export async function runMockCommand(flags: MockFlags): Promise<void> {
  try {
    if (flags.profile !== undefined && flags.profile !== 'bcda') {
      await runGenericMock(flags);
      return;
    }
    if (flags.retryAfterForm !== undefined || flags.definitions !== undefined)
      throw new UsageError(
        `${flags.retryAfterForm !== undefined ? '--retry-after-form' : '--definitions'} needs --profile bulk-data-ig`,
      );
    if (flags.listFaults) {
      process.stdout.write(`${faultsListing()}\n`);
      return;
    }
    if (flags.listCredentials) {
      process.stdout.write(credentialsListing(flags.credentials));
      return;
    }
    const options = parseMockFlags(flags);
    const { startMock } = await import('./index');
    const server = await startMock(options);
    process.stderr.write(
      `BCDA mock listening at ${server.url} (API ${(options.apiVersions ?? ALL_VERSIONS).join(', ')}` +
        `${options.quirks ? ', quirks' : ''}${options.tls ? ', TLS with the test CA fixtures/tls/ca.pem' : ''}${options.control ? ', control at /__mock/' : ''}` +
        `${options.controlToken !== undefined ? ' (token required)' : ''}` +
        `${options.clock?.frozen ? ', frozen clock' : ''}` +
        `${options.faults?.length ? `, faults: ${options.faults.join(',')}` : ''})\n`,
    );
    await untilStopped(server);
    return;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const where = `${flags.host ?? '127.0.0.1'}:${flags.port ?? '4010'}`;
    const listenProblems: Record<string, string> = {
      EADDRINUSE: `port already in use (${where})`,
      EACCES: `not allowed to listen on ${where} (ports below 1024 need privileges)`,
      EADDRNOTAVAIL: `cannot listen on ${where}: no such local address`,
      ENOTFOUND: `cannot listen on ${where}: unknown host`,
      EAI_AGAIN: `cannot listen on ${where}: the host name cannot be resolved`,
    };
    const message = (e.code && listenProblems[e.code]) ?? e.message;
    process.stderr.write(`bcda-conformance mock: ${message}\n`);
    process.exitCode = 2;
  }
}

/** Waits for SIGINT or SIGTERM, then closes the server. */
function untilStopped(server: { close(): Promise<void> }): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `mock --profile bulk-data-ig`: the generic mock's listings, or the server until interrupted. */
async function runGenericMock(flags: MockFlags): Promise<void> {
  if (flags.profile !== 'bulk-data-ig')
    throw new UsageError(`--profile takes bcda or bulk-data-ig, got "${String(flags.profile)}"`);
  // The generic mock has no HTTPS listener.
  if (flags.tls) throw new UsageError('--tls: BCDA mock only, not with --profile bulk-data-ig');
  const ig = await import('./ig/cli');
  if (flags.listFaults) {
    process.stdout.write(`${ig.igFaultsListing()}\n`);
    return;
  }
  if (flags.listCredentials) {
    process.stdout.write(ig.igClientsListing());
    return;
  }
  let options;
  try {
    options = ig.parseIgMockFlags({
      ...flags,
      profile: undefined,
      listFaults: undefined,
      listCredentials: undefined,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  await untilStopped(await ig.startIgMockFromCli(options));
}
