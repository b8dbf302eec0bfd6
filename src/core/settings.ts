/**
 * The settings table of `run`: one row per setting. Everything else is derived from it: the
 * command-line options, the environment variables, the config-file keys and their JSON Schema
 * (spec/config.schema.json), the `RunSettings` type, and the README's option table. A setting
 * declared here is wired everywhere at once.
 *
 * Names: the flag is `--<flag>`; the config-file key is the flag in camelCase (`--max-files` is
 * `maxFiles`); the environment variable is `BCDA_` and the flag in upper case, unless `env` names
 * another (the list settings take a plural: `BCDA_SUITES`).
 */
import { CLIENT_ROLES, type ClientRole } from './client-roles';
import { FAULT_NAME_LIST } from './faults';
import { API_VERSIONS, AREAS, PROFILES, type Area } from './vocabulary';

/** How a setting's value is read and checked. */
export type SettingKind =
  /** Free text. */
  | 'text'
  /** Text that must never be shown: a secret or a token. */
  | 'secret'
  /** An http(s) URL. */
  | 'url'
  /** One word of `values`. */
  | 'choice'
  /** Words of `values`: repeatable flag, comma-separated text, or a list in a file. */
  | 'choices'
  /** Names: repeatable flag, comma-separated text, or a list in a file. */
  | 'names'
  /** http(s) origins: repeatable flag, text separated by commas or spaces, or a list in a file. */
  | 'origins'
  /** A number of seconds greater than 0. */
  | 'seconds'
  /** A whole number, at least `min`. */
  | 'count'
  /** An on/off switch: a flag without a value, true/false in a file, true/1/yes or false/0/no in the environment. */
  | 'switch';

export interface SettingRow {
  /** The field of RunSettings. */
  readonly key: string;
  /** The flag without its dashes. */
  readonly flag: string;
  readonly kind: SettingKind;
  /** The value's name in help text (`--timeout <seconds>`); switches have none. */
  readonly arg?: string;
  readonly values?: readonly string[];
  /** Where a user finds `values` when they are too many to show in a message (the fault names). */
  readonly valuesListedBy?: string;
  /** Smallest value of a `count`. */
  readonly min?: number;
  readonly default?: string | number | boolean | readonly string[];
  /** The environment variable, where it is not `BCDA_` + the flag in upper case. */
  readonly env?: string;
  /** What the setting does, one sentence for --help, the README and the schema. */
  readonly help: string;
  /** How the default reads when it is not a value (e.g. "the embedded mock"). */
  readonly defaultText?: string;
  /** A note for the README table only. */
  readonly readme?: string;
}

