/**
 * --smart-key: a private JWK, a JWKS (chosen by --smart-alg or the first RS384/ES384 private
 * key) or a PEM key; kid from the JWK or its thumbprint; one-line errors that name the file and
 * never quote the key.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, type JWK } from 'jose';
import { loadSmartKey, SmartKeyError, strangerKey } from '../../src/auth/smart-key';

const dir = mkdtempSync(path.join(tmpdir(), 'smart-key-'));
let n = 0;
function file(content: string): string {
  const f = path.join(dir, `key-${(n += 1)}`);
  writeFileSync(f, content);
  return f;
}

let rsa: JWK;
let ec: JWK;
let rsaPem: string;
let ecPem: string;
beforeAll(async () => {
  const r = await generateKeyPair('RS384', { extractable: true });
  const e = await generateKeyPair('ES384', { extractable: true });
  rsa = { ...(await exportJWK(r.privateKey)), kid: 'rsa-1', alg: 'RS384' };
  ec = { ...(await exportJWK(e.privateKey)), kid: 'ec-1', alg: 'ES384' };
  rsaPem = await exportPKCS8(r.privateKey);
  ecPem = await exportPKCS8(e.privateKey);
});

async function refusal(content: string, alg?: 'RS384' | 'ES384'): Promise<string> {
  const f = file(content);
  try {
    await loadSmartKey(f, alg);
  } catch (err) {
    expect(err).toBeInstanceOf(SmartKeyError);
    const message = (err as Error).message;
    expect(message.startsWith(`--smart-key ${f}: `)).toBe(true);
    expect(message).not.toContain('\n');
    // No key material in the message.
    for (const jwk of [rsa, ec])
      for (const part of [jwk.d, jwk.n, jwk.x]) if (part) expect(message).not.toContain(part.slice(0, 12));
    return message;
  }
  throw new Error('the key was accepted');
}

describe('loadSmartKey', () => {
  test('a private JWK: its alg and kid, the public half without d', async () => {
    const key = await loadSmartKey(file(JSON.stringify(rsa)));
    expect(key).toMatchObject({ alg: 'RS384', kid: 'rsa-1' });
    expect(key.publicJwk).toMatchObject({ kty: 'RSA', kid: 'rsa-1', alg: 'RS384', n: rsa.n, e: rsa.e });
    expect(key.publicJwk.d).toBeUndefined();
  });

  test('a JWK without kid or alg: alg from its type, kid its RFC 7638 thumbprint', async () => {
    const { kid: _kid, alg: _alg, ...bare } = ec;
    const key = await loadSmartKey(file(JSON.stringify(bare)));
    expect(key.alg).toBe('ES384');
    expect(key.kid).toBe(await calculateJwkThumbprint(bare, 'sha256'));
  });

  test('a JWKS: the key --smart-alg names, else the first usable private key', async () => {
    const jwks = JSON.stringify({ keys: [{ kty: 'oct', k: 'abc' }, ec, rsa] });
    expect((await loadSmartKey(file(jwks))).kid).toBe('ec-1');
    expect((await loadSmartKey(file(jwks), 'RS384')).kid).toBe('rsa-1');
    expect(await refusal(JSON.stringify({ keys: [ec] }), 'RS384')).toMatch(/holds no RS384 private key/);
  });

  test('a PEM key: RS384 for RSA, ES384 for EC P-384, kid the thumbprint', async () => {
    const r = await loadSmartKey(file(rsaPem));
    expect(r.alg).toBe('RS384');
    const { kid: _k, alg: _a, ...bareRsa } = rsa;
    expect(r.kid).toBe(await calculateJwkThumbprint(bareRsa, 'sha256'));
    expect((await loadSmartKey(file(ecPem))).alg).toBe('ES384');
    expect((await loadSmartKey(file(ecPem), 'ES384')).alg).toBe('ES384');
    expect(await refusal(ecPem, 'RS384')).toMatch(/is an ES384 key, not the RS384/);
  });

  test.each([
    ['a public JWK', () => JSON.stringify({ kty: rsa.kty, n: rsa.n, e: rsa.e }), /public key only/],
    ['a JWK of another alg', () => JSON.stringify({ ...rsa, alg: 'RS256' }), /"alg" is RS256/],
    ['an EC key on P-256', () => JSON.stringify({ ...ec, crv: 'P-256', alg: undefined }), /P-256, not P-384/],
    [
      'a symmetric key',
      () => JSON.stringify({ kty: 'oct', k: 'c2VjcmV0LXNlY3JldA', d: 'x' }),
      /neither RSA nor EC/,
    ],
    ['JSON that is no key', () => '{"hello": 1}', /neither a JWK/],
    ['a list', () => '[1]', /not an object/],
    ['garbage', () => 'not a key at all', /neither JSON .* nor a PEM/],
    [
      'a broken PEM',
      () => '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      /not a readable PEM/,
    ],
    [
      'a public PEM',
      () => '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
      /public key or certificate/,
    ],
    [
      'an encrypted PEM',
      () => '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----',
      /encrypted/,
    ],
    ['a damaged JWK', () => JSON.stringify({ ...rsa, n: 'AQAB' }), /does not hold a valid key/],
  ])('refuses %s in one line naming the file', async (_name, content, message) => {
    expect(await refusal(content(), undefined)).toMatch(message);
  });

  test('a file that cannot be read', async () => {
    await expect(loadSmartKey(path.join(dir, 'missing.jwk'))).rejects.toThrow(
      /^--smart-key .*missing\.jwk: cannot read the file \(ENOENT\)$/,
    );
  });

  test('a PKCS#1 RSA PEM is read as well', async () => {
    const pkcs1 = createPrivateKey(rsaPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect((await loadSmartKey(file(pkcs1))).alg).toBe('RS384');
  });

  test('strangerKey: same alg and kid, another key', async () => {
    const key = await loadSmartKey(file(JSON.stringify(rsa)));
    const other = await strangerKey(key);
    expect(other).toMatchObject({ alg: 'RS384', kid: 'rsa-1' });
    expect(other.publicJwk.n).not.toBe(rsa.n);
  });
});
