/** Small constructors for the FHIR datatypes BFD output is made of, plus shared URLs. */

export const BB_VARIABLES = 'https://bluebutton.cms.gov/resources/variables/';
export const BB_CODESYSTEM = 'https://bluebutton.cms.gov/resources/codesystem/';
export const C4BB_CODESYSTEM = 'http://hl7.org/fhir/us/carin-bb/CodeSystem/';
export const MBI_SYSTEM = 'http://hl7.org/fhir/sid/us-mbi';
export const BENE_ID_SYSTEM = BB_VARIABLES + 'bene_id';
export const CLM_ID_SYSTEM = BB_VARIABLES + 'clm_id';
export const PDE_ID_SYSTEM = BB_VARIABLES + 'pde_id';
export const CLAIM_GROUP_SYSTEM = 'https://bluebutton.cms.gov/resources/identifier/claim-group';
export const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';
export const CURRENCY_EXTENSION = BB_CODESYSTEM + 'identifier-currency';

export interface Coding {
  system: string;
  code: string;
  display?: string;
  version?: string;
}

export function coding(system: string, code: string, display?: string): Coding {
  return display === undefined ? { system, code } : { system, code, display };
}

export function concept(...codings: Coding[]): { coding: Coding[] } {
  return { coding: codings };
}

/** `{url, valueCoding}` for a Blue Button variable, whose code system shares the variable URL. */
export function bbCoding(
  variable: string,
  code: string,
  display?: string,
): { url: string; valueCoding: Coding } {
  const url = BB_VARIABLES + variable;
  return { url, valueCoding: coding(url, code, display) };
}

export function bbIdentifier(
  variable: string,
  value: string,
): { url: string; valueIdentifier: { system: string; value: string } } {
  const url = BB_VARIABLES + variable;
  return { url, valueIdentifier: { system: url, value } };
}

export function money(value: number): { value: number; currency: 'USD' } {
  return { value, currency: 'USD' };
}

/** Adjudication/total/benefit category: a standard code plus the Blue Button variable it came from. */
export function amountCategory(
  standardSystem: string,
  standardCode: string,
  standardDisplay: string,
  variable: string,
  variableDisplay: string,
  codeSystem: 'adjudication' | 'benefit-balance' = 'adjudication',
): { coding: Coding[] } {
  return concept(
    coding(standardSystem, standardCode, standardDisplay),
    coding(BB_CODESYSTEM + codeSystem, BB_VARIABLES + variable, variableDisplay),
  );
}

export const UNIQUE_CLAIM_ID_TYPE = concept(
  coding(C4BB_CODESYSTEM + 'C4BBIdentifierType', 'uc', 'Unique Claim ID'),
);
export const NPI_TYPE = concept(
  coding(C4BB_CODESYSTEM + 'C4BBIdentifierType', 'npi', 'National Provider Identifier'),
);

export function npiIdentifier(value: string): { type: { coding: Coding[] }; value: string } {
  return { type: NPI_TYPE, value };
}