/** The settings that are not a client role's credentials, in the order `run --help` shows them. */
const MAIN_SETTINGS = [
  {
    key: 'target',
    flag: 'target',
    kind: 'url',
    arg: 'url',
    help: 'server root URL, e.g. https://sandbox.bcda.cms.gov (no /api/vN)',
    defaultText: 'the embedded mock',
  },
  { key: 'clientId', flag: 'client-id', kind: 'text', arg: 'id', help: 'client id for POST /auth/token' },
  {
    key: 'clientSecret',
    flag: 'client-secret',
    kind: 'secret',
    arg: 'secret',
    help: 'client secret (prefer the environment to the command line)',
  },
  {
    key: 'token',
    flag: 'token',
    kind: 'secret',
    arg: 'token',
    help: 'a bearer token to use instead of client credentials',
  },
  {
    key: 'apiVersion',
    flag: 'api-version',
    kind: 'choice',
    arg: 'version',
    values: API_VERSIONS,
    default: 'v2',
    help: 'API version under test',
  },
  {
    key: 'group',
    flag: 'group',
    kind: 'text',
    arg: 'id',
    help: 'group of the shared export: under the bcda profile all or runout; under bulk-data-ig any Group id of the server',
    defaultText: 'all (bcda); bulk-data-ig: the first Group the server lists, else the group checks skip',
  },
  {
    key: 'profile',
    flag: 'profile',
    kind: 'choice',
    arg: 'profile',
    values: PROFILES,
    default: 'bcda',
    help: "rules to judge by, BCDA's documented contract or the generic Bulk Data IG v2 server rules",
  },
  {
    key: 'suites',
    flag: 'suite',
    kind: 'choices',
    arg: 'name...',
    values: AREAS,
    default: AREAS,
    env: 'BCDA_SUITES',
    help: 'run only these areas of the catalog',
    defaultText: 'all',
  },
  {
    key: 'grep',
    flag: 'grep',
    kind: 'text',
    arg: 'text',
    help: 'run only the checks whose id or title contains the text',
  },
  {
    key: 'outDir',
    flag: 'out',
    kind: 'text',
    arg: 'dir',
    default: 'reports',
    help: 'directory for report.json, junit.xml and index.html',
  },
  {
    key: 'timeoutSeconds',
    flag: 'timeout',
    kind: 'seconds',
    arg: 'seconds',
    default: 300,
    help: 'time budget of the whole run: checks still running when it is spent are reported as not run',
  },
  {
    key: 'requestTimeoutSeconds',
    flag: 'request-timeout',
    kind: 'seconds',
    arg: 'seconds',
    default: 30,
    help: 'time budget of one HTTP request, headers and body',
  },
  {
    key: 'maxKickoffs',
    flag: 'max-kickoffs',
    kind: 'count',
    arg: 'n',
    min: 0,
    default: 40,
    help: 'most export jobs the run may start (each kick-off made only to test its answer is cancelled at once)',
    defaultText: '40; 60 under bulk-data-ig (the IG has more to try)',
  },
  {
    key: 'maxFiles',
    flag: 'max-files',
    kind: 'count',
    arg: 'n',
    min: 1,
    default: 1000,
    help: 'most files downloaded and validated per export (the report says when a manifest lists more)',
  },
  {
    key: 'validateLines',
    flag: 'validate-lines',
    kind: 'count',
    arg: 'n',
    min: 1,
    help: 'validate only the first N lines of each file',
    defaultText: 'all',
  },
  {
    key: 'fuzz',
    flag: 'fuzz',
    kind: 'count',
    arg: 'n',
    min: 0,
    help: 'generated cases per fuzz property (0: no fuzzing)',
    defaultText: '3 on the embedded mock, else 0',
  },
  {
    key: 'fuzzSeed',
    flag: 'fuzz-seed',
    kind: 'count',
    arg: 'n',
    min: 0,
    default: 1,
    help: 'seed of the fuzz cases (the same seed sends the same requests)',
  },
  {
    key: 'allowOrigins',
    flag: 'allow-origin',
    kind: 'origins',
    arg: 'url',
    default: [],
    env: 'BCDA_ALLOW_ORIGINS',
    help: "also send credentials to this origin (e.g. a file server the manifest names); repeatable. Without it they go only to the target's origin",
    defaultText: "the target's origin only",
  },
  {
    key: 'ca',
    flag: 'ca',
    kind: 'text',
    arg: 'file',
    help: "PEM certificates to trust besides the system's CAs for the target's connections (a private CA or a self-signed certificate); verification stays on",
    defaultText: "the system's CAs",
  },
  {
    key: 'sandbox',
    flag: 'sandbox',
    kind: 'switch',
    help: 'the target is a sandbox with synthetic data only, so sandbox-only rules apply (false: judge it as production)',
    defaultText: 'detected: yes for the embedded mock and sandbox.bcda.cms.gov',
  },
  {
    key: 'strict',
    flag: 'strict',
    kind: 'switch',
    default: false,
    help: 'exit 1 when any check fails or warns, not only a MUST-level one (known deviations excepted)',
  },
  {
    key: 'skipPreflight',
    flag: 'skip-preflight',
    kind: 'switch',
    default: false,
    help: 'run the checks even when the pre-flight finds the target unreachable, not a FHIR Bulk Data server, or refusing the credentials',
  },
  {
    key: 'quiet',
    flag: 'quiet',
    kind: 'switch',
    default: false,
    help: 'print only the summary and errors, no line per check',
  },
  {
    key: 'verbose',
    flag: 'verbose',
    kind: 'switch',
    default: false,
    help: "print every check as it ends, passes too, and a failure's expected and actual values",
  },
  {
    key: 'includeSamples',
    flag: 'include-samples',
    kind: 'switch',
    default: false,
    help: 'allow resource examples in reports (off by default: reports from production may hold PHI)',
  },
  {
    key: 'mockFaults',
    flag: 'mock-fault',
    // Checked against the fault catalog as it is read, so the run gets FaultNames.
    kind: 'choices',
    values: FAULT_NAME_LIST,
    valuesListedBy: 'bcda-conformance mock --list-faults',
    arg: 'name...',
    default: [],
    env: 'BCDA_MOCK_FAULTS',
    help: 'embedded mock only: switch on these faults (bcda-conformance mock --list-faults)',
  },
  {
    key: 'mockQuirks',
    flag: 'mock-quirks',
    kind: 'switch',
    default: false,
    help: "embedded mock only: reproduce the real server's documented quirks",
  },
  {
    key: 'mockTls',
    flag: 'mock-tls',
    kind: 'switch',
    default: false,
    help: 'embedded mock only: listen over HTTPS with the test certificate of fixtures/tls/, trusted for the run (a tls- fault does this too)',
  },
] as const satisfies readonly SettingRow[];

