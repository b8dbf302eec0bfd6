/**
 * One validated run configuration from flags, environment variables and an optional config file
 * (JSON or YAML), in that order of precedence. Which settings exist, their names in each source and
 * their defaults all come from the settings table (core/settings.ts); every problem is a
 * ConfigError naming the setting the way the user gave it.
 */
import {
  SETTINGS,
  envNameOf,
  configKeyOf,
  type RunSettings,
  type SettingKey,
  type SettingRow,
} from '../core/settings';
import { CLIENT_ROLES } from '../core/client-roles';
import { isGenericFault } from '../core/faults';
import { AREAS, GROUPS, type Area, type Group } from '../core/vocabulary';
import { readConfigFile } from './config-file';
import { didYouMean } from '../core/did-you-mean';
import { ConfigError, readSettingValue } from './setting-values';

export { ConfigError };

export type SettingSource = 'flag' | 'env' | 'file' | 'default';

/** --max-kickoffs when not given, under bulk-data-ig (its row's default is the bcda profile's). */
const GENERIC_MAX_KICKOFFS = 60;

export type RunConfig = RunSettings & {
  /** Where each setting came from, for the report (no values, so no secrets). */
  sources: Partial<Record<SettingKey, SettingSource>>;
};

/** Settings given in code or by flags, keyed like RunConfig, before validation; `config` names the file. */
export type RawSettings = Partial<Record<SettingKey | 'config', unknown>>;

export function loadConfig(
  flags: RawSettings,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): RunConfig {
  const file = readConfigFile(flags.config, cwd);
  const sources: RunConfig['sources'] = {};
  const values: Record<string, unknown> = {};
  for (const row of SETTINGS) {
    const key = row.key as SettingKey;
    const given = fromSources(row, flags, env, file);
    if (given) {
      sources[key] = given.source;
      values[key] = readSettingValue(row, given.value, given.label);
    } else if (row.default !== undefined) {
      sources[key] = 'default';
      values[key] = Array.isArray(row.default) ? [...row.default] : row.default;
    }
  }
  const config = { ...values, sources } as RunConfig;
  // The generic profile tries every optional feature the server declares: a whole run starts ~40 jobs.
  if (config.profile === 'bulk-data-ig' && sources.maxKickoffs === 'default')
    config.maxKickoffs = GENERIC_MAX_KICKOFFS;
  // BCDA has two groups; a generic server's group is any id, found at run time when not given.
  if (config.group === undefined && config.profile !== 'bulk-data-ig') {
    config.group = 'all';
    sources.group = 'default';
  }
  checkTogether(config, (key) => labelOf(key, sources[key], file?.file));
  return config;
}

/** The value a source gives for `row`, the first of flag, environment and file that has one. */
function fromSources(
  row: SettingRow,
  flags: RawSettings,
  env: NodeJS.ProcessEnv,
  file: { file: string; values: Record<string, unknown> } | undefined,
): { value: unknown; source: SettingSource; label: string } | undefined {
  const flag = flags[row.key as SettingKey];
  if (flag !== undefined) return { value: flag, source: 'flag', label: `--${row.flag}` };
  const envName = envNameOf(row);
  const fromEnv = env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: 'env', label: envName };
  const key = configKeyOf(row);
  if (file && file.values[key] !== undefined)
    return { value: file.values[key], source: 'file', label: `"${key}" in config file ${file.file}` };
  return undefined;
}

const ROW = new Map<string, SettingRow>(SETTINGS.map((r) => [r.key, r]));

/** Names a setting the way the user gave it: flag, environment variable or config-file key. */
function labelOf(key: SettingKey, source: SettingSource | undefined, file: string | undefined): string {
  const row = ROW.get(key)!;
  if (source === 'env') return envNameOf(row);
  if (source === 'file') return `"${configKeyOf(row)}" in config file ${file}`;
  return `--${row.flag}`;
}

