/**
 * The generic mock's synthetic clinical data: a small, seeded, valid FHIR R4 population (tens of
 * patients) with encounters, observations, conditions, documents with attachments, several
 * Provenance per observation and condition, practitioners, organizations and two groups.
 * `meta.lastUpdated` is spread over two years so `_since` splits it, and some resources are
 * deleted along the way (the manifest's `deleted`).
 */

export type FhirResource = Record<string, unknown> & { resourceType: string; id: string };

/** One stored resource: its latest version, when it changed, and when it was deleted (if it was). */
export interface StoredResource {
  resource: FhirResource;
  type: string;
  id: string;
  lastUpdatedMs: number;
  /** The patient whose compartment holds it (Patient: itself). */
  patientId?: string;
  /** When it was deleted; a deleted resource is never exported, only listed in `deleted`. */
  deletedMs?: number;
}

export interface IgDataset {
  resources: StoredResource[];
  byRef: Map<string, StoredResource>;
  /** Provenance by the `Type/id` of each resource it targets. */
  provenanceByTarget: Map<string, StoredResource[]>;
  groups: { id: string; patientIds: string[] }[];
  binaries: Map<string, { contentType: string; content: string }>;
}

/** The types the mock holds, in the order files are listed. */
export const RESOURCE_TYPES = [
  'Patient',
  'Encounter',
  'Observation',
  'Condition',
  'DocumentReference',
  'Provenance',
  'Group',
  'Practitioner',
  'Organization',
] as const;

/** The types of the Patient compartment the mock holds (Patient- and Group-level exports). */
export const PATIENT_COMPARTMENT_TYPES = new Set([
  'Patient',
  'Encounter',
  'Observation',
  'Condition',
  'DocumentReference',
  'Provenance',
]);

export const GROUP_IDS = ['cohort-a', 'cohort-b'] as const;

const PATIENTS = 24;
/** The data spans 2024-01-01 to 2025-11-30 (well before any real or test clock). */
const DATA_START_MS = Date.UTC(2024, 0, 1);
const DATA_SPAN_MS = Date.UTC(2025, 10, 30) - DATA_START_MS;
/** Deletions happen in the last five months of that span. */
const DELETE_START_MS = Date.UTC(2025, 6, 1);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OBSERVATION_CODES = [
  { code: '8867-4', display: 'Heart rate', category: 'vital-signs', unit: '/min', min: 55, max: 110 },
  { code: '8310-5', display: 'Body temperature', category: 'vital-signs', unit: 'Cel', min: 36, max: 39 },
  { code: '29463-7', display: 'Body weight', category: 'vital-signs', unit: 'kg', min: 45, max: 120 },
  {
    code: '2339-0',
    display: 'Glucose [Mass/volume] in Blood',
    category: 'laboratory',
    unit: 'mg/dL',
    min: 70,
    max: 180,
  },
] as const;

const CONDITION_CODES = [
  { code: '44054006', display: 'Diabetes mellitus type 2' },
  { code: '38341003', display: 'Hypertensive disorder' },
  { code: '195967001', display: 'Asthma' },
] as const;

const GIVEN = ['Ada', 'Ben', 'Cora', 'Dev', 'Edie', 'Finn', 'Gia', 'Hugo', 'Iris', 'Jon', 'Kai', 'Lena'];
const FAMILY = ['Alvarez', 'Brooks', 'Chen', 'Diallo', 'Evans', 'Fischer', 'Garcia', 'Haddad'];

const iso = (ms: number): string => new Date(ms).toISOString();
const date = (ms: number): string => iso(ms).slice(0, 10);
const pad = (n: number): string => String(n).padStart(3, '0');

