/**
 * The response examples the BCDA documents print, copied as data (seed 001 is the current access
 * guide, seed 002 the older technical guide). Typed against generated/bcda.ts: a spec change that
 * no longer fits a documented example fails the typecheck as well as the schema tests.
 */
import type { components } from '../../generated/bcda';

type Schemas = components['schemas'];

/** seed 001 §3. Check job status, "Response example: completed job". */
export const SEED_001_MANIFEST: Schemas['ExportManifest'] = {
  transactionTime: '2019-12-09T20:44:01.705398Z',
  request: 'https://sandbox.bcda.cms.gov/api/v2/Group/all/$export',
  requiresAccessToken: true,
  output: [
    {
      type: 'ExplanationOfBenefit',
      url: 'https://sandbox.bcda.cms.gov/data/42/afd22dfa-c239-4063-8882-eb2712f9f638.ndjson',
    },
    {
      type: 'Coverage',
      url: 'https://sandbox.bcda.cms.gov/data/42/f76a0b76-48ed-4033-aad9-d3eec37e7e83.ndjson',
    },
    {
      type: 'Patient',
      url: 'https://sandbox.bcda.cms.gov/data/42/f92dcf16-63a2-448e-a12a-3bf677f966ed.ndjson',
    },
  ],
  error: [],
  JobID: 42,
};

/**
 * seed 002 §3. Check the status of the export job (Patient), with an error file. The kick-off path
 * is changed from seed 002's `ExplanationOfBenefit/$export`, an endpoint BCDA no longer has, to the
 * Patient example of the same page.
 */
export const SEED_002_MANIFEST: Schemas['ExportManifest'] = {
  transactionTime: '2018-10-19T14:47:33.975024Z',
  request: 'https://sandbox.bcda.cms.gov/api/v1/Patient/$export',
  requiresAccessToken: true,
  output: [
    {
      type: 'Patient',
      url: 'https://sandbox.bcda.cms.gov/data/43/DBBD1CE1-AE24-435C-807D-ED45953077D3.ndjson',
    },
  ],
  error: [
    {
      type: 'OperationOutcome',
      url: 'https://sandbox.bcda.cms.gov/data/43/DBBD1CE1-AE24-435C-807D-ED45953077D3-error.ndjson',
    },
  ],
};

/** seed 001 §Request job history, "Response example: completed job". */
export const SEED_001_TASK_BUNDLE: Schemas['TaskBundle'] = {
  entry: [
    {
      resource: {
        executionPeriod: { end: '2021-08-14T00:07:48+00:00', start: '2021-08-13T00:07:48+00:00' },
        identifier: [{ system: 'https://bcda.cms.gov/api/v2/jobs', use: 'official', value: '1' }],
        input: [
          { type: { text: 'BULK FHIR Export' }, valueString: 'GET https://bcda.test.gov/this-is-a-test' },
        ],
        intent: 'order',
        resourceType: 'Task',
        status: 'completed',
      },
    },
  ],
  resourceType: 'Bundle',
  total: 1,
  type: 'searchset',
};

/** seed 001 §Request attribution status, "Response example". */
export const SEED_001_ATTRIBUTION: Schemas['AttributionStatus'] = {
  ingestion_dates: [
    { type: 'last_attribution_update', timestamp: '2020-12-22 22:31:40.397916+00' },
    { type: 'last_runout_update', timestamp: '2020-12-22 22:31:40.397916+00' },
  ],
};

/** The token answer BCDA sends (behavior §2.8; seed 003 shows only that it holds an access_token). */
export const TOKEN: Schemas['TokenResponse'] = {
  access_token: 'eyJhbGciOiJSUzUxMiJ9.eyJpc3MiOiJzc2FzIn0.c2ln',
  expires_in: '1200',
  token_type: 'bearer',
};

const OAUTH_SERVICE = (system: string, code: string) => ({
  coding: [{ system, code, display: code }],
  text: code,
});

/** seed 001 §Check API status, "Response example" (v2). */
export const SEED_001_CAPABILITY: Schemas['CapabilityStatementR4'] = {
  date: '2024-09-09T13:35:05+00:00',
  fhirVersion: '4.0.1',
  format: ['application/json', 'application/fhir+json'],
  implementation: {
    description:
      'The Beneficiary Claims Data API (BCDA) enables Accountable Care Organizations (ACOs) participating in the Shared Savings Program to retrieve Medicare Part A, Part B, and Part D claims data for their prospectively assigned or assignable beneficiaries.',
    url: 'https://sandbox.bcda.cms.gov',
  },
  instantiates: [
    'https://prod.bfd.cms.gov/v2/fhir/metadata',
    'https://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data',
  ],
  kind: 'instance',
  publisher: 'Centers for Medicare & Medicaid Services',
  resourceType: 'CapabilityStatement',
  rest: [
    {
      interaction: [{ code: 'batch' }, { code: 'search-system' }],
      mode: 'server',
      resource: [
        {
          operation: [
            {
              definition: 'https://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export',
              name: 'patient-export',
            },
          ],
          type: 'Patient',
        },
        {
          operation: [
            {
              definition: 'https://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export',
              name: 'group-export',
            },
          ],
          type: 'Group',
        },
      ],
      security: {
        cors: true,
        extension: [
          {
            extension: [{ url: 'token', valueUri: 'https://sandbox.bcda.cms.gov/auth/token' }],
            url: 'https://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
          },
        ],
        service: [OAUTH_SERVICE('https://terminology.hl7.org/CodeSystem/restful-security-service', 'OAuth')],
      },
    },
  ],
  software: {
    name: 'Beneficiary Claims Data API',
    releaseDate: '2024-09-09T13:35:05+00:00',
    version: 'r231',
  },
  status: 'active',
};

/** seed 002 §1. Request the metadata, "Response" (v1; the operation list shortened to three). */
export const SEED_002_CAPABILITY: Schemas['CapabilityStatementV1'] = {
  resourceType: 'CapabilityStatement',
  status: 'active',
  date: '2019-05-30',
  publisher: 'Centers for Medicare & Medicaid Services',
  kind: 'capability',
  instantiates: ['https://blob-pdcw16Tv76-1352124321.us-east-1.elb.amazonaws.com/baseDstu3/metadata/'],
  software: { name: 'Beneficiary Claims Data API', version: 'latest', releaseDate: '2019-05-30' },
  implementation: { url: 'https://sandbox.bcda.cms.gov' },
  fhirVersion: '3.0.1',
  acceptUnknown: 'extensions',
  format: ['application/json', 'application/fhir+json'],
  rest: [
    {
      mode: 'server',
      security: {
        cors: true,
        service: [
          OAUTH_SERVICE('http://hl7.org/fhir/ValueSet/restful-security-service', 'OAuth'),
          OAUTH_SERVICE('http://hl7.org/fhir/ValueSet/restful-security-service', 'SMART-on-FHIR'),
        ],
      },
      interaction: [{ code: 'batch' }, { code: 'search-system' }],
      operation: [
        {
          name: 'export',
          definition: { reference: 'https://sandbox.bcda.cms.gov/api/v1/Patient/$export' },
        },
        { name: 'jobs', definition: { reference: 'https://sandbox.bcda.cms.gov/api/v1/jobs/[jobId]' } },
        {
          name: 'data',
          definition: { reference: 'https://sandbox.bcda.cms.gov/data/[jobID]/[random_UUID].ndjson' },
        },
      ],
    },
  ],
};
