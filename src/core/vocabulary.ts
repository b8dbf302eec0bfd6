/**
 * The words every layer shares, as tables: a type is derived from its table, so a list shown to a
 * user (help text, a config schema, an error message) and the type the code checks are one thing.
 */

/** How binding a rule is: a MUST failure fails the run, SHOULD and MAY only under --strict. */
export const LEVELS = ['MUST', 'SHOULD', 'MAY'] as const;
export type Level = (typeof LEVELS)[number];

/** What a check concluded. `error`: it could not run to a conclusion (not the target's fault alone). */
export const OUTCOMES = ['pass', 'fail', 'warn', 'skip', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The rule sets a run can judge by: BCDA's documented contract, or the generic Bulk Data IG v2. */
export const PROFILES = ['bcda', 'bulk-data-ig'] as const;
export type Profile = (typeof PROFILES)[number];

export const API_VERSIONS = ['v1', 'v2', 'v3'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** BCDA's two groups: every attributed beneficiary, or the previous year's run-out claims. */
export const GROUPS = ['all', 'runout'] as const;
export type Group = (typeof GROUPS)[number];

/**
 * The areas of the catalog, in the order they run and are listed. Each has one source file,
 * `src/checks/<area>.ts`, and one jest suite, `suites/<area>.suite.ts`.
 */
export const AREAS = [
  'metadata',
  'auth',
  'kickoff',
  'status',
  'download',
  'cancel',
  'jobs',
  'attribution',
  'ratelimit',
  'fuzz',
  'fhir',
  'contract',
] as const;
export type Area = (typeof AREAS)[number];
