/**
 * Checks the report directory before a run, so a bad `--out` fails in a second with exit 2
 * instead of after minutes of checks. Creates the directory (the run would anyway).
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { ConfigError } from '../config/config';

const WHY: Record<string, string> = {
  ENOTDIR: 'a part of the path is a regular file, not a directory',
  EEXIST: 'it exists and is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOENT: 'a part of the path does not exist',
};

export function prepareOutDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'EEXIST' });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const why = WHY[code] ?? (err as Error).message;
    throw new ConfigError(`--out ${dir}: cannot write reports there: ${why}${code ? ` (${code})` : ''}`);
  }
}
