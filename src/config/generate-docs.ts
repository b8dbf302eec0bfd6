#!/usr/bin/env node
/**
 * `npm run generate` (after the OpenAPI types, through scripts/generate-docs.js) writes what the settings table generates, the
 * config-file schema (spec/config.schema.json) and the README's option table. `--check` writes
 * nothing and exits 1 naming each stale file. Output is formatted as `npm run format` leaves it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../core/project-root';
import { CONFIG_SCHEMA_PATH, renderConfigSchema } from './config-schema';
import { renderSettingsTable, replaceSettingsTable } from './settings-doc';

const ROOT = projectRoot();

/**
 * `text` as `npm run format` would leave it, so generating and formatting agree. Without prettier
 * (a production install) it is returned as is.
 */
export async function formatAsRepository(text: string, file: string): Promise<string> {
  let prettier: typeof import('prettier');
  try {
    prettier = await import('prettier');
  } catch {
    return text;
  }
  const config = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...config, filepath: file });
}

/** Each generated file with the text it should have now. */
export async function generatedDocs(
  root = ROOT,
): Promise<Array<{ file: string; current: string; wanted: string }>> {
  const schemaFile = path.join(root, CONFIG_SCHEMA_PATH);
  const readmeFile = path.join(root, 'README.md');
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  };
  const readme = read(readmeFile);
  const replaced = replaceSettingsTable(readme, renderSettingsTable());
  if (replaced === undefined) throw new Error(`${readmeFile} has no settings markers`);
  return [
    {
      file: schemaFile,
      current: read(schemaFile),
      wanted: await formatAsRepository(renderConfigSchema(), schemaFile),
    },
    { file: readmeFile, current: readme, wanted: await formatAsRepository(replaced, readmeFile) },
  ];
}

export async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const stale = (await generatedDocs()).filter((d) => d.current !== d.wanted);
  for (const d of stale) {
    if (check) process.stderr.write(`stale: ${path.relative(ROOT, d.file)} (run npm run generate)\n`);
    else {
      writeFileSync(d.file, d.wanted);
      process.stdout.write(`wrote ${path.relative(ROOT, d.file)}\n`);
    }
  }
  return check && stale.length ? 1 : 0;
}
