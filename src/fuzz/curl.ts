/**
 * The curl command that sends a recorded fuzz request again. The exchange was recorded redacted;
 * the bearer token is named as `$BCDA_TOKEN`, as the report's own curl commands do, so no token
 * is ever written out. Every header the request carried is kept: a fuzzed header is the point.
 */
import type { Exchange } from '../http/exchange';

/** Headers curl sets itself. */
const SKIPPED = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'user-agent']);

/** POSIX shell single quoting: safe for any text, quotes and `$` included. */
const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

export function curlOf(exchange: Exchange): string {
  const req = exchange.request;
  const parts = ['curl', '-sS', '-i'];
  if (req.method !== 'GET') parts.push('-X', req.method);
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (SKIPPED.has(lower)) continue;
    if (lower === 'authorization') {
      const scheme = /^\s*(\S+)/.exec(value)?.[1] ?? 'Bearer';
      parts.push('-H', `"Authorization: ${scheme} $BCDA_TOKEN"`);
      continue;
    }
    parts.push('-H', quote(`${name}: ${value}`));
  }
  parts.push(quote(req.url));
  return parts.join(' ');
}
