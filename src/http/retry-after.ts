/**
 * Retry-After as the run reads it: the token provider, the poller and the export flow all wait as
 * a 429 or a 202 tells them, so the parsing lives with the HTTP client, below all of them.
 */

/**
 * Delay-seconds this large are a clock reading, not a delay: 10^9 s is 31 years, and every Unix
 * timestamp since 2001 is larger. A server that sends one (an epoch where a delay belongs) gets a
 * finding, not a client that waits for decades.
 */
const EPOCH_SECONDS = 1_000_000_000;

/** An IMF-fixdate (RFC 9110 §5.6.7), the HTTP-date form a sender must generate. */
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

export type RetryAfterReading =
  { form: 'seconds' | 'http-date'; ms: number } | { form: 'malformed'; reason: string };

/** Reads Retry-After in either RFC 9110 form, or says why the value is not one. */
export function readRetryAfter(value: string, now: number = Date.now()): RetryAfterReading {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    if (seconds >= EPOCH_SECONDS)
      return {
        form: 'malformed',
        reason: `${trimmed} seconds is ${Math.round(seconds / 31_557_600)} years: a timestamp where a delay belongs`,
      };
    return { form: 'seconds', ms: seconds * 1000 };
  }
  // Obsolete date forms (RFC 850, asctime) are accepted when they end in GMT, as recipients must.
  const date = Date.parse(trimmed);
  if (!Number.isNaN(date) && (IMF_FIXDATE.test(trimmed) || /GMT$/i.test(trimmed)))
    return { form: 'http-date', ms: Math.max(0, date - now) };
  return { form: 'malformed', reason: `"${trimmed.slice(0, 60)}" is neither delay-seconds nor an HTTP-date` };
}

/**
 * Retry-After in milliseconds from now, or undefined when absent or malformed (the caller falls
 * back to its own pacing rather than wait on a value it cannot read).
 */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const reading = readRetryAfter(value, now);
  return reading.form === 'malformed' ? undefined : reading.ms;
}
