/**
 * One validated run configuration from flags, environment variables and an optional JSON config
 * file (precedence in that order). Every problem is reported as a ConfigError naming the setting.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ApiVersion, Area, Profile } from '../checks/types';
import { isBlockedAddress } from '../http/origin-policy';

export const AREAS: readonly Area[] = [
  'metadata',
  'auth',
  'kickoff',
  'status',
  'download',
  'cancel',
  'jobs',
  'attribution',
  'ratelimit',
  'fhir',
];

export interface RunConfig {
  /** Base URL of the target (scheme://host[:port]); undefined runs the embedded mock. */
  target?: string;
  clientId?: string;
  clientSecret?: string;
  token?: string;
  /** Credentials of a second client (another ACO), for the cross-client checks. */
  otherClientId?: string;
  otherClientSecret?: string;
  /** Credentials of a rate-limited ACO, for the 429 checks. */
  rateLimitedClientId?: string;
  rateLimitedClientSecret?: string;
  /** Credentials of an ACO without up-to-date attribution, for the outdated-attribution check. */
  outdatedClientId?: string;
  outdatedClientSecret?: string;
  /** Credentials of a denylisted ACO (BCDA's A9997), for the 403 checks. */
  denylistedClientId?: string;
  denylistedClientSecret?: string;
  /** Credentials of an ACO with no attribution data at all, for the attribution 404 check. */
  unattributedClientId?: string;
  unattributedClientSecret?: string;
  /** A client whose organization the target does not know (valid tokens, 403 everywhere). */
  unknownAcoClientId?: string;
  unknownAcoClientSecret?: string;
  /** A v2 client entitled to partially adjudicated claims (Claim, ClaimResponse). */
  partiallyAdjudicatedClientId?: string;
  partiallyAdjudicatedClientSecret?: string;
  apiVersion: ApiVersion;
  group: 'all' | 'runout';
  profile: Profile;
  suites: Area[];
  grep?: string;
  outDir: string;
  /** Time budget for the whole run's polling, in seconds. */
  timeoutSeconds: number;
  /** Time budget for one HTTP request, in seconds. */
  requestTimeoutSeconds: number;
  maxKickoffs: number;
  /** Most files downloaded (and validated) per export; a manifest may list more. */
  maxFiles: number;
  /** Validate only the first N lines of each file (undefined: all). */
  validateLines?: number;
  includeSamples: boolean;
  /** Exit 1 when any check fails or warns (not only MUST-level failures); known deviations excepted. */
  strict: boolean;
  /** Embedded mock only: faults to switch on and whether to reproduce the real server's quirks. */
  mockFaults: string[];
  mockQuirks: boolean;
  /**
   * Origins besides the target's that may receive the run's credentials (a file server the
   * manifest names), as scheme://host[:port].
   */
  allowOrigins: string[];
  /** Where the settings came from, for the report (no secrets). */
  sources: Record<string, 'flag' | 'env' | 'file' | 'default'>;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Raw settings as strings/values, before validation. Keys match RunConfig. */
export type RawSettings = Partial<Record<keyof RunConfig | 'config', unknown>>;

