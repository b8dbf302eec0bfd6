/**
 * The contract compiled for judging: for every operation, its path as a pattern and, per documented
 * status, the media types with their body validators and the headers with theirs. Each schema is
 * compiled once with ajv, twice where the spec records a real-server quirk: the documented schema,
 * and a tolerant one in which every node marked `x-bcda-quirk-accepts` also admits what the real
 * server sends. A value the first refuses and the second admits is a known deviation, not a failure.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { ContractDocument, HeaderObject, OperationObject, SchemaNode } from './document';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

export interface SchemaCheck {
  /** The documented schema; stops at the first error (a large body with an error per item stays quick). */
  validate: ValidateFunction;
  /** The documented schema collecting every error, compiled when first asked for: for small values. */
  everyError(): ValidateFunction;
  /** The documented schema with the real server's quirks admitted; absent when it records none. */
  tolerant?: ValidateFunction;
  /** The quirk notes of the nodes that admit more in `tolerant`. */
  quirks: string[];
}

export interface MediaRule {
  mediaType: string;
  /** Absent for bodies the judge does not read (NDJSON: the FHIR checks validate those lines). */
  body?: SchemaCheck;
  /** JSON media types are parsed before validation; text/plain bodies are validated as a string. */
  json: boolean;
}

export interface HeaderRule {
  /** Lower case, as exchanges record header names. */
  name: string;
  /** As the spec spells it, for messages. */
  display: string;
  required: boolean;
  value?: SchemaCheck;
}

export interface ResponseRule {
  /** `200`, `4XX` or `default`, as the spec keys it. */
  key: string;
  media: MediaRule[];
  headers: HeaderRule[];
  /** Media types the real server sends instead (`x-bcda-quirk-content-types`), with the note. */
  quirkMediaTypes: string[];
  /**
   * The real server appends a second body after the documented one (`x-bcda-quirk-appended-body`
   * on the response or its operation): the leading JSON value is judged, the rest is the quirk.
   */
  quirkAppendedBody: boolean;
  quirk?: string;
}

export interface OperationRule {
  operationId: string;
  method: string;
  /** The path template, e.g. `/api/v1/jobs/{jobId}`. */
  path: string;
  pattern: RegExp;
  responses: ResponseRule[];
  quirk?: string;
}

export interface CompiledContract {
  operations: OperationRule[];
  /** The operation a request maps to: by method and path, or the path's only operation (a 405 is documented there). */
  match(method: string, pathname: string): OperationRule | undefined;
  /** The documented response for a status: the exact code, then `4XX`, then `default`. */
  response(op: OperationRule, status: number): ResponseRule | undefined;
}

/** JSON media types by their structured suffix or name. */
export function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || /^application\/[\w.-]+\+json$/.test(mediaType);
}

export function compileContract(doc: ContractDocument): CompiledContract {
  const ajv = new Ajv({ allErrors: false, strict: false, validateFormats: true });
  addFormats(ajv);
  const ajvEveryError = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajvEveryError);
  // Header values are text on the wire: `Retry-After: 5` must satisfy `type: integer`.
  const headerAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: true });
  addFormats(headerAjv);
  // Dereferencing shares one object among every response that referenced it: compile it once.
  const bodyMemo = new Map<SchemaNode, SchemaCheck>();
  const headerMemo = new Map<SchemaNode, SchemaCheck>();
  const compile = (engine: Ajv, schema: SchemaNode): SchemaCheck => {
    const memo = engine === ajv ? bodyMemo : headerMemo;
    const known = memo.get(schema);
    if (known) return known;
    const check = compileOnce(engine, schema);
    memo.set(schema, check);
    return check;
  };
  const compileOnce = (engine: Ajv, schema: SchemaNode): SchemaCheck => {
    const quirks: string[] = [];
    const tolerantSchema = withQuirks(schema, quirks);
    const documented = toJsonSchema(schema);
    const validate = engine.compile(documented);
    let every: ValidateFunction | undefined;
    return {
      validate,
      everyError: () => (every ??= engine === ajv ? ajvEveryError.compile(documented) : validate),
      ...(quirks.length ? { tolerant: engine.compile(toJsonSchema(tolerantSchema)) } : {}),
      quirks,
    };
  };
  const operations: OperationRule[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op: OperationObject | undefined = item[method];
      if (!op?.operationId) continue;
      const responses: ResponseRule[] = Object.entries(op.responses ?? {}).map(([key, res]) => ({
        key,
        media: Object.entries(res.content ?? {}).map(([mediaType, media]) => {
          const type = mediaType.toLowerCase();
          const readable = isJsonMediaType(type) || type.startsWith('text/');
          return {
            mediaType: type,
            json: isJsonMediaType(type),
            ...(media.schema && readable ? { body: compile(ajv, media.schema) } : {}),
          };
        }),
        headers: Object.entries(res.headers ?? {}).map(([name, header]) =>
          headerRule(name, header, headerAjv, compile),
        ),
        quirkMediaTypes: [...quirkMediaTypes(res), ...quirkMediaTypes(op)],
        quirkAppendedBody: [res, op].some(
          (part) => (part as Record<string, unknown>)['x-bcda-quirk-appended-body'] === true,
        ),
        ...(res['x-bcda-quirk'] ? { quirk: res['x-bcda-quirk'] } : {}),
      }));
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path: template,
        pattern: templatePattern(template),
        responses,
        ...(op['x-bcda-quirk'] ? { quirk: op['x-bcda-quirk'] } : {}),
      });
    }
  }
  return {
    operations,
    match(method, pathname) {
      const onPath = operations.filter((op) => op.pattern.test(pathname));
      const upper = method.toUpperCase();
      return onPath.find((op) => op.method === upper) ?? (onPath.length === 1 ? onPath[0] : undefined);
    },
    response(op, status) {
      const code = String(status);
      return (
        op.responses.find((r) => r.key === code) ??
        op.responses.find((r) => r.key.toUpperCase() === `${code[0]}XX`) ??
        op.responses.find((r) => r.key === 'default')
      );
    },
  };
}

