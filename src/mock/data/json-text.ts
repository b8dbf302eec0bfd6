/** JSON serialization helpers: plain, or with keys sorted at every level (the real server's quirk). */

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value !== null && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) out[key] = sortDeep(source[key]);
    return out;
  }
  return value;
}

export function toJsonLine(resource: object, sortKeys: boolean): string {
  return JSON.stringify(sortKeys ? sortDeep(resource) : resource);
}
