/** The tool's version, read once from package.json (works from src/ under ts-jest and from dist/src/). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    const file = path.join(__dirname, rel);
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'bcda-conformance' && pkg.version) return pkg.version;
    }
  }
  return '0.0.0';
}

export const TOOL_VERSION = readVersion();
