/**
 * The compiled FHIR R4 resource validator, as a lazy singleton. Prefers the precompiled
 * standalone module written by `npm run build:fhir` (loads in ~0.3 s) and falls back to
 * compiling in-process (~2–4 s) when it is missing or was built from other inputs.
 */
import type { ErrorObject } from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../project-root';
import { compileResourceValidator, currentStamp, type ValidatorStamp } from './compile';

/** The shape both the precompiled and the in-process validator share. */
export interface ResourceValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export const PRECOMPILED_MODULE = 'fhir-r4-validators.js';
export const PRECOMPILED_STAMP = 'fhir-r4-validators.stamp.json';

/** Folder of the precompiled module: `$BCDA_FHIR_VALIDATORS_DIR` or `build/fhir`. */
export function precompiledDir(): string {
  return process.env.BCDA_FHIR_VALIDATORS_DIR || path.join(projectRoot(), 'build', 'fhir');
}

export type ValidatorSource = 'precompiled' | 'compiled';

function sameStamp(a: ValidatorStamp, b: ValidatorStamp): boolean {
  return (
    a.buildVersion === b.buildVersion &&
    a.schemaSha256 === b.schemaSha256 &&
    a.constraintsSha256 === b.constraintsSha256 &&
    a.ajvVersion === b.ajvVersion
  );
}

/** Loads a precompiled module from `dir`, or returns undefined if it is absent or stale. */
export function loadPrecompiled(dir: string): ResourceValidator | undefined {
  const modulePath = path.join(dir, PRECOMPILED_MODULE);
  const stampPath = path.join(dir, PRECOMPILED_STAMP);
  if (!fs.existsSync(modulePath) || !fs.existsSync(stampPath)) return undefined;
  const stamp = JSON.parse(fs.readFileSync(stampPath, 'utf8')) as ValidatorStamp;
  if (!sameStamp(stamp, currentStamp())) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modulePath) as { validateResource?: ResourceValidator };
  return typeof mod.validateResource === 'function' ? mod.validateResource : undefined;
}

let singleton: { validate: ResourceValidator; source: ValidatorSource } | undefined;

export function getResourceValidator(): { validate: ResourceValidator; source: ValidatorSource } {
  if (!singleton) {
    const pre = loadPrecompiled(precompiledDir());
    singleton = pre ? { validate: pre, source: 'precompiled' } : { validate: compileResourceValidator(), source: 'compiled' };
  }
  return singleton;
}
