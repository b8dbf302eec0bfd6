/**
 * The compiled FHIR R4 validators, as lazy singletons:
 * - the fast boolean validator (fast-codegen.ts), run on every resource;
 * - the Ajv validator, run only on resources the fast one rejects, for precise errors.
 * Both prefer the precompiled modules written by `npm run build:fhir` and fall back to
 * compiling in-process (fast: ~1 s, Ajv: ~2–4 s) when those are missing or stale.
 * A precompiled module is loaded with the V8 code cache the build wrote beside it, when that
 * cache was made from the same source by the same V8 (see loadModule).
 */
import type { ErrorObject } from 'ajv';
import { createHash } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import * as vm from 'vm';
import { projectRoot } from '../../core/project-root';
import { currentStamp, sameStamp } from './stamp';
import type { ValidatorStamp } from './stamp';
import type { FastValidator } from './fast-codegen';

/** The shape both the precompiled and the in-process validator share. */
export interface ResourceValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export const PRECOMPILED_MODULE = 'fhir-r4-validators.js';
export const PRECOMPILED_FAST_MODULE = 'fhir-r4-fast.js';
export const PRECOMPILED_STAMP = 'fhir-r4-validators.stamp.json';
/** What the V8 code caches of the modules were made from (see CodeCacheStamp). */
export const CODE_CACHE_STAMP = 'fhir-r4-code-cache.json';
/** The precompiled modules that get a V8 code cache, written beside them as `<name>.v8-cache`. */
export const CODE_CACHED_MODULES = [PRECOMPILED_FAST_MODULE, PRECOMPILED_MODULE];

/** Folder of the precompiled module: `$BCDA_FHIR_VALIDATORS_DIR` or `build/fhir`. */
export function precompiledDir(): string {
  return process.env.BCDA_FHIR_VALIDATORS_DIR || path.join(projectRoot(), 'build', 'fhir');
}

export type ValidatorSource = 'precompiled' | 'compiled';

/** The in-process compiler, loaded only when needed: it pulls in Ajv and the schema. */
function compiler(): typeof import('./compile') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./compile') as typeof import('./compile');
}

/**
 * A code cache is V8's bytecode of a script, made by the build (scripts/fhir-build-validators.js)
 * after running the module's top level. With it, loading the 2 MB fast module takes ~5 ms instead
 * of ~40 (V8 need not parse it) and the 14 MB Ajv module about half its ~400 ms; it matters in
 * every worker of a fresh process. V8 checks little itself (its version, flags and the source's
 * length), so the stamp records the source's sha256 and the V8 version; a cache that does not
 * match is not used, and one V8 refuses is compiled as usual: the cache only saves time.
 */
export interface CodeCacheStamp {
  /** process.versions.v8 and process.arch of the V8 that made the caches. */
  v8: string;
  arch: string;
  /** sha256 of each module's source, by file name. */
  modules: Record<string, string>;
}

/** How a precompiled module was loaded: with its code cache, without one, or V8 refused it. */
export type CodeCacheUse = 'used' | 'absent' | 'rejected';

export function codeCachePath(dir: string, file: string): string {
  return path.join(dir, file.replace(/\.js$/, '.v8-cache'));
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Node's CommonJS wrapper: the module sees what require() would give it. */
function moduleScript(source: string, modulePath: string, cachedData?: Buffer): vm.Script {
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  return new vm.Script(wrapped, { filename: modulePath, ...(cachedData ? { cachedData } : {}) });
}

type ModuleWrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

function runModuleScript(script: vm.Script, modulePath: string): unknown {
  const mod = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as ModuleWrapper;
  wrapper(mod.exports, createRequire(modulePath), mod, modulePath, path.dirname(modulePath));
  return mod.exports;
}

function readCodeCacheStamp(dir: string): CodeCacheStamp | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, CODE_CACHE_STAMP), 'utf8')) as CodeCacheStamp;
  } catch {
    return undefined;
  }
}

/** The code cache of `file` in `dir` if it was made from `source` by this V8, else undefined. */
function matchingCodeCache(dir: string, file: string, source: Buffer): Buffer | undefined {
  const stamp = readCodeCacheStamp(dir);
  if (!stamp || stamp.v8 !== process.versions.v8 || stamp.arch !== process.arch) return undefined;
  if (stamp.modules?.[file] !== sha256(source)) return undefined;
  try {
    return fs.readFileSync(codeCachePath(dir, file));
  } catch {
    return undefined;
  }
}