export function buildDataset(seed: number): IgDataset {
  const rand = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const when = (fromMs = DATA_START_MS, spanMs = DATA_SPAN_MS): number =>
    Math.floor((fromMs + rand() * spanMs) / 1000) * 1000;
  const resources: StoredResource[] = [];
  const binaries = new Map<string, { contentType: string; content: string }>();
  const add = (resource: FhirResource, lastUpdatedMs: number, patientId?: string): StoredResource => {
    resource.meta = { lastUpdated: iso(lastUpdatedMs) };
    const stored: StoredResource = { resource, type: resource.resourceType, id: resource.id, lastUpdatedMs };
    if (patientId) stored.patientId = patientId;
    resources.push(stored);
    return stored;
  };

  const orgs = ['org-1', 'org-2'].map((id, i) =>
    add(
      {
        resourceType: 'Organization',
        id,
        active: true,
        name: i === 0 ? 'Riverside Clinic' : 'Hillcrest Hospital',
        identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: `170000000${i + 1}` }],
      },
      when(),
    ),
  );
  const practitioners = ['prac-1', 'prac-2', 'prac-3'].map((id, i) =>
    add(
      {
        resourceType: 'Practitioner',
        id,
        active: true,
        identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: `199000000${i + 1}` }],
        name: [{ family: pick(FAMILY), given: [pick(GIVEN)], prefix: ['Dr.'] }],
      },
      when(),
    ),
  );

  const provenanceTargets: StoredResource[] = [];
  const patientIds: string[] = [];
  for (let p = 1; p <= PATIENTS; p++) {
    const patientId = `pat-${pad(p)}`;
    patientIds.push(patientId);
    const born = Date.UTC(
      1940 + Math.floor(rand() * 60),
      Math.floor(rand() * 12),
      1 + Math.floor(rand() * 28),
    );
    const org = pick(orgs);
    add(
      {
        resourceType: 'Patient',
        id: patientId,
        identifier: [{ system: 'urn:oid:2.16.840.1.113883.3.9999.1', value: `MRN${pad(p)}` }],
        active: true,
        name: [{ use: 'official', family: pick(FAMILY), given: [pick(GIVEN)] }],
        gender: rand() < 0.5 ? 'female' : 'male',
        birthDate: date(born),
        managingOrganization: { reference: `Organization/${org.id}` },
      },
      when(),
      patientId,
    );
    const subject = { reference: `Patient/${patientId}` };
    for (let e = 1; e <= 2; e++) {
      const encounterId = `enc-${pad(p)}-${e}`;
      const start = when();
      add(
        {
          resourceType: 'Encounter',
          id: encounterId,
          status: 'finished',
          class: {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
            code: 'AMB',
            display: 'ambulatory',
          },
          subject,
          participant: [{ individual: { reference: `Practitioner/${pick(practitioners).id}` } }],
          period: { start: iso(start), end: iso(start + 30 * 60 * 1000) },
          serviceProvider: { reference: `Organization/${org.id}` },
        },
        start + 60 * 60 * 1000,
        patientId,
      );
      for (let o = 1; o <= (e === 1 ? 2 : 1); o++) {
        const kind = pick(OBSERVATION_CODES);
        const effective = start + o * 60 * 1000;
        const obs = add(
          {
            resourceType: 'Observation',
            id: `obs-${pad(p)}-${e}-${o}`,
            status: 'final',
            category: [
              {
                coding: [
                  {
                    system: 'http://terminology.hl7.org/CodeSystem/observation-category',
                    code: kind.category,
                  },
                ],
              },
            ],
            code: { coding: [{ system: 'http://loinc.org', code: kind.code, display: kind.display }] },
            subject,
            encounter: { reference: `Encounter/${encounterId}` },
            effectiveDateTime: iso(effective),
            valueQuantity: {
              value: Math.round((kind.min + rand() * (kind.max - kind.min)) * 10) / 10,
              unit: kind.unit,
              system: 'http://unitsofmeasure.org',
              code: kind.unit,
            },
          },
          when(Math.max(effective, DATA_START_MS), 0) + 2 * 60 * 60 * 1000,
          patientId,
        );
        provenanceTargets.push(obs);
      }
    }
    const cond = pick(CONDITION_CODES);
    const onset = when();
    provenanceTargets.push(
      add(
        {
          resourceType: 'Condition',
          id: `cond-${pad(p)}`,
          clinicalStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
          },
          verificationStatus: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' },
            ],
          },
          code: { coding: [{ system: 'http://snomed.info/sct', code: cond.code, display: cond.display }] },
          subject,
          onsetDateTime: iso(onset),
        },
        onset + 24 * 60 * 60 * 1000,
        patientId,
      ),
    );
    const docId = `doc-${pad(p)}`;
    const written = when();
    binaries.set(`bin-${pad(p)}`, {
      contentType: 'text/plain',
      content: `Visit note for patient ${patientId}: synthetic test content, no real person.\n`,
    });
    add(
      {
        resourceType: 'DocumentReference',
        id: docId,
        status: 'current',
        type: { coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }] },
        subject,
        date: iso(written),
        author: [{ reference: `Practitioner/${pick(practitioners).id}` }],
        // The attachment URL is made absolute when served (it depends on the host asked).
        content: [
          { attachment: { contentType: 'text/plain', url: `Binary/bin-${pad(p)}`, title: 'Visit note' } },
        ],
      },
      written,
      patientId,
    );
  }

  // Deletions: one observation in four and every fifth condition, after DELETE_START_MS.
  const counters = new Map<string, number>();
  for (const r of resources.filter((x) => x.type === 'Observation' || x.type === 'Condition')) {
    const i = counters.get(r.type) ?? 0;
    counters.set(r.type, i + 1);
    if ((r.type === 'Observation' && i % 4 === 3) || (r.type === 'Condition' && i % 5 === 0))
      r.deletedMs = Math.max(r.lastUpdatedMs, DELETE_START_MS) + Math.floor(rand() * 120) * 24 * 3600 * 1000;
  }

  // Provenance: one to three per live observation and condition, each recorded later than the last
  // (so the latest one is a real choice); the first target always gets three.
  const provenanceByTarget = new Map<string, StoredResource[]>();
  let n = 0;
  for (const [i, target] of provenanceTargets.filter((t) => t.deletedMs === undefined).entries()) {
    const count = i === 0 ? 3 : 1 + Math.floor(rand() * 3);
    let recorded = target.lastUpdatedMs;
    const list: StoredResource[] = [];
    for (let k = 0; k < count; k++) {
      recorded += (1 + Math.floor(rand() * 20)) * 24 * 3600 * 1000;
      n++;
      list.push(
        add(
          {
            resourceType: 'Provenance',
            id: `prov-${pad(n)}`,
            target: [{ reference: `${target.type}/${target.id}` }],
            recorded: iso(recorded),
            activity: {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
                  code: k === 0 ? 'CREATE' : 'UPDATE',
                },
              ],
            },
            agent: [
              {
                type: {
                  coding: [
                    {
                      system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
                      code: 'author',
                    },
                  ],
                },
                who: { reference: `Practitioner/${pick(practitioners).id}` },
              },
            ],
          },
          recorded,
          target.patientId,
        ),
      );
    }
    provenanceByTarget.set(`${target.type}/${target.id}`, list);
  }

  // Two overlapping cohorts: the first two thirds and the last half of the patients.
  const groups = [
    { id: GROUP_IDS[0], patientIds: patientIds.slice(0, Math.ceil((PATIENTS * 2) / 3)) },
    { id: GROUP_IDS[1], patientIds: patientIds.slice(PATIENTS / 2) },
  ];
  for (const g of groups)
    add(
      {
        resourceType: 'Group',
        id: g.id,
        type: 'person',
        actual: true,
        name: g.id === GROUP_IDS[0] ? 'Cohort A' : 'Cohort B',
        quantity: g.patientIds.length,
        member: g.patientIds.map((id) => ({ entity: { reference: `Patient/${id}` } })),
      },
      DATA_START_MS + DATA_SPAN_MS,
    );

  const byRef = new Map(resources.map((r) => [`${r.type}/${r.id}`, r]));
  return { resources, byRef, provenanceByTarget, groups, binaries };
}
