/**
 * One generated request: an operation and a raw value (or none) per declared parameter, how it
 * goes on the wire (path values, an encoded query, headers), and how a report names it.
 */
import { keyOf, type RawValue } from './arbitraries';
import type { FuzzOperation, FuzzParameter } from './spec';

export interface FuzzRequest {
  op: FuzzOperation;
  /** Raw values by parameter key (keyOf); a missing key or null leaves the parameter out. */
  values: Readonly<Record<string, RawValue | undefined>>;
}

export interface WireRequest {
  path: Record<string, string>;
  /** Already encoded; absent without query parameters. */
  rawQuery?: string;
  /** Lower-case names; undefined removes a header the sender would add by default. */
  headers: Record<string, string | undefined>;
}

/**
 * Encodes a query value as BCDA needs it (`+` and `/` escaped, Go reads `+` as a space); commas
 * stay literal, as the list separator they are.
 */
const encodeQuery = (raw: string): string => encodeURIComponent(raw).replace(/%2C/gi, ',');

function queryPairs(p: FuzzParameter, raw: string): string[] {
  const name = encodeURIComponent(p.name);
  // An exploded array is one name=value pair per element.
  if (p.schema.type === 'array' && p.explode) return raw.split(',').map((v) => `${name}=${encodeQuery(v)}`);
  return [`${name}=${encodeQuery(raw)}`];
}

export function wireOf(req: FuzzRequest): WireRequest {
  const wire: WireRequest = { path: {}, headers: {} };
  const query: string[] = [];
  for (const p of req.op.parameters) {
    const raw = req.values[keyOf(p)];
    if (p.in === 'header') wire.headers[p.name.toLowerCase()] = raw ?? undefined;
    else if (raw === null || raw === undefined) continue;
    else if (p.in === 'path') wire.path[p.name] = raw;
    else query.push(...queryPairs(p, raw));
  }
  if (query.length) wire.rawQuery = query.join('&');
  return wire;
}

const MAX_SHOWN = 60;

/** A raw value as a report shows it: quoted with its control characters escaped, long ones cut. */
export function shown(raw: string): string {
  const quoted = JSON.stringify(raw.length > MAX_SHOWN ? raw.slice(0, MAX_SHOWN) : raw);
  return raw.length > MAX_SHOWN ? `${quoted.slice(0, -1)}…" (${raw.length} characters)` : quoted;
}

/** `_type="Patient,"`, or `Accept left out`: what a request sends for one parameter. */
export function describeValue(p: FuzzParameter, raw: RawValue | undefined): string {
  if (raw === null || raw === undefined) return `${p.name} left out`;
  return p.in === 'header' ? `${p.name}: ${shown(raw)}` : `${p.name}=${shown(raw)}`;
}

/** Every parameter the request sends, and the required ones it leaves out. */
export function describeRequest(req: FuzzRequest): string {
  const parts = req.op.parameters
    .filter((p) => (req.values[keyOf(p)] ?? null) !== null || p.required)
    .map((p) => describeValue(p, req.values[keyOf(p)]));
  return `${req.op.operationId}${parts.length ? ` with ${parts.join(', ')}` : ''}`;
}
