/**
 * The check catalog: every check the tool knows, in the order they run and are listed: area by
 * area in AREAS order, each area's checks as its file `src/checks/<area>.ts` lists them. Checks
 * of phase 'late' run after all others (the runner's doing), wherever they are listed.
 */
import type { CheckDefinition } from './context';
import { AREAS, type ApiVersion, type Area, type Profile } from '../core/vocabulary';
import { metadataChecks, metadataIgChecks, metadataTlsChecks } from './metadata';
import { authChecks } from './auth';
import { kickoffChecks, kickoffIgChecks } from './kickoff';
import { statusChecks, statusIgChecks } from './status';
import { downloadChecks, downloadIgChecks } from './download';
import { cancelChecks } from './cancel';
import { jobsChecks } from './jobs';
import { attributionChecks } from './attribution';
import { rateLimitChecks } from './ratelimit';
import { fuzzChecks } from './fuzz';
import { fhirChecks } from './fhir';
import { contractChecks } from './contract';

/** Each area's checks, from its own file. */
const CHECKS_BY_AREA: Record<Area, readonly CheckDefinition[]> = {
  metadata: [...metadataChecks, ...metadataIgChecks, ...metadataTlsChecks],
  auth: authChecks,
  kickoff: [...kickoffChecks, ...kickoffIgChecks],
  status: [...statusChecks, ...statusIgChecks],
  download: [...downloadChecks, ...downloadIgChecks],
  cancel: cancelChecks,
  jobs: jobsChecks,
  attribution: attributionChecks,
  ratelimit: rateLimitChecks,
  fuzz: fuzzChecks,
  fhir: fhirChecks,
  contract: contractChecks,
};

export const CATALOG: readonly CheckDefinition[] = AREAS.flatMap((area) => CHECKS_BY_AREA[area]);

/**
 * The file that defines a check, from the repository root: its area's file, since every check
 * lives there and nowhere else (test/checks/catalog-layout.test.ts holds that true).
 */
export function sourceFileOf(check: { area: Area }): string {
  return `src/checks/${check.area}.ts`;
}

export interface CatalogFilter {
  profile?: Profile;
  version?: ApiVersion;
  areas?: readonly Area[];
  grep?: string;
}

export function selectChecks(
  filter: CatalogFilter,
  catalog: readonly CheckDefinition[] = CATALOG,
): CheckDefinition[] {
  const grep = filter.grep?.toLowerCase();
  return catalog.filter(
    (c) =>
      (!filter.profile || c.profiles.includes(filter.profile)) &&
      (!filter.version || !c.versions || c.versions.includes(filter.version)) &&
      (!filter.areas || filter.areas.includes(c.area)) &&
      (!grep || c.id.toLowerCase().includes(grep) || c.title.toLowerCase().includes(grep)),
  );
}
