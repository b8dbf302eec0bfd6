/**
 * Over a real listening socket: the seed's curl session end to end, raw gzip bytes, 50
 * concurrent clients each running a full export, and connections closed when idle or slow.
 */
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { buildMockApp, mockContextOf, startMock, type MockServer } from '../../src/mock';
import { BUILT_IN_CREDENTIALS, SANDBOX_CREDENTIAL } from '../../src/mock/credentials';
import { rawExchange, type RawAnswer } from './raw';

const SEED_BASIC =
  'Basic Mzg0MWM1OTQtYThjMC00MWU1LTk4Y2MtMzhiYjQ1MzYwZDNjOmY5NzgwZDMyMzU4OGYxY2RmYzNlNjNlOTVhOGNiZGNkZDQ3NjAyZmY0OGE1MzdiNTFkYzVkNzgzNGJmNDY2NDE2YTcxNmJkNDUwOGU5MDRh';

/** Raw GET over node:http: status, headers and the body bytes exactly as sent. */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function tokenWith(server: MockServer, basic: string): Promise<string> {
  const res = await fetch(`${server.url}/auth/token`, {
    method: 'POST',
    headers: { Authorization: basic, Accept: 'application/json' },
  });
  if (res.status !== 200) throw new Error(`token: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

type Manifest = {
  output: Array<{ type: string; url: string }>;
  error: Array<{ type: string; url: string }>;
  request: string;
};

async function pollToDone(url: string, token: string, intervalMs: number): Promise<Response> {
  for (let i = 0; i < 400; i++) {
    const res = await fetch(url, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json' },
    });
    if (res.status !== 202) return res;
    expect(res.headers.get('x-progress')).toMatch(/^(Pending|In Progress, \d{1,3}%)$/);
    await res.arrayBuffer();
    await sleep(intervalMs);
  }
  throw new Error('job did not finish');
}

describe('mock over a real socket', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMock({ port: 0, quiet: true });
  });
  afterAll(() => server.close());

  it('runs the seed curl session: token, Group/all export, poll to 200, download plain and gzip, cancel another job', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.credentials).toContainEqual(SANDBOX_CREDENTIAL);
    const token = await tokenWith(server, SEED_BASIC);
    const headers = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/fhir+json',
      Prefer: 'respond-async',
    };
    const kick = await fetch(`${server.url}/api/v2/Group/all/$export`, { headers });
    expect(kick.status).toBe(202);
    const location = kick.headers.get('content-location') ?? '';
    expect(location).toMatch(new RegExp(`^${server.url}/api/v2/jobs/\\d+$`));

    const started = Date.now();
    const done = await pollToDone(location, token, 100);
    const elapsed = Date.now() - started;
    expect(done.status).toBe(200);
    // Default speed: about two seconds for A9994 (loose bounds, this is not a timing test).
    expect(elapsed).toBeGreaterThan(1000);
    const manifest = (await done.json()) as Manifest;
    expect(manifest.request).toBe(`${server.url}/api/v2/Group/all/$export`);

    for (const entry of [...manifest.output, ...manifest.error]) {
      const plain = await rawGet(entry.url, { Authorization: `Bearer ${token}` });
      expect(plain.status).toBe(200);
      expect(plain.headers['content-type']).toBe('application/fhir+ndjson');
      expect(plain.headers['content-encoding']).toBeUndefined();
      const zipped = await rawGet(entry.url, { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'gzip' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect([zipped.body[0], zipped.body[1]]).toEqual([0x1f, 0x8b]);
      expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    }

    const second = await fetch(`${server.url}/api/v2/Patient/$export`, { headers });
    const secondUrl = second.headers.get('content-location') ?? '';
    const cancel = await fetch(secondUrl, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(cancel.status).toBe(202);
    const after = await fetch(secondUrl, { headers: { Authorization: `Bearer ${token}` } });
    expect(after.status).toBe(404);
    expect(((await after.json()) as { issue: Array<{ diagnostics: string }> }).issue[0]?.diagnostics).toBe(
      'Job has been cancelled.',
    );
  }, 20_000);
});

describe('50 concurrent clients', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMock({ port: 0, quiet: true, jobSpeed: 10, seed: 42 });
  });
  afterAll(() => server.close());

  it('each runs a full export and gets exactly its own data', async () => {
    const ctx = mockContextOf(server.app);
    const acos = ['A9994', 'TEST001', 'SBXBM0002'];
    const versions = ['v1', 'v2', 'v3'];
    const types = ['', '?_type=Patient', '?_type=Coverage,ExplanationOfBenefit'];

    const client = async (i: number) => {
      const cmsId = acos[i % acos.length] ?? 'A9994';
      const cred = BUILT_IN_CREDENTIALS.find((c) => c.cmsId === cmsId);
      if (!cred) throw new Error(cmsId);
      // SBXBM0002 is rate-limited per version: give each of its clients a distinct request.
      const version = versions[Math.floor(i / 3) % 3] ?? 'v2';
      const query = cmsId === 'SBXBM0002' ? `?_type=Patient&client=${i}` : (types[i % types.length] ?? '');
      const token = await tokenWith(
        server,
        `Basic ${Buffer.from(`${cred.clientId}:${cred.clientSecret}`).toString('base64')}`,
      );
      const headers = {
        Authorization: `Bearer ${token}`,
        Accept: 'application/fhir+json',
        Prefer: 'respond-async',
      };
      let kick = await fetch(`${server.url}/api/${version}/Group/all/$export${query}`, { headers });
      while (kick.status === 429) {
        await sleep(50);
        kick = await fetch(`${server.url}/api/${version}/Group/all/$export${query}`, { headers });
      }
      expect(kick.status).toBe(202);
      const location = kick.headers.get('content-location') ?? '';
      const jobId = Number(location.split('/').pop());
      const done = await pollToDone(location, token, 50);
      expect(done.status).toBe(200);
      const manifest = (await done.json()) as Manifest;
      const job = ctx.jobs.get(jobId);
      if (!job) throw new Error(`job ${jobId} missing`);
      expect(job.cmsId).toBe(cmsId);
      const planned = ctx.generator.planExport(job.spec);
      expect(manifest.output.length + manifest.error.length).toBe(planned.length);
      for (const file of planned) {
        const url = `${server.url}/data/${jobId}/${file.name}`;
        const res = await rawGet(url, {
          Authorization: `Bearer ${token}`,
          'Accept-Encoding': i % 2 ? 'gzip' : 'identity',
        });
        expect(res.status).toBe(200);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.body) : res.body;
        const expected = [...ctx.generator.fileLines(job.spec, file)].map((l) => `${l}\n`).join('');
        expect(body.toString('utf8')).toBe(expected);
      }
      return jobId;
    };

    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => client(i)));
    expect(new Set(ids).size).toBe(50);
  }, 60_000);
});

describe('broken-download faults over a real socket', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMock({ port: 0, quiet: true, jobSpeed: 100 });
  });
  afterAll(() => server.close());

  async function firstFileUrl(token: string): Promise<string> {
    const headers = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/fhir+json',
      Prefer: 'respond-async',
    };
    const kick = await fetch(`${server.url}/api/v2/Patient/$export?_type=Patient`, { headers });
    const done = await pollToDone(kick.headers.get('content-location') ?? '', token, 20);
    return ((await done.json()) as Manifest).output[0]?.url ?? '';
  }

  it('download-truncated cuts the connection mid-body; download-bad-gzip sends plain bytes labelled gzip', async () => {
    const token = await tokenWith(server, SEED_BASIC);
    server.setFaults(['download-truncated']);
    const url = await firstFileUrl(token);
    await expect(rawGet(url, { Authorization: `Bearer ${token}` })).rejects.toThrow(
      /aborted|socket hang up|ECONNRESET/,
    );
    server.setFaults(['download-bad-gzip']);
    const res = await rawGet(url, { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(() => gunzipSync(res.body)).toThrow();
    server.setFaults([]);
  });
});

describe('idle and slow connections', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMock({
      port: 0,
      quiet: true,
      headersTimeoutMs: 400,
      requestTimeoutMs: 800,
      keepAliveTimeoutMs: 300,
    });
  });
  afterAll(() => server.close());

  /** The server must close within this; the wait itself runs a second longer. */
  const CLOSED_WITHIN_MS = 3000;
  const expectClosed = (answer: RawAnswer): void => {
    expect(answer.closed).toBe(true);
    expect(answer.ms).toBeLessThan(CLOSED_WITHIN_MS);
  };

  it('closes a connection that never sends a byte', async () => {
    const answer = await rawExchange(server.port, '', CLOSED_WITHIN_MS + 1000);
    expectClosed(answer);
    expect(answer.text).toBe('');
  });

  it('closes a connection whose request head stops half way, or drips in', async () => {
    expectClosed(
      await rawExchange(server.port, 'GET /api/v2/metadata HTTP/1.1\r\nHost: x\r\n', CLOSED_WITHIN_MS + 1000),
    );
    let timer: NodeJS.Timeout | undefined;
    const dripped = await rawExchange(server.port, 'G', CLOSED_WITHIN_MS + 1000, {
      onSocket: (socket) => {
        const rest = 'ET /api/v2/metadata HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(100);
        let i = 0;
        timer = setInterval(() => {
          if (!socket.destroyed && i < rest.length) socket.write(rest[i++] ?? '');
        }, 50);
      },
    });
    clearInterval(timer);
    expectClosed(dripped);
    expect(dripped.status).toBeUndefined();
  });

  it('closes a connection whose request body stops half way', async () => {
    const head = `POST /auth/token HTTP/1.1\r\nHost: x\r\nAuthorization: ${SEED_BASIC}\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n`;
    const answer = await rawExchange(server.port, `${head}0123456789`, CLOSED_WITHIN_MS + 1000);
    expectClosed(answer);
    expect(answer.status).toBeUndefined();
  });

  it('serves a second request on a kept-alive connection, then closes it when idle', async () => {
    const request = `POST /auth/token HTTP/1.1\r\nHost: x\r\nAuthorization: ${SEED_BASIC}\r\n\r\n`;
    let sent = 0;
    const answer = await rawExchange(server.port, request, CLOSED_WITHIN_MS + 1000, {
      onSocket: (socket) =>
        socket.on('data', () => {
          // The second request goes out on the same connection once the first answer is in.
          if (sent++ === 0) setTimeout(() => socket.write(request), 100);
        }),
    });
    expectClosed(answer);
    expect(answer.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
  });

  it('has timeouts by default: 30 s for a request head and a whole request, 5 s idle keep-alive', async () => {
    const app = await buildMockApp();
    try {
      expect([app.server.headersTimeout, app.server.requestTimeout, app.server.keepAliveTimeout]).toEqual([
        30_000, 30_000, 5_000,
      ]);
    } finally {
      await app.close();
    }
  });
});