function headerRule(
  name: string,
  header: HeaderObject,
  engine: Ajv,
  compile: (engine: Ajv, schema: SchemaNode) => SchemaCheck,
): HeaderRule {
  const schema = header.schema;
  const accepts = header['x-bcda-quirk-accepts'];
  // A header's quirk is declared on the header object, beside its schema: fold it into the schema.
  const withQuirk: SchemaNode | undefined =
    schema && accepts
      ? { ...schema, 'x-bcda-quirk': header['x-bcda-quirk'] ?? '', 'x-bcda-quirk-accepts': accepts }
      : schema;
  return {
    name: name.toLowerCase(),
    display: name,
    required: header.required === true,
    ...(withQuirk ? { value: compile(engine, withQuirk) } : {}),
  };
}

/** `x-bcda-quirk-content-types` of a response or of its whole operation. */
function quirkMediaTypes(part: object): string[] {
  const listed = (part as Record<string, unknown>)['x-bcda-quirk-content-types'];
  return Array.isArray(listed)
    ? listed.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase())
    : [];
}

/** `/api/v1/jobs/{jobId}` → a pattern matching one path segment per parameter; `$` is literal. */
function templatePattern(template: string): RegExp {
  const parts = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}$`);
}

/**
 * The schema with each node that carries `x-bcda-quirk-accepts` widened to `anyOf [documented,
 * quirk]`; the notes of the widened nodes are collected into `quirks`.
 */
function withQuirks(node: unknown, quirks: string[], seen = new Map<object, unknown>()): SchemaNode {
  return widen(node, quirks, seen) as SchemaNode;
}

function widen(node: unknown, quirks: string[], seen: Map<object, unknown>): unknown {
  if (Array.isArray(node)) return node.map((n) => widen(n, quirks, seen));
  if (node === null || typeof node !== 'object') return node;
  const known = seen.get(node);
  if (known !== undefined) return known;
  const out: Record<string, unknown> = {};
  seen.set(node, out);
  for (const [key, value] of Object.entries(node)) out[key] = widen(value, quirks, seen);
  const accepts = out['x-bcda-quirk-accepts'];
  if (accepts === undefined) return out;
  const note = typeof out['x-bcda-quirk'] === 'string' ? out['x-bcda-quirk'] : 'a quirk of the real server';
  if (!quirks.includes(note)) quirks.push(note);
  return { anyOf: [out, accepts] };
}

/**
 * OpenAPI 3.0 schema objects are JSON Schema with a few differences; the one the spec relies on
 * is `nullable`, which JSON Schema spells as a `null` type.
 */
function toJsonSchema(node: SchemaNode): SchemaNode {
  return convert(node, new Map()) as SchemaNode;
}

function convert(node: unknown, seen: Map<object, unknown>): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, seen));
  if (node === null || typeof node !== 'object') return node;
  const known = seen.get(node);
  if (known !== undefined) return known;
  const out: Record<string, unknown> = {};
  seen.set(node, out);
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples') continue;
    out[key] = key === 'enum' || key === 'const' || key === 'default' ? value : convert(value, seen);
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  delete out.nullable;
  return out;
}

/** One schema error as a reader wants it: where in the body, and what is wrong there. */
export function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath || '/';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string')
    return `${where}: unexpected member "${params.additionalProperty}"`;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues))
    return `${where}: must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${where}: ${error.message ?? error.keyword}`;
}
