/**
 * The JSON Schema of a config file, derived from the settings table. The committed copy,
 * spec/config.schema.json, is what editors use (`"$schema"` in the file); a test fails when it is
 * stale (`npm run generate` rewrites it). The loader validates every file with it.
 */
import { SETTINGS, configKeyOf, defaultTextOf, type SettingRow } from '../core/settings';

export const CONFIG_SCHEMA_PATH = 'spec/config.schema.json';
const SCHEMA_ID = 'https://bcda-conformance.invalid/config.schema.json';

type JsonSchema = Record<string, unknown>;

const listOf = (items: JsonSchema): JsonSchema => ({
  anyOf: [{ type: 'array', items }, { type: 'string' }],
});

function valueSchema(row: SettingRow): JsonSchema {
  switch (row.kind) {
    case 'text':
    case 'secret':
    case 'url':
      return { type: 'string' };
    case 'choice':
      return { enum: [...(row.values ?? [])] };
    case 'choices':
      return listOf({ enum: [...(row.values ?? [])] });
    case 'names':
    case 'origins':
      return listOf({ type: 'string' });
    case 'seconds':
      return { type: 'number', exclusiveMinimum: 0 };
    case 'count':
      return { type: 'integer', minimum: row.min ?? 0 };
    case 'switch':
      return { type: 'boolean' };
  }
}

export function configFileSchema(): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    $schema: { type: 'string', description: 'where editors find this schema' },
  };
  for (const row of SETTINGS) {
    const def = defaultTextOf(row);
    properties[configKeyOf(row)] = {
      ...valueSchema(row),
      description: `--${row.flag}: ${row.help}${def ? ` (default: ${def})` : ''}`,
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'bcda-conformance run settings',
    description:
      'A config file for `bcda-conformance run --config FILE` (JSON or YAML). Keys are the flags in camelCase; flags and environment variables take precedence.',
    type: 'object',
    additionalProperties: false,
    properties,
  };
}

/** The committed file's text: the schema as formatted JSON. */
export const renderConfigSchema = (): string => `${JSON.stringify(configFileSchema(), null, 2)}\n`;
