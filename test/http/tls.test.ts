/**
 * Transport security in the HTTP client: the TLS version each https exchange went over, the
 * certificates --ca adds to the trusted ones, and the bare handshake TLS-OLD-REFUSED makes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpClient, TransportError } from '../../src/http/client';
import { ExchangeLog } from '../../src/http/exchange';
import { isTls12OrLater } from '../../src/http/negotiated-tls';
import { Redactor } from '../../src/http/redaction';
import { tryHandshake } from '../../src/http/tls-probe';
import { readCaFile } from '../../src/config/ca-file';
import { startMock, type MockServer } from '../../src/mock';
import { testTlsDir, testTlsFiles } from '../../src/mock/tls';

function client(baseUrl: string, ca?: string) {
  const log = new ExchangeLog(new Redactor());
  return { http: new HttpClient({ baseUrl, log, timeoutMs: 5_000, ...(ca ? { ca } : {}) }), log };
}

describe('HttpClient over TLS', () => {
  let tlsMock: MockServer;
  let plainMock: MockServer;
  beforeAll(async () => {
    [tlsMock, plainMock] = await Promise.all([startMock({ tls: true }), startMock()]);
  });
  afterAll(async () => {
    await Promise.all([tlsMock.close(), plainMock.close()]);
  });

  it('records the negotiated TLS version of every https exchange, kept-alive connections too', async () => {
    expect(tlsMock.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { http, log } = client(tlsMock.url, testTlsFiles().ca);
    try {
      const res = await http.send({ method: 'GET', url: '/_version', label: 'a closed connection' });
      expect(res.status).toBe(200);
      // /auth/ answers keep the connection open: the second request goes over the same socket.
      for (const label of ['first', 'second']) {
        const token = await http.send({ method: 'POST', url: '/auth/token', label });
        expect(token.status).toBeGreaterThanOrEqual(400);
        expect(token.headers.connection).not.toBe('close');
      }
    } finally {
      await http.close();
    }
    expect(log.all().map((x) => x.tls)).toEqual(['TLSv1.3', 'TLSv1.3', 'TLSv1.3']);
  });

  it('records nothing over plain http', async () => {
    const { http, log } = client(plainMock.url);
    try {
      await http.send({ method: 'GET', url: '/_version', label: 'plain' });
    } finally {
      await http.close();
    }
    expect(log.all()[0]?.tls).toBeUndefined();
  });

  it('refuses a certificate it cannot verify unless --ca trusts its CA', async () => {
    const { http, log } = client(tlsMock.url);
    try {
      await expect(http.send({ method: 'GET', url: '/_version', label: 'untrusted' })).rejects.toThrow(
        TransportError,
      );
    } finally {
      await http.close();
    }
    expect(log.all()[0]?.error).toMatch(/certificate/i);
    expect(log.all()[0]?.tls).toBeUndefined();
    // The system's CAs stay trusted alongside the extra ones (a public server still verifies).
    const { http: trusting } = client(tlsMock.url, readCaFile(path.join(testTlsDir(), 'ca.pem')));
    try {
      expect((await trusting.send({ method: 'GET', url: '/_version', label: 'trusted' })).status).toBe(200);
    } finally {
      await trusting.close();
    }
  });

  it('a bare handshake: refused when capped at TLS 1.1, completed otherwise; accepted under the fault', async () => {
    const at = { host: '127.0.0.1', port: tlsMock.port, timeoutMs: 5_000 };
    expect(await tryHandshake(at)).toEqual({ kind: 'connected', protocol: 'TLSv1.3' });
    expect(await tryHandshake({ ...at, olderThanTls12: true })).toMatchObject({ kind: 'refused' });
    tlsMock.setFaults(['tls-accepts-tls11']);
    try {
      expect(await tryHandshake({ ...at, olderThanTls12: true })).toEqual({
        kind: 'connected',
        protocol: 'TLSv1.1',
      });
    } finally {
      tlsMock.setFaults([]);
    }
    // No TLS on the other end, and nobody listening: no answer either way, so nothing to judge.
    expect(await tryHandshake({ ...at, port: plainMock.port, olderThanTls12: true })).not.toMatchObject({
      kind: 'connected',
    });
  });
});

describe('readCaFile (--ca)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ca-'));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('reads the PEM certificates of a bundle', () => {
    const pem = readCaFile(path.join(testTlsDir(), 'ca.pem'));
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/);
  });

  it('says in one line what is wrong with the file, naming it', () => {
    expect(() => readCaFile(path.join(dir, 'missing.pem'))).toThrow(/^--ca .*missing\.pem: no such file$/);
    expect(() => readCaFile(dir)).toThrow(/: is a directory$/);
    expect(() => readCaFile(file('key.pem', testTlsFiles().key))).toThrow(/: holds no PEM certificate/);
    expect(() =>
      readCaFile(file('broken.pem', '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n')),
    ).toThrow(/: certificate 1 of 1 cannot be parsed$/);
  });
});

describe('isTls12OrLater', () => {
  it.each([
    ['TLSv1.3', true],
    ['TLSv1.2', true],
    ['TLSv1.1', false],
    ['TLSv1', false],
    ['SSLv3', false],
    ['unknown', undefined],
  ])('%s → %s', (protocol, expected) => {
    expect(isTls12OrLater(protocol)).toBe(expected);
  });
});
