/**
 * Retry-After as the run reads it: the token provider, the poller and the export flow all wait as
 * a 429 or a 202 tells them, so the parsing lives with the HTTP client, below all of them.
 */

/** Parses Retry-After in either form (delta-seconds or HTTP-date) into milliseconds from now. */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date) || !/GMT$/i.test(trimmed)) return undefined;
  return Math.max(0, date - now);
}
