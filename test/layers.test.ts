/**
 * The layers of src/ (src/README.md): an import never runs from a lower floor to a higher one, nor
 * sideways between folders of one floor unless stated below; the mock sits beside the line. Every
 * import of every file is read with the TypeScript parser: `import … from`, `export … from`,
 * `import x = require()`, dynamic `import()`, `require()` and `import('…')` types.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'src');

/**
 * Each folder of src/ and its floor (ground floor first). `src/cli.ts` counts as cli; `src/index.ts`,
 * the package's programmatic API, stands above everything it re-exports.
 */
const FLOORS: Readonly<Record<string, number>> = {
  core: 0,
  http: 1,
  fhir: 1,
  config: 1,
  requirements: 1,
  auth: 2,
  flows: 2,
  contract: 2,
  fuzz: 2,
  checks: 3,
  engine: 4,
  run: 5,
  'client-kit': 5,
  report: 6,
  verify: 6,
  cli: 6,
  index: 7,
};

/** Beside the line: it imports core only, and only these folders import it. */
const MOCK = 'mock';
const MOCK_USERS: readonly string[] = ['run', 'client-kit', 'verify', 'cli', 'index'];

/** Sideways imports allowed between folders of one floor: importer → folders it may import. */
const SIDEWAYS: Readonly<Record<string, readonly string[]>> = {
  // The command line is the front end of the report and verify commands.
  cli: ['report', 'verify'],
  // Fuzzing generates its inputs from the contract's dereferenced document.
  fuzz: ['contract'],
};

/** Files that load a module by a computed path: the precompiled FHIR validators, generated data, not source. */
const COMPUTED_IMPORTS: readonly string[] = ['src/fhir/schema/validator.ts'];

/** The stated exception: the wiring applies the report's privacy rules to the report it assembles. */
const EXCEPTIONS: ReadonlyArray<{ from: string; to: string }> = [{ from: 'run', to: 'report/privacy' }];

export interface ImportSite {
  /** The importing file, relative to the repository root. */
  file: string;
  line: number;
  specifier: string;
}

/** The folder of src/ a path inside src/ belongs to, and the path below src/ without extension. */
function placeOf(absolute: string): { folder: string; module: string } | undefined {
  const rel = path.relative(SRC, absolute).split(path.sep).join('/');
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const module = rel.replace(/\.(ts|js)$/, '');
  const folder = module.includes('/') ? module.slice(0, module.indexOf('/')) : module;
  return { folder, module };
}

/** Why an import breaks the layers, or undefined when it may stay. Imports outside src/ are not judged. */
export function layerViolation(site: ImportSite): string | undefined {
  if (!site.specifier.startsWith('.')) return undefined;
  const from = placeOf(path.join(ROOT, site.file));
  const to = placeOf(path.resolve(path.dirname(path.join(ROOT, site.file)), site.specifier));
  if (!from || !to || from.folder === to.folder) return undefined;
  const where = `${site.file}:${site.line} imports '${site.specifier}'`;
  if (from.folder === MOCK)
    return to.folder === 'core' ? undefined : `${where}: the mock imports core only (and its own files)`;
  if (to.folder === MOCK)
    return MOCK_USERS.includes(from.folder)
      ? undefined
      : `${where}: only ${MOCK_USERS.join(', ')} may use the mock, not ${from.folder}`;
  const fromFloor = FLOORS[from.folder];
  const toFloor = FLOORS[to.folder];
  if (fromFloor === undefined)
    return `${where}: ${from.folder} has no floor (add it to src/README.md and this test)`;
  if (toFloor === undefined)
    return `${where}: ${to.folder} has no floor (add it to src/README.md and this test)`;
  if (EXCEPTIONS.some((e) => e.from === from.folder && e.to === to.module)) return undefined;
  if (fromFloor > toFloor) return undefined;
  if (fromFloor === toFloor)
    return SIDEWAYS[from.folder]?.includes(to.folder)
      ? undefined
      : `${where}: sideways from ${from.folder} to ${to.folder}, both on floor ${fromFloor}`;
  return `${where}: upward from ${from.folder} (floor ${fromFloor}) to ${to.folder} (floor ${toFloor})`;
}

/** Every import in one TypeScript source; a dynamic import or require of a computed name is kept as `<computed>`. */
export function importsOf(file: string, text: string): ImportSite[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const sites: ImportSite[] = [];
  const add = (node: ts.Node, specifier: ts.Node | undefined) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const literal = specifier && ts.isStringLiteralLike(specifier) ? specifier.text : '<computed>';
    sites.push({ file, line, specifier: literal });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier) add(node, node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(callee) && callee.text === 'require')
      )
        add(node, node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

const ALL = sourceFiles(SRC).map((full) => {
  const file = path.relative(ROOT, full).split(path.sep).join('/');
  return { file, sites: importsOf(file, readFileSync(full, 'utf8')) };
});

describe('the layers of src/', () => {
  it('places every folder of src/ on a floor, or beside the line', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(path.join(SRC, n)).isDirectory());
    expect(folders.filter((f) => f !== MOCK && FLOORS[f] === undefined)).toEqual([]);
  });

  it('has no import from a lower floor to a higher one, nor across folders of one floor', () => {
    const violations = ALL.flatMap(({ sites }) => sites.flatMap((s) => layerViolation(s) ?? []));
    expect(violations).toEqual([]);
  });

  it('imports by literal names only, so every import can be judged', () => {
    const computed = ALL.flatMap(({ file, sites }) =>
      COMPUTED_IMPORTS.includes(file) ? [] : sites.filter((s) => s.specifier === '<computed>'),
    );
    expect(computed.map((s) => `${s.file}:${s.line}`)).toEqual([]);
  });

  it('reads every kind of import, and judges them as the floors say', () => {
    const text = [
      "import type { A } from '../checks/types';",
      "import { b } from './client';",
      "export { c } from '../run/run-conformance';",
      "import d = require('../engine/results');",
      "const e = await import('../mock');",
      "const f = require('../report/console');",
      "let g: typeof import('../flows/export');",
      "import h from 'undici';",
    ].join('\n');
    const sites = importsOf('src/http/example.ts', text);
    expect(sites.map((s) => s.specifier)).toEqual([
      '../checks/types',
      './client',
      '../run/run-conformance',
      '../engine/results',
      '../mock',
      '../report/console',
      '../flows/export',
      'undici',
    ]);
    expect(sites.map((s) => layerViolation(s) !== undefined)).toEqual([
      true,
      false,
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    const judged = (file: string, specifier: string) => layerViolation({ file, line: 1, specifier });
    expect(judged('src/report/html.ts', '../engine/results')).toBeUndefined();
    expect(judged('src/config/config.ts', '../http/client')).toMatch(/sideways from config to http/);
    expect(judged('src/mock/app.ts', '../core/vocabulary')).toBeUndefined();
    expect(judged('src/mock/app.ts', '../checks/types')).toMatch(/the mock imports core only/);
    expect(judged('src/engine/run-checks.ts', '../mock')).toMatch(
      /only run, client-kit, verify, cli, index may use the mock/,
    );
    expect(judged('src/run/assemble-report.ts', '../report/privacy')).toBeUndefined();
    expect(judged('src/run/assemble-report.ts', '../report/console')).toMatch(/upward from run/);
    expect(judged('src/cli.ts', './run/run-conformance')).toBeUndefined();
  });
});
