/**
 * The transport checks of bulkdata@2: TLS-VERSION judges the exchanges the run recorded, and
 * TLS-OLD-REFUSED makes a handshake capped at TLS 1.1. Against the embedded mock over HTTPS (clean:
 * pass; under the fault: fail), over plain http (loopback: skip), and a separately started HTTPS
 * mock trusted through --ca.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CheckContext } from '../../src/checks/context';
import { metadataTlsChecks } from '../../src/checks/metadata';
import { loadConfig, type RawSettings } from '../../src/config/config';
import { ExchangeLog, type Exchange } from '../../src/http/exchange';
import { Redactor } from '../../src/http/redaction';
import { startMock } from '../../src/mock';
import { testTlsDir } from '../../src/mock/tls';
import { runConformance } from '../../src/run/run-conformance';
import { MAIN_CREDENTIALS } from './separate-mock';

const IDS = ['TLS-VERSION', 'TLS-OLD-REFUSED'] as const;

/** The outcome of each TLS check in a run with `settings` (the embedded mock unless a target is given). */
async function tlsOutcomes(settings: RawSettings): Promise<Record<string, string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tls-checks-'));
  const config = loadConfig(
    { grep: 'TLS-', outDir: path.join(dir, 'reports'), timeoutSeconds: 45, ...settings },
    {},
    dir,
  );
  const { report } = await runConformance(config);
  return Object.fromEntries(
    IDS.map((id) => [id, report.results.find((r) => r.id === id)?.outcome ?? 'not run']),
  );
}

describe('the TLS checks against the mock', () => {
  it('pass against the embedded mock over HTTPS', async () => {
    expect(await tlsOutcomes({ mockTls: true })).toEqual({
      'TLS-VERSION': 'pass',
      'TLS-OLD-REFUSED': 'pass',
    });
  });

  it('TLS-OLD-REFUSED fails when the listener accepts TLS 1.1 (the fault embeds the mock over HTTPS)', async () => {
    expect(await tlsOutcomes({ mockFaults: ['tls-accepts-tls11'] })).toEqual({
      'TLS-VERSION': 'pass',
      'TLS-OLD-REFUSED': 'fail',
    });
  });

  it('skip, not pass, against a loopback target over plain http', async () => {
    expect(await tlsOutcomes({})).toEqual({ 'TLS-VERSION': 'skip', 'TLS-OLD-REFUSED': 'skip' });
  });

  it('judge a separately started HTTPS mock trusted through --ca', async () => {
    const mock = await startMock({ tls: true });
    try {
      const outcomes = await tlsOutcomes({
        ...MAIN_CREDENTIALS,
        target: mock.url,
        ca: path.join(testTlsDir(), 'ca.pem'),
      });
      expect(outcomes).toEqual({ 'TLS-VERSION': 'pass', 'TLS-OLD-REFUSED': 'pass' });
    } finally {
      await mock.close();
    }
  });
});

describe('TLS-VERSION on recorded exchanges', () => {
  const check = metadataTlsChecks.find((c) => c.id === 'TLS-VERSION')!;

  function judge(target: string, exchanges: Array<Partial<Exchange> & { url: string }>) {
    const log = new ExchangeLog(new Redactor());
    for (const x of exchanges) {
      log.add({
        id: log.nextId(),
        label: 'a request',
        request: { method: 'GET', url: x.url, headers: {} },
        ...(x.error
          ? { error: x.error }
          : { response: { status: 200, headers: {}, bodyBytes: 0, bodyTruncated: false } }),
        ...(x.tls ? { tls: x.tls } : {}),
        startedAt: new Date(0).toISOString(),
        durationMs: 1,
      });
    }
    return check.run({ config: { target }, log } as unknown as CheckContext);
  }

  it('passes when every https exchange negotiated TLS 1.2 or later', async () => {
    const result = await judge('https://bcda.test', [
      { url: 'https://bcda.test/auth/token', tls: 'TLSv1.2' },
      { url: 'https://bcda.test/api/v2/Group/all/$export', tls: 'TLSv1.3' },
    ]);
    expect(result).toMatchObject({
      outcome: 'pass',
      message: '2 https exchanges went over TLSv1.2, TLSv1.3',
    });
  });

  it('fails an exchange over an older protocol, and one addressed over plain http even when not sent', async () => {
    const result = await judge('https://bcda.test', [
      { url: 'https://bcda.test/auth/token', tls: 'TLSv1.1' },
      { url: 'http://bcda.test/api/v2/jobs/1', error: 'not sent: credentials go only to the target' },
    ]);
    expect(result.outcome).toBe('fail');
    expect(result.message).toMatch(
      /1 exchanges addressed over plain http: x0002 GET http:\/\/bcda\.test\/api\/v2\/jobs\/1 \(not sent\)/,
    );
    expect(result.message).toMatch(/older than TLS 1\.2: x0001 .* over TLSv1\.1/);
    expect(result.evidence).toEqual(['x0002', 'x0001']);
  });

  it('fails a target reached over plain http that is not a loopback address', async () => {
    const result = await judge('http://bcda.test', [{ url: 'http://bcda.test/auth/token' }]);
    expect(result.outcome).toBe('fail');
  });

  it('skips when no exchange recorded its TLS version, and a loopback target over plain http', async () => {
    expect(
      (await judge('https://bcda.test', [{ url: 'https://bcda.test/x', error: 'connection refused' }]))
        .outcome,
    ).toBe('skip');
    for (const target of ['http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010'])
      expect((await judge(target, [{ url: `${target}/auth/token` }])).outcome).toBe('skip');
  });
});
