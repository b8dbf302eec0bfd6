import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { validateNdjson, type FileValidationSummary, type NdjsonValidationOptions } from '../../src/fhir';

export const CORPUS = path.join(__dirname, '..', '..', 'fixtures', 'fhir');

export interface CorpusEntry {
  file: string;
  defect?: string;
  why?: string;
  ruleId?: string;
  path?: string;
  line?: number;
  options?: Partial<NdjsonValidationOptions>;
}

export function readManifest(kind: 'valid' | 'invalid'): CorpusEntry[] {
  return JSON.parse(fs.readFileSync(path.join(CORPUS, kind, 'index.json'), 'utf8')) as CorpusEntry[];
}

/** `.json` fixtures become one NDJSON line; `.ndjson` fixtures are used byte for byte. */
export function fixtureNdjson(
  kind: 'valid' | 'invalid',
  file: string,
): { text: string; resourceType?: string } {
  const raw = fs.readFileSync(path.join(CORPUS, kind, file), 'utf8');
  if (file.endsWith('.ndjson')) return { text: raw };
  const value = JSON.parse(raw) as { resourceType?: unknown };
  const resourceType = typeof value.resourceType === 'string' ? value.resourceType : undefined;
  return resourceType === undefined
    ? { text: JSON.stringify(value) + '\n' }
    : { text: JSON.stringify(value) + '\n', resourceType };
}

export async function validateFixture(
  kind: 'valid' | 'invalid',
  entry: CorpusEntry,
): Promise<FileValidationSummary> {
  const { text, resourceType } = fixtureNdjson(kind, entry.file);
  const options: NdjsonValidationOptions = {
    file: entry.file,
    kind: 'output',
    apiVersion: 'v2',
    ...entry.options,
  };
  if (options.expectedType === undefined && resourceType !== undefined && options.kind === 'output') {
    options.expectedType = resourceType;
  }
  return validateNdjson(Readable.from([Buffer.from(text, 'utf8')]), options);
}
