/**
 * Runs `bcda-conformance run` in a child process from the TypeScript sources, asynchronously (the
 * hostile server lives in this process and must keep answering).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLIENT } from './run';

const ROOT = path.join(__dirname, '..', '..');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outDir: string;
}

/** Lines that look like a JavaScript stack frame or an uncaught error print. */
export const STACK_TRACE =
  /^\s+at .+\(.*:\d+:\d+\)$|^\s+at .+:\d+:\d+$|UnhandledPromiseRejection|Uncaught|node:internal/m;

export function runCli(
  target: string,
  args: string[],
  killAfterMs = 30_000,
  env: Record<string, string> = {},
): Promise<CliRun> {
  const outDir = path.join(mkdtempSync(path.join(tmpdir(), 'hostile-cli-')), 'reports');
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(__dirname, 'ts-register-cached.js'),
      path.join(ROOT, 'src', 'cli.ts'),
      'run',
      '--target',
      target,
      '--out',
      outDir,
      ...args,
    ],
    {
      cwd: path.join(outDir, '..'),
      // Only what the run needs: credentials from the environment, no config file, no CI/TTY quirks.
      env: {
        PATH: process.env.PATH ?? '',
        BCDA_CLIENT_ID: CLIENT.clientId,
        BCDA_CLIENT_SECRET: CLIENT.clientSecret,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, outDir });
    });
  });
}
