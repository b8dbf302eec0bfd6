/** The CapabilityStatement compared with the values BCDA's documented example fixes, and its own URL. */
import { documentedFieldProblems, metadataChecks } from '../../src/checks/metadata';
import { BASE, fakeContext } from './fake-context';

/** The fixed fields of seed 001's v2 example (date, release and BFD host vary). */
const EXAMPLE = {
  resourceType: 'CapabilityStatement',
  status: 'active',
  date: '2024-09-09T13:35:05+00:00',
  publisher: 'Centers for Medicare & Medicaid Services',
  kind: 'instance',
  instantiates: [
    'https://prod.bfd.cms.gov/v2/fhir/metadata',
    'https://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data',
  ],
  software: {
    name: 'Beneficiary Claims Data API',
    releaseDate: '2024-09-09T13:35:05+00:00',
    version: 'r231',
  },
  implementation: { description: 'BCDA', url: 'https://sandbox.bcda.cms.gov' },
  fhirVersion: '4.0.1',
  format: ['application/json', 'application/fhir+json'],
  rest: [
    {
      mode: 'server',
      interaction: [{ code: 'batch' }, { code: 'search-system' }],
      resource: [
        {
          type: 'Patient',
          operation: [
            {
              name: 'patient-export',
              definition: 'https://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export',
            },
          ],
        },
        {
          type: 'Group',
          operation: [
            {
              name: 'group-export',
              definition: 'https://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export',
            },
          ],
        },
      ],
      security: {
        cors: true,
        service: [
          {
            // As seed 001 prints it (https); BCDA itself sends R4's http canonical URL.
            coding: [
              {
                code: 'OAuth',
                display: 'OAuth',
                system: 'https://terminology.hl7.org/CodeSystem/restful-security-service',
              },
            ],
            text: 'OAuth',
          },
        ],
      },
    },
  ],
};

describe('documentedFieldProblems', () => {
  it('finds nothing in the documented example', () => {
    expect(documentedFieldProblems(EXAMPLE, 'v2')).toEqual([]);
  });

  it('wants the OAuth coding in the restful-security-service code system, not its value set', () => {
    const withSystem = (system: string | undefined) => {
      const cs = structuredClone(EXAMPLE);
      const coding = cs.rest[0]!.security.service[0]!.coding[0]! as { system?: string };
      if (system === undefined) delete coding.system;
      else coding.system = system;
      return documentedFieldProblems(cs, 'v2');
    };
    expect(withSystem('http://terminology.hl7.org/CodeSystem/restful-security-service')).toEqual([]);
    expect(withSystem('http://hl7.org/fhir/restful-security-service')).toEqual([]);
    expect(withSystem('http://hl7.org/fhir/ValueSet/restful-security-service')).toEqual([
      `the OAuth coding's system is "http://hl7.org/fhir/ValueSet/restful-security-service", not the restful-security-service code system`,
    ]);
    expect(withSystem(undefined)).toHaveLength(1);
  });

  it('names each field that departs from it', () => {
    const changed = {
      ...EXAMPLE,
      publisher: 'Someone',
      format: ['application/fhir+xml'],
      instantiates: ['https://prod.bfd.cms.gov/v1/fhir/metadata'],
      rest: [{ ...EXAMPLE.rest[0], mode: 'client', security: { cors: false } }],
    };
    expect(documentedFieldProblems(changed, 'v2')).toEqual([
      'publisher is "Someone"',
      'format is ["application/fhir+xml"]',
      'instantiates does not list the Bulk Data CapabilityStatement (["https://prod.bfd.cms.gov/v1/fhir/metadata"])',
      'instantiates names no v2 BFD metadata (["https://prod.bfd.cms.gov/v1/fhir/metadata"])',
      'rest[0].mode is "client"',
      'rest[0].security.cors is false',
      'rest[0].security.service names no OAuth coding',
    ]);
  });

  it('takes the BFD metadata of the version asked about', () => {
    expect(documentedFieldProblems(EXAMPLE, 'v3')).toEqual([
      'instantiates names no v3 BFD metadata (["https://prod.bfd.cms.gov/v2/fhir/metadata","https://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"])',
    ]);
  });
});

describe('software.releaseDate', () => {
  const withRelease = (releaseDate: unknown) => ({
    ...EXAMPLE,
    software: { ...EXAMPLE.software, releaseDate },
  });

  it('takes a date, a full dateTime with zone, or a year', () => {
    for (const value of ['2019-05-30', '2024-09-09T13:35:05+00:00', '2026-12-06T07:33:48Z', '2024'])
      expect(documentedFieldProblems(withRelease(value), 'v2')).toEqual([]);
  });

  it('names a missing releaseDate, or one that is no FHIR dateTime', () => {
    const { releaseDate: _dropped, ...software } = EXAMPLE.software;
    expect(documentedFieldProblems({ ...EXAMPLE, software }, 'v2')).toEqual([
      'software.releaseDate is undefined',
    ]);
    expect(documentedFieldProblems(withRelease('2024-09-09 13:35:05 +0000 UTC'), 'v2')).toEqual([
      'software.releaseDate is "2024-09-09 13:35:05 +0000 UTC"',
    ]);
    expect(documentedFieldProblems(withRelease('2024-09-09T13:35:05'), 'v2')).toEqual([
      'software.releaseDate is "2024-09-09T13:35:05"',
    ]);
  });
});

