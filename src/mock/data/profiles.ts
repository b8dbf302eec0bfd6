/**
 * What each generated resource declares about itself: C4BB profiles per API version and the
 * claim-type table of ExplanationOfBenefit. The mock server and the checks read these too.
 */
import type { ApiVersion } from '../../core/vocabulary';

export type EobClaimType = 'carrier' | 'dme' | 'hha' | 'hospice' | 'inpatient' | 'outpatient' | 'pde' | 'snf';

export const EOB_CLAIM_TYPES: readonly EobClaimType[] = [
  'carrier',
  'dme',
  'hha',
  'hospice',
  'inpatient',
  'outpatient',
  'pde',
  'snf',
];

type EobProfileName =
  | 'C4BB-ExplanationOfBenefit-Professional-NonClinician'
  | 'C4BB-ExplanationOfBenefit-Inpatient-Institutional'
  | 'C4BB-ExplanationOfBenefit-Outpatient-Institutional'
  | 'C4BB-ExplanationOfBenefit-Pharmacy';

export interface EobClaimTypeInfo {
  /** C4BB profile (without base URL or version). */
  profile: EobProfileName;
  /** `http://terminology.hl7.org/CodeSystem/claim-type` code. */
  claimType: 'professional' | 'institutional' | 'pharmacy';
  /** `https://bluebutton.cms.gov/resources/codesystem/eob-type` code. */
  eobType: string;
  /** NCH claim type code and its display (absent for PDE, which is not an NCH claim). */
  nch?: { code: string; display: string };
  /** C4BBInstitutionalClaimSubType for institutional claims. */
  subType?: 'inpatient' | 'outpatient';
  /** Coverage part the claim is paid under. */
  coveragePart: 'a' | 'b' | 'd';
  /** v3 `System-Type` tag: NCH claims vs DDPS (Part D). */
  systemType: 'NationalClaimsHistory' | 'DDPS';
}

/**
 * Carrier and DME are professional claims (behavior §7.2); inpatient, SNF and hospice are
 * inpatient-institutional; outpatient and HHA outpatient-institutional; PDE is pharmacy.
 * (The BFD samples tag DME/HHA differently; those tags are known to be untidy, see their README.)
 */
export const EOB_CLAIM_TYPE_INFO: Readonly<Record<EobClaimType, EobClaimTypeInfo>> = {
  carrier: {
    profile: 'C4BB-ExplanationOfBenefit-Professional-NonClinician',
    claimType: 'professional',
    eobType: 'CARRIER',
    nch: {
      code: '71',
      display:
        'Local carrier non-durable medical equipment, prosthetics, orthotics, and supplies (DMEPOS) claim',
    },
    coveragePart: 'b',
    systemType: 'NationalClaimsHistory',
  },
  dme: {
    profile: 'C4BB-ExplanationOfBenefit-Professional-NonClinician',
    claimType: 'professional',
    eobType: 'DME',
    nch: { code: '82', display: 'DMERC; DMEPOS claim' },
    coveragePart: 'b',
    systemType: 'NationalClaimsHistory',
  },
  hha: {
    profile: 'C4BB-ExplanationOfBenefit-Outpatient-Institutional',
    claimType: 'institutional',
    eobType: 'HHA',
    nch: { code: '10', display: 'Home Health Agency (HHA) claim' },
    subType: 'outpatient',
    coveragePart: 'b',
    systemType: 'NationalClaimsHistory',
  },
  hospice: {
    profile: 'C4BB-ExplanationOfBenefit-Inpatient-Institutional',
    claimType: 'institutional',
    eobType: 'HOSPICE',
    nch: { code: '50', display: 'Hospice claim' },
    subType: 'inpatient',
    coveragePart: 'a',
    systemType: 'NationalClaimsHistory',
  },
  inpatient: {
    profile: 'C4BB-ExplanationOfBenefit-Inpatient-Institutional',
    claimType: 'institutional',
    eobType: 'INPATIENT',
    nch: { code: '60', display: 'Inpatient claim' },
    subType: 'inpatient',
    coveragePart: 'a',
    systemType: 'NationalClaimsHistory',
  },
  outpatient: {
    profile: 'C4BB-ExplanationOfBenefit-Outpatient-Institutional',
    claimType: 'institutional',
    eobType: 'OUTPATIENT',
    nch: { code: '40', display: 'Hospital Outpatient claim' },
    subType: 'outpatient',
    coveragePart: 'b',
    systemType: 'NationalClaimsHistory',
  },
  pde: {
    profile: 'C4BB-ExplanationOfBenefit-Pharmacy',
    claimType: 'pharmacy',
    eobType: 'PDE',
    coveragePart: 'd',
    systemType: 'DDPS',
  },
  snf: {
    profile: 'C4BB-ExplanationOfBenefit-Inpatient-Institutional',
    claimType: 'institutional',
    eobType: 'SNF',
    nch: { code: '20', display: 'Non swing bed Skilled Nursing Facility (SNF) claim' },
    subType: 'inpatient',
    coveragePart: 'a',
    systemType: 'NationalClaimsHistory',
  },
};

