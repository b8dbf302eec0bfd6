/**
 * Secret scan: runs the engine against a started mock (a non-sandbox target, so the privacy rules
 * apply) with known, freshly made credentials, captures every access_token the mock issued, and
 * scans every written report file and all console output for any of them.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildMockApp, mockContextOf } from '../../src/mock';
import type { RunReport } from '../../src/engine/results';
import { runAndWrite, type TestRun } from './run-helpers';

jest.setTimeout(120_000);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** The forms a credential can leak in: as is, URL-encoded, and a JWT's signature on its own. */
function forms(secret: string): string[] {
  const out = [secret, encodeURIComponent(secret)];
  const parts = secret.split('.');
  if (parts.length === 3 && parts[2] && parts[2].length >= 16) out.push(parts[2]);
  return out;
}

describe('no output carries a credential', () => {
  let app: FastifyInstance;
  let baseUrl: string;
  const issued: string[] = [];
  const clientId = `scan-${randomBytes(6).toString('hex')}`;
  const clientSecret = `S3cret-${randomBytes(24).toString('hex')}`;
  const secrets: Array<{ what: string; value: string }> = [];
  const runs: TestRun[] = [];
  const captured: string[] = [];
  const writes = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };

  beforeAll(async () => {
    // At the embedded mock's job speed: a whole run at the normal speed took 40 s.
    app = await buildMockApp({
      quiet: true,
      jobSpeed: 4,
      extraAcos: [{ cmsId: 'A9994', clientId, clientSecret }],
    });
    // Every token the mock hands out, taken from the /auth/token responses themselves.
    app.addHook('onSend', async (request, _reply, payload) => {
      const text =
        typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
      if (request.url.startsWith('/auth/token')) {
        const token = /"access_token"\s*:\s*"([^"]+)"/.exec(text)?.[1];
        if (token) issued.push(token);
      }
      return payload;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const creds = mockContextOf(app).credentials;
    const other = creds.find((c) => c.cmsId === 'A9990')!;
    const limited = creds.find((c) => c.cmsId === 'SBXBM0002')!;
    for (const c of [{ clientId, clientSecret }, other, limited]) {
      secrets.push({ what: `client secret of ${c.clientId}`, value: c.clientSecret });
      secrets.push({
        what: `Basic credential of ${c.clientId}`,
        value: Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64'),
      });
    }
    // Anything the process prints while the runs go, too.
    const capture =
      (orig: typeof writes.stdout) =>
      (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        captured.push(String(chunk));
        return (orig as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
      };
    process.stdout.write = capture(writes.stdout) as typeof process.stdout.write;
    process.stderr.write = capture(writes.stderr) as typeof process.stderr.write;
    try {
      runs.push(
        await runAndWrite(
          {
            target: baseUrl,
            clientId,
            clientSecret,
            otherClientId: other.clientId,
            otherClientSecret: other.clientSecret,
            rateLimitedClientId: limited.clientId,
            rateLimitedClientSecret: limited.clientSecret,
            timeoutSeconds: 60,
          },
          'report-secrets-',
        ),
      );
      // A run given a bearer token directly (--token) must not leak it either.
      const res = await fetch(`${baseUrl}/auth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          accept: 'application/json',
        },
      });
      expect(res.status).toBe(200);
      runs.push(
        await runAndWrite(
          { target: baseUrl, token: issued[issued.length - 1], suites: ['metadata', 'auth', 'attribution'] },
          'report-token-',
        ),
      );
    } finally {
      process.stdout.write = writes.stdout;
      process.stderr.write = writes.stderr;
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  test('the runs used the known credentials and the mock issued tokens', () => {
    expect(issued.length).toBeGreaterThan(2);
    expect(runs[0]!.outcome.report.summary.counts.pass).toBeGreaterThan(20);
    expect(
      runs[0]!.outcome.report.exchanges.some(
        (x) => x.request.url.endsWith('/auth/token') && x.response?.status === 200,
      ),
    ).toBe(true);
  });

  test('no report file and no console output contains a secret, Basic credential or issued token', () => {
    const all = [
      ...secrets,
      ...[...new Set(issued)].map((t, i) => ({ what: `access_token #${i + 1}`, value: t })),
    ];
    const outputs: Array<{ where: string; text: string }> = [
      ...runs.flatMap((r) => filesUnder(r.dir).map((f) => ({ where: f, text: readFileSync(f, 'utf8') }))),
      ...runs.map((r, i) => ({ where: `console of run ${i + 1}`, text: r.consoleText })),
      { where: 'process stdout/stderr', text: captured.join('') },
    ];
    expect(outputs.filter((o) => o.where.endsWith('.html')).length).toBe(2);
    const leaks = outputs.flatMap((o) =>
      all.filter((s) => forms(s.value).some((f) => o.text.includes(f))).map((s) => `${s.what} in ${o.where}`),
    );
    expect(leaks).toEqual([]);
  });

  test('against a non-sandbox target, reports keep no resource content', () => {
    const report = runs[0]!.outcome.report;
    expect(report.run.privacy?.syntheticTarget).toBe(false);
    expect(report.run.privacy?.includeSamples).toBe(false);
    const onDisk = JSON.parse(readFileSync(runs[0]!.files.json, 'utf8')) as RunReport;
    const dataBodies = onDisk.exchanges.filter(
      (x) => /\/data\//.test(x.request.url) && x.response?.status === 200 && x.response.body !== undefined,
    );
    expect(dataBodies.map((x) => x.id)).toEqual([]);
    for (const file of [runs[0]!.files.json, runs[0]!.files.html, runs[0]!.files.junit]) {
      const text = readFileSync(file, 'utf8');
      expect(text).not.toMatch(
        /"resourceType"\s*:\s*"(Patient|ExplanationOfBenefit|Coverage|Claim|ClaimResponse)"/,
      );
      expect(text).not.toMatch(/\\"resourceType\\"\s*:\s*\\"(Patient|ExplanationOfBenefit|Coverage)\\"/);
    }
  });
});
