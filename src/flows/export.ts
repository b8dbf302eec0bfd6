/**
 * The export flow a run follows to the end: kick-off (waiting out a 429 as its Retry-After says),
 * poll to completion, then download and validate every file the manifest lists. The flow records
 * how far it got in an ExportRun, and an ExportLog keeps every export the run followed, so the
 * report can show their timelines without knowing who started them.
 */
import { sleepWithin } from '../http/budget';
import { TransportError, type HttpResponse } from '../http/client';
import { retryAfterMs } from '../http/retry-after';
import type { TargetClient } from '../http/target';
import { downloadAll, type DownloadOptions, type DownloadRecord } from './download';
import { asManifest, manifestItems, type Manifest } from './manifest';
import type { PollResult, PollRecord } from './poll';

/** One export as far as the run followed it. */
export interface ExportRun {
  name: string;
  kickoff?: HttpResponse;
  kickoffUrl: string;
  jobUrl?: string;
  polls: PollRecord[];
  final?: HttpResponse;
  manifest?: Manifest;
  /** Why the export did not complete, when it did not. */
  problem?: string;
  downloads: DownloadRecord[];
}

/** A kick-off's answer, and the job's absolute URL when the target accepted it. */
export interface Kicked {
  res: HttpResponse;
  jobUrl?: string;
}

/** What the flow needs from the run: how to kick off and poll, where the jobs are tracked, limits. */
export interface ExportSteps {
  /** Sends one kick-off; the caller counts it against the run's kick-off budget (and may throw). */
  kickoff(): Promise<Kicked>;
  /** Polls the job to its end (the caller knows the deadline, the token and the progress display). */
  poll(jobUrl: string, label: string): Promise<PollResult>;
  /** The client that kicked off: the files are fetched with its token. */
  client: TargetClient;
  /** The run's jobs: a followed job is kept to the end; one still running when polling stops is cancelled then. */
  jobs: { keep(jobUrl: string): void; cancelAtEnd(jobUrl: string): void };
  /** How the files are fetched and validated (and each line seen); without it the flow ends at the manifest. */
  download?: Omit<DownloadOptions, 'target' | 'items' | 'sendToken' | 'acceptGzip' | 'concurrency'>;
  /** No Retry-After wait is started that would end after this (epoch ms). */
  deadline: number;
  /** Ends a Retry-After wait early (the run's budget). */
  signal?: AbortSignal;
  /** Told before each Retry-After wait, with its length. */
  onWait?: (ms: number) => void;
}

/** Kick-offs of a needed export, in all, while the target answers 429 (each after its Retry-After). */
const RATE_LIMIT_ATTEMPTS = 5;

/** Files fetched at once from one manifest. */
const DOWNLOAD_CONCURRENCY = 4;

/**
 * Every export the run follows, in the order they started, each as far as it got. The report
 * reads it; nothing else needs to know which checks started which export.
 */
export class ExportLog {
  private readonly entries = new Map<string, { run: ExportRun; done: boolean; over: Promise<unknown> }>();

  /** Follows an export under `name` (unique in the run) and records it from the start. */
  follow(name: string, steps: ExportSteps): Promise<ExportRun> {
    const run: ExportRun = { name, kickoffUrl: '', polls: [], downloads: [] };
    const entry = { run, done: false, over: Promise.resolve() as Promise<unknown> };
    this.entries.set(name, entry);
    const following = followExport(run, steps)
      .catch((err: unknown) => {
        run.problem ??= (err as Error).message;
        throw err;
      })
      .finally(() => {
        entry.done = true;
      });
    entry.over = following.catch(() => undefined);
    return following;
  }

  /**
   * Every export followed, once settled; one still going after `graceMs` (the run budget cut it
   * short, its requests are being aborted) is given as far as it got.
   */
  async settled(graceMs = Infinity): Promise<ExportRun[]> {
    const all = Promise.allSettled([...this.entries.values()].map((e) => e.over));
    if (Number.isFinite(graceMs)) await Promise.race([all, sleepWithin(graceMs)]);
    else await all;
    return [...this.entries.values()].map(({ run, done }) =>
      done
        ? run
        : { ...run, problem: run.problem ?? 'not finished when the run ended (its time budget was spent)' },
    );
  }
}

/**
 * Kick-off, poll, download: fills `run` as it goes and returns it; what stopped it is
 * `run.problem`. Only a failure of the harness itself is thrown.
 */
export async function followExport(run: ExportRun, steps: ExportSteps): Promise<ExportRun> {
  let kicked: Kicked;
  try {
    kicked = await kickoffWaitingOutRateLimit(steps);
  } catch (err) {
    run.problem =
      err instanceof TransportError ? `the kick-off failed: ${err.message}` : (err as Error).message;
    return run;
  }
  run.kickoff = kicked.res;
  run.kickoffUrl = kicked.res.exchange.request.url;
  if (!kicked.jobUrl) {
    run.problem = `the kick-off answered ${kicked.res.status}${kicked.res.status === 202 ? ' without Content-Location' : ''}, so there is no job to follow`;
    return run;
  }
  run.jobUrl = kicked.jobUrl;
  steps.jobs.keep(kicked.jobUrl);
  const polled = await steps.poll(kicked.jobUrl, `poll the ${run.name} export`);
  run.polls = polled.polls;
  if (polled.final) run.final = polled.final;
  if (!polled.final) {
    run.problem = polled.stopped ?? 'polling stopped';
    steps.jobs.cancelAtEnd(kicked.jobUrl); // still running: cancel it at the end
    return run;
  }
  if (polled.final.status !== 200) {
    run.problem = `the job ended with status ${polled.final.status}, not 200`;
    return run;
  }
  const manifest = asManifest(polled.final.json());
  if (!manifest) {
    run.problem = `the completed job's body is not a JSON object (${polled.final.jsonError() ?? 'no body'})`;
    return run;
  }
  run.manifest = manifest;
  if (steps.download) {
    const items = [
      ...manifestItems(manifest.output).map((item) => ({ item, kind: 'output' as const })),
      ...manifestItems(manifest.error).map((item) => ({ item, kind: 'error' as const })),
    ];
    run.downloads = await downloadAll({
      ...steps.download,
      target: steps.client,
      items,
      // The token goes only where the manifest says it is needed (bulkdata@201, @216).
      sendToken: manifest.requiresAccessToken === true,
      acceptGzip: true,
      concurrency: DOWNLOAD_CONCURRENCY,
    });
  }
  return run;
}

/**
 * A kick-off the run needs: on 429 it waits as Retry-After says (at least 1 s, at most 60 s,
 * within the deadline) and asks again, a few times, as BCDA asks clients to do when an earlier
 * job of theirs is still running.
 */
async function kickoffWaitingOutRateLimit(steps: ExportSteps): Promise<Kicked> {
  for (let attempt = 1; ; attempt++) {
    const kicked = await steps.kickoff();
    if (kicked.res.status !== 429 || attempt >= RATE_LIMIT_ATTEMPTS) return kicked;
    const hinted = retryAfterMs(kicked.res.headers['retry-after']);
    const wait = Math.min(Math.max(hinted ?? 5_000, 1_000), 60_000);
    if (Date.now() + wait >= steps.deadline) return kicked;
    steps.onWait?.(wait);
    await sleepWithin(wait, steps.signal);
  }
}
