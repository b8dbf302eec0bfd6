/**
 * The fuzzer's view of the contract: every operation of spec/bcda.openapi.yaml with the
 * parameters and headers it declares and the statuses it documents, read from the document the
 * contract checks judge by (src/contract/document.ts: dereferenced once per process).
 */
import { loadContractDocument, type SchemaNode } from '../contract/document';
import { API_VERSIONS, type ApiVersion } from '../core/vocabulary';

export type { SchemaNode };

export type ParameterLocation = 'query' | 'header' | 'path';

export interface FuzzParameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  schema: SchemaNode;
  /** Arrays only: `form` without explode is one comma-separated value, as every array here is. */
  explode: boolean;
}

export interface FuzzOperation {
  operationId: string;
  /** operationId without its version suffix (`x-operation-base`), e.g. exportGroup. */
  base: string;
  method: string;
  /** The path template, e.g. `/api/v2/Group/{groupId}/$export`. */
  path: string;
  /** Undefined for the operations served outside /api/vN (downloadFile). */
  version?: ApiVersion;
  /** The statuses the spec documents for it. */
  statuses: number[];
  parameters: FuzzParameter[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface RawParameter {
  name?: unknown;
  in?: unknown;
  required?: unknown;
  schema?: unknown;
  explode?: unknown;
}

type RawOperation = Record<string, unknown> & { parameters?: RawParameter[]; responses?: object };

let cached: Promise<FuzzOperation[]> | undefined;

/** Every operation of the spec, read once per process. */
export function loadFuzzOperations(): Promise<FuzzOperation[]> {
  cached ??= loadContractDocument().then((doc) =>
    operationsOf(doc.paths as Record<string, Record<string, unknown>>),
  );
  return cached;
}

/** The operations a run of API version `version` calls: that version's and the unversioned ones. */
export function operationsOfVersion(all: readonly FuzzOperation[], version: ApiVersion): FuzzOperation[] {
  return all.filter((op) => op.version === undefined || op.version === version);
}

/** Reads the operations out of a dereferenced `paths` object (exported for the tests). */
export function operationsOf(paths: Record<string, Record<string, unknown>>): FuzzOperation[] {
  const out: FuzzOperation[] = [];
  for (const [template, item] of Object.entries(paths)) {
    const shared = (item.parameters as RawParameter[] | undefined) ?? [];
    for (const method of METHODS) {
      const op = item[method] as RawOperation | undefined;
      if (!op || typeof op.operationId !== 'string') continue;
      const version = op['x-api-version'];
      out.push({
        operationId: op.operationId,
        base: typeof op['x-operation-base'] === 'string' ? op['x-operation-base'] : op.operationId,
        method: method.toUpperCase(),
        path: template,
        ...(isVersion(version) ? { version } : {}),
        statuses: Object.keys(op.responses ?? {})
          .map(Number)
          .filter((n) => Number.isInteger(n)),
        parameters: mergeParameters(shared, op.parameters ?? []),
      });
    }
  }
  return out;
}

const isVersion = (v: unknown): v is ApiVersion => (API_VERSIONS as readonly unknown[]).includes(v);

/** Path-level parameters overridden by the operation's own of the same name and place. */
function mergeParameters(shared: RawParameter[], own: RawParameter[]): FuzzParameter[] {
  const byKey = new Map<string, FuzzParameter>();
  for (const raw of [...shared, ...own]) {
    const p = parameterOf(raw);
    if (p) byKey.set(`${p.in}:${p.name.toLowerCase()}`, p);
  }
  return [...byKey.values()];
}

function parameterOf(raw: RawParameter): FuzzParameter | undefined {
  if (typeof raw.name !== 'string' || typeof raw.schema !== 'object' || raw.schema === null) return undefined;
  if (raw.in !== 'query' && raw.in !== 'header' && raw.in !== 'path') return undefined;
  return {
    name: raw.name,
    in: raw.in,
    required: raw.required === true || raw.in === 'path',
    schema: raw.schema as SchemaNode,
    explode: raw.explode === true,
  };
}
