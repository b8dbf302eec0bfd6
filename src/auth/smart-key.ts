/**
 * The private key a SMART Backend Services client signs its assertions with (--smart-key FILE): a
 * private JWK, a JWKS (one private key chosen by --smart-alg, else the first RS384 or ES384 one),
 * or a PEM private key (alg from --smart-alg, else RS384 for RSA and ES384 for EC P-384). The kid
 * is the JWK's own, else its RFC 7638 thumbprint. Every problem is one line naming the file and
 * what is wrong with it; key material never appears in a message.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
  type KeyLike,
} from 'jose';
import { ConfigError } from '../config/setting-values';

export const SMART_ALGS = ['RS384', 'ES384'] as const;
export type SmartAlg = (typeof SMART_ALGS)[number];

export interface SmartKey {
  alg: SmartAlg;
  kid: string;
  privateKey: KeyLike;
  /** The public half as a JWK (with kid and alg), as the client would register it. */
  publicJwk: JWK;
}

/** A key file that cannot be used: the message names the file and the problem, never the key. */
export class SmartKeyError extends ConfigError {
  constructor(file: string, problem: string) {
    super(`--smart-key ${file}: ${problem}`);
    this.name = 'SmartKeyError';
  }
}

const isSmartAlg = (v: unknown): v is SmartAlg => (SMART_ALGS as readonly unknown[]).includes(v);

/** The alg a JWK's key type signs with, or a reason it signs with neither RS384 nor ES384. */
function algOfKeyType(jwk: JWK): SmartAlg | string {
  if (jwk.kty === 'RSA') return 'RS384';
  if (jwk.kty === 'EC')
    return jwk.crv === 'P-384' ? 'ES384' : `an EC key on ${jwk.crv ?? 'no curve'}, not P-384`;
  return `a key of type ${String(jwk.kty ?? 'none')}, neither RSA nor EC`;
}

/** Why `jwk` cannot sign as `alg` (or as its own alg), or the alg it signs with. */
function usableAlg(jwk: JWK, wanted: SmartAlg | undefined): { alg: SmartAlg } | { problem: string } {
  if (typeof jwk.d !== 'string')
    return { problem: 'holds a public key only (no "d"): a private key is needed' };
  const natural = algOfKeyType(jwk);
  if (!isSmartAlg(natural)) return { problem: `holds ${natural}: SMART signs with RS384 or ES384` };
  if (jwk.alg !== undefined && jwk.alg !== natural)
    return { problem: `its "alg" is ${String(jwk.alg)}: SMART signs with RS384 or ES384` };
  if (wanted && wanted !== natural)
    return { problem: `holds an ${natural} key, not the ${wanted} --smart-alg names` };
  return { alg: natural };
}

async function fromJwk(file: string, jwk: JWK, wanted: SmartAlg | undefined): Promise<SmartKey> {
  const usable = usableAlg(jwk, wanted);
  if ('problem' in usable) throw new SmartKeyError(file, usable.problem);
  let privateKey: KeyLike;
  try {
    privateKey = (await importJWK(jwk, usable.alg)) as KeyLike;
  } catch {
    throw new SmartKeyError(file, `the ${usable.alg} JWK does not hold a valid key`);
  }
  return finish(file, jwk, privateKey, usable.alg);
}

async function finish(file: string, jwk: JWK, privateKey: KeyLike, alg: SmartAlg): Promise<SmartKey> {
  const kid = typeof jwk.kid === 'string' && jwk.kid ? jwk.kid : await calculateJwkThumbprint(jwk, 'sha256');
  const publicJwk: JWK = { kty: jwk.kty, kid, alg, use: 'sig' };
  if (jwk.kty === 'RSA') Object.assign(publicJwk, { n: jwk.n, e: jwk.e });
  else Object.assign(publicJwk, { crv: jwk.crv, x: jwk.x, y: jwk.y });
  // A key whose members do not fit together signs what its public half cannot verify: say so now,
  // not as a refused assertion later.
  try {
    const probe = await new SignJWT({}).setProtectedHeader({ alg }).sign(privateKey);
    await jwtVerify(probe, await importJWK(publicJwk, alg));
  } catch {
    throw new SmartKeyError(
      file,
      `the ${alg} key does not hold a valid key pair (it cannot sign and verify)`,
    );
  }
  return { alg, kid, privateKey, publicJwk };
}

function fromJwks(file: string, keys: unknown[], wanted: SmartAlg | undefined): Promise<SmartKey> {
  const jwks = keys.filter((k): k is JWK => typeof k === 'object' && k !== null && !Array.isArray(k));
  const chosen = jwks.find((k) => 'alg' in usableAlg(k, wanted));
  if (!chosen) {
    const which = wanted ? `${wanted} private key` : 'RS384 or ES384 private key';
    throw new SmartKeyError(file, `the JWKS holds no ${which} (${jwks.length} key(s) in "keys")`);
  }
  return fromJwk(file, chosen, wanted);
}

async function fromPem(file: string, pem: string, wanted: SmartAlg | undefined): Promise<SmartKey> {
  if (/ENCRYPTED/.test(pem))
    throw new SmartKeyError(file, 'an encrypted PEM key is not supported: decrypt it first');
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new SmartKeyError(file, 'not a readable PEM private key (PKCS#8, PKCS#1 or SEC1)');
  }
  const jwk = await exportJWK(keyObject);
  const usable = usableAlg(jwk, wanted);
  if ('problem' in usable)
    throw new SmartKeyError(file, `the PEM key ${usable.problem.replace(/^holds/, 'is')}`);
  return finish(file, jwk, keyObject, usable.alg);
}

/** Reads and checks the key file; throws SmartKeyError (a ConfigError) with one line. */
export async function loadSmartKey(file: string, wanted?: SmartAlg): Promise<SmartKey> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SmartKeyError(file, `cannot read the file${code ? ` (${code})` : ''}`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    if (/-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----/.test(trimmed))
      throw new SmartKeyError(file, 'holds a public key or certificate: a private key is needed');
    return fromPem(file, trimmed, wanted);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new SmartKeyError(file, 'neither JSON (a JWK or JWKS) nor a PEM private key');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new SmartKeyError(file, 'the JSON is not an object (a JWK or a JWKS)');
  const keys = (parsed as { keys?: unknown }).keys;
  if (keys !== undefined) {
    if (!Array.isArray(keys)) throw new SmartKeyError(file, 'the JWKS "keys" is not an array');
    return fromJwks(file, keys, wanted);
  }
  if (typeof (parsed as JWK).kty !== 'string')
    throw new SmartKeyError(file, 'the JSON is neither a JWK (no "kty") nor a JWKS (no "keys")');
  return fromJwk(file, parsed as JWK, wanted);
}

/**
 * A key of the same algorithm the server has never seen (a wrong signature, for the negative
 * tests), with `kid` borrowed so the server looks up the registered key.
 */
export async function strangerKey(like: SmartKey): Promise<SmartKey> {
  const { privateKey, publicKey } = await generateKeyPair(like.alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: like.kid, alg: like.alg };
  return { alg: like.alg, kid: like.kid, privateKey, publicJwk };
}