const ENV: Partial<Record<keyof RunConfig, string>> = {
  target: 'BCDA_TARGET',
  clientId: 'BCDA_CLIENT_ID',
  clientSecret: 'BCDA_CLIENT_SECRET',
  token: 'BCDA_TOKEN',
  otherClientId: 'BCDA_OTHER_CLIENT_ID',
  otherClientSecret: 'BCDA_OTHER_CLIENT_SECRET',
  rateLimitedClientId: 'BCDA_RATE_LIMITED_CLIENT_ID',
  rateLimitedClientSecret: 'BCDA_RATE_LIMITED_CLIENT_SECRET',
  outdatedClientId: 'BCDA_OUTDATED_CLIENT_ID',
  outdatedClientSecret: 'BCDA_OUTDATED_CLIENT_SECRET',
  denylistedClientId: 'BCDA_DENYLISTED_CLIENT_ID',
  denylistedClientSecret: 'BCDA_DENYLISTED_CLIENT_SECRET',
  unattributedClientId: 'BCDA_UNATTRIBUTED_CLIENT_ID',
  unattributedClientSecret: 'BCDA_UNATTRIBUTED_CLIENT_SECRET',
  unknownAcoClientId: 'BCDA_UNKNOWN_ACO_CLIENT_ID',
  unknownAcoClientSecret: 'BCDA_UNKNOWN_ACO_CLIENT_SECRET',
  partiallyAdjudicatedClientId: 'BCDA_PARTIALLY_ADJUDICATED_CLIENT_ID',
  partiallyAdjudicatedClientSecret: 'BCDA_PARTIALLY_ADJUDICATED_CLIENT_SECRET',
  apiVersion: 'BCDA_API_VERSION',
  group: 'BCDA_GROUP',
  profile: 'BCDA_PROFILE',
  suites: 'BCDA_SUITES',
  grep: 'BCDA_GREP',
  outDir: 'BCDA_OUT',
  timeoutSeconds: 'BCDA_TIMEOUT',
  requestTimeoutSeconds: 'BCDA_REQUEST_TIMEOUT',
  maxKickoffs: 'BCDA_MAX_KICKOFFS',
  maxFiles: 'BCDA_MAX_FILES',
  validateLines: 'BCDA_VALIDATE_LINES',
  mockFaults: 'BCDA_MOCK_FAULTS',
  strict: 'BCDA_STRICT',
  allowOrigins: 'BCDA_ALLOW_ORIGINS',
};

/** Command-line flag of each setting, for messages. */
const FLAGS: Record<keyof RunConfig, string> = {
  target: 'target',
  clientId: 'client-id',
  clientSecret: 'client-secret',
  token: 'token',
  otherClientId: 'other-client-id',
  otherClientSecret: 'other-client-secret',
  rateLimitedClientId: 'rate-limited-client-id',
  rateLimitedClientSecret: 'rate-limited-client-secret',
  outdatedClientId: 'outdated-client-id',
  outdatedClientSecret: 'outdated-client-secret',
  denylistedClientId: 'denylisted-client-id',
  denylistedClientSecret: 'denylisted-client-secret',
  unattributedClientId: 'unattributed-client-id',
  unattributedClientSecret: 'unattributed-client-secret',
  unknownAcoClientId: 'unknown-aco-client-id',
  unknownAcoClientSecret: 'unknown-aco-client-secret',
  partiallyAdjudicatedClientId: 'partially-adjudicated-client-id',
  partiallyAdjudicatedClientSecret: 'partially-adjudicated-client-secret',
  apiVersion: 'api-version',
  group: 'group',
  profile: 'profile',
  suites: 'suite',
  grep: 'grep',
  outDir: 'out',
  timeoutSeconds: 'timeout',
  requestTimeoutSeconds: 'request-timeout',
  maxKickoffs: 'max-kickoffs',
  maxFiles: 'max-files',
  validateLines: 'validate-lines',
  includeSamples: 'include-samples',
  strict: 'strict',
  mockFaults: 'mock-fault',
  mockQuirks: 'mock-quirks',
  allowOrigins: 'allow-origin',
  sources: 'sources',
};

const DEFAULTS = {
  apiVersion: 'v2',
  group: 'all',
  profile: 'bcda',
  outDir: 'reports',
  timeoutSeconds: 300,
  requestTimeoutSeconds: 30,
  maxKickoffs: 40,
  maxFiles: 1000,
  includeSamples: false,
  strict: false,
  mockQuirks: false,
} as const;

export const DEFAULT_CONFIG_FILE = 'bcda-conformance.config.json';

