/**
 * The mock under load: 100 concurrent clients running full export flows (bench/load-driver.ts)
 * against `bcda-conformance mock` in a child process, so its RSS is the mock's alone. Baseline in
 * the same run: the same mix of flows by one client, one after another. `quick` uses the small
 * ACOs' type subsets; the full run adds whole small exports and the medium ACOs' Patient files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  BENCH_MIX,
  SMALL_MIX,
  checkLoad,
  percentile,
  planFlows,
  runLoad,
  type FlowPlan,
  type LoadResult,
  type LoadTarget,
} from './load-driver';
import type { BenchRow } from './types';

const BENCH = 'mock-load';
const CLIENTS = 100;
const RATE_LIMITED = 8;
const PEAK_RSS_TARGET_MB = 300;
const RSS_GROWTH_TARGET_MB = 200;
/** 100 concurrent clients should get at least this share of one client's flows/s. */
const SPEEDUP_TARGET = 1;

interface ChildMock extends LoadTarget {
  /** Resident set size of the mock process, in MB. */
  rssMb(): number;
  /** Drops every job and rewinds the clock (POST /__mock/reset). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** VmRSS of a process from /proc (Linux); NaN where /proc is missing. */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Starts the built CLI's mock with a frozen clock and the control endpoints; resolves with its URL. */
function startChildMock(seed: number): Promise<ChildMock> {
  const cli = path.join(__dirname, '..', 'src', 'cli.js');
  const args = [cli, 'mock', '--port', '0', '--quiet', '--seed', String(seed), '--control', '--frozen-clock'];
  args.push('--clock-start', '2026-06-15T12:00:00Z', '--token-lifetime', '86400');
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    const onExit = (code: number | null): void =>
      reject(new Error(`mock exited (${code}): ${stderr.trim()}`));
    child.once('exit', onExit);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const m = /listening at (http:\/\/\S+?) \(/.exec(stderr);
      if (!m) return;
      child.off('exit', onExit);
      const url = m[1] as string;
      resolve({
        url,
        rssMb: () => rssOf(child.pid ?? -1),
        advanceClock: async (seconds) => {
          const res = await fetch(`${url}/__mock/clock/advance?seconds=${seconds}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
          });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`clock advance: ${res.status}`);
        },
        reset: async () => {
          const res = await fetch(`${url}/__mock/reset`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
          });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`reset: ${res.status}`);
        },
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** Runs the load while sampling the mock's RSS every 20 ms. */
async function measured(mock: ChildMock, plans: FlowPlan[]): Promise<{ result: LoadResult; peakMb: number }> {
  let peak = mock.rssMb();
  const timer = setInterval(() => (peak = Math.max(peak, mock.rssMb())), 20);
  try {
    const result = await runLoad(mock, plans);
    return { result, peakMb: Math.max(peak, mock.rssMb()) };
  } finally {
    clearInterval(timer);
  }
}

/** One client running the plans one after another (the baseline); each on a reset mock. */
async function sequential(mock: ChildMock, plans: FlowPlan[]): Promise<LoadResult> {
  const started = performance.now();
  const flows = [];
  for (const plan of plans) {
    await mock.reset();
    flows.push(...(await runLoad(mock, [plan])).flows);
  }
  return { flows, wallMs: performance.now() - started, kickoffPhaseMs: 0, clockAdvancedSeconds: 0 };
}

const mbOf = (r: LoadResult): number =>
  r.flows.reduce((n, f) => n + f.files.reduce((a, x) => a + x.bytes, 0), 0) / 1e6;

export async function runBench({ quick }: { quick: boolean }): Promise<BenchRow[]> {
  const mix = quick ? SMALL_MIX : BENCH_MIX;
  const scope = quick ? 'small mix' : 'full mix';
  const mock = await startChildMock(11);
  try {
    // Baseline (and warm-up): each flow of the mix once, by a single client.
    const single = planFlows(mix.length, 0, mix);
    const one = await sequential(mock, single);
    await mock.reset();
    const idleMb = mock.rssMb();
    const plans = planFlows(CLIENTS, RATE_LIMITED, mix);
    const { result, peakMb } = await measured(mock, plans);
    const problems = [...one.flows.flatMap((f) => f.problems), ...checkLoad(result)];
    if (problems.length) throw new Error(`${problems.length} problem(s), first: ${problems[0]}`);

    const seconds = result.wallMs / 1000;
    const oneRate = one.flows.length / (one.wallMs / 1000);
    const rate = result.flows.length / seconds;
    const oneMbps = mbOf(one) / (one.wallMs / 1000);
    const mb = mbOf(result);
    const latencies = result.flows.map((f) => f.latencyMs);
    const tooMany = result.flows.reduce((n, f) => n + f.tooManyRequests, 0);
    const baseline = `1 client, ${scope}: flows/s`;
    const baselineMb = `1 client, ${scope}: MB/s`;
    return [
      { bench: BENCH, metric: baseline, value: oneRate, unit: 'flows/s' },
      { bench: BENCH, metric: baselineMb, value: oneMbps, unit: 'MB/s' },
      {
        bench: BENCH,
        metric: `${CLIENTS} clients, ${scope}: flows`,
        value: result.flows.length,
        unit: 'flows',
      },
      {
        bench: BENCH,
        metric: `${CLIENTS} clients, ${scope}: flows/s`,
        value: rate,
        unit: 'flows/s',
        baseline,
        ratio: rate / oneRate,
        target: `>= ${SPEEDUP_TARGET} x baseline`,
        pass: rate / oneRate >= SPEEDUP_TARGET,
      },
      {
        bench: BENCH,
        metric: `${CLIENTS} clients: token + kick-offs/s (until the last kick-off)`,
        value: CLIENTS / (result.kickoffPhaseMs / 1000),
        unit: 'kick-offs/s',
      },
      { bench: BENCH, metric: `${CLIENTS} clients, ${scope}: NDJSON downloaded`, value: mb, unit: 'MB' },
      {
        bench: BENCH,
        metric: `${CLIENTS} clients, ${scope}: MB/s`,
        value: mb / seconds,
        unit: 'MB/s',
        baseline: baselineMb,
        ratio: mb / seconds / oneMbps,
      },
      {
        bench: BENCH,
        metric: `${CLIENTS} clients: flow latency p50`,
        value: percentile(latencies, 50),
        unit: 'ms',
      },
      {
        bench: BENCH,
        metric: `${CLIENTS} clients: flow latency p95`,
        value: percentile(latencies, 95),
        unit: 'ms',
      },
      {
        bench: BENCH,
        metric: `${CLIENTS} clients: 429s (duplicate kick-offs on SBXBM0002)`,
        value: tooMany,
        unit: 'responses',
        target: `= ${RATE_LIMITED}`,
        pass: tooMany === RATE_LIMITED,
      },
      {
        bench: BENCH,
        metric: `${CLIENTS} clients: mock peak RSS (child process)`,
        value: peakMb,
        unit: 'MB',
        target: `< ${PEAK_RSS_TARGET_MB} MB`,
        pass: peakMb < PEAK_RSS_TARGET_MB,
      },
      {
        bench: BENCH,
        metric: `${CLIENTS} clients: mock RSS growth over idle (${idleMb.toFixed(0)} MB)`,
        value: peakMb - idleMb,
        unit: 'MB',
        target: `< ${RSS_GROWTH_TARGET_MB} MB`,
        pass: peakMb - idleMb < RSS_GROWTH_TARGET_MB,
      },
    ];
  } finally {
    await mock.close();
  }
}
