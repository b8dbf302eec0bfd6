/**
 * Reads a config file (JSON, or YAML by its extension) and checks it against the schema derived
 * from the settings table. A problem is one line naming the file and the key; an unknown key gets
 * the closest known ones.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { CONFIG_FILE_FLAG, SETTINGS, configKeyOf, type SettingRow } from '../core/settings';
import { configFileSchema } from './config-schema';
import { didYouMean } from '../core/did-you-mean';
import { ConfigError, wantedOf } from './setting-values';

export interface ConfigFile {
  file: string;
  /** Values by config key, as the file holds them. */
  values: Record<string, unknown>;
}

const ROW_BY_KEY = new Map<string, SettingRow>(SETTINGS.map((r) => [configKeyOf(r), r]));

let validator: ReturnType<Ajv['compile']> | undefined;
const validate = () =>
  (validator ??= new Ajv({ allErrors: true, strict: false }).compile(configFileSchema()));

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

const isYaml = (file: string) => /\.ya?ml$/i.test(file);

/** The file `--config` names, or the first default file in `cwd`; undefined when there is none. */
export function readConfigFile(flag: unknown, cwd: string): ConfigFile | undefined {
  if (flag !== undefined && (typeof flag !== 'string' || flag.trim() === ''))
    throw new ConfigError('--config needs the path of a JSON or YAML file');
  const file =
    typeof flag === 'string'
      ? path.resolve(cwd, flag)
      : CONFIG_FILE_FLAG.defaultFiles.map((f) => path.join(cwd, f)).find((f) => existsSync(f));
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${readProblem(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = isYaml(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    const first = ((err as Error).message.split('\n')[0] ?? '').slice(0, 200);
    throw new ConfigError(`config file ${file} is not valid ${isYaml(file) ? 'YAML' : 'JSON'}: ${first}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(
      `config file ${file} must hold an object of settings (keys: the flags in camelCase)`,
    );
  const values = parsed as Record<string, unknown>;
  const check = validate();
  if (!check(values)) throw problemOf(file, values, check.errors ?? []);
  return { file, values };
}

/** The first schema error as the user should read it: the setting's own message where there is one. */
function problemOf(file: string, values: Record<string, unknown>, errors: ErrorObject[]): ConfigError {
  const unknown = errors.find((e) => e.keyword === 'additionalProperties');
  if (unknown) {
    const key = String((unknown.params as { additionalProperty?: string }).additionalProperty);
    return new ConfigError(
      `config file ${file}: unknown setting "${key}"${didYouMean(key, ROW_BY_KEY.keys()) || ` (the settings are the flags in camelCase: ${[...ROW_BY_KEY.keys()].join(', ')})`}`,
    );
  }
  for (const e of errors) {
    const key = e.instancePath.split('/')[1] ?? '';
    const row = ROW_BY_KEY.get(key);
    const label = `"${key}" in config file ${file}`;
    const got = JSON.stringify(values[key]);
    return new ConfigError(`${label} ${row ? wantedOf(row) : (e.message ?? 'is not valid')} (got ${got})`);
  }
  return new ConfigError(`config file ${file} is not valid`);
}