/** Loads the CommonJS module `file` of `dir`, with its code cache when that matches. */
function loadModule(dir: string, file: string): { moduleExports: unknown; codeCache: CodeCacheUse } {
  const modulePath = path.join(dir, file);
  const source = fs.readFileSync(modulePath);
  const cachedData = matchingCodeCache(dir, file, source);
  const script = moduleScript(source.toString('utf8'), modulePath, cachedData);
  const codeCache = !cachedData ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';
  return { moduleExports: runModuleScript(script, modulePath), codeCache };
}

/**
 * Writes the code caches of the modules in `dir` and their stamp (last, after removing the old
 * one, so a half-written set is never taken as current). For the build script.
 */
export function writeCodeCaches(dir: string): void {
  const stampPath = path.join(dir, CODE_CACHE_STAMP);
  fs.rmSync(stampPath, { force: true });
  const stamp: CodeCacheStamp = { v8: process.versions.v8, arch: process.arch, modules: {} };
  for (const file of CODE_CACHED_MODULES) {
    const modulePath = path.join(dir, file);
    const source = fs.readFileSync(modulePath);
    const script = moduleScript(source.toString('utf8'), modulePath);
    // After the top level ran: what it compiled is in the cache. Running the validators as well
    // adds little (V8 compiles a function from its own source range on first call).
    runModuleScript(script, modulePath);
    fs.writeFileSync(codeCachePath(dir, file), script.createCachedData());
    stamp.modules[file] = sha256(source);
  }
  fs.writeFileSync(stampPath, JSON.stringify(stamp, null, 2) + '\n');
}

/** Whether `dir` holds code caches this V8 would use for the modules as they are now. */
export function codeCachesCurrent(dir: string): boolean {
  const stamp = readCodeCacheStamp(dir);
  if (!stamp || stamp.v8 !== process.versions.v8 || stamp.arch !== process.arch) return false;
  return CODE_CACHED_MODULES.every((file) => {
    try {
      const source = fs.readFileSync(path.join(dir, file));
      return stamp.modules?.[file] === sha256(source) && fs.existsSync(codeCachePath(dir, file));
    } catch {
      return false;
    }
  });
}

export interface Precompiled<T> {
  validate: T;
  codeCache: CodeCacheUse;
}

/** `validateResource` of a precompiled module in `dir`, or undefined if it is absent or stale. */
export function loadPrecompiledModule<T>(dir: string, file: string): Precompiled<T> | undefined {
  const modulePath = path.join(dir, file);
  const stampPath = path.join(dir, PRECOMPILED_STAMP);
  if (!fs.existsSync(modulePath) || !fs.existsSync(stampPath)) return undefined;
  const stamp = JSON.parse(fs.readFileSync(stampPath, 'utf8')) as ValidatorStamp;
  if (!sameStamp(stamp, currentStamp())) return undefined;
  const { moduleExports, codeCache } = loadModule(dir, file);
  const validate = (moduleExports as { validateResource?: T } | undefined)?.validateResource;
  return typeof validate === 'function' ? { validate, codeCache } : undefined;
}

export function loadPrecompiled(dir: string): ResourceValidator | undefined {
  return loadPrecompiledModule<ResourceValidator>(dir, PRECOMPILED_MODULE)?.validate;
}

export function loadPrecompiledFast(dir: string): FastValidator | undefined {
  return loadPrecompiledModule<FastValidator>(dir, PRECOMPILED_FAST_MODULE)?.validate;
}

/** A loaded validator, where it came from and (when precompiled) whether its code cache served. */
export interface LoadedValidator<T> {
  validate: T;
  source: ValidatorSource;
  codeCache?: CodeCacheUse;
}

let fastSingleton: LoadedValidator<FastValidator> | undefined;

export function getFastValidator(): LoadedValidator<FastValidator> {
  if (!fastSingleton) {
    const pre = loadPrecompiledModule<FastValidator>(precompiledDir(), PRECOMPILED_FAST_MODULE);
    fastSingleton = pre
      ? { validate: pre.validate, source: 'precompiled', codeCache: pre.codeCache }
      : { validate: compiler().compileFastValidator(), source: 'compiled' };
  }
  return fastSingleton;
}

let singleton: LoadedValidator<ResourceValidator> | undefined;

export function getResourceValidator(): LoadedValidator<ResourceValidator> {
  if (!singleton) {
    const pre = loadPrecompiledModule<ResourceValidator>(precompiledDir(), PRECOMPILED_MODULE);
    singleton = pre
      ? { validate: pre.validate, source: 'precompiled', codeCache: pre.codeCache }
      : { validate: compiler().compileResourceValidator(), source: 'compiled' };
  }
  return singleton;
}