export function loadConfig(
  flags: RawSettings,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): RunConfig {
  const { file, settings: fileSettings } = readConfigFile(flags.config, cwd);
  const sources: RunConfig['sources'] = {};
  const pick = (key: keyof RunConfig): unknown => {
    if (flags[key] !== undefined) {
      sources[key] = 'flag';
      return flags[key];
    }
    const envName = ENV[key];
    if (envName && env[envName] !== undefined && env[envName] !== '') {
      sources[key] = 'env';
      return BOOLEAN_KEYS.has(key) ? booleanFromEnv(env[envName]) : env[envName];
    }
    if (fileSettings[key] !== undefined) {
      sources[key] = 'file';
      return fileSettings[key];
    }
    sources[key] = 'default';
    return (DEFAULTS as Record<string, unknown>)[key];
  };
  /** Names a setting the way the user gave it: flag, environment variable or config file key. */
  const label = (key: keyof RunConfig): string => {
    if (sources[key] === 'env') return ENV[key] ?? `--${FLAGS[key]}`;
    if (sources[key] === 'file') return `"${key}" in config file ${file}`;
    return `--${FLAGS[key]}`;
  };
  const get = <T>(key: keyof RunConfig, check: (value: unknown, name: string) => T): T => {
    const value = pick(key);
    return check(value, label(key));
  };

  const target = get('target', optionalString);
  const config: RunConfig = {
    apiVersion: get('apiVersion', (v, n) => oneOf(v, n, ['v1', 'v2', 'v3'] as const)),
    group: get('group', (v, n) => oneOf(v, n, ['all', 'runout'] as const)),
    profile: get('profile', (v, n) => oneOf(v, n, ['bcda', 'bulk-data-ig'] as const)),
    suites: get('suites', suiteList),
    outDir: get('outDir', requiredString),
    timeoutSeconds: get('timeoutSeconds', positiveNumber),
    requestTimeoutSeconds: get('requestTimeoutSeconds', positiveNumber),
    maxKickoffs: get('maxKickoffs', (v, n) => positiveInteger(v, n, true)),
    maxFiles: get('maxFiles', (v, n) => positiveInteger(v, n, false)),
    includeSamples: get('includeSamples', booleanSetting),
    strict: get('strict', booleanSetting),
    mockFaults: get('mockFaults', stringList),
    mockQuirks: get('mockQuirks', booleanSetting),
    allowOrigins: get('allowOrigins', originList),
    sources,
  };
  if (target !== undefined) config.target = validateTarget(target, label('target'));
  for (const key of [
    'clientId',
    'clientSecret',
    'token',
    'otherClientId',
    'otherClientSecret',
    'rateLimitedClientId',
    'rateLimitedClientSecret',
    'outdatedClientId',
    'outdatedClientSecret',
    'denylistedClientId',
    'denylistedClientSecret',
    'unattributedClientId',
    'unattributedClientSecret',
    'unknownAcoClientId',
    'unknownAcoClientSecret',
    'partiallyAdjudicatedClientId',
    'partiallyAdjudicatedClientSecret',
    'grep',
  ] as const) {
    const value = get(key, optionalString);
    if (value !== undefined) config[key] = value;
  }
  const validateLines = pick('validateLines');
  if (validateLines !== undefined)
    config.validateLines = positiveInteger(validateLines, label('validateLines'), false);

  if ((config.clientId === undefined) !== (config.clientSecret === undefined)) {
    throw new ConfigError('--client-id and --client-secret go together: give both or neither');
  }
  if (config.target && !config.token && !config.clientId) {
    throw new ConfigError(
      `no credentials for ${config.target}: give --client-id and --client-secret (or BCDA_CLIENT_ID/BCDA_CLIENT_SECRET), or --token`,
    );
  }
  return config;
}

/** Why a file could not be read, in words (the errno code kept for searching). */
function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'it is a directory, not a file',
    ENOTDIR: 'a parent of it is not a directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
  };
  if (code && words[code]) return `${words[code]} (${code})`;
  return code ?? (err as Error).message;
}