/** SMART Backend Services, how a generic Bulk Data server (bulk-data-ig) is logged in to. */
const SMART_SETTINGS = [
  {
    key: 'smartClientId',
    flag: 'smart-client-id',
    kind: 'text',
    arg: 'id',
    help: 'SMART Backend Services client id (bulk-data-ig)',
    defaultText: "the generic mock's test client",
  },
  {
    key: 'smartKey',
    flag: 'smart-key',
    kind: 'text',
    arg: 'file',
    help: 'its private key file: a JWK, JWKS or PEM (never shown)',
  },
  {
    key: 'smartAlg',
    flag: 'smart-alg',
    kind: 'choice',
    arg: 'alg',
    values: ['RS384', 'ES384'],
    help: "the SMART key's algorithm",
    defaultText: "the key's",
  },
  {
    key: 'tokenUrl',
    flag: 'token-url',
    kind: 'url',
    arg: 'url',
    help: 'SMART token endpoint',
    defaultText: 'discovered',
  },
  {
    key: 'scope',
    flag: 'scope',
    kind: 'text',
    arg: 'scopes',
    default: 'system/*.read',
    help: 'scopes of the SMART token',
  },
  {
    key: 'narrowScope',
    flag: 'narrow-scope',
    kind: 'text',
    arg: 'scopes',
    default: 'system/Patient.read',
    help: 'scopes of a second, narrower SMART token (scope checks)',
  },
  {
    key: 'otherSmartClientId',
    flag: 'other-smart-client-id',
    kind: 'text',
    arg: 'id',
    help: 'a second SMART client, for the cross-client checks',
    defaultText: "the generic mock's other client",
  },
  {
    key: 'otherSmartKey',
    flag: 'other-smart-key',
    kind: 'text',
    arg: 'file',
    help: "its private key file (as --smart-key's)",
  },
] as const satisfies readonly SettingRow[];

/** The two settings of each client role: `--<name>-client-id` and `--<name>-client-secret`. */
function roleSettings(): SettingRow[] {
  return CLIENT_ROLES.flatMap((r) => [
    {
      key: `${r.role}ClientId`,
      flag: `${r.name}-client-id`,
      kind: 'text' as const,
      arg: 'id',
      help: `client id of ${r.purpose}`,
      defaultText: 'its checks skip',
    },
    {
      key: `${r.role}ClientSecret`,
      flag: `${r.name}-client-secret`,
      kind: 'secret' as const,
      arg: 'secret',
      help: 'its secret',
    },
  ]);
}

/** Every setting of `run`: the main ones with SMART and the client roles after the main credentials. */
export const SETTINGS: readonly SettingRow[] = [
  ...MAIN_SETTINGS.slice(0, 4),
  ...SMART_SETTINGS,
  ...roleSettings(),
  ...MAIN_SETTINGS.slice(4),
];

/** The `--config` flag: where more settings come from (not itself a setting). */
export const CONFIG_FILE_FLAG = {
  flag: 'config',
  arg: 'file',
  help: 'a JSON or YAML file of settings (keys: the flags in camelCase)',
  defaultFiles: [
    'bcda-conformance.config.json',
    'bcda-conformance.config.yaml',
    'bcda-conformance.config.yml',
  ],
} as const;

/** `max-files` → `maxFiles`: the config-file key, and commander's name for the option. */
export const camelCase = (flag: string): string =>
  flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

export const configKeyOf = (row: SettingRow): string => camelCase(row.flag);

export const envNameOf = (row: SettingRow): string =>
  row.env ?? `BCDA_${row.flag.toUpperCase().replace(/-/g, '_')}`;

/** True for settings whose value is a list. */
export const isListKind = (kind: SettingKind): boolean =>
  kind === 'choices' || kind === 'names' || kind === 'origins';

/** The default as a reader sees it, for --help and the README. */
export function defaultTextOf(row: SettingRow): string | undefined {
  if (row.defaultText) return row.defaultText;
  if (row.default === undefined || row.kind === 'switch') return undefined;
  return Array.isArray(row.default) ? row.default.join(', ') : String(row.default);
}

// ---- types derived from the table -------------------------------------------------------------

type MainRow = (typeof MAIN_SETTINGS)[number] | (typeof SMART_SETTINGS)[number];

interface KindValue {
  text: string;
  secret: string;
  url: string;
  names: string[];
  origins: string[];
  seconds: number;
  count: number;
  switch: boolean;
}

type ValueOf<R extends SettingRow> = R extends { kind: 'choice'; values: readonly (infer V)[] }
  ? V
  : R extends { kind: 'choices'; values: readonly (infer V)[] }
    ? V[]
    : R['kind'] extends keyof KindValue
      ? KindValue[R['kind']]
      : never;

type WithDefault = Extract<MainRow, { default: unknown }>;
type WithoutDefault = Exclude<MainRow, { default: unknown }>;

/** The run's settings as the code reads them: a setting with a default is always there. */
export type RunSettings = { [R in WithDefault as R['key']]: ValueOf<R> } & {
  [R in WithoutDefault as R['key']]?: ValueOf<R>;
} & { [R in ClientRole as `${R}ClientId` | `${R}ClientSecret`]?: string };

export type SettingKey = keyof RunSettings;

// A row's `suites` default is the area table itself; this keeps the derived type honest.
const _suitesAreAreas: RunSettings['suites'] extends Area[] ? true : never = true;
void _suitesAreAreas;
