/**
 * A copy-paste curl command that repeats a recorded exchange. Credentials were redacted when the
 * exchange was recorded; the command names them as shell variables instead: `$BCDA_TOKEN` for a
 * bearer token, `$BCDA_BASIC` for base64(client_id:client_secret).
 */
import type { Exchange } from '../http/exchange';

/** Headers curl sets itself or that would make the command misleading. */
const SKIPPED = new Set([
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'user-agent',
  'accept-encoding',
]);

/** POSIX shell single quoting: safe for any text, including quotes and `$`. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** True when the exchange deliberately sent a bad credential (not reproducible from a variable). */
function deliberatelyBadCredential(label: string): boolean {
  return /not a JWT|expired token|wrong secret|malformed|invalid token|bad token/i.test(label);
}

export function curlFor(exchange: Exchange): string {
  const req = exchange.request;
  const parts: string[] = ['curl', '-sS', '-i'];
  if (req.method !== 'GET' || req.body !== undefined) parts.push('-X', req.method);
  let authNote = '';
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (SKIPPED.has(lower)) {
      if (lower === 'accept-encoding' && /gzip/i.test(value)) parts.push('--compressed');
      continue;
    }
    if (lower === 'authorization') {
      const scheme = /^\s*(\S+)/.exec(value)?.[1] ?? 'Bearer';
      if (/^basic$/i.test(scheme)) parts.push('-H', `"Authorization: ${scheme} $BCDA_BASIC"`);
      else parts.push('-H', `"Authorization: ${scheme} $BCDA_TOKEN"`);
      if (deliberatelyBadCredential(exchange.label)) {
        authNote =
          '# the original request sent a deliberately invalid credential here (redacted); substitute one to reproduce\n';
      }
      continue;
    }
    parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (req.body !== undefined) parts.push('--data-raw', shellQuote(req.body));
  parts.push(shellQuote(req.url));
  return authNote + parts.join(' ');
}
