/**
 * The typed BCDA target client: every spec operation is callable by its operationId with typed
 * parameters (from generated/), and every call is recorded as an exchange. Checks that must send
 * something the spec forbids (a bad `_since`, a missing header) use the same call with loose values:
 * the types guide, they do not stop a negative test.
 */
import type { operations } from '../../generated/bcda';
import { OPERATIONS, type OperationId } from '../../generated/operations';
import type { ApiVersion } from '../core/vocabulary';
import type { HeaderInput, HttpClient, HttpResponse, StreamResponse } from './client';

type Parameters_<Op extends OperationId> = Op extends keyof operations
  ? operations[Op] extends { parameters: infer P }
    ? P
    : Record<string, never>
  : Record<string, never>;
type QueryOf<Op extends OperationId> = Parameters_<Op> extends { query?: infer Q } ? NonNullable<Q> : never;
type PathOf<Op extends OperationId> = Parameters_<Op> extends { path: infer P } ? P : never;

type QueryValue = string | number | boolean | Array<string | number> | undefined;

/** How a request authenticates. `token` asks the run's token provider for a bearer token. */
export type AuthMode =
  | 'token'
  | 'none'
  | { bearer: string }
  | { basic: { clientId: string; clientSecret: string } }
  /** A literal Authorization header value, for malformed-header checks. */
  | { header: string };

export interface CallOptions<Op extends OperationId> {
  label: string;
  path?: Partial<Record<keyof PathOf<Op> & string, string | number>> & Record<string, string | number>;
  query?: Partial<Record<keyof QueryOf<Op> & string, QueryValue>> & Record<string, QueryValue>;
  /** Appended to the query string exactly as given (for malformed or unencoded parameters). */
  rawQuery?: string;
  headers?: HeaderInput;
  auth?: AuthMode;
  body?: string;
  timeoutMs?: number;
}

export interface TokenSource {
  bearer(): Promise<string>;
}

export function operationId(base: string, version: ApiVersion): OperationId {
  const id = `${base}${version.toUpperCase()}`;
  if (!(id in OPERATIONS)) throw new Error(`the spec has no operation ${id}`);
  return id as OperationId;
}

/**
 * How operation paths meet the target URL. `bcda`: the target is the server root and paths are the
 * spec's (`/api/v2/Patient/$export`). `fhir-base`: the target is a FHIR base URL of any path
 * (`https://host/fhir/r4`) and only the FHIR operations exist, relative to it (`Patient/$export`):
 * a generic Bulk Data server has no /api/vN, no /auth/token, no /jobs list.
 */
export type Addressing = 'bcda' | 'fhir-base';

/** An operation a generic FHIR server does not have (BCDA's own endpoints), asked for under fhir-base. */
export class NotOnGenericServerError extends Error {
  constructor(readonly operation: string) {
    super(`${operation} is a BCDA endpoint, not part of a generic FHIR Bulk Data server`);
  }
}

const FHIR_PATH = /^\/api\/v\d+\/(.+)$/;
/** The FHIR operations of the spec that a generic server has: metadata and the export kick-offs. */
const GENERIC_PATHS = /^(metadata|Patient\/\$export|Group\/\{[^}]+\}\/\$export)$/;

export class TargetClient {
  constructor(
    readonly http: HttpClient,
    private readonly tokens?: TokenSource,
    readonly addressing: Addressing = 'bcda',
  ) {}

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Builds the URL an operation call would use (path parameters substituted, query encoded). */
  url<Op extends OperationId>(
    op: Op,
    opts: Pick<CallOptions<Op>, 'path' | 'query' | 'rawQuery'> = {},
  ): string {
    const def = OPERATIONS[op];
    const path = this.pathOf(op, def.path).replace(/\{([^}]+)\}/g, (_m, name: string) => {
      const value = opts.path?.[name];
      if (value === undefined) throw new Error(`operation ${op} needs path parameter ${name}`);
      // `$` stays literal: BCDA matches routes on the raw path (behavior §0).
      return encodeURIComponent(String(value)).replace(/%24/g, '$');
    });
    const parts: string[] = [];
    for (const [key, value] of Object.entries(opts.query ?? {})) {
      if (value === undefined) continue;
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) parts.push(`${encodeURIComponent(key)}=${encodeQueryValue(String(v))}`);
    }
    if (opts.rawQuery) parts.push(opts.rawQuery);
    return this.http.resolve(parts.length ? `${path}?${parts.join('&')}` : path);
  }

  /** The operation's path as this target addresses it (see Addressing). */
  private pathOf(op: string, specPath: string): string {
    if (this.addressing === 'bcda') return specPath;
    const rest = FHIR_PATH.exec(specPath)?.[1];
    if (!rest || !GENERIC_PATHS.test(rest)) throw new NotOnGenericServerError(op);
    return rest;
  }

  /** Whether the target has this operation (under fhir-base, only the FHIR ones). */
  has(op: OperationId): boolean {
    if (this.addressing === 'bcda') return true;
    const rest = FHIR_PATH.exec(OPERATIONS[op].path)?.[1];
    return rest !== undefined && GENERIC_PATHS.test(rest);
  }

  async call<Op extends OperationId>(op: Op, opts: CallOptions<Op>): Promise<HttpResponse> {
    return this.http.send(await this.prepare(op, opts));
  }

  async open<Op extends OperationId>(op: Op, opts: CallOptions<Op>): Promise<StreamResponse> {
    return this.http.open(await this.prepare(op, opts));
  }

  /** A request to an absolute URL the target handed out (Content-Location, manifest urls). */
  async get(
    url: string,
    opts: {
      label: string;
      auth?: AuthMode;
      headers?: HeaderInput;
      operationId?: OperationId;
      timeoutMs?: number;
    },
  ): Promise<HttpResponse> {
    return this.http.send({
      method: 'GET',
      url,
      label: opts.label,
      headers: { ...opts.headers, authorization: await this.authorization(opts.auth ?? 'token') },
      ...(opts.operationId ? { operationId: opts.operationId } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
  }

  private async prepare<Op extends OperationId>(op: Op, opts: CallOptions<Op>) {
    const def = OPERATIONS[op];
    const defaultAuth: AuthMode = def.security === 'bearer' ? 'token' : 'none';
    return {
      method: def.method.toUpperCase(),
      url: this.url(op, opts),
      label: opts.label,
      operationId: op,
      headers: { ...opts.headers, authorization: await this.authorization(opts.auth ?? defaultAuth) },
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    };
  }

  async authorization(auth: AuthMode): Promise<string | undefined> {
    if (auth === 'none') return undefined;
    if (auth === 'token') {
      if (!this.tokens) throw new Error('no credentials configured: cannot get a bearer token');
      return `Bearer ${await this.tokens.bearer()}`;
    }
    if ('bearer' in auth) return `Bearer ${auth.bearer}`;
    if ('basic' in auth) {
      const raw = `${auth.basic.clientId}:${auth.basic.clientSecret}`;
      return `Basic ${Buffer.from(raw, 'utf8').toString('base64')}`;
    }
    return auth.header;
  }
}

/** Encodes a query value the way BCDA needs: `+` and `/` must be escaped (Go decodes `+` as a space). */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%2C/gi, ',');
}
