/**
 * What a generic Bulk Data server declares about itself, read once per run from its
 * CapabilityStatement: the export levels it offers (system, Patient, Group), recognised by an
 * operation's `definition` (the IG's OperationDefinition canonicals, a version suffix allowed) or,
 * when the definition is the server's own, by reading that OperationDefinition and its `base`; the
 * parameters a level declares when its own OperationDefinition can be read; and the resource types.
 * The checks of optional IG features skip, with the reason, when the server does not declare them.
 */
import { NotApplicable, type CheckContext, type ExportLevel } from '../context';
import type { HttpResponse } from '../../http/client';
import { metadataResponse } from './capability';

type Json = Record<string, unknown>;

const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The IG's OperationDefinitions, by the export level each defines. */
const IG_DEFINITION =
  /^https?:\/\/hl7\.org\/fhir\/uv\/bulkdata\/OperationDefinition\/(export|patient-export|group-export)(\|.*)?$/;
const LEVEL_OF: Record<string, ExportLevel> = {
  export: 'system',
  'patient-export': 'patient',
  'group-export': 'group',
};

/** One export level the server declares. */
export interface LevelDeclaration {
  level: ExportLevel;
  /** The operation's definition as the CapabilityStatement gives it. */
  definition: string;
  /**
   * The `in` parameters of the server's own OperationDefinition, when it could be read; undefined
   * when the definition is the IG's (which lists every optional parameter, supported or not) or
   * could not be read: then whether a parameter is supported is unknown until it is tried.
   */
  parameters?: Set<string>;
  /**
   * Kick-off parameters the CapabilityStatement lists as `searchParam` of the level (Patient or
   * Group resource, `rest.searchParam` for the system level), as some servers declare them.
   */
  searchParams: Set<string>;
}

export interface IgCapability {
  /** Why nothing could be read (no CapabilityStatement, not JSON…), when so. */
  problem?: string;
  levels: Map<ExportLevel, LevelDeclaration>;
  /** `rest[0].resource[].type`. */
  resourceTypes: string[];
  /** Each declared type's interaction codes (`read`, `search-type`…). */
  interactions: Map<string, Set<string>>;
  /** The system-wide interaction codes (`rest.interaction`: `history-system`…). */
  systemInteractions: Set<string>;
  /** The metadata answer and any OperationDefinition read. */
  evidence: string[];
}

/** A definition as R4 (canonical string) or STU3 (`{reference}`) writes it. */
function definitionOf(operation: Json): string | undefined {
  const d = operation['definition'];
  if (typeof d === 'string') return d;
  const ref = asObject(d)?.['reference'];
  return typeof ref === 'string' ? ref : undefined;
}

const levelOfCanonical = (url: string): ExportLevel | undefined => {
  const m = IG_DEFINITION.exec(url.trim());
  return m ? LEVEL_OF[m[1]!] : undefined;
};

/** The run's metadata answer; with the token when the server will not answer without one. */
async function metadata(ctx: CheckContext): Promise<HttpResponse> {
  const open = await metadataResponse(ctx);
  if (open.status === 200) return open;
  return ctx.once('ig:metadata-with-token', () =>
    ctx.target.call(ctx.op('getMetadata'), { label: 'metadata with the token', auth: 'token' }),
  );
}

/** Reads a server's own OperationDefinition (absolute, or relative to the FHIR base). */
async function ownDefinition(
  ctx: CheckContext,
  url: string,
): Promise<{ base?: string; parameters: Set<string>; exchange: string } | undefined> {
  let absolute: string;
  try {
    absolute = new URL(url.split('|')[0]!, `${ctx.target.baseUrl}/`).toString();
  } catch {
    return undefined;
  }
  if (!/^https?:/.test(absolute)) return undefined;
  const res = await ctx.target
    .get(absolute, {
      label: `read the OperationDefinition ${url}`,
      headers: { accept: 'application/fhir+json' },
    })
    .catch(() => undefined);
  if (!res || res.status !== 200) return undefined;
  const body = asObject(res.json());
  if (body?.['resourceType'] !== 'OperationDefinition') return undefined;
  const parameters = new Set(
    asArray(body['parameter'])
      .map(asObject)
      .filter((p) => p?.['use'] === 'in' && typeof p['name'] === 'string')
      .map((p) => p!['name'] as string),
  );
  const base = typeof body['base'] === 'string' ? body['base'] : undefined;
  return { ...(base ? { base } : {}), parameters, exchange: res.exchange.id };
}

