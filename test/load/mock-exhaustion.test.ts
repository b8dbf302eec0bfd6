/**
 * One client cannot exhaust the mock: 20,000 kick-offs with long (8 KB) URLs by one organization
 * leave the mock process (a child, measured through /proc) under 300 MB, `GET /jobs` answers
 * within a second and other clients are served meanwhile, and the jobs dropped past the per-ACO
 * cap answer as expired ones.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { SANDBOX_CREDENTIAL } from '../../src/mock/credentials';

jest.setTimeout(90_000);

const ROOT = path.join(__dirname, '..', '..');
const KICKOFFS = 20_000;
const CONCURRENCY = 16;
/** The acceptance bounds, not benchmarks. */
const RSS_BOUND_MB = 300;
const JOBS_LIST_BOUND_MS = 1000;
/** What a client may stuff into a URL; the mock keeps the request URL of every job it retains. */
const PADDING = 'x'.repeat(8000);

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY + 2 });

function call(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, ...options }, (res) => {
      const kept: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes <= 64 * 1024) kept.push(chunk);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          bytes,
          body: Buffer.concat(kept).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const REGISTER = path.join(ROOT, 'test', 'hostile', 'ts-register-cached.js');
/** The children's environment: the transpile cache lives under the temporary directory. */
const CHILD_ENV = {
  PATH: process.env.PATH ?? '',
  ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
};

/**
 * Transpiles the mock's sources into the shared cache in a throwaway process first: a child that
 * has to transpile them itself holds the TypeScript compiler, about 100 MB the mock never uses.
 */
function warmTranspileCache(): Promise<void> {
  const modules = [path.join(ROOT, 'src', 'cli.ts'), path.join(ROOT, 'src', 'mock', 'index.ts')];
  const child = spawn(
    process.execPath,
    ['-r', REGISTER, '-e', modules.map((m) => `require(${JSON.stringify(m)});`).join('')],
    {
      env: CHILD_ENV,
      stdio: 'ignore',
    },
  );
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`warm-up exited ${code}`)))),
  );
}

function startChildMock(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['-r', REGISTER, path.join(ROOT, 'src', 'cli.ts'), 'mock', '--port', '0', '--quiet'],
    { env: CHILD_ENV, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.once('exit', (code) => reject(new Error(`mock exited (${code}): ${stderr}`)));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const m = /listening at (http:\/\/\S+) /.exec(stderr);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
  });
}

describe('the mock against one client making 20,000 kick-offs', () => {
  let child: ChildProcess;
  let url: string;
  let headers: Record<string, string>;
  let peakRssMb = 0;
  let firstJob = '';
  let lastJob = '';

  beforeAll(async () => {
    await warmTranspileCache();
    ({ child, url } = await startChildMock());
    const basic = Buffer.from(`${SANDBOX_CREDENTIAL.clientId}:${SANDBOX_CREDENTIAL.clientSecret}`).toString(
      'base64',
    );
    const token = await call(`${url}/auth/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${basic}` },
    });
    const accessToken = (JSON.parse(token.body) as { access_token: string }).access_token;
    headers = {
      Authorization: `Bearer ${accessToken}`,
      Accept: 'application/fhir+json',
      Prefer: 'respond-async',
    };
    const pid = child.pid ?? -1;
    const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(pid))), 50);
    try {
      let started = 0;
      const kickoff = `${url}/api/v2/Group/all/$export?_type=Patient&padding=${PADDING}`;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (started < KICKOFFS) {
            started++;
            const res = await call(kickoff, { headers });
            if (res.status !== 202) throw new Error(`kick-off answered ${res.status}: ${res.body}`);
            const location = String(res.headers['content-location']);
            if (!firstJob) firstJob = location;
            lastJob = location;
          }
        }),
      );
    } finally {
      clearInterval(sampler);
      peakRssMb = Math.max(peakRssMb, rssMb(pid));
    }
  });

  afterAll(async () => {
    agent.destroy();
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it(`stays under ${RSS_BOUND_MB} MB`, () => {
    expect(peakRssMb).toBeLessThan(RSS_BOUND_MB);
  });

  it(`answers GET /jobs within ${JOBS_LIST_BOUND_MS} ms and serves other clients meanwhile`, async () => {
    const started = Date.now();
    const listing = call(`${url}/api/v2/jobs`, { headers }).then((res) => ({
      res,
      ms: Date.now() - started,
    }));
    const other = call(`${url}/_version`).then((res) => ({ res, ms: Date.now() - started }));
    const [list, version] = await Promise.all([listing, other]);
    expect(list.res.status).toBe(200);
    expect(list.ms).toBeLessThan(JOBS_LIST_BOUND_MS);
    expect(version.res.status).toBe(200);
    expect(version.ms).toBeLessThan(JOBS_LIST_BOUND_MS);
    const total = Number(
      /^\{"resourceType":"Bundle","type":"searchset","total":(\d+),/.exec(list.res.body)?.[1],
    );
    expect(total).toBe(1000);
    expect(rssMb(child.pid ?? -1)).toBeLessThan(RSS_BOUND_MB);
  });

  it('answers for a job dropped past the cap as for an expired one, and still serves the newest', async () => {
    const auth = { Authorization: headers.Authorization! };
    const oldest = await call(firstJob, { headers: auth });
    expect(oldest.status).toBe(410);
    expect(JSON.parse(oldest.body)).toMatchObject({ resourceType: 'OperationOutcome' });
    const cancel = await call(firstJob, { method: 'DELETE', headers: auth });
    expect(cancel.status).toBe(410);
    expect((await call(lastJob, { headers: auth })).status).toBe(202);
  });
});
