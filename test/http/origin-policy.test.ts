import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient, RefusedRequest } from '../../src/http/client';
import { ExchangeLog } from '../../src/http/exchange';
import {
  BlockedAddressError,
  guardedLookup,
  OriginPolicy,
  type LookupFunction,
} from '../../src/http/origin-policy';
import { Redactor } from '../../src/http/redaction';
import { isBlockedAddress } from '../../src/core/blocked-address';

describe('isBlockedAddress', () => {
  it.each([
    '169.254.169.254',
    '169.254.0.1',
    '[fe80::1]',
    'fe80::1%eth0',
    'febf::1',
    '[fd00:ec2::254]',
    'fd00:ec2:0:0:0:0:0:254',
    '::ffff:169.254.169.254',
    '[::ffff:a9fe:a9fe]',
  ])('%s is never requested', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '169.253.255.255',
    '169.255.0.1',
    '::1',
    'fec0::1',
    'fd00:ec2::253',
    'example.org',
  ])('%s is not blocked by address', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });
});

describe('OriginPolicy', () => {
  const policy = new OriginPolicy('https://target.example', [
    'https://files.example:8443',
    'http://cdn.example',
  ]);

  it('sends credentials to the target origin, default port or not, and to allowed origins', () => {
    for (const url of [
      'https://target.example/api/v2/jobs/1',
      'https://target.example:443/api/v2/jobs/1',
      'HTTPS://TARGET.example/x',
      'https://files.example:8443/data/1.ndjson',
      'http://cdn.example:80/data/1.ndjson',
    ]) {
      expect(policy.refusal(url, true)).toBeUndefined();
      expect(policy.trusts(url)).toBe(true);
    }
  });

  it('refuses credentials to any other origin: host, scheme or port differ', () => {
    for (const url of [
      'https://other.example/x',
      'http://target.example/x',
      'https://target.example:8443/x',
      'https://files.example/x',
      'https://target.example.evil.example/x',
    ]) {
      const refusal = policy.refusal(url, true);
      expect(refusal?.kind).toBe('credentials');
      expect(refusal?.reason).toContain('--allow-origin');
      expect(refusal?.reason).toContain(new URL(url).origin);
    }
  });

  it('lets a request without credentials go to another origin', () => {
    expect(policy.refusal('https://other.example/x', false)).toBeUndefined();
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://[fe80::1]/', '[fe80::1]'],
    ['http://[fd00:ec2::254]/', '[fd00:ec2::254]'],
    // Other spellings of 169.254.169.254 that URL parsing normalises.
    ['http://0xa9fea9fe/', '169.254.169.254'],
    ['http://2852039166/', '169.254.169.254'],
  ])('never requests %s, with or without credentials', (url, host) => {
    for (const creds of [true, false]) {
      expect(policy.refusal(url, creds)).toEqual({
        kind: 'address',
        reason: `${host} is a link-local or cloud metadata address, which is never requested`,
      });
    }
  });

  it.each(['file:///etc/passwd', 'ftp://target.example/x', 'data:text/plain,hi', 'gopher://target.example/'])(
    'never requests %s (only http and https)',
    (url) => {
      for (const creds of [true, false]) expect(policy.refusal(url, creds)?.kind).toBe('scheme');
    },
  );

  it('refuses a metadata address even when the user allowed it', () => {
    const lax = new OriginPolicy('https://target.example', ['http://169.254.169.254']);
    expect(lax.refusal('http://169.254.169.254/', true)?.kind).toBe('address');
  });
});

