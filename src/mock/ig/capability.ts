/**
 * The generic mock's CapabilityStatement (FHIR R4, instantiating the Bulk Data CapabilityStatement,
 * declaring the system, Patient and Group exports and Group read/search) and its SMART
 * configuration (`.well-known/smart-configuration`).
 */
import type { IgContext } from './context';
import { RESOURCE_TYPES } from './data';

const BULK = 'http://hl7.org/fhir/uv/bulkdata';

export const EXPORT_DEFINITIONS = {
  system: `${BULK}/OperationDefinition/export`,
  patient: `${BULK}/OperationDefinition/patient-export`,
  group: `${BULK}/OperationDefinition/group-export`,
};

/** The scopes the server knows: v1 and v2 forms, per type and wildcard. */
export function scopesSupported(): string[] {
  return ['*', ...RESOURCE_TYPES].flatMap((t) => [`system/${t}.read`, `system/${t}.rs`]);
}

export function capabilityStatement(
  fhirBase: string,
  tokenUrl: string,
  releaseDate: string,
): Record<string, unknown> {
  return {
    resourceType: 'CapabilityStatement',
    id: 'bulk-data-ig-mock',
    status: 'active',
    date: releaseDate,
    publisher: 'bcda-conformance (generic Bulk Data IG mock)',
    kind: 'instance',
    instantiates: [`${BULK}/CapabilityStatement/bulk-data`],
    software: { name: 'bcda-conformance generic Bulk Data mock', version: '2.0.0', releaseDate },
    implementation: {
      description: 'Synthetic FHIR Bulk Data Access (IG v2.0.0) server for conformance tests',
      url: fhirBase,
    },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: {
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [{ url: 'token', valueUri: tokenUrl }],
            },
          ],
          service: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                  code: 'SMART-on-FHIR',
                },
              ],
            },
          ],
          description:
            'SMART Backend Services (client_credentials with a private_key_jwt assertion, RS384 or ES384)',
        },
        resource: RESOURCE_TYPES.map((type) => {
          const entry: Record<string, unknown> = { type };
          if (type === 'Group') {
            entry.interaction = [{ code: 'read' }, { code: 'search-type' }];
            entry.operation = [{ name: 'export', definition: EXPORT_DEFINITIONS.group }];
          }
          if (type === 'Patient')
            entry.operation = [{ name: 'export', definition: EXPORT_DEFINITIONS.patient }];
          return entry;
        }).concat([{ type: 'Binary', interaction: [{ code: 'read' }] }]),
        operation: [{ name: 'export', definition: EXPORT_DEFINITIONS.system }],
      },
    ],
  };
}

export function smartConfiguration(ctx: IgContext, tokenUrl: string): Record<string, unknown> {
  const config: Record<string, unknown> = {
    token_endpoint: tokenUrl,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    scopes_supported: scopesSupported(),
    capabilities: ['client-confidential-asymmetric'],
    code_challenge_methods_supported: ['S256'],
  };
  if (ctx.faults.has('ig-smart-config-incomplete')) {
    delete config.token_endpoint_auth_methods_supported;
    config.capabilities = [];
  }
  return config;
}
