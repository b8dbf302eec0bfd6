/** Patient, shaped like BFD's C4BB Patient read with `IncludeIdentifiers: mbi` and address fields. */
import type { CodeableConcept, Extension, Patient } from 'fhir/r4';
import type { BeneficiaryFacts } from '../beneficiary';
import { DAY_MS, epochDayToDate, instant } from '../beneficiary';
import { RACES } from '../code-tables';
import {
  BENE_ID_SYSTEM,
  BB_VARIABLES,
  CURRENCY_EXTENSION,
  MBI_SYSTEM,
  bbCoding,
  coding,
  concept,
} from '../fhir-parts';
import { BUILTIN_RESOURCE_PROFILES } from '../profiles';
import { cityName, firstName, lastName, reseed, rng, stateCode, streetLine } from '../seeded-faker';
import type { ApiVersion } from '../../../core/vocabulary';

const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

function mbiType(currency: 'current' | 'historic'): CodeableConcept {
  return {
    coding: [
      {
        extension: [
          {
            url: CURRENCY_EXTENSION,
            valueCoding: coding(
              CURRENCY_EXTENSION,
              currency,
              currency === 'current' ? 'Current' : 'Historic',
            ),
          },
        ],
        system: V2_0203,
        code: 'MC',
        display: "Patient's Medicare number",
      },
    ],
  };
}

const DUAL_DISPLAY: Record<string, string> = {
  NA: 'Non-Medicaid',
  '02': 'QMB and full Medicaid coverage, including prescription drugs',
  '08': 'Other dual eligibles (not QMB, SLMB, QWDI, or QI) with full Medicaid coverage',
};

/** Birth date 65–95 years before the service horizon. */
function birthDay(horizonDay: number): number {
  return horizonDay - rng.int(65 * 365, 95 * 365);
}

export function buildPatient(facts: BeneficiaryFacts, version: ApiVersion, horizon: number): Patient {
  reseed(facts.seed);
  const sex = rng.chance(0.54) ? 'female' : 'male';
  const given = firstName(sex).toUpperCase();
  const family = lastName().toUpperCase();
  const middle = String.fromCharCode(65 + rng.int(0, 25));
  const horizonDay = Math.floor(horizon / DAY_MS);
  const born = birthDay(horizonDay);
  const race = rng.pick(RACES);
  const referenceYear = new Date(horizon).getUTCFullYear() - rng.int(0, 1);
  const dual = rng.pick(Object.keys(DUAL_DISPLAY));

  const extension: Extension[] = [
    {
      url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-sex',
      valueCode: sex === 'female' ? '248152002' : '248153007',
    },
    bbCoding('race', race[0], race[1]),
    { url: BB_VARIABLES + 'rfrnc_yr', valueDate: String(referenceYear) },
  ];
  for (const month of ['01']) extension.push(bbCoding(`dual_${month}`, dual, DUAL_DISPLAY[dual]));

  const identifier: NonNullable<Patient['identifier']> = [
    {
      type: mbiType('current'),
      system: MBI_SYSTEM,
      value: facts.mbi,
      period: { start: epochDayToDate(born + 65 * 365) },
    },
  ];
  if (rng.chance(0.1)) {
    // An older MBI that was replaced: same shape, marked historic.
    identifier.push({
      type: mbiType('historic'),
      system: MBI_SYSTEM,
      value: facts.mbi.slice(0, 10) + String((Number(facts.mbi.slice(10)) + 1) % 10),
    });
  }
  identifier.push({
    type: concept(coding(V2_0203, 'MB', 'Member Number')),
    system: BENE_ID_SYSTEM,
    value: facts.id,
  });

  const patient: Patient = {
    resourceType: 'Patient',
    id: facts.id,
    meta: { lastUpdated: instant(facts.patientUpdated) },
    extension,
    identifier,
    name: [{ use: 'usual', family, given: [given, middle] }],
    gender: sex,
    birthDate: epochDayToDate(born),
    address: [
      {
        line: [streetLine().toUpperCase()],
        city: cityName().toUpperCase(),
        state: stateCode(),
        postalCode: rng.digits(5),
      },
    ],
  };
  const profile = BUILTIN_RESOURCE_PROFILES[version].Patient;
  if (profile.length > 0 && patient.meta) patient.meta.profile = profile;
  if (rng.chance(0.03)) patient.deceasedDateTime = epochDayToDate(horizonDay - rng.int(30, 700));
  return patient;
}
