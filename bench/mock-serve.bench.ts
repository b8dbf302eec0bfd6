/**
 * Serving speed of the mock: the extra-large ACO's (A9993) export downloaded plain and gzip over
 * a real socket (MB/s of NDJSON, peak RSS, target < 300 MB), and kick-off / status requests per
 * second under concurrency. `quick` serves a subset of the files and fewer requests.
 */
import { Agent, get } from 'node:http';
import { startMock, type MockServer } from '../src/mock';
import { BUILT_IN_CREDENTIALS } from '../src/mock/credentials';
import type { BenchRow } from './types';

const BENCH = 'mock-serve';
const RSS_TARGET_MB = 300;

type Manifest = { output: Array<{ type: string; url: string }>; error: Array<{ type: string; url: string }> };

function basic(cmsId: string): string {
  const c = BUILT_IN_CREDENTIALS.find((cr) => cr.cmsId === cmsId);
  if (!c) throw new Error(`no credentials for ${cmsId}`);
  return `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
}

async function token(server: MockServer, cmsId: string): Promise<string> {
  const res = await fetch(`${server.url}/auth/token`, {
    method: 'POST',
    headers: { Authorization: basic(cmsId) },
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Downloads one URL, counting body bytes without keeping them. */
function fetchBytes(url: string, headers: Record<string, string>, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers, agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${url}: ${res.statusCode}`));
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => resolve(n));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Runs `work` over `items` with `concurrency` workers; returns elapsed seconds. */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Highest RSS seen while `fn` runs (sampled every 20 ms). */
async function peakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakMb: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

/** The files to serve: all of them, or in quick mode the first few of each type. */
function pickFiles(manifest: Manifest, quick: boolean): string[] {
  const all = [...manifest.output, ...manifest.error];
  if (!quick) return all.map((f) => f.url);
  const perType = new Map<string, number>();
  return all
    .filter((f) => {
      const n = perType.get(f.type) ?? 0;
      perType.set(f.type, n + 1);
      return n < (f.type === 'ExplanationOfBenefit' ? 8 : 1);
    })
    .map((f) => f.url);
}

export async function runBench({ quick }: { quick: boolean }): Promise<BenchRow[]> {
  // An effectively instant job speed: the bench measures serving, not the simulated job time.
  const server = await startMock({ quiet: true, jobSpeed: 1e6, seed: 1 });
  const rows: BenchRow[] = [];
  try {
    const t = await token(server, 'A9993');
    const headers = {
      Authorization: `Bearer ${t}`,
      Accept: 'application/fhir+json',
      Prefer: 'respond-async',
    };
    const kick = await fetch(`${server.url}/api/v2/Group/all/$export`, { headers });
    const location = kick.headers.get('content-location') ?? '';
    let status = await fetch(location, { headers });
    while (status.status === 202) {
      await new Promise((r) => setTimeout(r, 10));
      status = await fetch(location, { headers });
    }
    const urls = pickFiles((await status.json()) as Manifest, quick);
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const scope = quick ? `A9993 subset (${urls.length} files)` : `A9993 full export (${urls.length} files)`;

    let plainBytes = 0;
    const plain = await peakRss(() =>
      pool(urls, 4, async (url) => {
        plainBytes += await fetchBytes(url, { Authorization: `Bearer ${t}` }, agent);
      }),
    );
    let gzipBytes = 0;
    const gzip = await peakRss(() =>
      pool(urls, 4, async (url) => {
        gzipBytes += await fetchBytes(
          url,
          { Authorization: `Bearer ${t}`, 'Accept-Encoding': 'gzip' },
          agent,
        );
      }),
    );
    agent.destroy();
    const mb = plainBytes / 1024 / 1024;
    const plainRate = mb / plain.result;
    const gzipRate = mb / gzip.result;
    rows.push(
      { bench: BENCH, metric: `${scope}: NDJSON size`, value: mb, unit: 'MB' },
      { bench: BENCH, metric: `${scope}: plain, 4 downloads at a time`, value: plainRate, unit: 'MB/s' },
      {
        bench: BENCH,
        metric: `${scope}: gzip, 4 downloads at a time (NDJSON MB/s)`,
        value: gzipRate,
        unit: 'MB/s',
        baseline: `${scope}: plain, 4 downloads at a time`,
        ratio: gzipRate / plainRate,
      },
      {
        bench: BENCH,
        metric: `${scope}: gzip size / plain size`,
        value: gzipBytes / Math.max(plainBytes, 1),
        unit: 'ratio',
      },
    );
    const peakMb = Math.max(plain.peakMb, gzip.peakMb);
    rows.push({
      bench: BENCH,
      metric: `${scope}: peak RSS while serving (server and client in one process)`,
      value: peakMb,
      unit: 'MB',
      target: `< ${RSS_TARGET_MB} MB`,
      pass: peakMb < RSS_TARGET_MB,
    });

    // Request rates: A9994 is a test ACO (never 429), 20 clients at a time.
    const small = await token(server, 'A9994');
    const smallHeaders = {
      Authorization: `Bearer ${small}`,
      Accept: 'application/fhir+json',
      Prefer: 'respond-async',
    };
    const n = quick ? 300 : 3000;
    const ids: string[] = [];
    const kickSeconds = await pool(
      Array.from({ length: n }, (_, i) => i),
      20,
      async () => {
        const res = await fetch(`${server.url}/api/v2/Patient/$export`, { headers: smallHeaders });
        if (res.status !== 202) throw new Error(`kick-off ${res.status}`);
        ids.push(res.headers.get('content-location') ?? '');
      },
    );
    const pollSeconds = await pool(ids, 20, async (url) => {
      const res = await fetch(url, { headers: { Authorization: `Bearer ${small}` } });
      await res.arrayBuffer();
    });
    rows.push(
      {
        bench: BENCH,
        metric: 'kick-off requests/s (20 concurrent clients)',
        value: n / kickSeconds,
        unit: 'req/s',
      },
      {
        bench: BENCH,
        metric: 'status polls/s (20 concurrent clients)',
        value: ids.length / pollSeconds,
        unit: 'req/s',
        baseline: 'kick-off requests/s (20 concurrent clients)',
        ratio: ids.length / pollSeconds / (n / kickSeconds),
      },
    );
  } finally {
    await server.close();
  }
  return rows;
}
