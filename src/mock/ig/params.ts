/**
 * Kick-off parameters, from a GET query string or a POST `Parameters` body, read into one list of
 * name/value pairs. Repeated parameters stay repeated: the request reader joins them as the IG
 * says (a repeat is a comma-delimited continuation).
 */

export interface RawParam {
  name: string;
  value: string;
}

/** A request the mock cannot read at all (answered 400 whatever the handling preference). */
export class ParamsError extends Error {}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new ParamsError(`the query string is not valid percent-encoding: ${text.slice(0, 80)}`);
  }
}

/**
 * The query string's pairs. `_typeFilter` values are split on their literal commas before they are
 * decoded, because a query inside one may hold an encoded comma (%2C) of its own.
 */
export function paramsFromQuery(rawUrl: string): RawParam[] {
  const q = rawUrl.indexOf('?');
  if (q < 0) return [];
  const params: RawParam[] = [];
  for (const pair of rawUrl.slice(q + 1).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const raw = eq < 0 ? '' : pair.slice(eq + 1);
    if (name === '_typeFilter') for (const part of raw.split(',')) params.push({ name, value: decode(part) });
    else params.push({ name, value: decode(raw) });
  }
  return params;
}

const VALUE_KEYS = [
  'valueString',
  'valueCode',
  'valueInstant',
  'valueDateTime',
  'valueUri',
  'valueCanonical',
];

/** The pairs of a FHIR `Parameters` body (a `patient` is a valueReference to Patient/id). */
export function paramsFromBody(body: string): RawParam[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ParamsError('the body is not JSON: a POST kick-off takes a FHIR Parameters resource');
  }
  const resource = parsed as { resourceType?: unknown; parameter?: unknown };
  if (!resource || typeof resource !== 'object' || resource.resourceType !== 'Parameters')
    throw new ParamsError('the body is not a FHIR Parameters resource');
  if (resource.parameter === undefined) return [];
  if (!Array.isArray(resource.parameter)) throw new ParamsError('Parameters.parameter is not an array');
  return resource.parameter.map((p: unknown) => {
    const entry = (p ?? {}) as Record<string, unknown>;
    const name = entry.name;
    if (typeof name !== 'string' || name === '') throw new ParamsError('a parameter has no name');
    const ref = entry.valueReference as { reference?: unknown } | undefined;
    if (ref && typeof ref.reference === 'string') return { name, value: ref.reference };
    const key = VALUE_KEYS.find((k) => typeof entry[k] === 'string');
    if (!key)
      throw new ParamsError(`parameter ${name} has no value this server reads (valueString, valueCode, …)`);
    return { name, value: entry[key] as string };
  });
}
