/**
 * Progress of a run as plain state, and the two ways to show it: one live status line for a
 * terminal, and plain lines (no ANSI, no carriage returns) for CI logs.
 */
import type { Area } from '../core/vocabulary';
import type { ProgressEvent } from '../checks/context';

export interface ProgressCheck {
  id: string;
  area: Area;
}

/** Live display is for terminals only: off in CI (`CI` set to anything but false/0) or without a TTY. */
export function wantsLiveProgress(isTTY: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  const inCi = ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
  return Boolean(isTTY) && !inCi && env.TERM !== 'dumb';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A short name for a job status URL: `job 14` for …/jobs/14. */
export function jobName(url: string): string {
  const id = /\/jobs\/([^/?#]+)/.exec(url)?.[1];
  return id ? `job ${decodeURIComponent(id)}` : url;
}

export class RunProgress {
  checksDone = 0;
  checksTotal = 0;
  bytes = 0;
  current?: ProgressCheck;
  /** The job polled last and its latest X-Progress (or status). */
  job?: { name: string; progress: string };
  private readonly areaTotals = new Map<Area, number>();
  private readonly areaDone = new Map<Area, number>();
  private readonly lastProgress = new Map<string, string>();

  /** With the planned checks, suites are counted exactly; without, suites count as they finish. */
  constructor(plan?: readonly ProgressCheck[]) {
    if (plan) {
      for (const c of plan) this.areaTotals.set(c.area, (this.areaTotals.get(c.area) ?? 0) + 1);
      this.checksTotal = plan.length;
    }
  }

  get planned(): boolean {
    return this.areaTotals.size > 0;
  }

  /** Returns true when the check starts a suite not seen before. */
  start(check: ProgressCheck, total: number): boolean {
    this.checksTotal = total;
    const fresh = !this.areaDone.has(check.area);
    if (fresh) this.areaDone.set(check.area, 0);
    this.current = check;
    return fresh;
  }

  finish(check: ProgressCheck): void {
    this.checksDone += 1;
    this.areaDone.set(check.area, (this.areaDone.get(check.area) ?? 0) + 1);
  }

  /** Records a poll or download; returns a line worth logging in CI (a job's X-Progress changed). */
  event(e: ProgressEvent): string | undefined {
    if (e.kind === 'download') {
      this.bytes += e.bytes;
      return undefined;
    }
    if (e.kind === 'wait')
      return `  ${e.what}: 429, waiting ${(e.ms / 1000).toFixed(1)} s as Retry-After says`;
    const name = jobName(e.job);
    const progress = e.xProgress ?? (e.status === 200 ? 'complete (HTTP 200)' : `HTTP ${e.status}`);
    this.job = { name, progress };
    if (this.lastProgress.get(e.job) === progress) return undefined;
    this.lastProgress.set(e.job, progress);
    return `  ${name}: ${progress}`;
  }

  /** Suites whose checks have all finished (exact with a plan; otherwise: seen and left behind). */
  suitesDone(): { done: number; total?: number } {
    if (this.planned) {
      let done = 0;
      for (const [area, total] of this.areaTotals) if ((this.areaDone.get(area) ?? 0) >= total) done += 1;
      return { done, total: this.areaTotals.size };
    }
    const seen = [...this.areaDone.keys()];
    return {
      done: seen.filter((a) => a !== this.current?.area || this.checksDone === this.checksTotal).length,
    };
  }

  /** The live status line, cut to `width` characters. */
  line(width = 120): string {
    const s = this.suitesDone();
    const parts = [
      `${this.checksDone}/${this.checksTotal} checks`,
      s.total !== undefined ? `${s.done}/${s.total} suites` : `suites done: ${s.done}`,
    ];
    if (this.current && this.checksDone < this.checksTotal)
      parts.push(`${this.current.area}: ${this.current.id}`);
    if (this.job) parts.push(`${this.job.name}: ${this.job.progress}`);
    if (this.bytes) parts.push(`${formatBytes(this.bytes)} downloaded`);
    const line = parts.join(' · ');
    const max = Math.max(10, width - 1);
    return line.length > max ? `${line.slice(0, max - 1)}…` : line;
  }
}