/** What the server declares, read once per run. */
export function igCapability(ctx: CheckContext): Promise<IgCapability> {
  return ctx.once('ig:capability', async () => {
    const levels = new Map<ExportLevel, LevelDeclaration>();
    const res = await metadata(ctx);
    const evidence = [res.exchange.id];
    const statement = asObject(res.json());
    if (res.status !== 200 || statement?.['resourceType'] !== 'CapabilityStatement')
      return {
        problem: `GET [base]/metadata answered ${res.status}${statement ? '' : ' without a JSON body'}, not a CapabilityStatement`,
        levels,
        resourceTypes: [],
        interactions: new Map(),
        systemInteractions: new Set(),
        evidence,
      };
    const rest = asObject(asArray(statement['rest'])[0]) ?? {};
    const resources = asArray(rest['resource']).map(asObject);
    const operations = [
      ...asArray(rest['operation']),
      ...resources.flatMap((r) => asArray(r?.['operation'])),
    ].flatMap((o) => {
      const op = asObject(o);
      const definition = op ? definitionOf(op) : undefined;
      return definition ? [definition] : [];
    });
    const names = (list: unknown): string[] =>
      asArray(list).flatMap((p) => {
        const name = asObject(p)?.['name'];
        return typeof name === 'string' ? [name] : [];
      });
    const searchParams: Record<ExportLevel, Set<string>> = {
      system: new Set(names(rest['searchParam'])),
      patient: new Set(names(resources.find((r) => r?.['type'] === 'Patient')?.['searchParam'])),
      group: new Set(names(resources.find((r) => r?.['type'] === 'Group')?.['searchParam'])),
    };
    for (const definition of operations) {
      const level = levelOfCanonical(definition);
      if (level) {
        if (!levels.has(level)) levels.set(level, { level, definition, searchParams: searchParams[level] });
        continue;
      }
      const own = await ownDefinition(ctx, definition);
      if (!own) continue;
      evidence.push(own.exchange);
      const base = own.base ? levelOfCanonical(own.base) : undefined;
      if (base)
        levels.set(base, {
          level: base,
          definition,
          parameters: own.parameters,
          searchParams: searchParams[base],
        });
    }
    const resourceTypes = resources.flatMap((r) => (typeof r?.['type'] === 'string' ? [r['type']] : []));
    const codesOf = (list: unknown): string[] =>
      asArray(list).flatMap((i) => {
        const code = asObject(i)?.['code'];
        return typeof code === 'string' ? [code] : [];
      });
    const interactions = new Map<string, Set<string>>();
    for (const r of resources)
      if (typeof r?.['type'] === 'string') interactions.set(r['type'], new Set(codesOf(r['interaction'])));
    const systemInteractions = new Set(codesOf(rest['interaction']));
    return { levels, resourceTypes, interactions, systemInteractions, evidence };
  });
}

const LEVEL_WORDS: Record<ExportLevel, string> = {
  system: 'system-level export ([base]/$export)',
  patient: 'Patient-level export ([base]/Patient/$export)',
  group: 'Group-level export ([base]/Group/[id]/$export)',
};

/** The level's declaration, or NotApplicable naming what the CapabilityStatement lacks. */
export async function requireLevel(ctx: CheckContext, level: ExportLevel): Promise<LevelDeclaration> {
  const capability = await igCapability(ctx);
  if (capability.problem)
    throw new NotApplicable(`what the server supports is unknown: ${capability.problem}`);
  const declared = capability.levels.get(level);
  if (!declared)
    throw new NotApplicable(
      `the CapabilityStatement declares no ${LEVEL_WORDS[level]} (no operation whose definition is the IG's or based on it)`,
    );
  return declared;
}

/** The first of `levels` the server declares, or NotApplicable naming them all. */
export async function firstDeclaredLevel(
  ctx: CheckContext,
  levels: readonly ExportLevel[] = ['patient', 'group', 'system'],
): Promise<LevelDeclaration> {
  const capability = await igCapability(ctx);
  if (capability.problem)
    throw new NotApplicable(`what the server supports is unknown: ${capability.problem}`);
  for (const level of levels) {
    const declared = capability.levels.get(level);
    if (declared) return declared;
  }
  throw new NotApplicable(
    `the CapabilityStatement declares none of: ${levels.map((l) => LEVEL_WORDS[l]).join(', ')}`,
  );
}

/**
 * Whether a level supports a parameter: `declared` when the server's own OperationDefinition or the
 * CapabilityStatement's searchParam of the level names it, `undeclared` when that OperationDefinition
 * was read and leaves it out, `unknown` otherwise (the check tries it, and takes a refusal the IG
 * allows as "not supported").
 */
export function parameterSupport(
  declaration: LevelDeclaration,
  name: string,
): 'declared' | 'undeclared' | 'unknown' {
  if (declaration.parameters?.has(name) || declaration.searchParams.has(name)) return 'declared';
  return declaration.parameters ? 'undeclared' : 'unknown';
}

/** NotApplicable when the level's own OperationDefinition leaves the parameter out. */
export function requireParameter(declaration: LevelDeclaration, name: string): void {
  if (parameterSupport(declaration, name) === 'undeclared')
    throw new NotApplicable(
      `the server's OperationDefinition for the ${LEVEL_WORDS[declaration.level]} (${declaration.definition}) declares no ${name} parameter`,
    );
}
