/** Runs verify jobs on a small pool of worker processes, longest-expected first. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { JobResult } from './job';
import type { VerifyJob } from './plan';

export interface PoolOptions {
  workers: number;
  /** Jobs each worker runs at once (runs mostly wait on the mock's job clock, so >1 helps). */
  perWorker: number;
  onDone?: (result: JobResult, done: number, total: number) => void;
}

export async function runJobs(jobs: readonly VerifyJob[], options: PoolOptions): Promise<JobResult[]> {
  const queue = [...jobs];
  const results: JobResult[] = [];
  const workerFile = path.join(__dirname, 'worker.js');
  const children: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from({ length: Math.max(1, options.workers) }, async () => {
        const child = fork(workerFile, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        children.push(child);
        const pending = new Map<string, (r: JobResult) => void>();
        child.on('message', (m: { result: JobResult }) => pending.get(m.result.key)?.(m.result));
        const died = new Promise<never>((_, reject) =>
          child.once('exit', (code) =>
            reject(new Error(`a verify worker exited early (code ${code ?? 'none'})`)),
          ),
        );
        died.catch(() => undefined);
        const lane = async (): Promise<void> => {
          for (let job = queue.shift(); job; job = queue.shift()) {
            const result = await Promise.race([
              new Promise<JobResult>((resolve) => {
                pending.set(job!.key, resolve);
                child.send({ job });
              }),
              died,
            ]);
            pending.delete(job.key);
            results.push(result);
            options.onDone?.(result, results.length, jobs.length);
          }
        };
        await Promise.all(Array.from({ length: Math.max(1, options.perWorker) }, lane));
      }),
    );
  } finally {
    for (const child of children) child.kill();
  }
  return results;
}
