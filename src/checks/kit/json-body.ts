/** Reading plain JSON answers (BCDA's service endpoints, /auth/welcome): no FHIR shape assumed. */
import type { HttpResponse } from '../../http/client';

/** The body as a JSON object, or undefined when it is not one (an array, a scalar, not JSON). */
export function jsonObject(res: HttpResponse): Record<string, unknown> | undefined {
  const body = res.json<unknown>();
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

export const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
