/**
 * Running the client under test: launched by `--exec` with the mock's URL and credentials
 * substituted and in its environment, or run by hand while the kit waits; either way bounded by
 * the scenario's time budget.
 */
import { spawn } from 'node:child_process';
import type { ScenarioRecord } from './types';

export interface ClientInfo {
  url: string;
  clientId: string;
  clientSecret: string;
  apiVersion: string;
}

/** `{url}`, `{clientId}`, `{clientSecret}`, `{apiVersion}` replaced by their values. */
export function substitute(command: string, info: ClientInfo): string {
  return command.replace(
    /\{(url|clientId|clientSecret|apiVersion)\}/g,
    (_m, key: keyof ClientInfo) => info[key],
  );
}

export function clientEnvironment(info: ClientInfo): Record<string, string> {
  return {
    BCDA_URL: info.url,
    BCDA_CLIENT_ID: info.clientId,
    BCDA_CLIENT_SECRET: info.clientSecret,
    BCDA_API_VERSION: info.apiVersion,
  };
}

export interface LaunchOptions {
  /** Where the client's own output goes: passed through, or dropped (tests). */
  output: 'inherit' | 'ignore';
  /** Extra environment for the client (e.g. a broken variant's switch). */
  env?: Record<string, string>;
}

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
      stdio: ['ignore', options.output, options.output],
      env: { ...process.env, ...options.env, ...clientEnvironment(info) },
    });
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
    child.on('exit', (exitCode, signal) => {
      clearTimeout(budget);
      resolve({
        exitCode,
        signal,
        timedOut,
        ...(timedOut ? { note: `stopped after its ${budgetSeconds} s budget` } : {}),
      });
    });
  });
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
