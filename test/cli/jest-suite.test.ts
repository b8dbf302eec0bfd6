import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AREAS } from '../../src/core/vocabulary';
import { suiteFile } from '../../src/cli/jest-suite';

const ROOT = path.join(__dirname, '../..');

describe('suites/', () => {
  it('has one suite file per area of the catalog, and none for anything else', () => {
    const files = readdirSync(path.join(ROOT, 'suites')).filter((f) => f.endsWith('.suite.ts'));
    expect(files.sort()).toEqual(AREAS.map((a) => path.basename(suiteFile(a))).sort());
  });

  it.each(AREAS)('suites/%s.suite.ts defines the suite of its own area', (area) => {
    const text = readFileSync(path.join(ROOT, suiteFile(area)), 'utf8');
    expect(text).toContain(`defineConformanceSuite('${area}')`);
  });
});
