/** The CapabilityStatements of `/api/vN/metadata` (behavior §2.1, seed 001 "Check API status"). */
import type { ApiVersion } from '../core/vocabulary';
import { isoSeconds } from './formats';

const DESCRIPTION =
  'The Beneficiary Claims Data API (BCDA) enables Accountable Care Organizations (ACOs) participating in the ' +
  'Shared Savings Program to retrieve Medicare Part A, Part B, and Part D claims data for their prospectively ' +
  'assigned or assignable beneficiaries.';
const BULK_CAPABILITY = 'http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data';
export const MOCK_VERSION = 'mock';

export interface CapabilityOptions {
  version: ApiVersion;
  base: string;
  now: Date;
  wrongFhirVersion?: boolean;
  noExportOperations?: boolean;
  /** Keeps STU3's acceptUnknown on v2/v3 (fault `metadata-stu3-elements`). */
  stu3Elements?: boolean;
  /** Lists only application/fhir+xml under format (fault `metadata-wrong-format`). */
  wrongFormat?: boolean;
  /** Names the public sandbox as the implementation whatever the host (fault `metadata-wrong-implementation-url`). */
  foreignImplementationUrl?: string;
  /** Leaves software.releaseDate out (fault `metadata-no-release-date`). */
  noReleaseDate?: boolean;
  /** Leaves acceptUnknown out of the v1 statement (fault `metadata-v1-no-accept-unknown`). */
  noAcceptUnknown?: boolean;
}

export function capabilityStatement(o: CapabilityOptions): Record<string, unknown> {
  const date = isoSeconds(o.now);
  const security = {
    cors: true,
    service: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
            code: 'OAuth',
            display: 'OAuth',
          },
        ],
        text: 'OAuth',
      },
    ],
    extension: [
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [{ url: 'token', valueUri: `${o.base}/auth/token` }],
      },
    ],
  };
  const statement: Record<string, unknown> = {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    publisher: 'Centers for Medicare & Medicaid Services',
    kind: 'instance',
    instantiates: [
      o.version === 'v1'
        ? 'https://mock.bfd.local/baseDstu3/metadata/'
        : o.version === 'v2'
          ? 'https://mock.bfd.local/v2/fhir/metadata'
          : 'https://mock.bfd.local/v3/fhir/metadata',
      BULK_CAPABILITY,
    ],
    software: {
      name: 'Beneficiary Claims Data API',
      version: MOCK_VERSION,
      ...(o.noReleaseDate ? {} : { releaseDate: date }),
    },
    implementation: { description: DESCRIPTION, url: o.foreignImplementationUrl ?? o.base },
    fhirVersion: o.version === 'v1' || o.wrongFhirVersion ? '3.0.1' : '4.0.1',
    format: o.wrongFormat ? ['application/fhir+xml'] : ['application/json', 'application/fhir+json'],
  };
  if ((o.version === 'v1' && !o.noAcceptUnknown) || o.stu3Elements) statement.acceptUnknown = 'extensions';
  const rest: Record<string, unknown> = {
    mode: 'server',
    security,
    interaction: [{ code: 'batch' }, { code: 'search-system' }],
  };
  if (!o.noExportOperations) {
    if (o.version === 'v1') {
      rest.operation = [
        {
          name: 'patient-export',
          definition: { reference: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export' },
        },
        {
          name: 'group-export',
          definition: { reference: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export' },
        },
      ];
    } else if (o.version === 'v2') {
      rest.resource = [
        {
          type: 'Patient',
          operation: [
            {
              name: 'patient-export',
              definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export',
            },
          ],
        },
        {
          type: 'Group',
          operation: [
            {
              name: 'group-export',
              definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export',
            },
          ],
        },
      ];
    } else {
      const exportSearch = [
        { name: '_since', type: 'date' },
        { name: '_type', type: 'string' },
        { name: '_typeFilter', type: 'string' },
      ];
      const exportOp = (kind: string) => ({
        name: 'export',
        definition: `http://hl7.org/fhir/uv/bulkdata/OperationDefinition/${kind}-export`,
        documentation: 'Exports default to System-Type NationalClaimsHistory and DDPS claims.',
      });
      rest.resource = [
        { type: 'Patient', operation: [exportOp('patient')], searchParam: exportSearch },
        { type: 'Group', operation: [exportOp('group')], searchParam: exportSearch },
        {
          type: 'ExplanationOfBenefit',
          searchParam: [
            { name: '_tag', type: 'token' },
            { name: 'outcome', type: 'token' },
            { name: 'service-date', type: 'date' },
          ],
        },
      ];
    }
  }
  statement.rest = [rest];
  return statement;
}
