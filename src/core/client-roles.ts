/**
 * The extra clients some checks need besides the main one, each an organization the target treats
 * in a particular way. One row per role: the setting names (flag, environment variable, config key)
 * and the run's context field are derived from `name`, and the embedded mock plays each role with
 * the built-in ACO named here.
 */
export const CLIENT_ROLES = [
  {
    role: 'other',
    name: 'other',
    mockAco: 'A9990',
    purpose: 'a second client (another ACO), for the cross-client checks',
  },
  {
    role: 'rateLimited',
    name: 'rate-limited',
    mockAco: 'SBXBM0002',
    purpose: 'a rate-limited ACO, for the 429 check',
  },
  {
    role: 'outdated',
    name: 'outdated',
    mockAco: 'TEST995',
    purpose: "an ACO without up-to-date attribution (BCDA's TEST995), for that check",
  },
  {
    role: 'denylisted',
    name: 'denylisted',
    mockAco: 'A9997',
    purpose: "a denylisted ACO (BCDA's A9997), for the 403 checks",
  },
  {
    role: 'unattributed',
    name: 'unattributed',
    mockAco: 'TEST996',
    purpose: 'an ACO with no attribution data, for the attribution 404 check',
  },
  {
    role: 'unknownAco',
    name: 'unknown-aco',
    // Credentials the embedded mock issues for a CMS id that no ACO has.
    mockAco: 'X9999',
    purpose: 'a client whose organization the target does not know, for the 403 check',
  },
  {
    role: 'partiallyAdjudicated',
    name: 'partially-adjudicated',
    mockAco: 'TEST001',
    purpose:
      "a v2 ACO entitled to partially adjudicated claims (BCDA's TEST001), for the Claim/ClaimResponse checks",
  },
] as const;

export type ClientRole = (typeof CLIENT_ROLES)[number]['role'];
export type ClientRoleRow = (typeof CLIENT_ROLES)[number];

/** The config keys of a role's credentials, e.g. `otherClientId` and `otherClientSecret`. */
export type ClientIdKey = `${ClientRole}ClientId`;
export type ClientSecretKey = `${ClientRole}ClientSecret`;

export const clientIdKey = <R extends ClientRole>(role: R): `${R}ClientId` => `${role}ClientId`;
export const clientSecretKey = <R extends ClientRole>(role: R): `${R}ClientSecret` => `${role}ClientSecret`;
