/**
 * The compiled FHIR R4 validators, as lazy singletons:
 * - the fast boolean validator (fast-codegen.ts), run on every resource;
 * - the Ajv validator, run only on resources the fast one rejects, for precise errors.
 * Both prefer the precompiled modules written by `npm run build:fhir` and fall back to
 * compiling in-process (fast: ~1 s, Ajv: ~2–4 s) when those are missing or stale.
 */
import type { ErrorObject } from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
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

/** `validateResource` of a precompiled module in `dir`, or undefined if it is absent or stale. */
function loadPrecompiledModule<T>(dir: string, file: string): T | undefined {
  const modulePath = path.join(dir, file);
  const stampPath = path.join(dir, PRECOMPILED_STAMP);
  if (!fs.existsSync(modulePath) || !fs.existsSync(stampPath)) return undefined;
  const stamp = JSON.parse(fs.readFileSync(stampPath, 'utf8')) as ValidatorStamp;
  if (!sameStamp(stamp, currentStamp())) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modulePath) as { validateResource?: T };
  return typeof mod.validateResource === 'function' ? mod.validateResource : undefined;
}

export function loadPrecompiled(dir: string): ResourceValidator | undefined {
  return loadPrecompiledModule<ResourceValidator>(dir, PRECOMPILED_MODULE);
}

export function loadPrecompiledFast(dir: string): FastValidator | undefined {
  return loadPrecompiledModule<FastValidator>(dir, PRECOMPILED_FAST_MODULE);
}

let fastSingleton: { validate: FastValidator; source: ValidatorSource } | undefined;

export function getFastValidator(): { validate: FastValidator; source: ValidatorSource } {
  if (!fastSingleton) {
    const pre = loadPrecompiledFast(precompiledDir());
    fastSingleton = pre
      ? { validate: pre, source: 'precompiled' }
      : { validate: compiler().compileFastValidator(), source: 'compiled' };
  }
  return fastSingleton;
}

let singleton: { validate: ResourceValidator; source: ValidatorSource } | undefined;

export function getResourceValidator(): { validate: ResourceValidator; source: ValidatorSource } {
  if (!singleton) {
    const pre = loadPrecompiled(precompiledDir());
    singleton = pre
      ? { validate: pre, source: 'precompiled' }
      : { validate: compiler().compileResourceValidator(), source: 'compiled' };
  }
  return singleton;
}
