/**
 * SMART system scopes, v1 (`system/Patient.read`, `system/*.*`) and v2 (`system/Patient.rs`,
 * `system/Observation.rs?category=…`): which resource types a scope lets a client read, and whether
 * a granted scope is within the scopes asked for. Used to judge a token's `scope` and to pick a
 * resource type a narrow token must not reach.
 */

export interface ResourceScope {
  context: string;
  /** A resource type, or `*`. */
  type: string;
  /** The v2 permission letters it grants (v1 `read` is `rs`, `write` is `cud`, `*` all five). */
  permissions: string;
  /** A v2 query restricting it (`?category=…`), narrower than the scope without one. */
  query?: string;
}

const V1: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };

/** The parts of `system/Type.perm[?query]` (any context), or undefined for another kind of scope. */
export function parseScope(scope: string): ResourceScope | undefined {
  const m = /^(patient|user|system)\/([A-Za-z]+|\*)\.([a-z*]+)(\?.*)?$/.exec(scope);
  if (!m) return undefined;
  const [, context, type, perm, query] = m as unknown as [string, string, string, string, string | undefined];
  const permissions = V1[perm] ?? (/^c?r?u?d?s?$/.test(perm) ? perm : undefined);
  if (!permissions) return undefined;
  return { context, type, permissions, ...(query ? { query } : {}) };
}

export const splitScopes = (scope: string | undefined): string[] =>
  (scope ?? '').split(/\s+/).filter((s) => s.length > 0);

/** True when `wide` grants everything `narrow` does (same context, type, letters, no extra query). */
export function scopeCovers(wide: string, narrow: string): boolean {
  if (wide === narrow) return true;
  const w = parseScope(wide);
  const n = parseScope(narrow);
  if (!w || !n) return false;
  if (w.context !== n.context) return false;
  if (w.type !== '*' && w.type !== n.type) return false;
  if ([...n.permissions].some((letter) => !w.permissions.includes(letter))) return false;
  return w.query === undefined || w.query === n.query;
}

/** The granted scopes no requested scope covers: what the server added beyond the request. */
export function scopesBeyond(requested: string, granted: string): string[] {
  const asked = splitScopes(requested);
  return splitScopes(granted).filter((g) => !asked.some((a) => scopeCovers(a, g)));
}

/**
 * True when some scope of `scope` names `type` (or `*`), whatever its letters or query: a type
 * it does not reach is one its holder must get no data of.
 */
export function scopeReaches(scope: string, type: string): boolean {
  return splitScopes(scope).some((s) => {
    const p = parseScope(s);
    return p !== undefined && (p.type === '*' || p.type === type);
  });
}