export const C4BB_BASE = 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/';
/** CARIN BB version BFD's v3 ("ng") endpoints declare. */
export const C4BB_V3_VERSION = '2.1.0';
export const US_CORE_PATIENT_V3 = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient|6.1.0';
export const SYSTEM_TYPE_CODE_SYSTEM = 'https://bluebutton.cms.gov/fhir/CodeSystem/System-Type';

export interface VersionProfiles {
  Patient: string[];
  Coverage: string[];
  /** Partially adjudicated claims carry no profile in BFD output. */
  Claim: string[];
  ClaimResponse: string[];
  ExplanationOfBenefit: Readonly<Record<EobClaimType, string[]>>;
}

function c4bb(name: string, version: ApiVersion): string {
  return version === 'v3' ? `${C4BB_BASE}${name}|${C4BB_V3_VERSION}` : `${C4BB_BASE}${name}`;
}

function profilesFor(version: ApiVersion): VersionProfiles {
  if (version === 'v1') {
    const eob = Object.fromEntries(EOB_CLAIM_TYPES.map((t) => [t, [] as string[]])) as Record<
      EobClaimType,
      string[]
    >;
    return { Patient: [], Coverage: [], Claim: [], ClaimResponse: [], ExplanationOfBenefit: eob };
  }
  const eob = Object.fromEntries(
    EOB_CLAIM_TYPES.map((t) => [t, [c4bb(EOB_CLAIM_TYPE_INFO[t].profile, version)]]),
  ) as Record<EobClaimType, string[]>;
  return {
    Patient:
      version === 'v3'
        ? [c4bb('C4BB-Patient', version), US_CORE_PATIENT_V3]
        : [c4bb('C4BB-Patient', version)],
    Coverage: [c4bb('C4BB-Coverage', version)],
    Claim: [],
    ClaimResponse: [],
    ExplanationOfBenefit: eob,
  };
}

/**
 * `meta.profile` of every generated resource, per API version: v1 (STU3 heritage) none,
 * v2 unversioned C4BB URLs, v3 C4BB `|2.1.0` (Patient also US Core 6.1.0).
 */
export const BUILTIN_RESOURCE_PROFILES: Readonly<Record<ApiVersion, VersionProfiles>> = {
  v1: profilesFor('v1'),
  v2: profilesFor('v2'),
  v3: profilesFor('v3'),
};

/** The claim type encoded in an EOB id (`<claimtype>-<claimId>`), or undefined. */
export function eobClaimTypeOfId(id: string): EobClaimType | undefined {
  const dash = id.indexOf('-');
  const prefix = dash > 0 ? id.slice(0, dash) : '';
  return (EOB_CLAIM_TYPES as readonly string[]).includes(prefix) ? (prefix as EobClaimType) : undefined;
}
