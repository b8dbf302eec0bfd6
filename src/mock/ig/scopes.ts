/**
 * SMART system scopes (`system/Patient.read`, `system/*.rs`): parsing, what a granted set lets a
 * token read, and the grant itself (requested ∩ pre-authorized). Only `system/` scopes count for a
 * backend service; anything else a client asks for is not granted.
 */

export interface SystemScope {
  text: string;
  /** A resource type, or `*`. */
  type: string;
  /** The permissions as SMART v2 letters (v1 `read` is `rs`, `write` is `cud`, `*` is `cruds`). */
  perms: Set<string>;
  /** `v1` for read/write/*, `v2` for the letter form. */
  style: 'v1' | 'v2';
}

const V1: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };

export function parseScope(text: string): SystemScope | undefined {
  const m = /^system\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)$/.exec(text);
  if (!m || m[2] === '') return undefined;
  const [, type, access] = m as unknown as [string, string, string];
  const v1 = V1[access];
  return { text, type, perms: new Set((v1 ?? access).split('')), style: v1 ? 'v1' : 'v2' };
}

/** The scopes of a space-separated scope string that are system scopes. */
export function parseScopes(scope: string): SystemScope[] {
  return scope
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(parseScope)
    .filter((s): s is SystemScope => s !== undefined);
}

/** True when `outer` allows everything `inner` asks for. */
function subsumes(outer: SystemScope, inner: SystemScope): boolean {
  return (
    (outer.type === '*' || outer.type === inner.type) && [...inner.perms].every((p) => outer.perms.has(p))
  );
}

/**
 * What a client gets for what it asked: each requested scope its pre-authorized ones cover, and,
 * where it asked for more than it may have, the pre-authorized scopes (of the same style) that the
 * request covers. Never wider than the request, never wider than the registration.
 */
export function grantScopes(requested: readonly SystemScope[], allowed: readonly SystemScope[]): string[] {
  const granted = new Set<string>();
  for (const r of requested) {
    if (allowed.some((a) => subsumes(a, r))) granted.add(r.text);
    else for (const a of allowed) if (a.style === r.style && subsumes(r, a)) granted.add(a.text);
  }
  return [...granted];
}

/** True when the scopes let a token read resources of `type` (export, download, read). */
export function coversType(scopes: readonly SystemScope[], type: string): boolean {
  return scopes.some((s) => (s.type === '*' || s.type === type) && s.perms.has('r'));
}
