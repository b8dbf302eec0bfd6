/**
 * The options of `run`, declared from the settings table: each setting's flag, its value's name,
 * and a help line that names the environment variable and the default. The parsed options map back
 * to settings by the same table, so a setting cannot be documented and not declared.
 */
import { type Command, Option } from 'commander';
import {
  CONFIG_FILE_FLAG,
  SETTINGS,
  camelCase,
  defaultTextOf,
  envNameOf,
  isListKind,
  type SettingRow,
} from '../core/settings';
import type { RawSettings } from '../config/config';

/** A repeatable option's values, also split at commas: `--suite a,b --suite c`. */
export const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

export function settingHelp(row: SettingRow): string {
  const values = row.kind === 'choice' && row.values ? `: ${row.values.join(', ')}` : '';
  const def = defaultTextOf(row);
  return `${row.help}${values} (env ${envNameOf(row)}${def ? `; default: ${def}` : ''})`;
}

export function addSettingOptions(command: Command): Command {
  for (const row of SETTINGS) {
    const option = new Option(`--${row.flag}${row.arg ? ` <${row.arg}>` : ''}`, settingHelp(row));
    if (isListKind(row.kind)) option.argParser(collect);
    command.addOption(option);
  }
  command.option(
    `--${CONFIG_FILE_FLAG.flag} <${CONFIG_FILE_FLAG.arg}>`,
    `${CONFIG_FILE_FLAG.help} (default ./${CONFIG_FILE_FLAG.defaultFiles[0]} or .yaml, if present)`,
  );
  return command;
}

/** The settings the parsed options give (commander names an option by its flag in camelCase). */
export function settingsFromOptions(opts: Record<string, unknown>): RawSettings {
  const raw: RawSettings = {};
  for (const row of SETTINGS) {
    const value = opts[camelCase(row.flag)];
    if (value !== undefined) raw[row.key as keyof RawSettings] = value;
  }
  if (opts[CONFIG_FILE_FLAG.flag] !== undefined) raw.config = opts[CONFIG_FILE_FLAG.flag];
  return raw;
}