describe('METADATA-ACCEPT-UNKNOWN', () => {
  const check = metadataChecks.find((c) => c.id === 'METADATA-ACCEPT-UNKNOWN')!;
  const withStatement = (extra: Record<string, unknown>) => {
    const fake = fakeContext({ version: 'v1' });
    const res = fake.answer({ url: '/api/v1/metadata', status: 200, body: { ...EXAMPLE, ...extra } });
    return fakeContext({ version: 'v1', once: { metadata: res } }).ctx;
  };

  it('applies to v1 only: R4 has no acceptUnknown', () => {
    expect(check.versions).toEqual(['v1']);
  });

  it('passes on "extensions"', async () => {
    expect(
      (await check.run(withStatement({ fhirVersion: '3.0.1', acceptUnknown: 'extensions' }))).outcome,
    ).toBe('pass');
  });

  it('fails when it is missing or another value', async () => {
    expect(await check.run(withStatement({ fhirVersion: '3.0.1' }))).toMatchObject({
      outcome: 'fail',
      message: 'acceptUnknown is absent',
    });
    expect(await check.run(withStatement({ acceptUnknown: 'no' }))).toMatchObject({
      outcome: 'fail',
      actual: 'no',
    });
  });
});

describe('METADATA-IMPLEMENTATION-URL', () => {
  const check = metadataChecks.find((c) => c.id === 'METADATA-IMPLEMENTATION-URL')!;
  const withStatement = (url: string) => {
    const fake = fakeContext();
    const res = fake.answer({
      url: '/api/v2/metadata',
      status: 200,
      body: { ...EXAMPLE, implementation: { url } },
    });
    return fakeContext({ once: { metadata: res } }).ctx;
  };

  it('passes when implementation.url is the target', async () => {
    expect((await check.run(withStatement(`${BASE}`))).outcome).toBe('pass');
  });

  it('fails when it names another host', async () => {
    expect(await check.run(withStatement('https://sandbox.bcda.cms.gov'))).toMatchObject({
      outcome: 'fail',
      expected: BASE,
      actual: 'https://sandbox.bcda.cms.gov',
    });
  });

  it('passes with a trailing slash', async () => {
    expect((await check.run(withStatement(`${BASE}/`))).outcome).toBe('pass');
  });

  it("fails when it names a FHIR base under the target's (<base>/api/v2)", async () => {
    expect(await check.run(withStatement(`${BASE}/api/v2`))).toMatchObject({
      outcome: 'fail',
      expected: BASE,
    });
  });
});

describe('METADATA-EXPORT-OPERATIONS', () => {
  const check = metadataChecks.find((c) => c.id === 'METADATA-EXPORT-OPERATIONS')!;
  const withStatement = (statement: Record<string, unknown>) => {
    const fake = fakeContext();
    const res = fake.answer({ url: '/api/v2/metadata', status: 200, body: statement });
    return fakeContext({ once: { metadata: res } }).ctx;
  };
  const swapped = JSON.parse(
    JSON.stringify(EXAMPLE)
      .replace('OperationDefinition/patient-export', 'OperationDefinition/PLACEHOLDER')
      .replace('OperationDefinition/group-export', 'OperationDefinition/patient-export')
      .replace('OperationDefinition/PLACEHOLDER', 'OperationDefinition/group-export'),
  ) as Record<string, unknown>;

  it("passes on the documented example's operations", async () => {
    expect((await check.run(withStatement(EXAMPLE))).outcome).toBe('pass');
  });

  it("fails when each export operation cites the other's definition", async () => {
    expect(await check.run(withStatement(swapped))).toMatchObject({
      outcome: 'fail',
      message:
        'the operation named patient-export cites the group-export OperationDefinition; the operation named group-export cites the patient-export OperationDefinition',
    });
  });
});

describe('METADATA-EXPORT-OPERATIONS, operations on the wrong resource', () => {
  const check = metadataChecks.find((c) => c.id === 'METADATA-EXPORT-OPERATIONS')!;
  it('fails when patient-export is declared on Group and group-export on Patient', async () => {
    const moved = JSON.parse(
      JSON.stringify(EXAMPLE)
        .replace('"type":"Patient"', '"type":"PLACEHOLDER"')
        .replace('"type":"Group"', '"type":"Patient"')
        .replace('"type":"PLACEHOLDER"', '"type":"Group"'),
    ) as Record<string, unknown>;
    const fake = fakeContext();
    const res = fake.answer({ url: '/api/v2/metadata', status: 200, body: moved });
    expect(await check.run(fakeContext({ once: { metadata: res } }).ctx)).toMatchObject({
      outcome: 'fail',
      message:
        'the operation named patient-export is declared on the Group resource; the operation named group-export is declared on the Patient resource',
    });
  });
});

describe('METADATA-TOKEN-URL', () => {
  const check = metadataChecks.find((c) => c.id === 'METADATA-TOKEN-URL')!;
  const withTokenUrl = (valueUri: string) => {
    const statement = {
      ...EXAMPLE,
      rest: [
        {
          mode: 'server',
          security: {
            cors: true,
            extension: [
              {
                url: 'https://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
                extension: [{ url: 'token', valueUri }],
              },
            ],
          },
        },
      ],
    };
    const fake = fakeContext();
    const res = fake.answer({ url: '/api/v2/metadata', status: 200, body: statement });
    return fakeContext({ once: { metadata: res } }).ctx;
  };

  it('passes on <base>/auth/token', async () => {
    expect((await check.run(withTokenUrl(`${BASE}/auth/token`))).outcome).toBe('pass');
  });

  it('fails on a token URL under the API path or on another host', async () => {
    expect(await check.run(withTokenUrl(`${BASE}/api/v2/auth/token`))).toMatchObject({
      outcome: 'fail',
      expected: `${BASE}/auth/token`,
    });
    expect((await check.run(withTokenUrl('https://sandbox.bcda.cms.gov/auth/token'))).outcome).toBe('fail');
  });
});
