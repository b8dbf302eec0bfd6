/**
 * The catalog is organised by its own key: each area has one file, src/checks/<area>.ts, holding
 * exactly that area's checks, and every check id is written literally (quoted) once in src/, in
 * its area's file. So `grep -r <ID> src` lands on the check, and the `source` that `list --json`
 * derives from the area is where the check is.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CATALOG, sourceFileOf } from '../../src/checks/catalog';
import type { CheckDefinition } from '../../src/checks/context';
import { DATA_AREAS } from '../../src/checks/kit/data-exports';
import { AREAS, type Area } from '../../src/core/vocabulary';

const ROOT = path.join(__dirname, '..', '..');

/** Code under src/ (documentation may name a check in prose). */
function codeFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return codeFiles(rel);
    return /\.(ts|js|mjs|cjs|json)$/.test(entry.name) ? [rel] : [];
  });
}

const isCheck = (value: unknown): value is CheckDefinition =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as CheckDefinition).id === 'string' &&
  typeof (value as CheckDefinition).run === 'function';

/** Every check a module exports, as a single check or in a list. */
function exportedChecks(module: Record<string, unknown>): CheckDefinition[] {
  return Object.values(module).flatMap((value) =>
    Array.isArray(value) ? value.filter(isCheck) : isCheck(value) ? [value] : [],
  );
}

describe('the catalog layout', () => {
  it.each(AREAS.map((area) => [area]))(
    'src/checks/%s.ts exists and exports exactly the checks of its area',
    async (area: Area) => {
      expect(fs.existsSync(path.join(ROOT, 'src', 'checks', `${area}.ts`))).toBe(true);
      const exported = exportedChecks((await import(`../../src/checks/${area}`)) as Record<string, unknown>);
      expect(exported.filter((c) => c.area !== area).map((c) => `${c.id} (${c.area})`)).toEqual([]);
      expect(exported.map((c) => c.id)).toEqual(CATALOG.filter((c) => c.area === area).map((c) => c.id));
    },
  );

  it("writes every check id literally exactly once in src/, in its area's file", () => {
    const files = codeFiles('src').map((file) => ({
      file,
      text: fs.readFileSync(path.join(ROOT, file), 'utf8'),
    }));
    const misplaced = CATALOG.flatMap((check) => {
      const quoted = new RegExp(`(['"\`])${check.id}\\1`);
      const found = files.filter((f) => quoted.test(f.text)).map((f) => f.file);
      const want = sourceFileOf(check);
      return found.length === 1 && found[0] === want
        ? []
        : [`${check.id}: in ${found.join(', ') || 'no file'}, expected only in ${want}`];
    });
    expect(misplaced).toEqual([]);
  });

  it('indexes the shared export on its first read for every area whose checks compare export data', () => {
    // An area file reaching the data exports (directly or through another data- helper) re-reads
    // the shared export's files unless it is in DATA_AREAS.
    const reading = AREAS.filter((area) =>
      /from '\.\/kit\/data-/.test(fs.readFileSync(path.join(ROOT, 'src', 'checks', `${area}.ts`), 'utf8')),
    );
    expect([...DATA_AREAS].sort()).toEqual([...reading].sort());
  });

  it('lists the checks area by area, in AREAS order', () => {
    const order = CATALOG.map((c) => AREAS.indexOf(c.area));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