function readConfigFile(flag: unknown, cwd: string): { file: string; settings: Record<string, unknown> } {
  if (flag !== undefined && (typeof flag !== 'string' || flag.trim() === '')) {
    throw new ConfigError('--config needs the path of a JSON file');
  }
  const explicit = typeof flag === 'string' ? flag : undefined;
  const file = explicit ?? path.join(cwd, DEFAULT_CONFIG_FILE);
  if (!explicit && !existsSync(file)) return { file, settings: {} };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${readProblem(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a JSON object of settings`);
  }
  const known = new Set<string>([...Object.keys(ENV), 'includeSamples', 'mockQuirks']);
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) {
      throw new ConfigError(
        `config file ${file}: unknown setting "${key}"; the settings are: ${[...known].join(', ')}`,
      );
    }
  }
  return { file, settings: parsed as Record<string, unknown> };
}

function validateTarget(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} "${value}" is not a URL (expected e.g. https://sandbox.bcda.cms.gov)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) URL, got ${url.protocol}`);
  }
  if (isBlockedAddress(url.hostname)) {
    throw new ConfigError(
      `${name} ${url.origin} is a link-local or cloud metadata address, which the harness never requests`,
    );
  }
  // The engine builds /api/vN/... itself: a base path such as /api/v2 would double up.
  if (/\/api\/v\d\/?$/.test(url.pathname)) {
    throw new ConfigError(`${name} should be the server root (e.g. ${url.origin}), without ${url.pathname}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new ConfigError(`${name} must be a string (got ${JSON.stringify(value)})`);
  return value;
}

function requiredString(value: unknown, name: string): string {
  const s = optionalString(value, name);
  if (!s) throw new ConfigError(`${name} must not be empty`);
  return s;
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
}

function toNumber(value: unknown, name: string): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number (got ${JSON.stringify(value)})`);
  return n;
}

function positiveNumber(value: unknown, name: string): number {
  const n = toNumber(value, name);
  if (n <= 0) throw new ConfigError(`${name} must be greater than 0 (got ${JSON.stringify(value)})`);
  return n;
}

function positiveInteger(value: unknown, name: string, allowZero: boolean): number {
  const n = toNumber(value, name);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new ConfigError(
      `${name} must be a whole number${allowZero ? ' (0 or more)' : ' (1 or more)'} (got ${JSON.stringify(value)})`,
    );
  }
  return n;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) && typeof value !== 'string') {
    throw new ConfigError(
      `${name} must be a list of names or a comma-separated string (got ${JSON.stringify(value)})`,
    );
  }
  const items: unknown[] = Array.isArray(value) ? value : value.split(',');
  return items
    .map((v) => {
      if (typeof v !== 'string')
        throw new ConfigError(`${name} values must be strings (got ${JSON.stringify(v)})`);
      return v.trim();
    })
    .filter(Boolean);
}

/**
 * Origins for --allow-origin: a list, or one string separated by commas or spaces (the
 * environment's form). Each must be a bare http(s) origin: a path would suggest a narrower grant
 * than the origin rule gives.
 */
function originList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) && typeof value !== 'string') {
    throw new ConfigError(
      `${name} must be a list of origins or one string of them (got ${JSON.stringify(value)})`,
    );
  }
  const items: unknown[] = Array.isArray(value) ? value : value.split(/[\s,]+/);
  const origins: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string')
      throw new ConfigError(`${name} values must be strings (got ${JSON.stringify(item)})`);
    const text = item.trim();
    if (!text) continue;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ConfigError(
        `${name} "${text}" is not a URL (expected an origin, e.g. https://files.example.com)`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(`${name} must be an http(s) origin, got ${url.protocol}`);
    }
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) {
      throw new ConfigError(
        `${name} takes an origin only (scheme://host[:port]), got "${text}"; use ${url.origin}`,
      );
    }
    if (isBlockedAddress(url.hostname)) {
      throw new ConfigError(
        `${name} ${url.origin} is a link-local or cloud metadata address, which the harness never requests`,
      );
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return origins;
}

/** Settings that are on/off switches. */
const BOOLEAN_KEYS: ReadonlySet<keyof RunConfig> = new Set(['includeSamples', 'mockQuirks', 'strict']);

/** Environment values are text: the usual spellings of a boolean become one, the rest stay text. */
function booleanFromEnv(value: string | undefined): unknown {
  const lower = value?.trim().toLowerCase();
  if (lower === 'true' || lower === '1' || lower === 'yes') return true;
  if (lower === 'false' || lower === '0' || lower === 'no') return false;
  return value;
}

function booleanSetting(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean')
    throw new ConfigError(`${name} must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

/** Checks suite names (also for `list --suite`); throws a ConfigError naming the unknown one. */
export function checkSuiteNames(names: readonly string[]): Area[] {
  for (const n of names) {
    if (!(AREAS as readonly string[]).includes(n)) {
      throw new ConfigError(`unknown suite "${n}"; the suites are: ${AREAS.join(', ')}`);
    }
  }
  return names as Area[];
}

function suiteList(value: unknown, name: string): Area[] {
  const names = stringList(value, name);
  if (names.length === 0) return [...AREAS];
  return checkSuiteNames(names);
}
