/** What a precompiled validator was built from; cheap to compute (no Ajv import). */
import { OFFICIAL_SCHEMA_SHA256, readConstraintsText, sha256 } from './source';

/** Bump when prepare.ts, keywords.ts, fast-codegen.ts, invariants.ts or the Ajv options change, so stale builds are ignored. */
export const VALIDATOR_BUILD_VERSION = 11;

export interface ValidatorStamp {
  buildVersion: number;
  schemaSha256: string;
  constraintsSha256: string;
  ajvVersion: string;
}

export function currentStamp(): ValidatorStamp {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  return {
    buildVersion: VALIDATOR_BUILD_VERSION,
    schemaSha256: OFFICIAL_SCHEMA_SHA256,
    constraintsSha256: sha256(readConstraintsText()),
    ajvVersion,
  };
}

export function sameStamp(a: ValidatorStamp, b: ValidatorStamp): boolean {
  return (
    a.buildVersion === b.buildVersion &&
    a.schemaSha256 === b.schemaSha256 &&
    a.constraintsSha256 === b.constraintsSha256 &&
    a.ajvVersion === b.ajvVersion
  );
}
