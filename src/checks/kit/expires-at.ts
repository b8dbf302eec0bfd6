/**
 * When a completed job's files expire, as its status answer says it (the Expires header), and how
 * far ahead that is by the target's own clock: Expires minus the answer's Date, as an HTTP cache
 * reads a response's freshness (RFC 9111 §4.2.1), so the target's clock need not match ours.
 */
import type { HttpResponse } from '../../http/client';
import { GO_TIME, HTTP_DATE } from './expect';

/**
 * The instant of an Expires value in epoch ms: an HTTP-date, or the Go time string the real server
 * sends (`2026-08-22 15:02:15.123456 +0000 UTC`, behavior §2.3); undefined for anything else.
 */
export function expiresAtMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (HTTP_DATE.test(text)) return Date.parse(text);
  if (!GO_TIME.test(text)) return undefined;
  const [day, time, zone] = text.split(' ') as [string, string, string];
  // The fraction may have up to nine digits; Date.parse reads milliseconds.
  const [whole, fraction = ''] = time.split('.');
  const ms = fraction ? `.${fraction.slice(0, 3).padEnd(3, '0')}` : '';
  const at = Date.parse(`${day}T${whole}${ms}${zone.slice(0, 3)}:${zone.slice(3)}`);
  return Number.isNaN(at) ? undefined : at;
}

export interface ExpiryReading {
  /** The Expires instant, by the target's clock. */
  expiresAtMs: number;
  /** How long after the answer the files expire, by the target's clock (Expires − Date). */
  lifetimeMs: number;
  /** Whether the answer's Date header gave the target's time (else our clock at the request). */
  fromDateHeader: boolean;
}

/** The expiry a status answer states, or why it states none that can be read. */
export function expiryOf(res: HttpResponse): ExpiryReading | string {
  const value = res.headers.expires;
  if (value === undefined) return 'the completed answer carries no Expires header';
  const at = expiresAtMs(value);
  if (at === undefined) return `Expires "${value.slice(0, 80)}" is neither an HTTP-date nor a Go time string`;
  const date = res.headers.date === undefined ? NaN : Date.parse(res.headers.date);
  const fromDateHeader = !Number.isNaN(date);
  const answeredAt = fromDateHeader ? date : Date.parse(res.exchange.startedAt);
  return { expiresAtMs: at, lifetimeMs: at - answeredAt, fromDateHeader };
}
