/**
 * The README's option list, derived from the settings table. `npm run generate` writes it between
 * the README's settings markers; a test fails when the committed README is stale.
 */
import { CONFIG_FILE_FLAG, SETTINGS, defaultTextOf, envNameOf, type SettingRow } from '../core/settings';

export const SETTINGS_START =
  '<!-- settings:start (generated from src/core/settings.ts by npm run generate; do not edit) -->';
export const SETTINGS_END = '<!-- settings:end -->';

/** `--x-client-id` followed by `--x-client-secret`: shown as one row. */
function pairedSecret(row: SettingRow, next: SettingRow | undefined): SettingRow | undefined {
  return next && row.key.endsWith('ClientId') && next.key === row.key.replace(/Id$/, 'Secret')
    ? next
    : undefined;
}

function optionCell(row: SettingRow, secret?: SettingRow): string {
  const flag = (r: SettingRow) => `\`--${r.flag}${r.arg ? ` ${r.arg.toUpperCase()}` : ''}\``;
  if (!secret) return `${flag(row)} (\`${envNameOf(row)}\`)`;
  const stem = envNameOf(row).replace(/_ID$/, '');
  return `\`--${row.flag}/-secret\` (\`${stem}_*\`)`;
}

function meaning(row: SettingRow): string {
  const values =
    row.kind === 'choice' && row.values ? ` (${row.values.map((v) => `\`${v}\``).join(', ')})` : '';
  return `${row.help}${values}${row.readme ? `; ${row.readme}` : ''}.`;
}

/**
 * A list rather than a table: the README stays readable in a terminal, and prettier does not pad
 * every row to the widest one.
 */
export function renderSettingsTable(): string {
  const lines: string[] = [];
  for (let i = 0; i < SETTINGS.length; i++) {
    const row = SETTINGS[i]!;
    const secret = pairedSecret(row, SETTINGS[i + 1]);
    if (secret) i++;
    const def = defaultTextOf(row);
    // A pair is described by its id's help, which names what the credentials are for.
    const text = secret ? meaning(row).replace(/^client id/, 'credentials') : meaning(row);
    lines.push(`- ${optionCell(row, secret)}: ${text}${def ? ` Default: ${def}.` : ''}`);
  }
  lines.push(
    `- \`--${CONFIG_FILE_FLAG.flag} FILE\`: ${CONFIG_FILE_FLAG.help}; checked against \`spec/config.schema.json\`. Default: \`./${CONFIG_FILE_FLAG.defaultFiles[0]}\` or \`.yaml\`, if present.`,
  );
  return [SETTINGS_START, '', ...lines, '', SETTINGS_END].join('\n');
}

/** Replaces the generated option list of a README; undefined when the README has no markers. */
export function replaceSettingsTable(readme: string, table: string): string | undefined {
  const start = readme.indexOf(SETTINGS_START);
  const end = readme.indexOf(SETTINGS_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(0, start) + table + readme.slice(end + SETTINGS_END.length);
}