/** Rules between settings. */
function checkTogether(config: RunConfig, label: (key: SettingKey) => string): void {
  if ((config.clientId === undefined) !== (config.clientSecret === undefined))
    throw new ConfigError(
      `${label('clientId')} and ${label('clientSecret')} go together: give both or neither`,
    );
  for (const { role } of CLIENT_ROLES) {
    const id = `${role}ClientId` as const;
    const secret = `${role}ClientSecret` as const;
    if ((config[id] === undefined) !== (config[secret] === undefined))
      throw new ConfigError(`${label(id)} and ${label(secret)} go together: give both or neither`);
  }
  // Under bcda the target is the server root and the run adds /api/vN; a generic server's is its FHIR base.
  if (config.profile !== 'bulk-data-ig' && config.target) {
    const url = new URL(config.target);
    if (/\/api\/v\d\/?$/.test(url.pathname))
      throw new ConfigError(
        `${label('target')} should be the server root (e.g. ${url.origin}), without ${url.pathname} (under --profile bulk-data-ig it is the FHIR base URL)`,
      );
  }
  if (config.profile !== 'bulk-data-ig' && config.group !== undefined && !isGroup(config.group))
    throw new ConfigError(
      `${label('group')} must be one of ${GROUPS.join(', ')} under the bcda profile (BCDA's groups), got "${config.group}"`,
    );
  if (config.quiet && config.verbose)
    throw new ConfigError(`${label('quiet')} and ${label('verbose')} contradict each other: give one`);
  if (config.target && (config.mockFaults.length || config.mockQuirks))
    throw new ConfigError(
      `${config.mockFaults.length ? label('mockFaults') : label('mockQuirks')} applies to the embedded mock only, but ${label('target')} names another server: drop one of them`,
    );
  // Under bulk-data-ig the embedded target is the generic mock: BCDA's faults and quirks are not its.
  const bcdaFaults = config.mockFaults.filter((name) => !isGenericFault(name));
  if (config.profile === 'bulk-data-ig' && (bcdaFaults.length || config.mockQuirks))
    throw new ConfigError(
      `${bcdaFaults.length ? `${label('mockFaults')} ${bcdaFaults.join(', ')}` : label('mockQuirks')}: the BCDA mock's, but a bulk-data-ig run's embedded target is the generic mock (to judge the BCDA mock by the IG, start it with \`mock\` and give --target <its URL>/api/v2)`,
    );
  // The generic mock's faults (mock --profile bulk-data-ig) cannot be switched on in the BCDA mock.
  const generic = config.mockFaults.filter(isGenericFault);
  if (generic.length > 0 && config.profile !== 'bulk-data-ig')
    throw new ConfigError(
      `${label('mockFaults')} ${generic.join(', ')}: generic mock fault${generic.length > 1 ? 's' : ''}, for ${label('profile')} bulk-data-ig only`,
    );
  if ((config.smartClientId === undefined) !== (config.smartKey === undefined))
    throw new ConfigError(
      `${label('smartClientId')} and ${label('smartKey')} go together: a SMART client signs with its key, so give both or neither`,
    );
  if ((config.otherSmartClientId === undefined) !== (config.otherSmartKey === undefined))
    throw new ConfigError(
      `${label('otherSmartClientId')} and ${label('otherSmartKey')} go together: a SMART client signs with its key, so give both or neither`,
    );
  if (config.target && !config.token && !config.clientId && !config.smartClientId) {
    throw new ConfigError(
      `no credentials for ${config.target}: give --client-id and --client-secret (or BCDA_CLIENT_ID/BCDA_CLIENT_SECRET), --smart-client-id and --smart-key (SMART Backend Services), or --token`,
    );
  }
}

const isGroup = (value: string): value is Group => (GROUPS as readonly string[]).includes(value);

/** Suite names as given to `list --suite`, checked against the areas. */
export function checkSuiteNames(names: readonly string[]): Area[] {
  for (const n of names) {
    if (!(AREAS as readonly string[]).includes(n))
      throw new ConfigError(
        `unknown suite "${n}"${didYouMean(n, AREAS)}; the suites are: ${AREAS.join(', ')}`,
      );
  }
  return names.length ? [...(names as Area[])] : [...AREAS];
}
