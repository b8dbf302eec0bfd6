/**
 * The generic mock's CapabilityStatement (FHIR R4, instantiating the Bulk Data CapabilityStatement,
 * declaring the system, Patient and Group exports, Group read/search, Provenance search and the
 * system history) and its SMART
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

/** The ids of the mock's own OperationDefinitions, each based on the IG's, by export level. */
export const OWN_DEFINITION_IDS = {
  system: 'bulk-ig-mock-export',
  patient: 'bulk-ig-mock-patient-export',
  group: 'bulk-ig-mock-group-export',
} as const;
export type ExportLevelName = keyof typeof OWN_DEFINITION_IDS;

/**
 * How the CapabilityStatement names its export operations: by the mock's own OperationDefinitions
 * (served at `{base}/OperationDefinition/{id}`, `base` the IG's, listing the parameters the mock
 * supports), or by the IG's canonicals alone (which say nothing of what is supported).
 */
export type DefinitionStyle = 'own' | 'ig';

function definitionUrl(level: ExportLevelName, style: DefinitionStyle, fhirBase: string): string {
  return style === 'ig'
    ? EXPORT_DEFINITIONS[level]
    : `${fhirBase}/OperationDefinition/${OWN_DEFINITION_IDS[level]}`;
}

/** One of the mock's own OperationDefinitions (valid R4), or undefined for another id. */
export function ownOperationDefinition(
  id: string,
  fhirBase: string,
  /** Parameters the server does not support (a fault): left out of every definition. */
  unsupported: ReadonlySet<string> = new Set(),
): Record<string, unknown> | undefined {
  const level = (Object.keys(OWN_DEFINITION_IDS) as ExportLevelName[]).find(
    (l) => OWN_DEFINITION_IDS[l] === id,
  );
  if (!level) return undefined;
  const param = (name: string, type: string, max: string, extra: Record<string, unknown> = {}) => ({
    name,
    use: 'in',
    min: 0,
    max,
    type,
    ...extra,
  });
  const parameter = [
    param('_outputFormat', 'string', '1'),
    param('_since', 'instant', '1'),
    param('_type', 'string', '*'),
    param('_elements', 'string', '*'),
    ...(level === 'system'
      ? []
      : [
          param('patient', 'Reference', '*', {
            targetProfile: ['http://hl7.org/fhir/StructureDefinition/Patient'],
          }),
        ]),
    param('includeAssociatedData', 'code', '*'),
    param('_typeFilter', 'string', '*'),
    // STU3's organizeOutputBy, Patient only, where every exported resource has a patient.
    ...(level === 'system' ? [] : [param('organizeOutputBy', 'string', '1')]),
  ].filter((p) => !unsupported.has(p.name));
  const names = {
    system: 'BulkIgMockExport',
    patient: 'BulkIgMockPatientExport',
    group: 'BulkIgMockGroupExport',
  };
  return {
    resourceType: 'OperationDefinition',
    id,
    url: `${fhirBase}/OperationDefinition/${id}`,
    version: '2.0.0',
    name: names[level],
    status: 'active',
    kind: 'operation',
    description:
      level === 'system'
        ? 'The system-level export as this server supports it (no organizeOutputBy).'
        : `The ${level}-level export as this server supports it, with STU3's organizeOutputBy=Patient.`,
    code: 'export',
    base: EXPORT_DEFINITIONS[level],
    ...(level === 'system' ? {} : { resource: [level === 'patient' ? 'Patient' : 'Group'] }),
    system: level === 'system',
    type: level === 'patient',
    instance: level === 'group',
    parameter,
  };
}

/** The scopes the server knows: v1 and v2 forms, per type and wildcard. */
export function scopesSupported(): string[] {
  return ['*', ...RESOURCE_TYPES].flatMap((t) => [`system/${t}.read`, `system/${t}.rs`]);
}

export function capabilityStatement(
  fhirBase: string,
  tokenUrl: string,
  releaseDate: string,
  style: DefinitionStyle = 'own',
  flaws: { noExportOperations?: boolean; noInstantiates?: boolean; instantiatesGuide?: boolean } = {},
): Record<string, unknown> {
  const statement = {
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
            entry.operation = [{ name: 'export', definition: definitionUrl('group', style, fhirBase) }];
          }
          if (type === 'Patient')
            entry.operation = [{ name: 'export', definition: definitionUrl('patient', style, fhirBase) }];
          // A Provenance search shows which Provenance are available (IG bulkdata@109-@112).
          if (type === 'Provenance') entry.interaction = [{ code: 'search-type' }];
          return entry;
        }).concat([{ type: 'Binary', interaction: [{ code: 'read' }] }]),
        // The system history lists deletions, which `deleted` must match (IG bulkdata@182).
        interaction: [{ code: 'history-system' }],
        operation: [{ name: 'export', definition: definitionUrl('system', style, fhirBase) }],
      },
    ],
  };
  if (flaws.noInstantiates) delete (statement as { instantiates?: unknown }).instantiates;
  // The IG's ImplementationGuide canonical where its CapabilityStatement belongs.
  if (flaws.instantiatesGuide) statement.instantiates = [`${BULK}/ImplementationGuide/hl7.fhir.uv.bulkdata`];
  if (flaws.noExportOperations) {
    const rest = statement.rest[0] as { operation?: unknown; resource: { operation?: unknown }[] };
    delete rest.operation;
    for (const r of rest.resource) delete r.operation;
  }
  return statement;
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
  // The fault gives the token endpoint as a path, not the URL SMART asks for (bulkdata@4).
  if (ctx.faults.has('ig-smart-config-token-path')) config.token_endpoint = new URL(tokenUrl).pathname;
  if (ctx.faults.has('ig-smart-config-plain-pkce'))
    config.code_challenge_methods_supported = ['S256', 'plain'];
  if (ctx.faults.has('ig-smart-config-rs256-only'))
    config.token_endpoint_auth_signing_alg_values_supported = ['RS256'];
  if (ctx.faults.has('ig-smart-config-incomplete')) {
    delete config.token_endpoint_auth_methods_supported;
    config.capabilities = [];
  }
  return config;
}
