/**
 * The SMART Backend Services client against a small fake server: where the token URL comes from
 * (flag, smart-configuration, CapabilityStatement), the assertion's header and claims (verified
 * with jose against the public key), the token request's form, token reuse until shortly before
 * expiry, and redaction of the assertion and the access token from the exchange log.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import { CLIENT_ASSERTION_TYPE, SmartAuth } from '../../src/auth/smart';
import { OAUTH_URIS_EXTENSION } from '../../src/auth/smart-discovery';
import type { SmartKey } from '../../src/auth/smart-key';
import { TokenError } from '../../src/auth/tokens';
import { HttpClient } from '../../src/http/client';
import { ExchangeLog } from '../../src/http/exchange';
import { Redactor } from '../../src/http/redaction';

interface Fake {
  smartConfig: 'ok' | 'missing';
  metadata: 'oauth-uris' | 'none';
  token: { status: number; body: unknown };
  forms: URLSearchParams[];
}

let server: Server;
let root: string;
const fake: Fake = { smartConfig: 'ok', metadata: 'oauth-uris', token: { status: 200, body: {} }, forms: [] };

function json(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  if (req.url === '/fhir/.well-known/smart-configuration') {
    if (fake.smartConfig === 'missing') return json(res, 404, { error: 'not here' });
    return json(res, 200, { token_endpoint: `${root}/auth/token-from-config` });
  }
  if (req.url === '/fhir/metadata') {
    const security =
      fake.metadata === 'oauth-uris'
        ? {
            extension: [
              {
                url: OAUTH_URIS_EXTENSION,
                extension: [{ url: 'token', valueUri: `${root}/auth/token-from-cs` }],
              },
            ],
          }
        : {};
    return json(
      res,
      200,
      { resourceType: 'CapabilityStatement', rest: [{ mode: 'server', security }] },
      'application/fhir+json',
    );
  }
  if (req.method === 'POST' && req.url?.startsWith('/auth/')) {
    fake.forms.push(new URLSearchParams(body));
    return json(res, fake.token.status, fake.token.body);
  }
  return json(res, 404, {});
}

let key: SmartKey;
beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pair = await generateKeyPair('ES384', { extractable: true });
  key = {
    alg: 'ES384',
    kid: 'k-1',
    privateKey: pair.privateKey,
    publicJwk: { ...(await exportJWK(pair.publicKey)), kid: 'k-1' },
  };
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  Object.assign(fake, { smartConfig: 'ok', metadata: 'oauth-uris', forms: [] });
  fake.token = {
    status: 200,
    body: {
      access_token: 'the-access-token-value',
      token_type: 'bearer',
      expires_in: 300,
      scope: 'system/*.read',
    },
  };
});

function makeAuth(opts: { tokenUrl?: string; now?: () => number } = {}) {
  const redactor = new Redactor();
  const log = new ExchangeLog(redactor);
  const http = new HttpClient({ baseUrl: `${root}/fhir`, log });
  const auth = new SmartAuth(
    http,
    redactor,
    {
      clientId: 'my-client',
      key,
      scope: 'system/*.read',
      narrowScope: 'system/Patient.read',
      fhirBase: `${root}/fhir`,
      ...(opts.tokenUrl ? { tokenUrl: opts.tokenUrl } : {}),
    },
    opts.now,
  );
  return { auth, log, http };
}

describe('token URL discovery', () => {
  test('--token-url wins and nothing is asked', async () => {
    const { auth, log } = makeAuth({ tokenUrl: `${root}/auth/given` });
    expect(await auth.discovery()).toMatchObject({ tokenUrl: `${root}/auth/given`, source: 'flag' });
    expect(log.all()).toHaveLength(0);
  });

  test('then smart-configuration token_endpoint', async () => {
    const { auth } = makeAuth();
    expect(await auth.discovery()).toMatchObject({
      tokenUrl: `${root}/auth/token-from-config`,
      source: 'smart-configuration',
    });
  });

  test('then the CapabilityStatement oauth-uris token', async () => {
    fake.smartConfig = 'missing';
    const { auth } = makeAuth();
    const found = await auth.discovery();
    expect(found).toMatchObject({ tokenUrl: `${root}/auth/token-from-cs`, source: 'capability-statement' });
    expect(found.evidence).toHaveLength(2);
  });

  test('none: a TokenError that says where it looked and names --token-url', async () => {
    Object.assign(fake, { smartConfig: 'missing', metadata: 'none' });
    const { auth } = makeAuth();
    await expect(auth.tokenUrl()).rejects.toThrow(TokenError);
    await expect(auth.tokenUrl()).rejects.toThrow(
      /smart-configuration: it answered 404; CapabilityStatement: .*oauth-uris.*--token-url/,
    );
  });
});

describe('the client assertion and the token request', () => {
  test('header alg/kid/typ, claims iss=sub=client, aud=token URL, exp within 5 minutes, unique jti', async () => {
    const { auth } = makeAuth();
    const a = await auth.assertion();
    const b = await auth.assertion();
    expect(decodeProtectedHeader(a.jwt)).toEqual({ alg: 'ES384', kid: 'k-1', typ: 'JWT' });
    const { payload } = await jwtVerify(a.jwt, await importJWK(key.publicJwk, 'ES384'), {
      issuer: 'my-client',
      subject: 'my-client',
      audience: `${root}/auth/token-from-config`,
    });
    const now = Math.floor(Date.now() / 1000);
    expect(payload.exp! - now).toBeGreaterThan(60);
    expect(payload.exp! - now).toBeLessThanOrEqual(300);
    expect(payload.iat).toBeLessThanOrEqual(now);
    expect(payload.jti).toBe(a.jti);
    expect(b.jti).not.toBe(a.jti);
  });

  test('overrides build the assertions a server must refuse', async () => {
    const { auth } = makeAuth();
    const other = await generateKeyPair('ES384');
    const a = await auth.assertion({
      expiresIn: -60,
      aud: 'https://elsewhere.example/token',
      iss: 'nobody',
      jti: 'same',
      key: { ...key, privateKey: other.privateKey },
      header: { jku: 'https://jwks.invalid/keys' },
    });
    expect(decodeProtectedHeader(a.jwt)).toMatchObject({ jku: 'https://jwks.invalid/keys', kid: 'k-1' });
    const payload = JSON.parse(Buffer.from(a.jwt.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(payload).toMatchObject({
      iss: 'nobody',
      sub: 'nobody',
      aud: 'https://elsewhere.example/token',
      jti: 'same',
    });
    expect(payload.exp as number).toBeLessThan(Date.now() / 1000);
    await expect(jwtVerify(a.jwt, await importJWK(key.publicJwk, 'ES384'))).rejects.toThrow();
  });

  test('the form: scope, grant_type, client_assertion_type, client_assertion; the answer read', async () => {
    const { auth } = makeAuth();
    const answer = await auth.request({ label: 'token', scope: 'system/Patient.read' });
    const form = fake.forms[0]!;
    expect(form.get('scope')).toBe('system/Patient.read');
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('client_assertion_type')).toBe(CLIENT_ASSERTION_TYPE);
    expect(form.get('client_assertion')).toBe(answer.assertion.jwt);
    expect(answer).toMatchObject({
      status: 200,
      mediaType: 'application/json',
      accessToken: 'the-access-token-value',
      tokenType: 'bearer',
      expiresInSeconds: 300,
      expiresInType: 'number',
      scope: 'system/*.read',
      hasRefreshToken: false,
    });
    expect(answer.body?.access_token).toBeUndefined();
  });

  test('the assertion, the access token and a refresh token never reach the exchange log', async () => {
    fake.token.body = {
      access_token: 'opaque-token-1234',
      refresh_token: 'refresh-5678',
      token_type: 'bearer',
      expires_in: 300,
      scope: 'x',
    };
    const { auth, log } = makeAuth();
    const client = auth.clientWith(
      auth.tokens,
      new (await import('../../src/http/target')).TargetClient(auth.http),
    );
    const answer = await auth.request({ label: 'token' });
    await auth.tokens.bearer();
    await client.get(`${root}/fhir/Patient`, { label: 'read with the token' });
    const recorded = JSON.stringify(log.all());
    for (const secret of [answer.assertion.jwt, 'opaque-token-1234', 'refresh-5678'])
      expect(recorded).not.toContain(secret);
    expect(recorded).toContain('<client-assertion>');
  });

  test('a refusal is read, not thrown; the token source throws a TokenError naming the error code', async () => {
    fake.token = { status: 401, body: { error: 'invalid_client', error_description: 'no' } };
    const { auth } = makeAuth();
    const answer = await auth.request({ label: 'refused' });
    expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(answer.accessToken).toBeUndefined();
    await expect(auth.tokens.bearer()).rejects.toThrow(/answered 401 \(invalid_client\)/);
    expect(auth.tokens.observations[0]).toMatchObject({ status: 401 });
  });
});

describe('SmartTokens', () => {
  test('reuses the token until shortly before expires_in, then asks again; one request for concurrent callers', async () => {
    let now = 1_000_000;
    const { auth } = makeAuth({ now: () => now });
    const tokens = auth.tokens;
    await Promise.all([tokens.bearer(), tokens.bearer(), tokens.bearer()]);
    expect(fake.forms).toHaveLength(1);
    now += 200_000; // 200 s of 300: still fresh
    await tokens.bearer();
    expect(fake.forms).toHaveLength(1);
    now += 50_000; // 250 s: within the last fifth, renewed
    await tokens.bearer();
    expect(fake.forms).toHaveLength(2);
    tokens.invalidate();
    await tokens.bearer();
    expect(fake.forms).toHaveLength(3);
    expect(tokens.observations.map((o) => o.expiresInSeconds)).toEqual([300, 300, 300]);
  });

  test('the narrow source asks for --narrow-scope', async () => {
    const { auth } = makeAuth();
    await auth.narrowTokens().bearer();
    expect(fake.forms[0]!.get('scope')).toBe('system/Patient.read');
    expect(auth.narrowTokens()).toBe(auth.narrowTokens());
  });
});
