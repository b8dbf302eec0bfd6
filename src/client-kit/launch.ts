/**
 * Running the client under test: launched by `--exec` with the mock's URL and credentials
 * substituted and in its environment, called in this process (`gradeClient`'s `run`), or run by
 * hand while the kit waits; any way bounded by the scenario's time budget.
 */
import { spawn } from 'node:child_process';
import type { ScenarioRecord } from './types';

/** What the client is told for one scenario. */
export interface ClientInfo {
  /** The mock's base URL (`http://127.0.0.1:PORT`). */
  url: string;
  clientId: string;
  clientSecret: string;
  /** `v1`, `v2` or `v3`. */
  apiVersion: string;
  /** The export to start: `Patient`, `Group/all` or `Group/runout` (before `/$export`). */
  endpoint: string;
}

/** `{url}`, `{clientId}`, `{clientSecret}`, `{apiVersion}`, `{endpoint}` replaced by their values. */
export function substitute(command: string, info: ClientInfo): string {
  return command.replace(
    /\{(url|clientId|clientSecret|apiVersion|endpoint)\}/g,
    (_m, key: keyof ClientInfo) => info[key],
  );
}

export function clientEnvironment(info: ClientInfo): Record<string, string> {
  return {
    BCDA_URL: info.url,
    BCDA_CLIENT_ID: info.clientId,
    BCDA_CLIENT_SECRET: info.clientSecret,
    BCDA_API_VERSION: info.apiVersion,
    BCDA_ENDPOINT: info.endpoint,
  };
}

/** What a client run in this process gets for one scenario. */
export interface ClientRunInfo extends ClientInfo {
  /** The scenario's name (`happy-path`, …). */
  scenario: string;
  /** Seconds the client has; the kit aborts `signal` when they are over. */
  budgetSeconds: number;
  /** Aborted at the end of the budget: pass it to fetch, stop when it fires. */
  signal: AbortSignal;
  /**
   * Tells the kit what the client shows its user (a failed job's diagnostics are looked for in
   * it); never written to a report.
   */
  output(text: string): void;
}

/** A client run in this process: resolves when it is done, rejects when it fails. */
export type ClientRun = (info: ClientRunInfo) => Promise<unknown>;

export interface LaunchOptions {
  /** Where the client's own output goes: passed through, or dropped (tests). */
  output: 'inherit' | 'ignore';
  /** Extra environment for the client (e.g. a broken variant's switch). */
  env?: Record<string, string>;
}

/** The tail of the client's output kept for the checks (never written to a report). */
const KEPT_OUTPUT_CHARS = 64 * 1024;

/** A grace period between asking a client to stop and killing it. */
const KILL_GRACE_MS = 2000;

/** Runs the command in a shell, in its own process group, until it exits or the budget ends. */
export function launchClient(
  command: string,
  info: ClientInfo,
  budgetSeconds: number,
  options: LaunchOptions,
): Promise<ScenarioRecord['client']> {
  return new Promise((resolve) => {
    const child = spawn(substitute(command, info), {
      shell: true,
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...options.env,
        ...clientEnvironment(info),
        BCDA_TIME_BUDGET: String(budgetSeconds),
      },
    });
    // Kept (and passed through unless dropped) so a check can see what the client told its user.
    let output = '';
    const keep = (into: NodeJS.WriteStream) => (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-KEPT_OUTPUT_CHARS);
      if (options.output === 'inherit') into.write(chunk);
    };
    child.stdout?.on('data', keep(process.stdout));
    child.stderr?.on('data', keep(process.stderr));
    let timedOut = false;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined)
          process.kill(process.platform === 'win32' ? child.pid : -child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const budget = setTimeout(() => {
      timedOut = true;
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS).unref();
    }, budgetSeconds * 1000);
    child.on('error', (err) => {
      clearTimeout(budget);
      resolve({ timedOut: false, note: `could not start the client: ${err.message}` });
    });
    // Resolved at 'close' (its output read to the end), or soon after 'exit' if something the
    // client left behind still holds its output open.
    let closed = false;
    const done = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (closed) return;
      closed = true;
      clearTimeout(budget);
      resolve({
        exitCode,
        signal,
        timedOut,
        output,
        ...(timedOut ? { note: `stopped after its ${budgetSeconds} s budget` } : {}),
      });
    };
    child.on('close', done);
    child.on('exit', (exitCode, signal) => {
      setTimeout(() => done(exitCode, signal), 500).unref();
    });
  });
}

/**
 * Calls a client in this process within the budget: resolved is exit code 0, rejected is 1 (its
 * message kept as the note); still running at the budget, it is aborted and left behind.
 */
export function runInProcess(
  run: ClientRun,
  info: ClientInfo,
  scenario: string,
  budgetSeconds: number,
): Promise<ScenarioRecord['client']> {
  const abort = new AbortController();
  let output = '';
  const outcome = new Promise<ScenarioRecord['client']>((resolve) => {
    const budget = setTimeout(() => {
      abort.abort(new Error(`the ${budgetSeconds} s budget ended`));
      resolve({ timedOut: true, output, note: `stopped after its ${budgetSeconds} s budget` });
    }, budgetSeconds * 1000);
    const ended = (exitCode: number, note?: string) => {
      clearTimeout(budget);
      resolve({ exitCode, signal: null, timedOut: false, output, ...(note ? { note } : {}) });
    };
    Promise.resolve()
      .then(() =>
        run({
          ...info,
          scenario,
          budgetSeconds,
          signal: abort.signal,
          output: (text) => {
            output = (output + text + '\n').slice(-KEPT_OUTPUT_CHARS);
          },
        }),
      )
      .then(
        () => ended(0),
        (err: unknown) => ended(1, `the client failed: ${err instanceof Error ? err.message : String(err)}`),
      );
  });
  return outcome;
}

/**
 * Waits for a client run by hand: until the budget ends, or until it has been quiet for
 * `idleSeconds` after its first request.
 */
export async function waitForClient(
  lastActivityMs: () => number | undefined,
  budgetSeconds: number,
  idleSeconds: number,
): Promise<ScenarioRecord['client']> {
  const start = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const last = lastActivityMs();
    if (last !== undefined && Date.now() - last > idleSeconds * 1000)
      return { timedOut: false, note: `run by hand; done after ${idleSeconds} s without a request` };
    if (Date.now() - start > budgetSeconds * 1000)
      return { timedOut: true, note: `run by hand; the ${budgetSeconds} s budget ended` };
  }
}
