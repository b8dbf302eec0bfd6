/** The build:fhir script writes standalone modules that load without Ajv compilation and agree with it. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { compileFastValidator, compileResourceValidator } from '../../src/fhir/schema/compile';
import {
  CODE_CACHE_STAMP,
  codeCachePath,
  loadPrecompiled,
  loadPrecompiledFast,
  loadPrecompiledModule,
  PRECOMPILED_FAST_MODULE,
  PRECOMPILED_MODULE,
  PRECOMPILED_STAMP,
  type CodeCacheStamp,
} from '../../src/fhir/schema/validator';
import { readManifest, fixtureNdjson } from './corpus-helpers';

const ROOT = path.join(__dirname, '..', '..');
let dir: string;

beforeAll(() => {
  // Inside the project (build/ is gitignored), so the module's `ajv/dist/runtime/*` requires resolve.
  fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
  dir = fs.mkdtempSync(path.join(ROOT, 'build', 'fhir-test-'));
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'fhir-build-validators.js'), '--out', dir], {
    stdio: 'pipe',
  });
}, 180_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('precompiled validators', () => {
  it('load from the build output and agree with in-process compilation', () => {
    const pre = loadPrecompiled(dir);
    const preFast = loadPrecompiledFast(dir);
    expect(pre).toBeDefined();
    expect(preFast).toBeDefined();
    const ajv = compileResourceValidator();
    const fast = compileFastValidator();
    const entries = [
      ...readManifest('invalid').map((e) => ['invalid', e.file] as const),
      ...readManifest('valid').map((e) => ['valid', e.file] as const),
    ].filter(([, f]) => f.endsWith('.json'));
    for (const [kind, file] of entries) {
      const value: unknown = JSON.parse(fixtureNdjson(kind, file).text);
      expect([file, pre?.(value)]).toEqual([file, ajv(value)]);
      expect([file, preFast?.(value)]).toEqual([file, fast(value)]);
    }
  }, 120_000);

  it('are not rebuilt while their inputs are unchanged, and rebuilt when the generator changed', () => {
    const build = () =>
      execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'fhir-build-validators.js'), '--out', dir], {
        encoding: 'utf8',
      });
    const module = path.join(dir, 'fhir-r4-validators.js');
    const before = fs.statSync(module).mtimeMs;
    expect(build()).toContain('validators up to date');
    expect(fs.statSync(module).mtimeMs).toBe(before);

    const stampPath = path.join(dir, PRECOMPILED_STAMP);
    const stamp = JSON.parse(fs.readFileSync(stampPath, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(stampPath, JSON.stringify({ ...stamp, generatorSha256: 'an older generator' }));
    expect(build()).toContain('fhir: wrote');
    expect(JSON.parse(fs.readFileSync(stampPath, 'utf8'))).toEqual(stamp);
  }, 120_000);

  it('load with the V8 code cache the build wrote; a damaged one is refused and changes nothing', () => {
    // A fresh process each time: V8 reuses what it compiled in this one (and would not read the
    // cache), and refuses a cache made under other flags than node's defaults (jest may set some).
    const validator = path.join(ROOT, 'src', 'fhir', 'schema', 'validator.ts');
    const code = `require(${JSON.stringify(path.join(ROOT, 'scripts', 'fhir-ts-register.js'))});
const v = require(${JSON.stringify(validator)});
const bad = { resourceType: 'Patient', gender: 'x' };
const out = process.argv.slice(1).map((file) => {
  const loaded = v.loadPrecompiledModule(${JSON.stringify(dir)}, file);
  return [loaded.codeCache, loaded.validate(bad)];
});
process.stdout.write(JSON.stringify(out));`;
    const load = (...files: string[]): unknown =>
      JSON.parse(execFileSync(process.execPath, ['-e', code, ...files], { encoding: 'utf8' }));
    expect(load(PRECOMPILED_FAST_MODULE, PRECOMPILED_MODULE)).toEqual([
      ['used', false],
      ['used', false],
    ]);
    const cachePath = codeCachePath(dir, PRECOMPILED_FAST_MODULE);
    const cache = fs.readFileSync(cachePath);
    try {
      fs.writeFileSync(cachePath, Buffer.alloc(cache.length, 7));
      expect(load(PRECOMPILED_FAST_MODULE)).toEqual([['rejected', false]]);
    } finally {
      fs.writeFileSync(cachePath, cache);
    }
  });

  it('use a code cache only when it was made from the same source by the same V8', () => {
    const stampPath = path.join(dir, CODE_CACHE_STAMP);
    const stamp = JSON.parse(fs.readFileSync(stampPath, 'utf8')) as CodeCacheStamp;
    try {
      const other = { ...stamp, modules: { ...stamp.modules, [PRECOMPILED_FAST_MODULE]: 'another source' } };
      fs.writeFileSync(stampPath, JSON.stringify(other));
      expect(loadPrecompiledModule(dir, PRECOMPILED_FAST_MODULE)?.codeCache).toBe('absent');
      fs.writeFileSync(stampPath, JSON.stringify({ ...stamp, v8: '0.0.0' }));
      expect(loadPrecompiledModule(dir, PRECOMPILED_FAST_MODULE)?.codeCache).toBe('absent');
      fs.rmSync(stampPath);
      expect(loadPrecompiledModule(dir, PRECOMPILED_FAST_MODULE)?.codeCache).toBe('absent');
    } finally {
      fs.writeFileSync(stampPath, JSON.stringify(stamp, null, 2) + '\n');
    }
  });

  it('are ignored when their stamp does not match the current inputs', () => {
    const stampPath = path.join(dir, PRECOMPILED_STAMP);
    const stamp = JSON.parse(fs.readFileSync(stampPath, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(stampPath, JSON.stringify({ ...stamp, constraintsSha256: 'stale' }));
    expect(loadPrecompiled(dir)).toBeUndefined();
    expect(loadPrecompiledFast(dir)).toBeUndefined();
  });
});
