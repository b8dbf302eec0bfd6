import * as fs from 'fs';
import * as path from 'path';

let cached: string | undefined;

/**
 * The repository root (the folder with this project's package.json). Code runs from `src/`
 * under jest and from `dist/src/` when built, so data files are found from here, not from
 * `__dirname`.
 */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, 'spec', 'fhir'))) {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the bcda-conformance root above ${__dirname}`);
    dir = parent;
  }
}
