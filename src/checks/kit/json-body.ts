/** Reading plain JSON answers (BCDA's service endpoints, /auth/welcome): no FHIR shape assumed. */
import type { Received } from '../../http/bodies';
import type { HttpResponse } from '../../http/client';

/**
 * The body as a JSON object, or undefined when it is not one (an array, a scalar, not JSON). Name a
 * spec schema (`jsonObject<Schemas['VersionInfo']>(res)`) to read it by the spec's member names.
 */
export function jsonObject<T extends object = Record<string, unknown>>(
  res: HttpResponse,
): Received<T> | undefined {
  const body = res.json<unknown>();
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Received<T>) : undefined;
}

export const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
