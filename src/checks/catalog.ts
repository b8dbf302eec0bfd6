/** The check catalog: every check the tool knows, in the order they run and are listed. */
import type { CheckDefinition } from './context';
import type { ApiVersion, Area, Profile } from './types';
import { metadataChecks } from './metadata';
import { authChecks } from './auth';
import { kickoffChecks } from './kickoff';
import { expiryChecks, statusChecks } from './status';
import { downloadChecks } from './download';
import { cancelChecks } from './cancel';
import { jobsChecks } from './jobs';
import { attributionChecks } from './attribution';
import { rateLimitChecks } from './ratelimit';
import { fhirChecks } from './fhir';

export const CATALOG: readonly CheckDefinition[] = [
  ...metadataChecks,
  ...authChecks,
  ...kickoffChecks,
  ...statusChecks,
  ...downloadChecks,
  ...fhirChecks,
  ...cancelChecks,
  ...jobsChecks,
  ...attributionChecks,
  ...rateLimitChecks,
  ...expiryChecks,
];

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