describe('guardedLookup', () => {
  const fake =
    (answers: Record<string, string[]>): LookupFunction =>
    (hostname, options, callback) => {
      const addresses = answers[hostname] ?? [];
      if (options.all)
        callback(
          null,
          addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
        );
      else callback(null, addresses[0] ?? '', addresses[0]?.includes(':') ? 6 : 4);
    };
  const lookup = guardedLookup(
    fake({
      'metadata.test': ['169.254.169.254'],
      'mixed.test': ['127.0.0.1', 'fe80::1'],
      'fine.test': ['127.0.0.1'],
    }),
  );
  const run = (host: string, all: boolean) =>
    new Promise<{ err: Error | null; address: unknown }>((resolve) =>
      lookup(host, { all }, (err, address) => resolve({ err, address })),
    );

  it('fails a host name that resolves to a blocked address, in either lookup form', async () => {
    for (const all of [true, false]) {
      const { err } = await run('metadata.test', all);
      expect(err).toBeInstanceOf(BlockedAddressError);
      expect(err?.message).toBe(
        'metadata.test resolves to 169.254.169.254, a link-local or cloud metadata address, which is never requested',
      );
    }
    expect((await run('mixed.test', true)).err).toBeInstanceOf(BlockedAddressError);
  });

  it('passes other answers through', async () => {
    expect(await run('fine.test', true)).toEqual({
      err: null,
      address: [{ address: '127.0.0.1', family: 4 }],
    });
    expect(await run('fine.test', false)).toEqual({ err: null, address: '127.0.0.1' });
  });
});

describe('HttpClient with the origin policy', () => {
  let server: http.Server;
  let base = '';
  const seen: Array<{ url: string; authorization?: string }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({
        url: req.url ?? '',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const TOKEN = 'a-bearer-token-never-to-leak';
  function client(target: string, lookup?: LookupFunction) {
    const redactor = new Redactor();
    redactor.addSecret(TOKEN, 'access-token');
    const log = new ExchangeLog(redactor);
    return {
      http: new HttpClient({ baseUrl: target, log, timeoutMs: 2000, ...(lookup ? { lookup } : {}) }),
      log,
    };
  }

  it('refuses credentials for another origin without sending anything, and records why', async () => {
    // The target is "localhost": the server's 127.0.0.1 is another origin.
    const { http: c, log } = client(base.replace('127.0.0.1', 'localhost'));
    const err = await c
      .send({
        method: 'GET',
        url: `${base}/jobs/1`,
        label: 'poll',
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedRequest);
    expect((err as RefusedRequest).kind).toBe('credentials');
    expect(seen).toEqual([]);
    expect(c.requestCount).toBe(0);
    expect(c.connectionFailures.inARow).toBe(0);
    const ex = log.all()[0]!;
    expect(ex.response).toBeUndefined();
    expect(ex.request.headers.authorization).toBeUndefined();
    expect(ex.error).toMatch(
      /^not sent: credentials go only to the target's origin \(http:\/\/localhost:\d+\)/,
    );
    expect(JSON.stringify(log.all())).not.toContain(TOKEN);
    // Without credentials the same URL may be fetched.
    const res = await c.send({ method: 'GET', url: `${base}/data/1`, label: 'file' });
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ url: '/data/1' }]);
    await c.close();
  });

  it('sends credentials to the target itself', async () => {
    const { http: c } = client(base);
    await c.send({
      method: 'GET',
      url: '/jobs/1',
      label: 'poll',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(seen).toEqual([{ url: '/jobs/1', authorization: `Bearer ${TOKEN}` }]);
    await c.close();
  });

  it('does not glue a URL of another scheme onto the base URL: it refuses it', async () => {
    const { http: c } = client(base);
    await expect(c.send({ method: 'GET', url: 'ftp://127.0.0.1/x', label: 'ftp' })).rejects.toMatchObject({
      kind: 'scheme',
    });
    expect(seen).toEqual([]);
    await c.close();
  });

  it('refuses a host name that resolves to a metadata address, even without credentials', async () => {
    const resolver: LookupFunction = (_host, options, callback) =>
      options.all
        ? callback(null, [{ address: '169.254.169.254', family: 4 }])
        : callback(null, '169.254.169.254', 4);
    const { http: c, log } = client(base, resolver);
    const port = new URL(base).port;
    const err = await c
      .send({ method: 'GET', url: `http://metadata.test:${port}/latest`, label: 'file' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedRequest);
    expect((err as RefusedRequest).kind).toBe('address');
    expect(log.all()[0]?.error).toBe(
      'not sent: metadata.test resolves to 169.254.169.254, a link-local or cloud metadata address, which is never requested',
    );
    expect(c.connectionFailures.inARow).toBe(0);
    await c.close();
  });
});
