/**
 * The requirements table (spec/requirements/<source>.yaml, format spec/requirements.schema.json):
 * every statement of BCDA's documents and of the Bulk Data IG v2 server rules, numbered, with its
 * level, whether it can be tested from outside, and the checks that verify it. It is the one place
 * a requirement is mapped to checks; a check's requirement ids are derived from it here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { projectRoot } from '../core/project-root';
import type { ApiVersion } from '../core/vocabulary';

/** Levels as the sources word them: BCDA's documented facts are MUST, the IG's own words are kept. */
export const REQUIREMENT_LEVELS = [
  'MUST',
  'MUST NOT',
  'SHALL',
  'SHALL NOT',
  'SHOULD',
  'SHOULD NOT',
  'MAY',
] as const;
export type RequirementLevel = (typeof REQUIREMENT_LEVELS)[number];

export type RequirementSubject = 'server' | 'client' | 'environment';

export interface Requirement {
  id: string;
  /** The key of the source file it comes from (seed-001, bulkdata, behavior). */
  source: string;
  section: string;
  anchorWords?: string;
  statement: string;
  level: RequirementLevel;
  subject: RequirementSubject;
  versions?: ApiVersion[];
  environment?: 'sandbox' | 'production';
  testable: boolean;
  why?: string;
  supersededBy?: string;
  checks: string[];
  uncovered?: string;
  faults: string[];
  /** Why no fault of the row's own, independent of its checks, is written (see the schema). */
  noIndependentFault?: string;
  note?: string;
}

export interface RequirementSource {
  source: string;
  title: string;
  document: string;
  url?: string;
  precedence: number;
  /** The table file, from the repository root. */
  file: string;
}

export interface RequirementsTable {
  sources: RequirementSource[];
  /** Sources in precedence order, each source's rows in file order. */
  requirements: Requirement[];
  byId: ReadonlyMap<string, Requirement>;
  /** Check id → ids of the requirements it verifies, in table order. */
  byCheck: ReadonlyMap<string, readonly string[]>;
}

/** A table file that cannot be read or breaks the format: one line naming the file and the row. */
export class RequirementsError extends Error {}

/**
 * Whom a `bulk-data-ig` run judges by: the IG's rows (v2.0.0, and the STU3 ones beyond it) and SMART
 * Backend Services'; a `bcda` run judges by every source.
 */
export const GENERIC_SOURCES: readonly string[] = ['bulkdata', 'bulkdata-stu3', 'smart-backend'];

export const REQUIREMENTS_DIR = path.join('spec', 'requirements');
const SCHEMA_FILE = path.join('spec', 'requirements.schema.json');

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(root: string): ReturnType<Ajv['compile']> {
  if (!validator) {
    const schema = JSON.parse(readFileSync(path.join(root, SCHEMA_FILE), 'utf8')) as object;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}

/** The first schema error of a file, as "where: what". */
function schemaProblem(data: unknown, errors: readonly ErrorObject[]): string {
  const e = errors[0]!;
  const parts = e.instancePath.split('/').filter(Boolean);
  let where = parts
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
  const row = parts[0] === 'requirements' && parts[1] !== undefined ? Number(parts[1]) : undefined;
  const id =
    row !== undefined
      ? ((data as { requirements?: Array<{ id?: unknown }> }).requirements?.[row]?.id ?? undefined)
      : undefined;
  if (typeof id === 'string') where = `${id} (${where})`;
  const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
  const extra = (e.params as { additionalProperty?: string }).additionalProperty;
  const what = allowed
    ? `must be one of ${allowed.map(String).join(', ')}`
    : extra
      ? `has an unknown key "${extra}"`
      : (e.message ?? 'is not valid');
  return `${where || 'the file'} ${what}`;
}

interface RawFile {
  source: string;
  title: string;
  document: string;
  url?: string;
  precedence?: number;
  requirements: Array<
    Omit<Requirement, 'source' | 'checks' | 'faults'> & { checks?: string[]; faults?: string[] }
  >;
}

/**
 * Reads and checks every table file (format, unique ids). How the rows relate to the catalog and to
 * each other (known checks and faults, supersededBy targets) is test/requirements/table.test.ts's
 * job: a run must not stop over it.
 */
export function loadRequirements(root: string = projectRoot()): RequirementsTable {
  const dir = path.join(root, REQUIREMENTS_DIR);
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch (err) {
    throw new RequirementsError(`cannot read the requirements table ${dir}: ${(err as Error).message}`);
  }
  const sources: RequirementSource[] = [];
  const rows: Requirement[] = [];
  const byId = new Map<string, Requirement>();
  for (const name of names) {
    const file = path.join(REQUIREMENTS_DIR, name);
    let data: unknown;
    try {
      data = parseYaml(readFileSync(path.join(root, file), 'utf8'));
    } catch (err) {
      throw new RequirementsError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    const check = validate(root);
    if (!check(data)) throw new RequirementsError(`${file}: ${schemaProblem(data, check.errors ?? [])}`);
    const raw = data as RawFile;
    if (`${raw.source}.yaml` !== name && `${raw.source}.yml` !== name)
      throw new RequirementsError(`${file}: source "${raw.source}" does not match the file name`);
    sources.push({
      source: raw.source,
      title: raw.title,
      document: raw.document,
      ...(raw.url ? { url: raw.url } : {}),
      precedence: raw.precedence ?? 9,
      file: file.split(path.sep).join('/'),
    });
    for (const r of raw.requirements) {
      if (byId.has(r.id))
        throw new RequirementsError(`${file}: ${r.id} is also in ${byId.get(r.id)!.source}`);
      const row: Requirement = { ...r, source: raw.source, checks: r.checks ?? [], faults: r.faults ?? [] };
      byId.set(r.id, row);
      rows.push(row);
    }
  }
  sources.sort((a, b) => a.precedence - b.precedence || a.source.localeCompare(b.source));
  const order = new Map(sources.map((s, i) => [s.source, i]));
  const requirements = rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => order.get(a.r.source)! - order.get(b.r.source)! || a.i - b.i)
    .map(({ r }) => r);
  const byCheck = new Map<string, string[]>();
  for (const r of requirements)
    for (const c of r.checks) {
      const list = byCheck.get(c) ?? [];
      list.push(r.id);
      byCheck.set(c, list);
    }
  return { sources, requirements, byId, byCheck };
}

let cached: RequirementsTable | undefined;

/** The project's table, read once per process. */
export function requirementsTable(): RequirementsTable {
  return (cached ??= loadRequirements());
}

/** Ids of the requirements a check verifies (empty for a check the table does not name). */
export function requirementIdsOf(checkId: string): readonly string[] {
  return requirementsTable().byCheck.get(checkId) ?? [];
}
