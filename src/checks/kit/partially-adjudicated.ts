/**
 * Partially adjudicated claims (v2 Claim and ClaimResponse, seed 000 §/Group, seed 001): only an
 * organization entitled to them gets them, so their checks need such an organization's client.
 */

export const CLAIM_TYPES = ['Claim', 'ClaimResponse'] as const;

export const NO_ENTITLED_CLIENT =
  'no client entitled to partially adjudicated claims configured (--partially-adjudicated-client-id / BCDA_PARTIALLY_ADJUDICATED_CLIENT_ID)';
