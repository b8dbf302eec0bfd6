import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { projectRoot } from '../../core/project-root';

/** sha256 of the uncompressed official HL7 FHIR R4 4.0.1 fhir.schema.json. */
export const OFFICIAL_SCHEMA_SHA256 = '73bc879b1476fea7e096fd71c5fb5967d8c48cc9ffc28706f66613f6a82af3cb';

export const SCHEMA_FILE = 'spec/fhir/fhir.schema.r4-4.0.1.json.gz';
export const CONSTRAINTS_FILE = 'spec/fhir/r4-constraints.json';

/** A JSON-schema node; the FHIR schema is plain JSON, so `unknown` values are narrowed where used. */
export type SchemaNode = Record<string, unknown>;

export interface FhirJsonSchema extends SchemaNode {
  definitions: Record<string, SchemaNode>;
  oneOf: SchemaNode[];
}

export interface ConstraintEntry {
  /** Groups of property names of which at least one must be present (`[x, _x]` for primitives). */
  required: string[][];
  /** Choice[x] groups: at most one of these (or their `_` twins) may be present. */
  choices: string[][];
  /** Closed code lists of required bindings the schema leaves as a bare `code`, by property. */
  codes?: Record<string, string[]>;
}

export interface ConstraintsFile {
  source: string;
  definitions: Record<string, ConstraintEntry>;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Loads the vendored schema and refuses a file whose content is not the pinned one. */
export function loadOfficialSchema(root = projectRoot()): FhirJsonSchema {
  const raw = gunzipSync(fs.readFileSync(path.join(root, SCHEMA_FILE)));
  const actual = sha256(raw);
  if (actual !== OFFICIAL_SCHEMA_SHA256) {
    throw new Error(
      `${SCHEMA_FILE}: sha256 ${actual} does not match the pinned FHIR R4 4.0.1 schema ${OFFICIAL_SCHEMA_SHA256}`,
    );
  }
  return JSON.parse(raw.toString('utf8')) as FhirJsonSchema;
}

export function readConstraintsText(root = projectRoot()): string {
  return fs.readFileSync(path.join(root, CONSTRAINTS_FILE), 'utf8');
}

export function loadConstraints(root = projectRoot()): ConstraintsFile {
  return JSON.parse(readConstraintsText(root)) as ConstraintsFile;
}
