/**
 * Access tokens: real RS512 JWTs shaped like SSAS's (behavior §2.8), and the BCDA auth ladder that
 * classifies a bearer header (behavior §5). Expiry is judged on the mock clock.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, generateKeyPair, jwtVerify, type KeyLike } from 'jose';
import type { MockClock } from './clock';

export interface TokenIssuer {
  issue(clientId: string, cmsId: string, options?: IssueOptions): Promise<string>;
  verify(token: string, options?: VerifyOptions): Promise<TokenCheck>;
  readonly lifetimeSeconds: number;
}

export interface IssueOptions {
  /** Mint the token without an `exp` claim, so it never expires (fault auth-token-never-expires). */
  noExpiry?: boolean;
  /** Another lifetime than the issuer's (fault auth-token-lives-an-hour). */
  lifetimeSeconds?: number;
}

export interface VerifyOptions {
  /** Skip signature and expiry (fault auth-accepts-expired-token). */
  ignoreValidity?: boolean;
  /** Judge expiry and claims but not the signature (fault auth-signature-unchecked). */
  ignoreSignature?: boolean;
  /** Judge the signature and claims but not expiry (fault auth-expiry-checked-at-kickoff-only). */
  ignoreExpiry?: boolean;
  /** The introspection call times out or fails (an auth provider outage, behavior §5). */
  outage?: 'timeout' | 'error';
}

/** Outcome of reading a bearer token; `error` carries the status and diagnostics BCDA writes. */
export type TokenCheck =
  | { kind: 'ok'; cmsId: string }
  | {
      kind: 'error';
      status: 400 | 401 | 500 | 503;
      code: 'structure' | 'forbidden' | 'exception';
      diagnostics: string;
    };

/** The signing key pair mocks share when asked to (`sharedSigningKey`), made once per process. */
let sharedKeys: ReturnType<typeof generateKeyPair> | undefined;

/** `shared`: sign with the process's shared key pair rather than a new one (~300 ms of CPU each). */
export async function createTokenIssuer(
  clock: MockClock,
  lifetimeSeconds: number,
  shared = false,
): Promise<TokenIssuer> {
  const { privateKey, publicKey } = await (shared
    ? (sharedKeys ??= generateKeyPair('RS512'))
    : generateKeyPair('RS512'));
  return {
    lifetimeSeconds,
    issue: (clientId, cmsId, options) =>
      sign(
        privateKey,
        clock,
        options?.noExpiry ? undefined : (options?.lifetimeSeconds ?? lifetimeSeconds),
        clientId,
        cmsId,
      ),
    verify: (token, options) => verifyToken(publicKey, clock, token, options ?? {}),
  };
}

/** `lifetimeSeconds` undefined: no `exp` claim, a token that never expires. */
async function sign(
  key: KeyLike,
  clock: MockClock,
  lifetimeSeconds: number | undefined,
  clientId: string,
  cmsId: string,
): Promise<string> {
  const iat = Math.floor(clock.nowMs() / 1000);
  const jwt = new SignJWT({
    use: 'AccessToken',
    cid: clientId,
    sys: `mock-system-${cmsId}`,
    dat: JSON.stringify({ cms_ids: [cmsId] }),
  })
    .setProtectedHeader({ alg: 'RS512', typ: 'JWT' })
    .setIssuer('ssas')
    .setIssuedAt(iat)
    .setJti(randomUUID());
  if (lifetimeSeconds !== undefined) jwt.setExpirationTime(iat + lifetimeSeconds);
  return jwt.sign(key);
}

/**
 * When a bearer token was issued (its `iat`, in epoch ms), read without verifying it; undefined
 * when it is no JWT or has no `iat`. For the routes that judge a token by its age.
 */
export function tokenIssuedAtMs(token: string): number | undefined {
  try {
    const iat = decodeJwt(token).iat;
    return typeof iat === 'number' ? iat * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const REQUEST_ERROR: TokenCheck = {
  kind: 'error',
  status: 400,
  code: 'structure',
  diagnostics: 'Request Error',
};
const EXPIRED: TokenCheck = { kind: 'error', status: 401, code: 'forbidden', diagnostics: 'Expired Token' };
const INVALID: TokenCheck = { kind: 'error', status: 401, code: 'forbidden', diagnostics: 'Invalid Token' };
const PROVIDER_TIMEOUT: TokenCheck = {
  kind: 'error',
  status: 503,
  code: 'exception',
  diagnostics: 'Internal Error',
};
const PROVIDER_ERROR: TokenCheck = {
  kind: 'error',
  status: 500,
  code: 'exception',
  diagnostics: 'Internal Error',
};

async function verifyToken(
  key: KeyLike,
  clock: MockClock,
  token: string,
  options: VerifyOptions,
): Promise<TokenCheck> {
  // Stage 1 (BCDA's own parse): must be a JWT from `ssas` with a `dat` claim, else 400.
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    return REQUEST_ERROR;
  }
  if (claims.iss !== 'ssas' || typeof claims.dat !== 'string' || claims.dat === '') return REQUEST_ERROR;
  // Stage 2 (SSAS introspection): signature, expiry and `use`; any failure reads as "Expired Token".
  if (options.outage === 'timeout') return PROVIDER_TIMEOUT;
  if (options.outage === 'error') return PROVIDER_ERROR;
  if (options.ignoreSignature === true && options.ignoreValidity !== true) {
    // Read as trusted: only `exp` is compared with the clock, as a hand-written JWT parser might.
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= clock.nowMs()) return EXPIRED;
  } else if (options.ignoreValidity !== true) {
    try {
      // Judged at the epoch, an expired token's exp still lies ahead.
      const currentDate = options.ignoreExpiry === true ? new Date(0) : clock.now();
      await jwtVerify(token, key, { issuer: 'ssas', algorithms: ['RS512'], currentDate });
    } catch {
      return EXPIRED;
    }
  }
  if (claims.use !== 'AccessToken') return EXPIRED;
  // Stage 3: exactly one cms_id in `dat`.
  try {
    const dat = JSON.parse(claims.dat) as { cms_ids?: unknown };
    const ids = dat.cms_ids;
    if (!Array.isArray(ids) || ids.length !== 1 || typeof ids[0] !== 'string') return INVALID;
    return { kind: 'ok', cmsId: ids[0] };
  } catch {
    return INVALID;
  }
}
