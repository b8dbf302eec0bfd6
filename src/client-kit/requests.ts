/** Reading recorded client requests: what kind each one is, and the helpers checks share. */
import type { CheckOutcome } from '../checks/types';
import type { ClientRequestRecord } from '../mock/recording';

export type Req = ClientRequestRecord;

const pathOf = (url: string): string => url.split('?')[0] ?? url;

export const isTokenRequest = (r: Req): boolean => pathOf(r.url) === '/auth/token';
export const isKickoff = (r: Req): boolean => /\/\$export$/.test(decodeURIComponent(pathOf(r.url)));
export const isStatusRequest = (r: Req): boolean =>
  r.method === 'GET' && /^\/api\/v\d\/jobs\/[^/]+$/.test(pathOf(r.url));
export const isDownload = (r: Req): boolean => r.method === 'GET' && pathOf(r.url).startsWith('/data/');
export const isCancel = (r: Req): boolean =>
  r.method === 'DELETE' && /^\/api\/v\d\/jobs\/[^/]+$/.test(pathOf(r.url));
/** The job history request (`GET /api/vN/jobs`, seed 001 §Request job history). */
export const isJobList = (r: Req): boolean =>
  r.method === 'GET' && /^\/api\/v\d\/jobs\/?$/.test(pathOf(r.url));
export const isAttributionStatus = (r: Req): boolean =>
  r.method === 'GET' && /^\/api\/v\d\/attribution_status\/?$/.test(pathOf(r.url));

/** The API version a request's path names (`/api/v1/…`), if any. */
export const versionOf = (r: Req): string | undefined => /^\/api\/(v\d)\//.exec(pathOf(r.url))?.[1];

/** The values of a query parameter of a request, each `,`-separated item on its own. */
export function queryValues(r: Req, name: string): string[] {
  const query = new URLSearchParams(r.url.includes('?') ? r.url.slice(r.url.indexOf('?') + 1) : '');
  return query.getAll(name).flatMap((v) => v.split(','));
}

/**
 * Whether a request went to the server's own origin (the URL the client was given), judged by the
 * Host it sent; a request without Host is taken as the server's.
 */
export function onServerOrigin(r: Req, serverOrigin: string): boolean {
  const host = r.headers.host;
  if (!host) return true;
  try {
    return new URL(`http://${host}`).host === new URL(serverOrigin).host;
  } catch {
    return false;
  }
}

/** Wall-clock ms when a request's answer was all sent (or handed over, when that is all that is known). */
export const endMs = (r: Req): number => r.finishedAtMs ?? r.respondedAtMs ?? r.atMs;

/** The job a status request asks about (its path). */
export const jobPathOf = (r: Req): string => pathOf(r.url);

/** Path and query of an absolute or relative URL; undefined when it cannot be read. */
export function pathAndQuery(url: string): string | undefined {
  try {
    const u = new URL(url, 'http://placeholder.invalid');
    return `${u.pathname}${u.search}`;
  } catch {
    return undefined;
  }
}

/** Seconds of a Retry-After answer (delay-seconds or an HTTP-date counted from the answer). */
export function retryAfterSeconds(r: Req): number | undefined {
  const value = r.responseHeaders?.['retry-after'];
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) || r.respondedAtMs === undefined
    ? undefined
    : Math.max(0, (date - r.respondedAtMs) / 1000);
}

/** A manifest from a 200 status answer. */
export interface Manifest {
  requiresAccessToken?: boolean;
  output: Array<{ type: string; url: string }>;
  error: Array<{ type: string; url: string }>;
}

export function manifestOf(r: Req): Manifest | undefined {
  if (!isStatusRequest(r) || r.status !== 200 || !r.responseBody) return undefined;
  try {
    const body = JSON.parse(r.responseBody) as Partial<Manifest>;
    return {
      ...(typeof body.requiresAccessToken === 'boolean'
        ? { requiresAccessToken: body.requiresAccessToken }
        : {}),
      output: Array.isArray(body.output) ? body.output : [],
      error: Array.isArray(body.error) ? body.error : [],
    };
  } catch {
    return undefined;
  }
}

/** The bearer token fingerprint a request presented (any scheme spelling), if any. */
export const bearerOf = (r: Req): string | undefined =>
  r.credential && r.credential.scheme.toLowerCase() === 'bearer' ? r.credential.fingerprint : undefined;

/** A short description of a request for messages: `r0007 GET /api/v2/jobs/1`. */
export const describe = (r: Req): string => `${r.id} ${r.method} ${r.url}`;

export const pass = (message: string, evidence: string[] = []): CheckOutcome => ({
  outcome: 'pass',
  message,
  evidence,
});
export const fail = (
  message: string,
  evidence: string[],
  expected?: string,
  actual?: string,
): CheckOutcome => ({
  outcome: 'fail',
  message,
  evidence,
  ...(expected ? { expected } : {}),
  ...(actual ? { actual } : {}),
});
export const skip = (message: string): CheckOutcome => ({ outcome: 'skip', message, evidence: [] });
