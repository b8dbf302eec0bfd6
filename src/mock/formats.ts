/** Date and text formats the mock writes: HTTP-dates, Go's time.String(), FHIR instants, Go slices. */

/** RFC 7231 HTTP-date, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (the contract form of `Expires`). */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/**
 * Go `time.Time.String()` in UTC, e.g. `2026-08-22 15:02:15.123 +0000 UTC`: the real server's
 * `Expires` (a quirk). Go drops trailing zeros of the fraction and the fraction when it is zero.
 */
export function goTimeString(date: Date): string {
  const iso = date.toISOString(); // 2026-08-22T15:02:15.123Z
  const day = iso.slice(0, 10);
  const time = iso.slice(11, 19);
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${day} ${time}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}

/** `YYYY-MM-DDThh:mm:ssZ` (Task.executionPeriod, attribution timestamps). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC3339 with nanosecond-style fraction as Go prints it (manifest transactionTime). */
export function rfc3339Nano(date: Date): string {
  const iso = date.toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/**
 * PostgreSQL's text form of a timestamptz in UTC, as seed 001's attribution_status example shows it
 * (`2020-12-22 22:31:40.397916+00`): a space before the time, trailing fraction zeros dropped.
 */
export function postgresTimestamp(date: Date): string {
  const iso = date.toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''}+00`;
}

/** Go's `fmt` rendering of a string slice: `[a b c]`. */
export function goSlice(values: readonly string[]): string {
  return `[${values.join(' ')}]`;
}
