/**
 * The client assertion of SMART Backend Services: a JWT signed by the client's key, header
 * `alg`, `kid`, `typ: JWT`; claims `iss` = `sub` = the client id, `aud` = the token URL, `exp` a
 * few minutes ahead (at most five), a `jti` never used before, and `iat`. The overrides build the
 * assertions a server must refuse (expired, another audience, too long-lived, a reused jti, an
 * unknown client, a key the client never registered).
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, type KeyLike } from 'jose';
import type { SmartKey } from './smart-key';

/** Well inside SMART's five minutes, so a slow clock on either side does not get it refused. */
export const DEFAULT_ASSERTION_SECONDS = 240;

export interface AssertionOverrides {
  iss?: string;
  sub?: string;
  aud?: string;
  /** Seconds from now to `exp` (negative: already expired). */
  expiresIn?: number;
  /** Seconds from now to `iat` (default 0). */
  issuedAt?: number;
  jti?: string;
  /** Sign with another key (its alg and kid in the header). */
  key?: SmartKey;
  /** Extra header members (e.g. `jku`). */
  header?: Record<string, string>;
}

export interface Assertion {
  jwt: string;
  jti: string;
  /** Seconds since the epoch. */
  exp: number;
}

export async function buildAssertion(
  base: { clientId: string; tokenUrl: string; key: SmartKey },
  overrides: AssertionOverrides = {},
  now: () => number = Date.now,
): Promise<Assertion> {
  const seconds = Math.floor(now() / 1000);
  const key = overrides.key ?? base.key;
  const jti = overrides.jti ?? randomUUID();
  const exp = seconds + (overrides.expiresIn ?? DEFAULT_ASSERTION_SECONDS);
  const jwt = await new SignJWT({ jti })
    .setProtectedHeader({ ...overrides.header, alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(overrides.iss ?? base.clientId)
    .setSubject(overrides.sub ?? overrides.iss ?? base.clientId)
    .setAudience(overrides.aud ?? base.tokenUrl)
    .setIssuedAt(seconds + (overrides.issuedAt ?? 0))
    .setExpirationTime(exp)
    .sign(key.privateKey as KeyLike);
  return { jwt, jti, exp };
}
